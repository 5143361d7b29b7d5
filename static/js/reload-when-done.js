// Reload the page once the job named by [data-reload-when-done] finishes (jobs.js tells us).
(function () {
  "use strict";
  document.addEventListener("shortory:job", function (ev) {
    var list = document.querySelector("[data-reload-when-done]");
    if (!list || String(ev.detail.id) !== list.dataset.reloadWhenDone) return;
    var wasFinished = ["done", "failed"].indexOf(list.dataset.jobInitialStatus) >= 0;
    if (!wasFinished && (ev.detail.status === "done" || ev.detail.status === "failed")) {
      setTimeout(function () { location.reload(); }, 400);
    }
  });
})();
