// Keyboard shortcuts of the counter screens: Alt + the element's data-key.
// Buttons, links and checkboxes are activated, fields get the focus; <details> opens.
// (Own handler rather than accesskey: the same keys in every browser, never a double click.)
document.addEventListener("keydown", function (ev) {
  if (!ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
  var key = (ev.key || "").toLowerCase();
  if (key.length !== 1) return;
  var el = Array.prototype.find.call(
    document.querySelectorAll('[data-key="' + key + '"]'),
    function (e) { return !e.disabled && e.getClientRects().length > 0; }
  );
  if (!el) return;
  ev.preventDefault();
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
});

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
