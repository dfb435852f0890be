// Keyboard shortcuts of the item page: y same as the best match, n new victim, u defer,
// r not a victim (choose the reason, then Enter), p previous item. Ignored while typing.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) {
    if (target.id === "reason" && event.key === "Enter" && target.value) { target.form.requestSubmit(); }
    return;
  }
  var submit = function (id) { var form = document.getElementById(id); if (form) { event.preventDefault(); form.requestSubmit(); } };
  switch (event.key) {
    case "y": submit("same-0"); break;
    case "n": submit("new"); break;
    case "u": submit("defer"); break;
    case "r": var reason = document.getElementById("reason"); if (reason) { event.preventDefault(); reason.focus(); } break;
    case "p": var prev = document.getElementById("previous"); if (prev) { event.preventDefault(); window.location = prev.href; } break;
  }
});
