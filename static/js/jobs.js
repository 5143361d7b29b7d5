// Live job progress: every element with data-job-id on the page follows its job.
// Pushed over ws/jobs/; when the socket is down, polls /api/v1/jobs/ instead.
(function () {
  "use strict";
  const POLL_MS = 2000;
  let socket = null;
  let pollTimer = null;
  let retry = 0;

  function text(el, value) { if (el) el.textContent = value; }

  function renderRow(job) {
    const li = document.createElement("li");
    li.className = "job";
    li.dataset.jobId = job.id;
    li.innerHTML =
      '<div class="job-head"><strong class="job-kind"></strong> <span class="badge" data-job-status></span></div>' +
      '<progress max="100" value="0" data-job-progress></progress> <span class="job-percent" data-job-percent></span>' +
      '<p class="job-message" data-job-message></p><p class="error" data-job-error hidden></p>';
    text(li.querySelector(".job-kind"), job.kind_display || job.kind);
    const list = document.querySelector("[data-live-jobs]");
    const label = list && list.dataset.progressLabel;
    if (label) li.querySelector("progress").setAttribute("aria-label", label);
    return li;
  }

  function apply(job) {
    let nodes = document.querySelectorAll('[data-job-id="' + job.id + '"]');
    const list = document.querySelector("[data-live-jobs]");
    if (!nodes.length && list) {
      list.prepend(renderRow(job));
      const empty = document.querySelector("[data-live-jobs-empty]");
      if (empty) empty.hidden = true;
      nodes = document.querySelectorAll('[data-job-id="' + job.id + '"]');
    }
    nodes.forEach(function (node) {
      node.className = node.className.replace(/\bstatus-\S+/g, "").trim() + " status-" + job.status;
      const bar = node.querySelector("[data-job-progress]");
      if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
      text(node.querySelector("[data-job-percent]"), job.progress + "%");
      text(node.querySelector("[data-job-status]"), job.status_display || job.status);
      text(node.querySelector("[data-job-message]"), job.message || "");
      const err = node.querySelector("[data-job-error]");
      if (err) { err.textContent = job.error || ""; err.hidden = !job.error; }
    });
    document.dispatchEvent(new CustomEvent("shortory:job", { detail: job }));
  }

  function poll() {
    fetch("/api/v1/jobs/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) (data.results || []).forEach(apply); })
      .catch(function () {});
  }

  function startPolling() { if (!pollTimer) { poll(); pollTimer = setInterval(poll, POLL_MS); } }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try { socket = new WebSocket(scheme + location.host + "/ws/jobs/"); }
    catch (e) { startPolling(); return; }
    socket.onopen = function () { retry = 0; stopPolling(); document.documentElement.dataset.jobsLive = "ws"; };
    socket.onmessage = function (ev) {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "snapshot") msg.jobs.forEach(apply);
      else if (msg.type === "job") apply(msg.job);
    };
    socket.onclose = function () {
      document.documentElement.dataset.jobsLive = "poll";
      startPolling();
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));  // back-off up to ~30 s
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.dataset.authenticated === "1") connect();
  });
  window.ShortoryJobs = { apply: apply };
})();
