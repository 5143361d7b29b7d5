// Watch page: webcam frames → ws/sessions/<id>/ while the video plays; live meter from replies.
(function () {
  "use strict";
  const root = document.getElementById("watch");
  if (!root) return;
  const player = document.getElementById("player");
  const camera = document.getElementById("camera");
  const canvas = document.getElementById("grab");
  const statusEl = document.getElementById("status");
  const counter = document.getElementById("counter");
  const attentionEl = document.getElementById("attention");
  const pauseBtn = document.getElementById("pause-analysis");
  const finishBtn = document.getElementById("finish-session");
  const text = function (name) { return root.dataset["text" + name] || ""; };
  const sessionId = root.dataset.session;

  let fps = Number(root.dataset.fps) || 4;
  // Frames keep the camera's own aspect ratio (never stretched): scaled down so the short side
  // is at most frameShort and the long side at most frameLong (the server's hello says both).
  let frameShort = 240;
  let frameLong = 480;
  let socket = null;
  let cameraReady = false;
  let analysisPaused = false;
  let finishing = false;
  let retry = 0;
  let inFlight = 0;
  let sent = 0;
  let answered = 0;
  let timer = null;

  function setStatus(message) { statusEl.textContent = message; }

  // What the meter says when nothing else is going on: never "Analysing" while the video
  // is paused (nothing is captured then).
  function idleStatus() {
    if (analysisPaused) return text("Paused");
    if (player.paused || player.ended) return text("Videopaused");
    return text("Live");
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus(text("CameraDenied"));
      return;
    }
    // Only a preferred height: asking for a width too makes browsers crop or pick a 4:3 mode.
    navigator.mediaDevices.getUserMedia({ video: { height: { ideal: 480 } }, audio: false })
      .then(function (stream) {
        camera.srcObject = stream;
        cameraReady = true;
      })
      .catch(function () { setStatus(text("CameraDenied")); });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/sessions/" + sessionId + "/");
    socket.binaryType = "arraybuffer";
    socket.onopen = function () { retry = 0; inFlight = 0; setStatus(idleStatus()); };
    socket.onmessage = function (ev) {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "hello") {
        fps = msg.capture_fps || fps;
        frameShort = msg.frame_short_side || frameShort;
        frameLong = msg.frame_long_side || frameLong;
        schedule();
      }
      else if (msg.type === "analysis") { inFlight = Math.max(0, inFlight - 1); answered += 1; show(msg); }
      else if (msg.type === "finished") { finishing = true; location.href = msg.url; }
      else if (msg.type === "error") {
        if (["bad_image", "overloaded", "analysis_failed"].indexOf(msg.code) >= 0) inFlight = Math.max(0, inFlight - 1);
        if (msg.code === "finished") { finishing = true; location.href = "/sessions/" + sessionId + "/"; }
        root.dataset.lastError = msg.code;
      }
    };
    socket.onclose = function () {
      if (finishing) return;
      setStatus(text("Reconnecting"));
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 300 * Math.pow(2, retry));  // back-off, then resume the same session
    };
  }

  function show(msg) {
    root.dataset.lastEmotion = msg.emotion || "";
    root.dataset.frames = String(answered);
    if (analysisPaused || player.paused || player.ended) setStatus(idleStatus());  // a late answer
    else if (!msg.face_found) setStatus(text("Noface"));
    else setStatus(text("Live") + (msg.emotion ? " · " + (root.dataset["label" + cap(msg.emotion)] || msg.emotion) : ""));
    document.querySelectorAll("#bars .bar-row").forEach(function (row) {
      const value = (msg.probabilities || {})[row.dataset.emotion] || 0;
      row.querySelector(".fill").style.width = Math.round(value * 100) + "%";
      row.querySelector(".val").textContent = msg.face_found ? Math.round(value * 100) + "%" : "–";
    });
    attentionEl.value = msg.attention || 0;
    counter.textContent = answered + " / " + sent;
  }

  function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

  function schedule() {
    if (timer) clearInterval(timer);
    timer = setInterval(capture, 1000 / fps);
  }

  // Size the grab canvas to the camera's aspect ratio, scaled to fit; false until it has one.
  function fitCanvas() {
    const w = camera.videoWidth, h = camera.videoHeight;
    if (!w || !h) return false;
    const scale = Math.min(1, frameShort / Math.min(w, h), frameLong / Math.max(w, h));
    const cw = Math.max(1, Math.round(w * scale)), ch = Math.max(1, Math.round(h * scale));
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
      root.dataset.frameSize = cw + "x" + ch;
    }
    return true;
  }

  function capture() {
    if (!cameraReady || analysisPaused || finishing) return;
    if (player.paused || player.ended || player.readyState < 2) return;  // only while playing
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (inFlight >= 3) return;  // the server is behind: skip rather than queue up latency
    if (!fitCanvas()) return;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(camera, 0, 0, canvas.width, canvas.height);
    const t = player.currentTime;
    canvas.toBlob(function (blob) {
      if (!blob || !socket || socket.readyState !== WebSocket.OPEN) return;
      blob.arrayBuffer().then(function (jpeg) {
        const message = new Uint8Array(8 + jpeg.byteLength);
        new DataView(message.buffer).setFloat64(0, t, true);
        message.set(new Uint8Array(jpeg), 8);
        socket.send(message.buffer);
        inFlight += 1;
        sent += 1;
      });
    }, "image/jpeg", 0.7);
  }

  pauseBtn.addEventListener("click", function () {
    analysisPaused = !analysisPaused;
    pauseBtn.setAttribute("aria-pressed", String(analysisPaused));
    pauseBtn.textContent = analysisPaused ? pauseBtn.dataset.resume || "▶" : pauseBtn.dataset.pause || "⏸";
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: analysisPaused ? "pause" : "resume" }));
    setStatus(idleStatus());
  });

  ["pause", "play", "playing", "ended"].forEach(function (name) {
    player.addEventListener(name, function () {
      if (!finishing && socket && socket.readyState === WebSocket.OPEN) setStatus(idleStatus());
    });
  });

  finishBtn.addEventListener("click", function () {
    setStatus(text("Finishing"));
    finishBtn.disabled = true;
    player.pause();
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "finish" }));
    } else {  // no socket: finish through the page instead
      finishing = true;
      const form = document.createElement("form");
      form.method = "post";
      form.action = root.dataset.finishUrl;
      const token = document.cookie.match(/csrftoken=([^;]+)/);
      form.innerHTML = '<input type="hidden" name="csrfmiddlewaretoken" value="' + (token ? token[1] : "") + '">';
      document.body.appendChild(form);
      form.submit();
    }
  });

  pauseBtn.dataset.pause = pauseBtn.textContent;
  pauseBtn.dataset.resume = root.dataset.textResume || pauseBtn.textContent;
  startCamera();
  connect();
})();
