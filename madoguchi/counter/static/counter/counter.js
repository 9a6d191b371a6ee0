// Counter screen helpers: after the bundle opens for printing, refresh the visit so the
// signing step appears (the server marks the visit printed when it serves the PDF).
document.addEventListener("click", function (ev) {
  var link = ev.target.closest("[data-print]");
  if (!link) return;
  var visit = document.getElementById("visit");
  setTimeout(function () {
    htmx.ajax("GET", visit.dataset.url, { target: "#visit", swap: "outerHTML" });
  }, 1500);
});
