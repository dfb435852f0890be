// The incident page: selecting words in the source text fills the "add a victim" form with
// them (the name) and with the sentence around them (the evidence).
(function () {
  var text = document.getElementById("source-text");
  var name = document.getElementById("victim-name");
  var evidence = document.getElementById("victim-evidence");
  if (!text || !name) return;
  var take = function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    var picked = selection.toString().replace(/\s+/g, " ").trim();
    if (picked.length < 2 || picked.length > 120) return;
    name.value = picked;
    var whole = text.textContent;
    var at = whole.indexOf(picked);
    if (evidence && at >= 0) {
      var start = Math.max(whole.lastIndexOf(".", at), whole.lastIndexOf("\n", at), whole.lastIndexOf("؟", at)) + 1;
      var ends = [".", "\n", "؟"].map(function (c) { var i = whole.indexOf(c, at + picked.length); return i < 0 ? whole.length : i; });
      evidence.value = whole.slice(start, Math.min.apply(null, ends) + 1).trim().slice(0, 2000);
    }
    name.dispatchEvent(new Event("input", { bubbles: true }));
  };
  text.addEventListener("mouseup", take);
  text.addEventListener("keyup", take);
  document.addEventListener("selectionchange", function () { if (document.activeElement !== name) take(); });
})();
