// Keyboard shortcuts live in /static/js/keys.js (loaded by base.html for every page).

// After the bundle opens for printing, wait until the server has served it (the visit
// becomes "printed"), then refresh the visit so the signing step appears. A reprint
// (data-prints: the prints recorded so far) waits until one more print is recorded, so
// the 「印刷し直してください」 banner goes away with it.
document.addEventListener("click", function (ev) {
  var link = ev.target.closest && ev.target.closest("[data-print]");
  if (!link) return;
  var visit = document.getElementById("visit");
  var before = link.dataset.prints;
  var tries = 0;
  function done(text) {
    if (before !== undefined) {
      var count = parseInt((text.split(":")[1] || "0"), 10);
      return count > parseInt(before, 10);
    }
    return text === "printed" || text === "done";
  }
  function poll() {
    var url = visit.dataset.url + "step/" + (before !== undefined ? "?prints=1" : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; }, function () { return ""; })
      .then(function (text) {
        if (done(text) || ++tries > 60) {
          htmx.ajax("GET", visit.dataset.url, { target: "#visit", swap: "outerHTML" });
        } else {
          setTimeout(poll, 500);
        }
      });
  }
  setTimeout(poll, 500);
});

// The 在留カード form: choosing another person shows that person's 国籍・地域.
document.addEventListener("change", function (ev) {
  if (ev.target.id !== "fr-pid") return;
  var nat = document.getElementById("fr-nat");
  var opt = ev.target.selectedOptions[0];
  if (nat && opt) nat.value = opt.dataset.nationality || "";
});

// Forms marked data-enter-submits save with Enter from any field, a select or a checkbox
// included (the browser submits only from a text field): choose with the keyboard, then
// Enter. A picker's Enter (picker.js) takes its candidate first.
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

// The newborn entry: choosing 「世帯外の父」 opens his fields (氏名・生年月日・本籍・住所),
// choosing a member or none closes them (they stay in the form; they are read only when
// the father chosen is the one from outside: inputs._newborn_form).
document.addEventListener("change", function (ev) {
  if (!ev.target || ev.target.id !== "nb-father") return;
  var box = document.getElementById("nb-father-outside");
  if (!box) return;
  box.open = ev.target.value === "outside";
  if (box.open) document.getElementById("nb-father-name").focus();
});

// Alt+K (確認) or Alt+C (要確認 confirmed) while the capture form holds what the clerk
// typed but has not saved: save it first, then do the key's step — the phone just typed
// is never lost to the re-render. A refused save (a bad value) stops there: the form
// shows its error, nothing confirmed.
(function () {
  var pending = null; // {key, form}: the step waiting for the capture form's save
  function changed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      // buttons have no defaultValue: only what the clerk can type or choose counts
      if (!/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) return false;
      if (el.type === "hidden" || el.type === "submit" || el.type === "button" || el.disabled) return false;
      if (el.tagName === "SELECT") {
        // A select with no option marked selected shows its first: that is not a change.
        var marked = Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; });
        return Array.prototype.some.call(el.options, function (o, i) {
          var initial = marked ? o.defaultSelected : (i === 0 && !el.multiple);
          return o.selected !== initial;
        });
      }
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      return "value" in el && el.value !== el.defaultValue;
    });
  }
  document.addEventListener("keydown", function (ev) {
    var key = (ev.key || "").toLowerCase();
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || (key !== "k" && key !== "c")) return;
    var form = document.getElementById("capture-form");
    if (!form || !changed(form)) return;
    ev.preventDefault(); // keys.js leaves a handled key alone
    pending = { key: key, form: form };
    htmx.process(form); // a form swapped in a moment ago is bound before it submits
    form.requestSubmit();
  }, true);
  // Only the capture form's own request counts: another request settling meanwhile (the
  // task list's polling) must not fire the step before the save, with a stale version.
  function ofTheSave(ev) {
    var config = ev.detail && ev.detail.requestConfig;
    return pending !== null && config && config.elt === pending.form;
  }
  document.addEventListener("htmx:afterRequest", function (ev) {
    if (ofTheSave(ev) && !ev.detail.successful) pending = null;
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    if (!ofTheSave(ev)) return;
    var key = pending.key;
    pending = null;
    var button = Array.prototype.find.call(document.querySelectorAll('[data-key="' + key + '"]'), function (e) {
      return !e.disabled && e.getClientRects().length > 0;
    });
    if (button) button.click();
  });
})();
