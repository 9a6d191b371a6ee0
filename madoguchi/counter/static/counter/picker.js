// The 国籍・地域 picker (type-ahead over core.countries): an input with data-picker-url
// shows the candidates of what is typed (kana, kanji, romaji, English or code) in its
// listbox; ↑/↓ move, Enter (or a click) takes the highlighted one and moves on, Escape
// closes. The input keeps the chosen name (the server resolves it to its code); without
// this script the clerk types the code or the name and the server resolves it the same way.
(function () {
  var timers = new WeakMap();

  function listOf(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("li[data-code]"));
  }

  function open(input, html) {
    var list = listOf(input);
    list.innerHTML = html;
    list.hidden = !list.children.length;
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    var sel = list.querySelector("[aria-selected=true]");
    if (sel) input.setAttribute("aria-activedescendant", sel.id);
  }

  function close(input) {
    var list = listOf(input);
    if (!list) return;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function fetchCandidates(input) {
    var q = input.value.trim();
    if (!q) { close(input); return; }
    input.dataset.pickerPending = "1";
    fetch(input.dataset.pickerUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; }, function () { return ""; })
      .then(function (html) {
        if (input.value.trim() === q) open(input, html);
        delete input.dataset.pickerPending;
      });
  }

  function choose(input, li) {
    input.value = li.dataset.value;
    input.dataset.pickedCode = li.dataset.code;
    var shown = document.getElementById(input.id + "-code");
    if (shown) shown.textContent = li.dataset.code;
    close(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var fields = Array.prototype.slice.call(
      input.form.querySelectorAll("input:not([type=hidden]), select, button")
    );
    var next = fields[fields.indexOf(input) + 1];
    if (next) next.focus();
  }

  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input.dataset || !input.dataset.pickerUrl) return;
    delete input.dataset.pickedCode;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fetchCandidates(input); }, 120));
  });

  document.addEventListener("keydown", function (ev) {
    var input = ev.target;
    if (!input.dataset || !input.dataset.pickerUrl || ev.isComposing) return;
    var list = listOf(input);
    if (!list || list.hidden) {
      if (ev.key === "ArrowDown" && input.value.trim()) { fetchCandidates(input); ev.preventDefault(); }
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
      close(input);
    }
  });

  document.addEventListener("mousedown", function (ev) {
    var li = ev.target.closest && ev.target.closest("li[data-code]");
    if (!li) return;
    var input = document.querySelector("[aria-controls='" + li.parentNode.id + "']");
    if (input) { ev.preventDefault(); choose(input, li); }
  });

  // The 在留カード form: choosing another person shows that person's 国籍・地域.
  document.addEventListener("change", function (ev) {
    if (ev.target.id !== "fr-pid") return;
    var nat = document.getElementById("fr-nat");
    var opt = ev.target.selectedOptions[0];
    if (nat && opt) nat.value = opt.dataset.nationality || "";
  });

  document.addEventListener("focusout", function (ev) {
    var input = ev.target;
    if (input.dataset && input.dataset.pickerUrl) setTimeout(function () { close(input); }, 150);
  });
})();
