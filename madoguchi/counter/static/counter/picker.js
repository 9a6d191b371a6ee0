// The counter's one type-ahead picker (国籍・地域, 在籍校, …): the server searches, this
// script only shows its candidates and lets the clerk take one from the keyboard.
//
// Markup (one input, one list, nothing else to wire up):
//
//   <span class="picker">
//     <input name="…" id="…" autocomplete="off" role="combobox" aria-autocomplete="list"
//            aria-expanded="false" aria-controls="LIST-ID" data-picker-url="/…/search/">
//     <ul role="listbox" id="LIST-ID" hidden></ul>
//   </span>
//
// - As the clerk types, GET data-picker-url?q=<typed> (same origin, 120 ms after the last
//   key) and put the returned HTML into the list. The endpoint returns <li> options:
//     <li role="option" id="…unique…" data-value="text put in the input"
//         [data-code="a code, kept in input.dataset.pickedCode"]
//         [aria-selected="true" on the one Enter takes, usually the first]>label</li>
//   and may add lines that cannot be taken (a hint, "not in the list") as
//     <li class="none" role="option" aria-disabled="true">…</li>.
//   Once the list shows the answer for a text, the list carries data-typed="<that text>"
//   (tests and the input-count bench wait for it).
// - ↓/↑ move the highlight (↓ on a closed list searches again), Enter or a click takes the
//   highlighted option, Escape closes. Without a highlighted option Enter is left to the
//   form (a value not in the list stays as typed and the form saves as usual).
// - Taking an option sets the input's value (and data-picked-code, and the text of an
//   element with id "<input id>-code" if there is one), fires "change", and moves the
//   focus to the next field of the form still empty (else the form's submit button).
// - Options for a picker that fills more than its own field (the new-address picker):
//   data-picker-with="name …" on the input sends those fields of its form along
//   (&name=value); data-picker-empty lets ↓ on an empty input ask the server (q=) for
//   what it proposes before anything is typed; an option's data-fill-<name>="value" sets
//   that field of the form when it is taken (typing in the input again clears them), and
//   its data-shown sets the text of an element with id "<input id>-shown".
// - Without this script the input is a plain text field: the server resolves what was
//   typed the same way.
(function () {
  var timers = new WeakMap();

  function listOf(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("li[data-value]"));
  }

  function open(input, html, q) {
    var list = listOf(input);
    list.innerHTML = html;
    list.dataset.typed = q;
    list.hidden = !list.children.length;
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    var sel = list.querySelector("li[data-value][aria-selected=true]");
    if (sel) input.setAttribute("aria-activedescendant", sel.id);
    else input.removeAttribute("aria-activedescendant");
  }

  function close(input) {
    var list = listOf(input);
    if (!list) return;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function fetchCandidates(input) {
    var q = input.value.trim();
    if (!q && input.dataset.pickerEmpty === undefined) { close(input); return; }
    input.dataset.pickerPending = "1";
    var url = input.dataset.pickerUrl;
    url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
    (input.dataset.pickerWith || "").split(" ").forEach(function (name) {
      var field = name && input.form && input.form.elements[name];
      if (field) url += "&" + encodeURIComponent(name) + "=" + encodeURIComponent(field.value);
    });
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; }, function () { return ""; })
      .then(function (html) {
        if (input.value.trim() === q) open(input, html, q);
        delete input.dataset.pickerPending;
      });
  }

  function isEmpty(field) {
    if (field.disabled || field.type === "hidden" || field.type === "checkbox") return false;
    return !field.value;
  }

  function moveOn(input) {
    var form = input.form;
    if (!form) return;
    var fields = Array.prototype.slice.call(form.querySelectorAll("input, select, textarea"));
    var next = fields.slice(fields.indexOf(input) + 1).find(isEmpty);
    next = next || form.querySelector("button[type=submit], button:not([type])");
    if (next) next.focus();
  }

  function choose(input, li) {
    input.value = li.dataset.value;
    if (li.dataset.code) input.dataset.pickedCode = li.dataset.code;
    var shown = input.id && document.getElementById(input.id + "-code");
    if (shown) shown.textContent = li.dataset.code || "";
    var filled = [];
    Object.keys(li.dataset).forEach(function (key) {
      if (key.indexOf("fill") !== 0 || key.length < 5 || !input.form) return;
      var name = key.charAt(4).toLowerCase() + key.slice(5);
      var field = input.form.elements[name];
      if (field) { field.value = li.dataset[key]; filled.push(name); }
    });
    if (filled.length) input.dataset.pickerFilled = filled.join(" ");
    var label = input.id && document.getElementById(input.id + "-shown");
    if (label && li.dataset.shown !== undefined) label.textContent = li.dataset.shown;
    close(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    moveOn(input);
  }

  function isPicker(el) {
    return el && el.dataset && el.dataset.pickerUrl;
  }

  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!isPicker(input)) return;
    delete input.dataset.pickedCode;
    (input.dataset.pickerFilled || "").split(" ").forEach(function (name) {
      var field = name && input.form && input.form.elements[name];
      if (field) field.value = "";
    });
    delete input.dataset.pickerFilled;
    var label = input.id && document.getElementById(input.id + "-shown");
    if (label) label.textContent = "";
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fetchCandidates(input); }, 120));
  });

  document.addEventListener("keydown", function (ev) {
    var input = ev.target;
    if (!isPicker(input) || ev.isComposing) return;
    var list = listOf(input);
    if (!list || list.hidden) {
      if (ev.key === "ArrowDown" && (input.value.trim() || input.dataset.pickerEmpty !== undefined)) {
        fetchCandidates(input);
        ev.preventDefault();
      }
      return;
    }
    var opts = options(list);
    var at = opts.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!opts.length) return;
      var to = ev.key === "ArrowDown" ? Math.min(at + 1, opts.length - 1) : Math.max(at - 1, 0);
      opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === to ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", opts[to].id);
      opts[to].scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Enter" && at >= 0) {
      ev.preventDefault();
      choose(input, opts[at]);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      close(input);
    }
  });

  document.addEventListener("mousedown", function (ev) {
    var li = ev.target.closest && ev.target.closest("li[data-value]");
    if (!li || !li.parentNode.id) return;
    var input = document.querySelector("[aria-controls='" + li.parentNode.id + "']");
    if (isPicker(input)) { ev.preventDefault(); choose(input, li); }
  });

  document.addEventListener("focusout", function (ev) {
    var input = ev.target;
    if (isPicker(input)) setTimeout(function () { close(input); }, 150);
  });
})();
