#!/usr/bin/env python
"""Run a command, and run it again whenever it exits: the local stand-in for systemd's
``Restart=always`` (make scaled runs each worker through it, so a killed worker comes back).

The command runs in its own process group, so a signal sent to this wrapper's group (honcho
stops a Procfile entry with killpg) reaches only the wrapper, which passes SIGTERM to the
command's main process alone: a django-q2 cluster whose children are signalled directly
never finishes stopping. If the wrapper itself is killed, Linux sends the command SIGTERM
(PR_SET_PDEATHSIG), so nothing is left running.

    python scripts/respawn.py python manage.py worker
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the command outlives a killed wrapper
        pass


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: respawn.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        child = subprocess.Popen(argv, process_group=0, preexec_fn=_die_with_parent)
        status = child.wait()
        if stopping:
            return 0
        print(f"{argv[0]} exited (status {status}); starting it again in 1 s",
              file=sys.stderr, flush=True)
        time.sleep(1)
        if stopping:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
