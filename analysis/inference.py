"""A batching inference worker shared by every watch session in the process.

Consumers must never block the event loop. Each one hands its JPEG to `InferenceWorker.submit`
and awaits a future; a small pool of threads takes whatever frames are waiting (up to a batch),
decodes them and runs the recognizer on the whole batch at once, then resolves the futures on
their loops. Batching is where the speed comes from (one model call for many viewers), and the
bounded queue is the back-pressure: when it is full a frame is refused at once ("overloaded")
instead of piling up latency for everyone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Overloaded(Exception):
    """The inference queue is full; the frame was not accepted."""


@dataclass
class _Request:
    jpeg: bytes
    track: Any  # the viewer's FaceTrack (or None): lets the engine follow a face between frames
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    enqueued: float


def _resolve(future: asyncio.Future, value: Any = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class InferenceWorker:
    def __init__(self, recognizer_factory: Callable[[], Any], *, threads: int = 1,
                 max_batch: int = 16, max_queue: int | None = None, max_wait: float = 0.004,
                 max_age: float = 0.5, max_pending_per_viewer: int = 8):
        self._factory = recognizer_factory
        self.max_pending_per_viewer = max_pending_per_viewer
        self._pending: dict[int, int] = {}
        self._pending_lock = threading.Lock()
        self._recognizer = None
        self._recognizer_lock = threading.Lock()
        # A short queue: beyond a few batches per thread, waiting only adds latency.
        self._queue: queue.Queue[_Request] = queue.Queue(
            maxsize=max_queue or threads * max_batch * 2)
        self.max_batch = max_batch
        self.max_age = max_age
        self.max_wait = max_wait
        self._threads = [
            threading.Thread(target=self._run, name=f"inference-{i}", daemon=True)
            for i in range(threads)
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
        """Decode and analyse one frame; returns a FrameAnalysis or raises FrameDecodeError.

        Fair share: one viewer (one ``track``) may have at most ``max_pending_per_viewer``
        frames waiting; beyond that *its* frame is refused, not everyone else's.
        """
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

    def _take_batch(self) -> list[_Request]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            timeout = deadline - time.monotonic()
            try:
                batch.append(self._queue.get(timeout=timeout) if timeout > 0
                             else self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        from emotion import FrameDecodeError, decode_for_analysis

        while True:
            batch = self._take_batch()
            frames, ok = [], []
            now = time.monotonic()
            for request in batch:
                if now - request.enqueued > self.max_age:  # too late to be useful live
                    request.loop.call_soon_threadsafe(_resolve, request.future, None,
                                                      Overloaded())
                    continue
                try:
                    frames.append(decode_for_analysis(request.jpeg))
                    ok.append(request)
                except FrameDecodeError as exc:
                    request.loop.call_soon_threadsafe(_resolve, request.future, None, exc)
            if not ok:
                continue
            try:
                results = self.recognizer.analyze(frames, tracks=[r.track for r in ok])
            except Exception as exc:  # keep serving: one bad batch must not kill the worker
                logger.exception("inference failed for a batch of %d", len(ok))
                for request in ok:
                    request.loop.call_soon_threadsafe(_resolve, request.future, None, exc)
                continue
            for request, result in zip(ok, results, strict=True):
                request.loop.call_soon_threadsafe(_resolve, request.future, result)


def default_recognizer():
    """The real engine, with the model files and manifest the settings name."""
    from pathlib import Path

    from emotion import EmotionRecognizer

    manifest = settings.EMOTION_MODEL_MANIFEST
    return EmotionRecognizer(models_dir=Path(settings.MODELS_DIR),
                             manifest=Path(manifest) if manifest else None)


_worker: InferenceWorker | None = None
_worker_lock = threading.Lock()


def get_inference_worker() -> InferenceWorker:
    """The process's worker, created on first use with the configured recognizer."""
    global _worker
    with _worker_lock:
        if _worker is None:
            factory = import_string(settings.EMOTION_RECOGNIZER)
            _worker = InferenceWorker(
                factory, threads=settings.INFERENCE_THREADS,
                max_batch=settings.INFERENCE_MAX_BATCH,
                max_pending_per_viewer=settings.INFERENCE_MAX_PENDING_PER_VIEWER)
        return _worker


def reset_inference_worker() -> None:
    """Forget the worker (tests switch recognizers); its idle threads simply stay parked."""
    global _worker
    with _worker_lock:
        _worker = None
