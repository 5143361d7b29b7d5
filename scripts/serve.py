#!/usr/bin/env python
"""Start the whole product: one web server (daphne, HTTP + WebSockets) and one django-q2 cluster
(`manage.py worker`: qcluster plus the sweep of dead workers' jobs).

Supervision, so that `make run` never leaves half a product or stray processes behind:

- each child runs in its own process group, and is told by the kernel to stop if this
  supervisor dies (Linux parent-death signal), so a cluster's workers never outlive it;
- a child that dies is restarted (its whole group is killed first, so a dead cluster master's
  orphaned workers stop taking tasks), at most RESTARTS times a minute, then everything stops;
- Ctrl-C or SIGTERM stops the web server gracefully first (it stops accepting, stores the
  samples live sessions were already answered for and closes their sockets with a close
  frame), then the cluster; whatever is still running after GRACE seconds is killed.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE = 8.0
RESTARTS = 3


def _child_setup() -> None:
    """In the child, before exec: its own process group, killed if the supervisor dies."""
    os.setpgid(0, 0)
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str]):
        self.name, self.cmd, self.env = name, cmd, env
        self.restarts: list[float] = []
        self.proc = self._start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, preexec_fn=_child_setup)

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def restart(self) -> bool:
        """Kill what is left of the old group and start again; False when it keeps dying."""
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        self.signal_group(signal.SIGKILL)
        if len(self.restarts) > RESTARTS:
            return False
        print(f"{self.name} exited with status {self.proc.returncode}; restarting",
              file=sys.stderr, flush=True)
        self.proc = self._start()
        return True

    def stop(self, deadline: float) -> None:
        """SIGTERM to the group; SIGKILL to the group at the deadline."""
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)  # the group's leftovers (a cluster's workers)
        if self.proc.poll() is None:
            self.proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings", "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    # The web server first in the list: it is stopped first.
    children = [
        Child("web", [python, "-m", "shortory.server", "-b", args.host, "-p", str(args.port),
                      "shortory.asgi:application"], env),
        # The django-q2 cluster with the sweep that redoes dead workers' jobs beside it.
        Child("worker", [python, "manage.py", "worker"], env),
    ]
    print(f"Shortory is running on http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for child in children:
            if child.proc.poll() is not None and not stopping and not child.restart():
                print(f"{child.name} keeps exiting; stopping", file=sys.stderr, flush=True)
                exit_code = child.proc.returncode or 1
                stopping = True
        time.sleep(0.3)

    deadline = time.monotonic() + GRACE
    for child in children:
        child.stop(deadline)
    print("Shortory stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
