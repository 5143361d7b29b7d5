"""A LiteRT model that can be shared across threads and run on batches.

LiteRT interpreters are not thread-safe: ``set_tensor``/``invoke``/``get_tensor`` on one
interpreter from two threads corrupt each other's results. Rather than serialise every viewer
behind one lock, each thread gets its own interpreters (``threading.local``), built from model
bytes read once per process. An interpreter costs a few megabytes, so a bounded executor of N
workers costs N copies, which is cheap next to the throughput a lock would cost.

Batches: where a model's input tensor can be resized along the batch axis, a batch of n items is
run as the binary decomposition of n into power-of-two chunks (13 = 8 + 4 + 1, at most 32 per
chunk). That keeps one interpreter per chunk size per thread (no re-allocation on every call when
the number of faces changes) and never pads with wasted work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MAX_CHUNK = 32

Unbatch = Callable[[list[np.ndarray], int], list[np.ndarray]]


def batch_major(outputs: list[np.ndarray], n: int) -> list[np.ndarray]:
    """Per-item rows of outputs whose memory layout is batch-major: each reshaped (n, -1)."""
    return [out.reshape(n, -1) for out in outputs]


def batch_chunks(n: int, max_chunk: int = MAX_CHUNK) -> list[int]:
    """Power-of-two chunk sizes that add up to ``n`` (largest first)."""
    sizes = []
    while n > 0:
        size = min(max_chunk, 1 << (n.bit_length() - 1))
        sizes.append(size)
        n -= size
    return sizes


class LiteModel:
    """One ``.tflite`` model: lazy per-thread interpreters, batched ``run``.

    ``num_threads`` is the interpreter's own thread count (1 keeps one frame on one core, which
    scales best when many viewers are analysed concurrently).
    """

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        self.path = Path(path)
        self.num_threads = num_threads
        self._content: bytes | None = None
        self._content_lock = threading.Lock()
        self._local = threading.local()
        self._batchable: bool | None = None

    def _model_content(self) -> bytes:
        with self._content_lock:
            if self._content is None:
                self._content = self.path.read_bytes()
                logger.debug("Loaded %s (%d bytes)", self.path, len(self._content))
            return self._content

    def _interpreter(self, batch: int):
        cache = getattr(self._local, "interpreters", None)
        if cache is None:
            cache = self._local.interpreters = {}
        interpreter = cache.get(batch)
        if interpreter is None:
            # Imported here so that importing the engine costs nothing until a model is used.
            from ai_edge_litert.interpreter import Interpreter

            interpreter = Interpreter(
                model_content=self._model_content(), num_threads=self.num_threads
            )
            if batch != 1:
                detail = interpreter.get_input_details()[0]
                shape = list(detail["shape"])
                shape[0] = batch
                interpreter.resize_tensor_input(detail["index"], shape)
            interpreter.allocate_tensors()
            cache[batch] = interpreter
        return interpreter

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The model's input shape at batch 1, e.g. ``(1, 128, 128, 3)``."""
        return tuple(int(v) for v in self._interpreter(1).get_input_details()[0]["shape"])

    @property
    def input_dtype(self) -> np.dtype:
        """The dtype the model's input tensor expects."""
        return np.dtype(self._interpreter(1).get_input_details()[0]["dtype"])

    def batchable(self) -> bool:
        """Whether the input can be resized along the batch axis (probed once)."""
        if self._batchable is None:
            try:
                self._interpreter(2)
                self._batchable = True
            except (RuntimeError, ValueError) as exc:
                logger.info("%s cannot be batched (%s); running items one by one", self.path, exc)
                self._batchable = False
        return self._batchable

    def _invoke(self, batch: int, x: np.ndarray, unbatch: Unbatch) -> list[np.ndarray]:
        interpreter = self._interpreter(batch)
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
        interpreter.invoke()
        raw = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
        return unbatch(raw, batch)

    def run(self, x: np.ndarray, unbatch: Unbatch | None = None) -> list[np.ndarray]:
        """Run a batch ``x`` (n, ...) and return each output as an (n, k) float array.

        ``unbatch(outputs, n)`` turns one invocation's raw output tensors into per-item rows;
        the default assumes batch-major outputs. Some graphs flatten the batch differently
        (BlazeFace concatenates per anchor layer across the batch), and their callers say how.
        """
        unbatch = unbatch or batch_major
        n = int(x.shape[0])
        if n == 0:
            return []
        x = np.ascontiguousarray(x, dtype=self.input_dtype)
        if n == 1 or not self.batchable():
            chunks = [1] * n
        else:
            chunks = batch_chunks(n)
        pieces: list[list[np.ndarray]] = []
        start = 0
        for size in chunks:
            pieces.append(self._invoke(size, x[start : start + size], unbatch))
            start += size
        if len(pieces) == 1:
            # get_tensor already returns copies, so nothing aliases interpreter memory.
            return pieces[0]
        return [np.concatenate(outs, axis=0) for outs in zip(*pieces, strict=True)]
