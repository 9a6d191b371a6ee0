// The request screen asks only what the chosen requester needs (data-asks of the
// selected option) and sums the fee as copies change.
(function () {
  function update() {
    var sel = document.getElementById("requester_type");
    if (!sel) return;
    var asks = (sel.options[sel.selectedIndex].dataset.asks || "").split(" ");
    document.querySelectorAll("[data-ask]").forEach(function (el) {
      var on = asks.indexOf(el.dataset.ask) >= 0 || (el.dataset.ask === "seal_card_no" && el.dataset.always === "1");
      el.hidden = !on;
    });
    var total = 0;
    document.querySelectorAll("input[data-fee]").forEach(function (el) {
      var n = parseInt(el.value || "0", 10);
      if (!isNaN(n) && n > 0) total += n * parseInt(el.dataset.fee, 10);
    });
    var exempt = sel.options[sel.selectedIndex].dataset.exempt === "1";
    var out = document.getElementById("fee-total");
    if (out) out.textContent = exempt ? "0" : String(total);
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
  document.addEventListener("DOMContentLoaded", update);
})();
