"""One inference worker process: JPEG bytes in, ``FrameAnalysis`` out, over a socket.

Started by ``analysis.inference`` (one per core) so that decoding and the engine run outside
daphne's interpreter. Imports no Django. The message protocol and why it dies with its parent:
docs/inference-worker.md.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection
from typing import Any

logger = logging.getLogger("analysis.inference_child")

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        sys.exit(0)


def analyse_batch(recognizer: Any, jobs: list[tuple[bytes, Any]]) -> list[tuple]:
    """The replies for one batch (see the module docstring); never raises for one bad item."""
    from emotion import FrameDecodeError, decode_for_analysis

    replies: list[tuple] = [()] * len(jobs)
    frames, ok = [], []
    for index, (jpeg, _track) in enumerate(jobs):
        try:
            frames.append(decode_for_analysis(jpeg))  # the strict JPEG check comes first
            ok.append(index)
        except FrameDecodeError as exc:
            replies[index] = ("bad_image", str(exc))
    if ok:
        tracks = [jobs[i][1] for i in ok]
        try:
            results = recognizer.analyze(frames, tracks=tracks)
        except Exception as exc:  # keep serving: one bad batch must not end the worker
            logger.exception("inference failed for a batch of %d", len(ok))
            for index in ok:
                replies[index] = ("failed", f"{type(exc).__name__}: {exc}")
        else:
            for index, track, result in zip(ok, tracks, results, strict=True):
                replies[index] = ("ok", result, track)
    return replies


def serve(conn: Connection) -> None:
    factory = pickle.loads(conn.recv_bytes())
    recognizer = factory()
    load = getattr(recognizer, "load", None)
    if load is not None:
        load()
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent closed the socket or died
        replies = analyse_batch(recognizer, pickle.loads(message))
        try:
            conn.send_bytes(pickle.dumps(replies, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def main(argv: list[str]) -> int:
    fd, parent_pid = int(argv[0]), int(argv[1])
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # One core per worker process: the parallelism is the processes themselves. OpenCV's and
    # the BLAS libraries' own thread pools would put several threads per process on the same
    # cores (oversubscription), costing CPU in spinning and hand-offs.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    import cv2

    cv2.setNumThreads(1)
    serve(Connection(fd))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
