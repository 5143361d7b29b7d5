#!/usr/bin/env python
"""Start the whole product: one daphne (HTTP + WebSockets) and one django-q2 cluster.

Ctrl-C (or SIGTERM) stops both and waits for them; if either dies, the other is stopped too,
so `make run` never leaves half a product running.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings", "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    commands = {
        "web": [python, "-m", "shortory.server", "-b", args.host, "-p", str(args.port),
                "shortory.asgi:application"],
        "worker": [python, "manage.py", "qcluster"],
    }
    children = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    print(f"Shortory is running on http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with status {child.returncode}; stopping", file=sys.stderr)
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.3)

    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("Shortory stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
