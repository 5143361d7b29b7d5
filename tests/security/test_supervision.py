"""`scripts/serve.py` (what `make run` starts) supervises its children (issue 13, item 11):
a dead qcluster master is replaced and its orphaned workers are killed while the site stays
up, and stopping the supervisor (SIGTERM, Ctrl-C) leaves no process of the product behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .server import ROOT, free_port


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, command line) of every live process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":  # a zombie has already exited
            continue
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), cmdline)
    return found


def _group(pgid: int) -> list[int]:
    return [pid for pid, (_ppid, group, _cmd) in _processes().items() if group == pgid]


def _wait_for(predicate, what: str, limit: float = 90):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting for {what}")


class Supervisor:
    def __init__(self, workdir: Path):
        # The environment RunningServer uses, but serve.py's processes.
        self.workdir = workdir
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings",
            "SHORTORY_ENV_FILE": os.devnull, "DEBUG": "0", "Q_WORKERS": "2",
            "SECRET_KEY": "security-tests-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "SQLITE_PATH": str(workdir / "db.sqlite3"),
            "MEDIA_ROOT": str(workdir / "media"), "PYTHONUNBUFFERED": "1",
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                       env=env, check=True, capture_output=True, timeout=300)
        self.port = free_port()
        self.log = open(workdir / "serve.log", "w")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--host", "127.0.0.1", "--port",
             str(self.port)], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        _wait_for(self.answers, "the site")

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                        timeout=3) as response:
                return response.status in (200, 503)
        except urllib.error.HTTPError as error:
            return error.code == 503
        except OSError:
            return False

    def child(self, marker: str) -> int | None:
        for pid, (ppid, _group, cmd) in _processes().items():
            if ppid == self.proc.pid and marker in cmd:
                return pid
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@pytest.fixture
def supervisor(tmp_path):
    running = Supervisor(tmp_path)
    yield running
    running.stop()


def test_a_dead_cluster_master_is_replaced_and_its_workers_killed(supervisor):
    master = _wait_for(lambda: supervisor.child("manage.py worker"), "the cluster")
    web = supervisor.child("shortory.server")
    # The master's group: itself, its sentinel, the workers (all started by then).
    old_group = _wait_for(lambda: len(_group(master)) >= 3 and _group(master), "its workers")
    os.kill(master, signal.SIGKILL)
    replacement = _wait_for(
        lambda: (supervisor.child("manage.py worker") or 0) not in (0, master)
        and supervisor.child("manage.py worker"), "a new cluster")
    _wait_for(lambda: not (set(_group(master)) & set(old_group)), "the orphans to go")
    assert replacement != master
    assert supervisor.proc.poll() is None  # the site was not taken down
    assert supervisor.child("shortory.server") == web  # nor its web server restarted
    assert supervisor.answers()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_supervisor_leaves_nothing_behind(supervisor, sig):
    master = _wait_for(lambda: supervisor.child("manage.py worker"), "the cluster")
    web = supervisor.child("shortory.server")
    _wait_for(lambda: len(_group(master)) >= 3, "its workers")
    groups = {master, web}
    supervisor.proc.send_signal(sig)
    assert supervisor.proc.wait(timeout=60) == 0
    left = [pid for pid, (_ppid, group, _cmd) in _processes().items() if group in groups]
    assert left == []
    assert "Shortory stopped." in (supervisor.workdir / "serve.log").read_text()


def test_children_do_not_outlive_a_killed_supervisor(supervisor):
    master = _wait_for(lambda: supervisor.child("manage.py worker"), "the cluster")
    web = supervisor.child("shortory.server")
    _wait_for(lambda: len(_group(master)) >= 3, "its workers")
    supervisor.proc.kill()  # no chance to clean up: the kernel's parent-death signal does
    supervisor.proc.wait(timeout=10)
    _wait_for(lambda: not [pid for pid, (_p, group, _c) in _processes().items()
                           if group in (master, web)], "the children to go")
