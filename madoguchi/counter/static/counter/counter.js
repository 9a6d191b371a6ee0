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
