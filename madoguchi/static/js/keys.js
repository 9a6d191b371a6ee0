// Keyboard shortcuts of every screen: Alt + an element's data-key.
// Buttons, links and checkboxes are activated, fields get the focus, <details> opens.
// ↓/↑ move through search results (a.result-link; the counter's button.pick) and back to
// the search field.
// (Own handler rather than accesskey: the same keys in every browser, never a double click.)
(function () {
  if (window.madoguchiKeys) return;
  window.madoguchiKeys = true;

  function activate(el) {
    var tag = el.tagName;
    if (tag === "SUMMARY") {
      el.parentElement.open = !el.parentElement.open;
      el.focus();
    } else if (tag === "BUTTON" || tag === "A" || (tag === "INPUT" && (el.type === "checkbox" || el.type === "submit"))) {
      el.focus();
      el.click();
    } else {
      el.focus();
    }
  }

  function moveInResults(ev) {
    var list = Array.prototype.slice.call(document.querySelectorAll("a.result-link, button.pick"));
    if (!list.length) return;
    var i = list.indexOf(document.activeElement);
    // only from the search field or a result: ↓ in another field (a select) stays its own
    if (i < 0 && !(document.activeElement && document.activeElement.hasAttribute("data-search-field"))) return;
    if (ev.key === "ArrowDown") {
      i = i < 0 ? 0 : Math.min(i + 1, list.length - 1);
    } else if (i <= 0) {
      var field = document.querySelector("[data-search-field]");
      if (field) { field.focus(); ev.preventDefault(); }
      return;
    } else {
      i -= 1;
    }
    list[i].focus();
    ev.preventDefault();
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey) return;
    if (ev.altKey) {
      var key = (ev.key || "").toLowerCase();
      if (key.length !== 1) return;
      var el = Array.prototype.find.call(
        document.querySelectorAll('[data-key="' + key + '"]'),
        function (e) { return !e.disabled && e.getClientRects().length > 0; }
      );
      if (!el) return;
      ev.preventDefault();
      activate(el);
      return;
    }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") moveInResults(ev);
  });
})();
