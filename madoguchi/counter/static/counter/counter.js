// Keyboard shortcuts live in /static/js/keys.js (loaded by base.html for every page).

// After the bundle opens for printing, wait until the server has served it (the visit
// becomes "printed"), then refresh the visit so the signing step appears.
document.addEventListener("click", function (ev) {
  var link = ev.target.closest && ev.target.closest("[data-print]");
  if (!link) return;
  var visit = document.getElementById("visit");
  var tries = 0;
  function poll() {
    fetch(visit.dataset.url + "step/", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; }, function () { return ""; })
      .then(function (step) {
        if (step === "printed" || step === "done" || ++tries > 60) {
          htmx.ajax("GET", visit.dataset.url, { target: "#visit", swap: "outerHTML" });
        } else {
          setTimeout(poll, 500);
        }
      });
  }
  setTimeout(poll, 500);
});

// Type-ahead pickers (在籍校): the candidates come from the server as the clerk types
// (romaji with the IME off, or kana); Enter takes the highlighted one (the first unless
// ↑/↓ moved), a click takes any, and the focus moves on to the next field still empty.
// A value not in the list stays as typed (Enter then saves the form as usual).
(function () {
  function nextEmpty(input) {
    var form = input.form;
    if (!form) return;
    var fields = Array.prototype.slice.call(form.querySelectorAll("[data-cap]"));
    var after = fields.slice(fields.indexOf(input) + 1);
    var next = after.find(function (f) { return !f.value && !f.disabled; });
    (next || form.querySelector("button[type=submit]")).focus();
  }
  function take(input, item) {
    input.value = item.getAttribute("data-pick");
    var list = document.getElementById(input.getAttribute("data-picker"));
    if (list) list.innerHTML = "";
    nextEmpty(input);
  }
  document.addEventListener("keydown", function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches("[data-picker]")) return;
    var list = document.getElementById(input.getAttribute("data-picker"));
    var items = list ? Array.prototype.slice.call(list.querySelectorAll("[data-pick]")) : [];
    if (!items.length) return;
    var i = items.findIndex(function (e) { return e.classList.contains("active"); });
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      i = ev.key === "ArrowDown" ? Math.min(i + 1, items.length - 1) : Math.max(i - 1, 0);
      items.forEach(function (e, j) { e.classList.toggle("active", j === i); });
      ev.preventDefault();
    } else if (ev.key === "Enter" && !ev.isComposing) {
      ev.preventDefault();
      take(input, items[Math.max(i, 0)]);
    } else if (ev.key === "Escape") {
      list.innerHTML = "";
    }
  });
  document.addEventListener("click", function (ev) {
    var item = ev.target.closest && ev.target.closest("[data-pick]");
    if (!item) return;
    var input = document.querySelector('[data-picker="' + item.closest(".picker").id + '"]');
    if (input) take(input, item);
  });
})();

// Forms marked data-enter-submits save with Enter from any field, a select or a checkbox
// included (the browser submits only from a text field): choose with the keyboard, then
// Enter. A picker's Enter (above) takes its candidate first.
document.addEventListener("keydown", function (ev) {
  if (ev.key !== "Enter" || ev.isComposing || ev.defaultPrevented || ev.altKey) return;
  var el = ev.target;
  var form = el.form;
  if (!form || !form.hasAttribute("data-enter-submits")) return;
  if (el.tagName === "SELECT" || (el.tagName === "INPUT" && el.type === "checkbox")) {
    ev.preventDefault();
    form.requestSubmit();
  }
});
