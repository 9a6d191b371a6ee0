// The ticket slip prints itself when opened from the queue screen (?print=1).
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("print-button").addEventListener("click", () => window.print());
  if (new URLSearchParams(location.search).get("print") === "1") window.print();
});
