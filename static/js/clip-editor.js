// The clip editor: range handles over the thumbnail strip, ±1 s / ±5 s steps, a preview that
// plays the new range from the source video (no render), and copying the share link.
(function () {
  "use strict";

  function setup(editor) {
    var windowStart = parseFloat(editor.dataset.windowStart);
    var windowEnd = parseFloat(editor.dataset.windowEnd);
    var duration = parseFloat(editor.dataset.duration);
    var minLen = parseFloat(editor.dataset.minSeconds);
    var maxLen = parseFloat(editor.dataset.maxSeconds);
    var inputs = { start: editor.querySelector("#clip-start"), end: editor.querySelector("#clip-end") };
    var handles = { start: editor.querySelector('[data-handle="start"]'), end: editor.querySelector('[data-handle="end"]') };
    var selection = editor.querySelector("[data-selection]");
    var note = editor.querySelector("[data-length-note]");
    var error = editor.querySelector("[data-range-error]");
    var preview = editor.querySelector("[data-preview]");
    var previewButton = editor.querySelector("[data-preview-button]");
    var stopAt = null;
    var lengthTemplate = editor.dataset.msgLengthNote || "{s} s";

    function value(name) { return parseFloat(inputs[name].value); }

    function problem(start, end) {
      if (!isFinite(start) || !isFinite(end)) return editor.dataset.msgNumbers || "Start and end must be numbers.";
      if (start < 0 || end > duration + 0.05) return editor.dataset.msgInside || "The clip must stay inside the video.";
      var len = end - start;
      if (len < minLen || len > maxLen) return editor.dataset.msgLength || ("A clip is " + minLen + " to " + maxLen + " seconds long.");
      return "";
    }

    function widen(t) {
      // Stepping past the strip's edge widens the handles' range (the strip stays as it is).
      if (t < windowStart) windowStart = Math.max(0, t);
      if (t > windowEnd) windowEnd = Math.min(duration, t);
      ["start", "end"].forEach(function (n) { handles[n].min = windowStart; handles[n].max = windowEnd; });
    }

    function render() {
      var start = value("start"), end = value("end");
      widen(start); widen(end);
      handles.start.value = start; handles.end.value = end;
      var span = (windowEnd - windowStart) || 1;
      if (selection) {
        selection.style.left = (100 * (start - windowStart) / span) + "%";
        selection.style.width = Math.max(0, 100 * (end - start) / span) + "%";
      }
      if (note) note.textContent = lengthTemplate.replace("{s}", (end - start).toFixed(1));
      var message = problem(start, end);
      error.textContent = message;
      error.hidden = !message;
      inputs.start.setAttribute("aria-invalid", message ? "true" : "false");
      inputs.end.setAttribute("aria-invalid", message ? "true" : "false");
    }

    function set(name, t) {
      t = Math.round(Math.max(0, Math.min(duration, t)) * 10) / 10;
      inputs[name].value = t.toFixed(1);
      render();
    }

    Object.keys(handles).forEach(function (name) {
      handles[name].addEventListener("input", function () { set(name, parseFloat(handles[name].value)); });
      inputs[name].addEventListener("input", render);
    });
    editor.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.dataset.target;
        set(name, value(name) + parseFloat(button.dataset.step));
      });
    });

    if (preview && previewButton) {
      previewButton.addEventListener("click", function () {
        if (problem(value("start"), value("end"))) { render(); return; }
        stopAt = value("end");
        preview.currentTime = value("start");
        preview.controls = true;
        var played = preview.play();
        if (played && played.catch) played.catch(function () {});
      });
      preview.addEventListener("timeupdate", function () {
        if (stopAt !== null && preview.currentTime >= stopAt) { preview.pause(); stopAt = null; }
      });
    }
    render();
  }

  function setupCopy(button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      var done = document.querySelector("[data-copied]");
      field.select();
      var ok = function () { if (done) done.textContent = button.dataset.copiedText || "Copied."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(ok, function () { document.execCommand("copy"); ok(); });
      } else { document.execCommand("copy"); ok(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-editor]").forEach(setup);
    document.querySelectorAll("[data-copy]").forEach(setupCopy);
  });
})();
