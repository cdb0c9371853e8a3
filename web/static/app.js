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

// --- issue 17 ---
// Redline's live pages (issue 17): listen to the document's event stream
// and bring the page up to date without a reload. The hall view swaps in
// its fresh rendering on every event; a document's page swaps in its
// comment threads and shows a banner with a reload link when a new
// revision is committed. Without this script the pages stay as rendered.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var kind = root.getAttribute("data-live");
  var self = root.getAttribute("data-self") || location.pathname + location.search;
  var banner = document.getElementById("live-banner");
  var busy = false, again = false;
  var rendered = {};
  ["#hall", "#doctext .prow", "section.general"].forEach(function (sel) {
    rendered[sel] = Array.prototype.map.call(document.querySelectorAll(sel), function (el) { return el.innerHTML; });
  });
  var shown = parseInt(root.getAttribute("data-rev"), 10) || 0, newest = shown;

  // showRevision shows the banner for a revision newer than the page's.
  function showRevision(n) {
    if (!banner || kind === "hall" || !(n > newest)) { return; }
    newest = n;
    var el = banner.querySelector("[data-n]");
    if (el) { el.textContent = String(n); }
    banner.hidden = false;
  }

  // refresh fetches this page again and replaces the parts named by the
  // selectors with their fresh versions; one fetch at a time, and one more
  // when events came in meanwhile.
  function refresh(selectors) {
    if (busy) { again = true; return; }
    busy = true;
    fetch(self, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var fr = fresh.getElementById("live");
        if (kind !== "hall" && fr) { showRevision(parseInt(fr.getAttribute("data-rev"), 10) || 0); }
        selectors.forEach(function (sel) {
          var olds = document.querySelectorAll(sel), news = fresh.querySelectorAll(sel);
          if (olds.length !== news.length) { return; }
          // Compared with what the server sent before, not with the live
          // element (which the reader may have changed: focus, a form).
          var was = rendered[sel] || [];
          olds.forEach(function (el, i) {
            if (was[i] !== news[i].innerHTML) { el.replaceWith(document.importNode(news[i], true)); }
          });
          rendered[sel] = Array.prototype.map.call(news, function (el) { return el.innerHTML; });
        });
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(selectors); }
      });
  }

  var es = new EventSource(root.getAttribute("data-stream"));
  var opened = false;
  // What happened between rendering and the first connection is not in the
  // stream (it starts at the newest event): catch up once. Reconnections
  // resume from Last-Event-ID and miss nothing.
  es.onopen = function () {
    if (kind === "hall" && banner) { banner.hidden = true; }
    if (!opened) {
      opened = true;
      refresh(kind === "hall" ? ["#hall"] : ["#doctext .prow", "section.general"]);
    }
  };
  es.onerror = function () { if (kind === "hall" && banner) { banner.hidden = false; } };

  if (kind === "hall") {
    ["item.current", "revision.committed", "proposal.opened", "proposal.decided", "adoption", "reset"].forEach(function (k) {
      es.addEventListener(k, function () { refresh(["#hall"]); });
    });
    return;
  }

  // A document's page: the revision banner and the comment threads.
  es.addEventListener("revision.committed", function (e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (err) { return; }
    showRevision(d.revision);
  });
  ["comment.added", "comment.resolved", "comment.reopened", "comment.changed"].forEach(function (k) {
    es.addEventListener(k, function () { refresh(["#doctext .prow", "section.general"]); });
  });
  es.addEventListener("reset", function () { refresh(["#doctext .prow", "section.general"]); });
}());

/* issue 14: reading aids */
// A printed redline shows the folded unchanged paragraphs too, where the
// browser cannot open a <details> by style alone.
(function () {
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.rl-fold:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());

// A text over the limit is not sent: the form says so and keeps it (the
// server says the same when the script does not run).
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-max-bytes]").forEach(function (ta) {
    var form = ta.form;
    var slot = document.getElementById(ta.getAttribute("data-size-error"));
    if (!form || !slot || !window.TextEncoder) { return; }
    form.addEventListener("submit", function (e) {
      var max = Number(ta.getAttribute("data-max-bytes"));
      var bytes = new TextEncoder().encode(ta.value.replace(/\r\n/g, "\n")).length;
      if (!max || bytes <= max) {
        slot.hidden = true;
        ta.removeAttribute("aria-invalid");
        return;
      }
      e.preventDefault();
      var mb = new Intl.NumberFormat(document.documentElement.lang || "ru", { maximumFractionDigits: 1 }).format(bytes / 1048576);
      slot.textContent = ta.getAttribute("data-too-large").replace("{size}", ta.getAttribute("data-mb").replace("{n}", mb));
      slot.hidden = false;
      ta.setAttribute("aria-invalid", "true");
      ta.focus();
    });
  });
}());
