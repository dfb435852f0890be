// Keyboard shortcuts of the item page: y same as the best match, n new victim, u defer,
// r not a victim (choose the reason, then Enter), t take the item, z undo your last decision,
// p previous item. Ignored while typing. Keys are read by their place on the keyboard
// (event.code), so they work the same under an Arabic layout, where the key marked y types غ.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) {
    if (target.id === "reason" && event.key === "Enter" && target.value) { target.form.requestSubmit(); }
    return;
  }
  var submit = function (id) { var form = document.getElementById(id); if (form) { event.preventDefault(); form.requestSubmit(); } };
  switch (event.code) {
    case "KeyY": submit("same-0"); break;
    case "KeyN": submit("new"); break;
    case "KeyU": submit("defer"); break;
    case "KeyT": submit("take"); break;
    case "KeyZ": submit("undo-last"); break;
    case "KeyR": var reason = document.getElementById("reason"); if (reason) { event.preventDefault(); reason.focus(); } break;
    case "KeyP": var prev = document.getElementById("previous"); if (prev) { event.preventDefault(); window.location = prev.href; } break;
  }
});
