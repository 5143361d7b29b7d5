"""Abuse on a running server: memory under big bodies, a live viewer's latency under attack.

    python -m bench.abuse [--baseline /path/to/a/checkout/of/main] [--upload-mib 2048]

For this tree and, with ``--baseline``, for another checkout (today's ``main``, measured in the
same run), one real server on 127.0.0.1 (what ``make run`` serves: ``shortory.server`` where
the tree has it, else stock daphne), DEBUG off, SQLite in a temp folder, the real model:

1. **anonymous POST**: ``--anon-mib`` MiB to a URL that does not exist; the server's peak RSS
   growth while it arrives, and the answer;
2. **upload**: ``--upload-mib`` MiB of multipart upload to ``/api/v1/videos/`` with a token;
   the server's peak RSS growth while it is received (the file is not a video, so it is then
   refused: the receiving is what is measured);
3. **live viewer**: one viewer sends face frames at 4 fps for ``--seconds`` and its round
   trips are timed, alone and then while another account floods six sockets on one session at
   25 fps each and sends a decompression bomb (a 700-byte JPEG claiming 10000x10000 behind a
   junk byte) twice a second on a second session. p95 alone, p95 attacked, their ratio, and
   how many of the attacker's frames were analysed.

Bounded: every phase has a time limit, the sender stops when the server's RSS passes
``--rss-guard-mib`` the server is killed (reported as such; the figure is then a lower
bound), every process is stopped at the end. Loopback
only; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
LIVE_GUARD = 4096 * MiB  # the server is killed past this while under attack

SETUP = """
import json
from rest_framework.authtoken.models import Token
from accounts.models import User
from analysis.models import WatchSession
from videos.models import SourceVideo, Video
out = {}
for name in ("vera", "mallory"):
    user = User.objects.create_user(name, f"{name}@example.com", "bench-password-123")
    out[name] = {"token": Token.objects.create(user=user).key, "sessions": []}
    source = SourceVideo.objects.create(kind="upload", uploaded_by=user, title="bench",
                                        duration=3600, file_status="ready")
    video = Video.objects.create(user=user, source=source)
    for _ in range(2):
        out[name]["sessions"].append(
            WatchSession.objects.create(user=user, video=video, capture_fps=4).pk)
print("SETUP" + json.dumps(out))
"""


def rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakRSS:
    """Samples a process's RSS every 20 ms in a thread; ``peak`` is the highest seen. Past
    ``guard`` bytes the process is killed (``killed``): stock daphne parsed a finished 2 GiB
    upload into 22 GB, after the last byte was sent, so the sender alone cannot bound it."""

    def __init__(self, pid: int, guard: int | None = None):
        self.pid = pid
        self.guard = guard
        self.killed = False
        self.start = rss(pid)
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss(self.pid))
            if self.guard is not None and self.peak > self.guard and not self.killed:
                self.killed = True
                try:
                    os.kill(self.pid, 9)
                except ProcessLookupError:
                    pass

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss(self.pid))

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.start) / 1e6


class Server:
    def __init__(self, tree: Path, tmp: Path):
        self.tree = tree
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings",
            "SHORTORY_ENV_FILE": os.devnull, "DEBUG": "0",
            "SECRET_KEY": "bench-abuse-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
            "ALLOWED_HOSTS": "127.0.0.1", "SQLITE_PATH": str(tmp / "db.sqlite3"),
            "MEDIA_ROOT": str(tmp / "media"), "TMPDIR": str(tmp),
            "SHORTORY_INFERENCE_THREADS": os.environ.get("SHORTORY_INFERENCE_THREADS", "2"),
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=tree,
                       env=self.env, check=True, capture_output=True, timeout=300)
        made = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], cwd=tree,
                              env=self.env, check=True, capture_output=True, text=True,
                              timeout=120).stdout
        self.accounts = json.loads(made.split("SETUP", 1)[1])
        self.module = "shortory.server" if (tree / "shortory" / "server.py").exists() else "daphne"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = (tmp / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, "-b", "127.0.0.1", "-p", str(self.port),
             "shortory.asgi:application"], cwd=tree, env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@dataclass
class BodyResult:
    grown_mb: float
    status: str
    stopped: bool = False


def send_body(server: Server, head: bytes, size: int, guard: int, *, timeout: float,
              prefix: bytes = b"", suffix: bytes = b"") -> BodyResult:
    """Send ``head``, then ``prefix`` + ``size`` zero bytes + ``suffix`` in 1 MiB pieces while
    the server's RSS is watched; stop early when it passes ``guard`` bytes or the server
    answers (a refusal), then read the answer."""
    stopped = False
    status = "no answer"
    chunk = bytes(MiB)
    with PeakRSS(server.proc.pid, guard) as peak, socket.create_connection(
            ("127.0.0.1", server.port), timeout=timeout) as sock:
        deadline = time.monotonic() + timeout
        try:
            sock.sendall(head + prefix)
            sock.setblocking(False)
            sent = 0
            while sent < size:
                if peak.peak > guard or time.monotonic() > deadline:
                    stopped = True
                    break
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        break  # answered before the end: refused
                except BlockingIOError:
                    pass
                piece = chunk[: min(MiB, size - sent)]
                sock.setblocking(True)
                sock.sendall(piece)
                sock.setblocking(False)
                sent += len(piece)
            if not stopped:
                sock.setblocking(True)
                if sent >= size:
                    sock.sendall(suffix)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not stopped:
            sock.setblocking(True)
            sock.settimeout(max(5.0, deadline - time.monotonic()))
            try:
                answer = sock.recv(200)
                status = answer.split(b"\r\n", 1)[0].decode("latin1") or "closed"
            except (TimeoutError, ConnectionResetError, OSError) as exc:
                status = type(exc).__name__
    return BodyResult(peak.grown_mb, status, stopped or peak.killed)


def anonymous_post(server: Server, mib: int, guard: int) -> BodyResult:
    size = mib * MiB
    head = (b"POST /no-such-page/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % size)
    return send_body(server, head, size, guard, timeout=120)


def upload(server: Server, mib: int, guard: int) -> BodyResult:
    size = mib * MiB
    boundary = b"benchboundary7d3f"
    prefix = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; '
              b'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n')
    suffix = b"\r\n--" + boundary + b"--\r\n"
    token = server.accounts["vera"]["token"].encode()
    head = (b"POST /api/v1/videos/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Token " + token + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % (len(prefix) + size + len(suffix)))
    return send_body(server, head, size, guard, timeout=600, prefix=prefix, suffix=suffix)


def bomb() -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", np.zeros((240, 320, 3), np.uint8))
    out = bytearray(data.tobytes())
    sof = out.index(b"\xff\xc0")
    out[sof + 5: sof + 9] = (10000).to_bytes(2, "big") + (10000).to_bytes(2, "big")
    return bytes(out[:sof] + b"\x00" + out[sof:])


@dataclass
class Live:
    rtts: list[float] = field(default_factory=list)
    attacker_analysed: int = 0
    attacker_refused: dict[str, int] = field(default_factory=dict)
    peak_mb: float = 0.0


async def _socket(server: Server, token: str, session: int):
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{server.port}/ws/sessions/{session}/",
                       additional_headers={"Authorization": f"Token {token}"},
                       open_timeout=20, ping_interval=None, close_timeout=2, max_size=2**20)
    await asyncio.wait_for(ws.recv(), 20)  # hello
    return ws


async def _viewer(server: Server, jpegs: list[bytes], seconds: float, result: Live,
                  session_index: int) -> None:
    vera = server.accounts["vera"]
    ws = await _socket(server, vera["token"], vera["sessions"][session_index])
    sent_at: dict[float, float] = {}

    async def receive() -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "analysis":
                sent = sent_at.pop(message["t"], None)
                if sent is not None:
                    result.rtts.append(time.perf_counter() - sent)

    receiver = asyncio.ensure_future(receive())
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        t = round(10 + i * 0.25, 3)
        sent_at[t] = time.perf_counter()
        await ws.send(struct.pack("<d", t) + jpegs[i % len(jpegs)])
        i += 1
        await asyncio.sleep(max(0.0, start + i * 0.25 - time.perf_counter()))
    await asyncio.sleep(1.5)  # the last answers
    receiver.cancel()
    await ws.close()


async def _attacker(server: Server, jpegs: list[bytes], seconds: float, result: Live) -> None:
    mallory = server.accounts["mallory"]
    flood_session, bomb_session = mallory["sessions"]
    sockets = [await _socket(server, mallory["token"], flood_session) for _ in range(6)]
    bomber = await _socket(server, mallory["token"], bomb_session)
    payload = bomb()

    async def drain(ws) -> None:
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "analysis":
                    result.attacker_analysed += 1
                elif message.get("type") == "error":
                    code = str(message.get("code"))
                    result.attacker_refused[code] = result.attacker_refused.get(code, 0) + 1
        except Exception:
            pass

    async def flood(ws, k: int) -> None:
        start = time.perf_counter()
        i = 0
        try:
            while time.perf_counter() - start < seconds:
                await ws.send(struct.pack("<d", 10 + i * 0.04) + jpegs[(i + k) % len(jpegs)])
                i += 1
                await asyncio.sleep(0.04)
        except Exception:  # closed by the server (replaced, rate limited for good)
            pass

    async def bombs() -> None:
        start = time.perf_counter()
        i = 0
        try:
            while time.perf_counter() - start < seconds:
                await bomber.send(struct.pack("<d", 10 + i * 0.5) + payload)
                i += 1
                await asyncio.sleep(0.5)
        except Exception:
            pass

    drains = [asyncio.ensure_future(drain(ws)) for ws in [*sockets, bomber]]
    await asyncio.gather(*(flood(ws, k) for k, ws in enumerate(sockets)), bombs())
    await asyncio.sleep(1.0)
    for task in drains:
        task.cancel()
    for ws in [*sockets, bomber]:
        try:
            await ws.close()
        except Exception:
            pass


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) * 1000 if values else float("nan")


async def live(server: Server, seconds: float) -> tuple[Live, Live]:
    from bench.live import make_jpegs

    jpegs = make_jpegs(8)
    warm = Live()
    await _viewer(server, jpegs, 3, warm, 0)  # loads the model in the server
    alone = Live()
    await _viewer(server, jpegs, seconds, alone, 0)
    attacked = Live()
    with PeakRSS(server.proc.pid, LIVE_GUARD) as peak:
        await asyncio.gather(_viewer(server, jpegs, seconds, attacked, 1),
                             _attacker(server, jpegs, seconds, attacked))
    attacked.peak_mb = peak.grown_mb
    return alone, attacked


@dataclass
class Figures:
    tree: str
    module: str
    anon: BodyResult | None = None
    upload: BodyResult | None = None
    alone: Live | None = None
    attacked: Live | None = None
    failure: str = ""


def measure(tree: Path, args: argparse.Namespace) -> Figures:
    tmp = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    guard = args.rss_guard_mib * MiB
    server = None
    try:
        server = Server(tree, tmp)
        figures = Figures(str(tree), server.module)
        figures.anon = anonymous_post(server, args.anon_mib, guard)
        if server.proc.poll() is None:
            figures.upload = upload(server, args.upload_mib, guard)
        if server.proc.poll() is not None:  # killed at the guard: a fresh one for the rest
            server.stop()
            server = None
            fresh = tmp / "again"
            fresh.mkdir()
            server = Server(tree, fresh)
        figures.alone, figures.attacked = asyncio.run(live(server, args.seconds))
        return figures
    except Exception as exc:
        return Figures(str(tree), server.module if server else "?",
                       failure=f"{type(exc).__name__}: {exc}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def body_line(result: BodyResult | None) -> str:
    if result is None:
        return "not measured"
    stopped = " (server killed at the RSS guard)" if result.stopped else ""
    return f"+{result.grown_mb:7.0f} MB peak{stopped}, answer: {result.status}"


def report(figures: Figures, args: argparse.Namespace) -> None:
    print(f"\n== {figures.tree}  ({figures.module})")
    if figures.failure:
        print(f"   failed: {figures.failure}")
    print(f"   {args.anon_mib} MiB anonymous POST : {body_line(figures.anon)}")
    print(f"   {args.upload_mib} MiB upload        : {body_line(figures.upload)}")
    if figures.alone and figures.attacked:
        a, b = p95(figures.alone.rtts), p95(figures.attacked.rtts)
        print(f"   live viewer p95 alone   : {a:7.1f} ms ({len(figures.alone.rtts)} frames)")
        print(f"   live viewer p95 attacked: {b:7.1f} ms ({len(figures.attacked.rtts)} frames)"
              f"  = {b / a:.2f}x alone")
        print(f"   attacker frames analysed: {figures.attacked.attacker_analysed}, refused: "
              f"{dict(sorted(figures.attacked.attacker_refused.items()))}")
        print(f"   server RSS growth under attack: +{figures.attacked.peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way")
    parser.add_argument("--upload-mib", type=int, default=2048)
    parser.add_argument("--anon-mib", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rss-guard-mib", type=int, default=3072)
    args = parser.parse_args()
    trees = [REPO] + ([args.baseline.resolve()] if args.baseline else [])
    results = [measure(tree, args) for tree in trees]
    for figures in results:
        report(figures, args)
    if len(results) == 2 and all(r.upload and r.anon for r in results):
        ours, base = results
        print("\n== this tree vs baseline")
        print(f"   anonymous POST memory : {ours.anon.grown_mb:.0f} vs {base.anon.grown_mb:.0f} MB")
        print(f"   upload memory         : {ours.upload.grown_mb:.0f} vs "
              f"{base.upload.grown_mb:.0f} MB{' (baseline stopped at the guard)' if base.upload.stopped else ''}")
        if ours.attacked and base.attacked and ours.alone and base.alone:
            print(f"   attacked p95 / alone  : {p95(ours.attacked.rtts) / p95(ours.alone.rtts):.2f}x"
                  f" vs {p95(base.attacked.rtts) / p95(base.alone.rtts):.2f}x")


if __name__ == "__main__":
    main()
