// Behaviours that used to be inline handlers: the Content-Security-Policy allows no
// inline script (madoguchi.core.middleware.SecurityHeadersMiddleware), so every page's
// small behaviours are declared with data- attributes and wired here.
(function () {
  if (window.madoguchiBehaviours) return;
  window.madoguchiBehaviours = true;

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-set-page]") : null;
    if (el) {
      var field = document.getElementById("audit-page");
      if (field) field.value = el.getAttribute("data-set-page");
    }
    var printer = ev.target.closest ? ev.target.closest("[data-print-frame]") : null;
    if (printer) {
      var frame = document.getElementById(printer.getAttribute("data-print-frame"));
      try { frame.contentWindow.focus(); frame.contentWindow.print(); }
      catch (e) { window.open(frame.src, "_blank"); }
    }
  });

  // A fragment may ask for the focus to move after it is swapped in:
  // <span data-focus-id="banchi" hidden></span>
  document.addEventListener("htmx:afterSwap", function (ev) {
    var marker = ev.target.querySelector && ev.target.querySelector("[data-focus-id]");
    if (!marker) return;
    var target = document.getElementById(marker.getAttribute("data-focus-id"));
    if (target) target.focus();
  });
})();
