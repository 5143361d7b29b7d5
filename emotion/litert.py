"""A LiteRT model that can be shared across threads and run on batches.

Each thread gets its own interpreters (they are not thread-safe) built from bytes read once;
a batch runs as power-of-two chunks of at most 8. Why: docs/emotion-engine.md#litert.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MAX_CHUNK = 8

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
    scales best when many viewers are analysed concurrently). ``run`` accepts inputs whose
    non-batch dimensions differ from the model's own where the graph allows it (a fully
    convolutional detector run on a 4:3 input instead of a padded square one).
    """

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        self.path = Path(path)
        self.num_threads = num_threads
        self._content: bytes | None = None
        self._content_lock = threading.Lock()
        self._local = threading.local()
        self._batchable: bool | None = None
        self._signature: tuple[tuple[int, ...], np.dtype] | None = None

    def _model_content(self) -> bytes:
        with self._content_lock:
            if self._content is None:
                self._content = self.path.read_bytes()
                logger.debug("Loaded %s (%d bytes)", self.path, len(self._content))
            return self._content

    def _slot(self, shape: tuple[int, ...] | None) -> tuple:
        """This thread's (interpreter, input index, output indices) for an input shape.

        ``None`` is the model's own input shape. Interpreters are kept per shape, so a batch
        size or frame shape seen before costs no re-allocation.
        """
        cache = getattr(self._local, "slots", None)
        if cache is None:
            cache = self._local.slots = {}
        slot = cache.get(shape)
        if slot is None:
            # Imported here so that importing the engine costs nothing until a model is used.
            from ai_edge_litert.interpreter import Interpreter

            interpreter = Interpreter(
                model_content=self._model_content(), num_threads=self.num_threads
            )
            detail = interpreter.get_input_details()[0]
            own = tuple(int(v) for v in detail["shape"])
            if shape is not None and shape != own:
                interpreter.resize_tensor_input(detail["index"], list(shape))
            interpreter.allocate_tensors()
            # get_input_details()/get_output_details() build dicts of every tensor property on
            # each call (about 0.1 ms a frame over three models), so the indices are kept.
            slot = (
                interpreter,
                detail["index"],
                [d["index"] for d in interpreter.get_output_details()],
            )
            cache[shape] = slot
            if shape is None:
                cache.setdefault(own, slot)
        return slot

    def _input_signature(self) -> tuple[tuple[int, ...], np.dtype]:
        if self._signature is None:
            detail = self._slot(None)[0].get_input_details()[0]
            self._signature = (
                tuple(int(v) for v in detail["shape"]),
                np.dtype(detail["dtype"]),
            )
        return self._signature

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The model's own input shape, e.g. ``(1, 128, 128, 3)``."""
        return self._input_signature()[0]

    @property
    def input_dtype(self) -> np.dtype:
        """The dtype the model's input tensor expects."""
        return self._input_signature()[1]

    def batchable(self) -> bool:
        """Whether the input can be resized along the batch axis (probed once)."""
        if self._batchable is None:
            try:
                self._slot((2, *self.input_shape[1:]))
                self._batchable = True
            except (RuntimeError, ValueError) as exc:
                logger.info("%s cannot be batched (%s); running items one by one", self.path, exc)
                self._batchable = False
        return self._batchable

    def _invoke(self, x: np.ndarray, unbatch: Unbatch) -> list[np.ndarray]:
        interpreter, input_index, output_indices = self._slot(x.shape)
        interpreter.set_tensor(input_index, x)
        interpreter.invoke()
        return unbatch([interpreter.get_tensor(i) for i in output_indices], x.shape[0])

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
            pieces.append(self._invoke(x[start : start + size], unbatch))
            start += size
        if len(pieces) == 1:
            # get_tensor already returns copies, so nothing aliases interpreter memory.
            return pieces[0]
        return [np.concatenate(outs, axis=0) for outs in zip(*pieces, strict=True)]
