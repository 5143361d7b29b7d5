"""A real server process on 127.0.0.1 for the attack tests (what `make run` serves)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class PeakRSS:
    """The highest RSS of a process while the block runs (sampled every 20 ms)."""

    def __init__(self, pid: int):
        import threading

        self.pid = pid
        self.start = self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
            except (OSError, RuntimeError):
                return

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def grown(self) -> int:
        return self.peak - self.start


class RunningServer:
    def __init__(self, workdir: Path, *, module: str | None = None,
                 cwd: Path = ROOT, extra_env: dict[str, str] | None = None):
        # What `make run` serves (stock daphne in a tree that predates shortory.server).
        module = module or ("shortory.server" if (cwd / "shortory" / "server.py").exists()
                            else "daphne")
        self.port = free_port()
        self.workdir = workdir
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings",
            "SHORTORY_ENV_FILE": os.devnull, "DEBUG": "0",
            "SECRET_KEY": "security-tests-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SQLITE_PATH": str(workdir / "db.sqlite3"), "MEDIA_ROOT": str(workdir / "media"),
            "PYTHONUNBUFFERED": "1", **(extra_env or {}),
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=cwd,
                       env=self.env, check=True, capture_output=True, timeout=300)
        self.log = open(workdir / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "-b", "127.0.0.1", "-p", str(self.port),
             "shortory.asgi:application"],
            cwd=cwd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start:\n" + self.log_text()) from None
                time.sleep(0.2)

    def token_for(self, username: str) -> str:
        """A user with an API token in the server's database."""
        script = ("from accounts.models import User; from rest_framework.authtoken.models "
                  f"import Token; u = User.objects.create_user({username!r}, password='pw-12345"
                  "6789'); print('KEY' + Token.objects.create(user=u).key)")
        done = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        return done.stdout.split("KEY", 1)[1].strip()

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return (self.workdir / f"server-{self.port}.log").read_text()

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def peak_rss(self) -> PeakRSS:
        return PeakRSS(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def raw_request(port: int, head: bytes, body_chunks=(), *, timeout: float = 10) -> bytes:
    """Send ``head`` then the body chunks (stopping when the server closes), return what the
    server answered (up to 64 KiB)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while len(answer) < 65536:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False
