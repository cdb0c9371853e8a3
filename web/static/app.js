// Redline's only script: select a passage of the text to comment on it.
// Without it, the comment form posts a general comment.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("comment-form");
  var text = document.getElementById("doctext");
  if (!form || !text) { return; }
  var f = function (id) { return document.getElementById(id); };
  var cp = function (s) { return Array.from(s).length; };
  var CONTEXT = 32;

  function clear() {
    ["a-start", "a-end", "a-quote", "a-prefix", "a-suffix"].forEach(function (id) { f(id).value = ""; });
    f("a-text").textContent = "";
    f("a-show").hidden = true;
  }

  function paraOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("p.para") : null;
  }

  function capture() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var p = paraOf(range.startContainer);
    if (!p || p !== paraOf(range.endContainer)) { return; }
    var quote = range.toString();
    if (quote.trim() === "") { return; }
    var before = document.createRange();
    before.selectNodeContents(p);
    before.setEnd(range.startContainer, range.startOffset);
    var head = Array.from(before.toString());
    var all = Array.from(p.textContent);
    var q = cp(quote);
    var base = parseInt(p.getAttribute("data-start"), 10) || 0;
    var start = base + head.length;
    f("a-start").value = String(start);
    f("a-end").value = String(start + q);
    f("a-quote").value = quote;
    f("a-prefix").value = head.slice(Math.max(0, head.length - CONTEXT)).join("");
    f("a-suffix").value = all.slice(head.length + q, head.length + q + CONTEXT).join("");
    f("a-text").textContent = quote;
    f("a-show").hidden = false;
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(capture.t);
    capture.t = window.setTimeout(capture, 150);
  });
  f("a-clear").addEventListener("click", function () { clear(); f("c-body").focus(); });
}());
