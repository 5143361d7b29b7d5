// Every page: the phone menu, the language switch, confirmations before destructive actions,
// clip previews on hover or focus, upload progress, and reloading when a page's job ends.
// Written as a file (no inline handlers), so a strict Content-Security-Policy allows it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function menu() {
    const toggle = document.querySelector(".nav-toggle");
    const links = document.getElementById("nav-links");
    if (!toggle || !links) return;
    function set(open) {
      toggle.setAttribute("aria-expanded", String(open));
      links.classList.toggle("open", open);
    }
    toggle.addEventListener("click", function () {
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && links.classList.contains("open")) { set(false); toggle.focus(); }
    });
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  // <form data-confirm="Remove …?">: ask first; the server still requires the POST.
  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
      });
    });
  }

  // <video data-preview>: plays muted while pointed at or focused, like a moving thumbnail.
  function previews() {
    document.querySelectorAll("video[data-preview]").forEach(function (video) {
      let touched = false;
      function start() {
        if (touched || !video.paused) return;
        video.muted = true;
        const playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
      }
      function stop() {
        if (touched || !video.muted) return;
        video.pause();
      }
      video.addEventListener("mouseenter", start);
      video.addEventListener("mouseleave", stop);
      video.addEventListener("focus", start);
      video.addEventListener("blur", stop);
      // A real choice (controls, a tap) hands the video to the viewer: sound on, no auto-stop.
      video.addEventListener("volumechange", function () { if (!video.muted) touched = true; });
      video.addEventListener("click", function () { touched = true; });
    });
  }

  // The page shows a job; when it finishes, reload once to show what it made.
  function reloadWhenDone() {
    const list = document.querySelector("[data-reload-when-done]");
    if (!list) return;
    const finished = ["done", "failed"];
    const wasFinished = finished.indexOf(list.dataset.jobInitialStatus) >= 0;
    document.addEventListener("shortory:job", function (ev) {
      if (String(ev.detail.id) !== list.dataset.reloadWhenDone || wasFinished) return;
      if (finished.indexOf(ev.detail.status) >= 0) setTimeout(function () { location.reload(); }, 400);
    });
  }

  // <form data-upload-progress>: send with XHR to show a progress bar. The server's answer
  // replaces the page as usual; on a form error the chosen files are put back into the form.
  function uploads() {
    document.querySelectorAll("form[data-upload-progress]").forEach(bindUpload);
  }

  function bindUpload(form) {
      form.addEventListener("submit", function (ev) {
        if (!window.XMLHttpRequest || !window.FormData) return;
        const hasFile = Array.prototype.some.call(form.querySelectorAll("input[type=file]"),
          function (input) { return input.files && input.files.length; });
        if (!hasFile) return;
        ev.preventDefault();
        const box = form.querySelector("[data-upload-status]");
        const bar = box && box.querySelector("progress");
        const label = box && box.querySelector("[data-upload-label]");
        if (box) box.hidden = false;
        const button = form.querySelector("button[type=submit]");
        if (button) button.disabled = true;
        const xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.upload.addEventListener("progress", function (e) {
          if (!e.lengthComputable || !bar) return;
          const pct = Math.round(100 * e.loaded / e.total);
          bar.value = pct;
          bar.textContent = pct + "%";
          if (label) label.textContent = (form.dataset.textSending || "") + " " + pct + "%";
        });
        xhr.upload.addEventListener("load", function () {
          if (label) label.textContent = form.dataset.textProcessing || "";
        });
        xhr.addEventListener("load", function () {
          if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
            let answer = null;
            try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
            if (answer && answer.location) { location.href = answer.location; return; }
          }
          // The form came back with errors: show them, keep the chosen files.
          const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          const fresh = doc.getElementById(form.id);
          if (!fresh) { document.open(); document.write(xhr.responseText); document.close(); return; }
          form.querySelectorAll("input[type=file]").forEach(function (input) {
            const slot = fresh.querySelector('input[type=file][name="' + input.name + '"]');
            if (slot) slot.replaceWith(input);
          });
          form.replaceWith(fresh);
          bindUpload(fresh);
          const first = fresh.querySelector("[role=alert]");
          if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
        });
        xhr.addEventListener("error", function () {
          if (label) label.textContent = form.dataset.textFailed || "";
          if (button) button.disabled = false;
        });
        xhr.send(new FormData(form));
      });
  }

  ready(function () {
    menu();
    autosubmit();
    confirmations();
    uploads();
    previews();
    reloadWhenDone();
  });
})();
