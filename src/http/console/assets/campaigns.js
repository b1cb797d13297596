// Campaign and template editors: keyboard focus after htmx swaps, and CodeMirror 5 over the
// template textarea (progressive enhancement: without this file the textarea still works).
(function () {
  "use strict";
  // A block button re-renders the articles: put the focus where the article went.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    var focus = target && target.querySelector && target.querySelector("[autofocus]");
    if (focus) focus.focus();
  });

  var area = document.querySelector("textarea[data-codemirror]");
  if (!area || !window.CodeMirror) return;
  var cm = window.CodeMirror.fromTextArea(area, {
    mode: "xml",
    lineNumbers: true,
    lineWrapping: true,
    // Tab and Shift-Tab move the focus out, as everywhere else (no keyboard trap).
    extraKeys: { Tab: false, "Shift-Tab": false },
  });
  var label = document.querySelector('label[for="' + area.id + '"]');
  if (label) {
    if (!label.id) label.id = area.id + "-label";
    cm.getInputField().setAttribute("aria-labelledby", label.id);
  }
  var timer = null;
  cm.on("change", function () {
    cm.save();
    clearTimeout(timer);
    timer = setTimeout(function () {
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }, 50);
  });
  var marked = [];
  function markProblems() {
    marked.forEach(function (line) {
      cm.removeLineClass(line, "background", "cm-error-line");
    });
    marked = [];
    document.querySelectorAll("[data-error-line]").forEach(function (el) {
      var line = Number(el.getAttribute("data-error-line")) - 1;
      if (line >= 0 && line < cm.lineCount()) {
        cm.addLineClass(line, "background", "cm-error-line");
        marked.push(line);
      }
    });
  }
  markProblems();
  document.body.addEventListener("htmx:afterSettle", markProblems);
  // "line 12" links in the problem list put the cursor on that line.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-error-line]");
    if (!link) return;
    event.preventDefault();
    cm.setCursor({ line: Number(link.getAttribute("data-error-line")) - 1, ch: 0 });
    cm.focus();
  });
})();
