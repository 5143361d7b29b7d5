"""A batching inference worker shared by every watch session in the process.

Consumers never block the event loop: each hands its JPEG to `InferenceWorker.submit` and awaits
a future; dispatcher threads analyse whatever frames wait as one batch (in worker processes,
``SHORTORY_INFERENCE_PROCESSES``, or in threads when that is 0), and a full queue refuses a frame
at once ("overloaded"). Design and reasons: docs/inference-worker.md.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

#: How often an idle dispatcher thread looks whether the worker is closing.
IDLE_POLL = 0.5
#: A worker process that does not answer its first message within this is given up on.
START_TIMEOUT = 120.0
#: Pause before starting a worker process again after it failed to start.
RESTART_PAUSE = 1.0


class Overloaded(Exception):
    """The inference queue is full; the frame was not accepted."""


class InferenceFailed(Exception):
    """The frame was accepted but could not be analysed (the engine raised, or its worker
    process died while analysing it)."""


class WorkerDied(Exception):
    """A worker process exited, or did not start."""


@dataclass
class _Request:
    jpeg: bytes
    track: Any  # the viewer's FaceTrack (or None): lets the engine follow a face between frames
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    enqueued: float


Answer = tuple[_Request, Any, BaseException | None]


def _resolve_all(items: list[tuple[asyncio.Future, Any, BaseException | None]]) -> None:
    for future, value, error in items:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


def _hand_back(answers: list[Answer]) -> None:
    """Resolve the futures from a dispatcher thread: one wake-up per event loop per batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list] = {}
    for request, value, error in answers:
        by_loop.setdefault(request.loop, []).append((request.future, value, error))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, items)
        except RuntimeError:  # that loop is closed: nobody waits for these any more
            logger.debug("dropped %d answers for a closed event loop", len(items))


class WorkerProcess:
    """One ``analysis.inference_child`` process and its socket; used by one thread at a time."""

    def __init__(self, recognizer_factory: Callable[[], Any], *,
                 start_timeout: float = START_TIMEOUT):
        self.factory = recognizer_factory
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.starts = 0
        self.ready_since = 0.0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.conn is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start the process and wait until its recognizer is loaded; ``WorkerDied`` if not."""
        self.stop()
        ours, theirs = socket.socketpair()
        # The child finds this project as the server does (daphne runs from the repository).
        path = [p or os.getcwd() for p in sys.path]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "analysis.inference_child", str(theirs.fileno()),
                 str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        try:
            conn.send_bytes(pickle.dumps(self.factory))
            if not conn.poll(self.start_timeout):
                raise WorkerDied(f"not ready within {self.start_timeout:.0f} s")
            kind, _pid = pickle.loads(conn.recv_bytes())
            if kind != "ready":
                raise WorkerDied(f"unexpected first message {kind!r}")
        except (EOFError, OSError, pickle.PickleError, WorkerDied) as exc:
            conn.close()
            proc.kill()
            proc.wait()
            raise WorkerDied(f"the inference worker process did not start ({exc!r}; "
                             f"exit status {proc.returncode})") from exc
        self.proc, self.conn = proc, conn
        self.ready_since = time.monotonic()
        self.starts += 1

    def run(self, jobs: list[tuple[bytes, Any]]) -> list[tuple]:
        """One batch's replies (see ``analysis.inference_child``); ``WorkerDied`` if it died."""
        conn = self.conn
        if conn is None:
            raise WorkerDied("not started")
        try:
            conn.send_bytes(pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL))
            replies = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError) as exc:
            status = self.proc.poll() if self.proc is not None else None
            self.stop()
            raise WorkerDied(f"the inference worker process exited (status {status})") from exc
        if len(replies) != len(jobs):
            self.stop()
            raise WorkerDied(f"{len(replies)} replies for {len(jobs)} frames")
        return replies

    def stop(self, timeout: float = 2.0) -> None:
        """Close the socket (the child exits at its end), then make sure the process is gone."""
        conn, proc = self.conn, self.proc
        self.conn = self.proc = None
        if conn is not None:
            conn.close()
        if proc is None:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class InferenceWorker:
    def __init__(self, recognizer_factory: Callable[[], Any], *, threads: int = 1,
                 processes: int = 0, max_batch: int = 16, max_queue: int | None = None,
                 max_wait: float = 0.004, max_age: float = 0.5, max_pending_per_viewer: int = 8,
                 start_timeout: float = START_TIMEOUT):
        self._factory = recognizer_factory
        self.max_pending_per_viewer = max_pending_per_viewer
        self._pending: dict[int, int] = {}
        self._pending_lock = threading.Lock()
        self._recognizer = None
        self._recognizer_lock = threading.Lock()
        lanes = processes if processes > 0 else threads
        # A short queue: beyond a few batches per lane, waiting only adds latency.
        self._queue: queue.Queue[_Request] = queue.Queue(
            maxsize=max_queue or lanes * max_batch * 2)
        self.max_batch = max_batch
        self.max_age = max_age
        self.max_wait = max_wait
        self._closed = threading.Event()
        self.processes = [WorkerProcess(recognizer_factory, start_timeout=start_timeout)
                          for _ in range(max(0, processes))]
        targets: list[Callable[[], None]] = (
            [partial(self._run_process, p) for p in self.processes] if self.processes
            else [self._run] * threads)
        self._threads = [
            threading.Thread(target=target, name=f"inference-{i}", daemon=True)
            for i, target in enumerate(targets)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def recognizer(self):
        with self._recognizer_lock:
            if self._recognizer is None:
                self._recognizer = self._factory()
            return self._recognizer

    async def submit(self, jpeg: bytes, track: Any = None):
        """Decode and analyse one frame; returns a FrameAnalysis or raises FrameDecodeError
        (not a usable JPEG), Overloaded (not accepted, or too late) or InferenceFailed.

        Fair share: one viewer (one ``track``) may have at most ``max_pending_per_viewer``
        frames waiting; beyond that *its* frame is refused, not everyone else's.
        """
        if self._closed.is_set():
            raise Overloaded()
        viewer = id(track) if track is not None else None
        with self._pending_lock:
            if viewer is not None and self._pending.get(viewer, 0) >= self.max_pending_per_viewer:
                raise Overloaded()
            if viewer is not None:
                self._pending[viewer] = self._pending.get(viewer, 0) + 1
        try:
            loop = asyncio.get_running_loop()
            future = loop.create_future()
            try:
                self._queue.put_nowait(_Request(jpeg, track, future, loop, time.monotonic()))
            except queue.Full:
                raise Overloaded() from None
            return await future
        finally:
            if viewer is not None:
                with self._pending_lock:
                    left = self._pending.get(viewer, 1) - 1
                    if left > 0:
                        self._pending[viewer] = left
                    else:
                        self._pending.pop(viewer, None)

    def _take_batch(self) -> list[_Request] | None:
        """Up to ``max_batch`` waiting frames (waiting ``max_wait`` for more after the first);
        None once the worker is closing."""
        while True:
            if self._closed.is_set():
                return None
            try:
                first = self._queue.get(timeout=IDLE_POLL)
                break
            except queue.Empty:
                continue
        batch = [first]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            timeout = deadline - time.monotonic()
            try:
                batch.append(self._queue.get(timeout=timeout) if timeout > 0
                             else self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _fresh(self, batch: list[_Request], ready_since: float = 0.0) -> list[_Request]:
        """The requests still worth analysing; the others are answered ``Overloaded``. Time
        spent waiting for a worker process to start (``ready_since``) does not count: the
        first viewers wait for the models to load, as they did when a thread loaded them."""
        now = time.monotonic()
        fresh, late = [], []
        for request in batch:  # too late to be useful live?
            waited = now - max(request.enqueued, ready_since)
            (late if waited > self.max_age else fresh).append(request)
        if late:
            _hand_back([(r, None, Overloaded()) for r in late])
        return fresh

    def _run(self) -> None:
        """A dispatcher thread that runs the engine itself (``processes=0``)."""
        from emotion import FrameDecodeError, decode_for_analysis

        while True:
            batch = self._take_batch()
            if batch is None:
                return
            answers: list[Answer] = []
            frames, ok = [], []
            for request in self._fresh(batch):
                try:
                    frames.append(decode_for_analysis(request.jpeg))
                    ok.append(request)
                except FrameDecodeError as exc:
                    answers.append((request, None, exc))
            if ok:
                try:
                    results = self.recognizer.analyze(frames, tracks=[r.track for r in ok])
                except Exception as exc:  # keep serving: one bad batch must not kill the worker
                    logger.exception("inference failed for a batch of %d", len(ok))
                    failed = InferenceFailed(f"{type(exc).__name__}: {exc}")
                    answers.extend((r, None, failed) for r in ok)
                else:
                    answers.extend((r, result, None) for r, result in zip(ok, results, strict=True))
            _hand_back(answers)

    def _run_process(self, worker: WorkerProcess) -> None:
        """A dispatcher thread that feeds one worker process (``processes>0``)."""
        from emotion import FrameDecodeError

        while not self._closed.is_set():
            if not worker.alive:
                try:
                    worker.start()
                except WorkerDied:
                    logger.exception("inference worker process did not start; trying again")
                    self._closed.wait(RESTART_PAUSE)
                    continue
            batch = self._take_batch()
            if batch is None:
                return
            live = self._fresh(batch, worker.ready_since)
            if not live:
                continue
            try:
                replies = worker.run([(r.jpeg, r.track) for r in live])
            except WorkerDied as exc:
                if not self._closed.is_set():
                    logger.error("%s during a batch of %d frames; starting it again", exc,
                                 len(live))
                failed = InferenceFailed(str(exc))
                _hand_back([(r, None, failed) for r in live])
                continue
            answers: list[Answer] = []
            for request, reply in zip(live, replies, strict=True):
                if reply[0] == "ok":
                    _kind, result, track = reply
                    if request.track is not None and track is not None:
                        request.track.adopt(track)
                    answers.append((request, result, None))
                elif reply[0] == "bad_image":
                    answers.append((request, None, FrameDecodeError(reply[1])))
                else:
                    answers.append((request, None, InferenceFailed(reply[1])))
            _hand_back(answers)

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes now running (monitoring and tests)."""
        return [p.pid for p in self.processes if p.alive and p.pid is not None]

    def close(self, grace: float = 5.0) -> None:
        """Stop: batches in progress finish (up to ``grace`` seconds), frames still waiting
        are answered ``Overloaded``, and the worker processes are gone when this returns."""
        self._closed.set()
        deadline = time.monotonic() + grace
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            process.stop()
        waiting: list[Answer] = []
        while True:
            try:
                waiting.append((self._queue.get_nowait(), None, Overloaded()))
            except queue.Empty:
                break
        _hand_back(waiting)


def engine_recognizer(*, models_dir: str, manifest: str | None = None):
    """The real engine from explicit paths (picklable as a partial: worker processes build
    theirs from it without Django settings)."""
    from pathlib import Path

    from emotion import EmotionRecognizer

    return EmotionRecognizer(models_dir=Path(models_dir),
                             manifest=Path(manifest) if manifest else None)


def default_recognizer():
    """The real engine, with the model files and manifest the settings name."""
    return engine_recognizer(**_engine_paths())


def _engine_paths() -> dict[str, str | None]:
    return {"models_dir": str(settings.MODELS_DIR),
            "manifest": str(settings.EMOTION_MODEL_MANIFEST) or None}


def recognizer_factory() -> Callable[[], Any]:
    """``settings.EMOTION_RECOGNIZER`` as a callable a worker process can be sent (pickled by
    reference): the default one is bound to this process's model paths."""
    factory = import_string(settings.EMOTION_RECOGNIZER)
    if factory is default_recognizer:
        return partial(engine_recognizer, **_engine_paths())
    return factory


_worker: InferenceWorker | None = None
_worker_lock = threading.Lock()


def get_inference_worker() -> InferenceWorker:
    """The process's worker, created on first use with the configured recognizer."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = InferenceWorker(
                recognizer_factory(), threads=settings.INFERENCE_THREADS,
                processes=settings.INFERENCE_PROCESSES,
                max_batch=settings.INFERENCE_MAX_BATCH,
                max_pending_per_viewer=settings.INFERENCE_MAX_PENDING_PER_VIEWER)
        return _worker


def reset_inference_worker() -> None:
    """Close the worker (tests switch recognizers): its threads end, its processes exit."""
    global _worker
    with _worker_lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.close()


# The worker processes go with this one: at exit (daphne's graceful stop has let the live
# sessions finish by then), and otherwise by the socket's end or the parent-death signal.
atexit.register(reset_inference_worker)
