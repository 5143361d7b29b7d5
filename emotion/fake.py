"""``FakeRecognizer``: a deterministic ``Recognizer`` for plumbing tests (no models, no cost).

By default every frame reads as an attentive face showing ``emotion``; pass ``script`` to vary
the answer per frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from .frames import FrameAnalysis, ReducedFrame
from .tracking import FaceTrack
from .vocabulary import EMOTIONS

Script = Callable[[int, np.ndarray], FrameAnalysis] | Sequence[FrameAnalysis]


def fake_analysis(
    emotion: str | None = "happy", confidence: float = 0.8, attention: float = 0.9
) -> FrameAnalysis:
    """A well-formed analysis: ``emotion`` gets ``confidence``, the rest share what is left.

    ``emotion=None`` gives a frame without a face.
    """
    if emotion is None:
        return FrameAnalysis(face_found=False)
    if emotion not in EMOTIONS:
        raise ValueError(f"{emotion!r} is not one of {EMOTIONS}")
    rest = (1.0 - confidence) / (len(EMOTIONS) - 1)
    probabilities = {e: (confidence if e == emotion else rest) for e in EMOTIONS}
    return FrameAnalysis(
        face_found=True,
        box=(100, 80, 200, 200),
        probabilities=probabilities,
        emotion=max(probabilities, key=probabilities.__getitem__),
        attention=attention,
        face_score=0.95,
        yaw=0.0,
        pitch=0.0,
        eye_openness=1.0,
    )


class FakeRecognizer:
    """A ``Recognizer`` like ``EmotionRecognizer``; answers from a script, deterministically.

    ``script`` is either a sequence of analyses, used in order and cycled, or a function of
    (frame index since creation, frame). ``frames_seen`` and ``batches`` record the calls.
    """

    def __init__(
        self,
        emotion: str | None = "happy",
        confidence: float = 0.8,
        attention: float = 0.9,
        script: Script | None = None,
    ) -> None:
        self._default = fake_analysis(emotion, confidence, attention)
        self._script = script
        self._lock = threading.Lock()
        self.frames_seen = 0
        self.batches: list[int] = []

    def load(self) -> None:
        """Nothing to load."""

    def _answer(self, index: int, frame: np.ndarray) -> FrameAnalysis:
        if self._script is None:
            return self._default
        if callable(self._script):
            return self._script(index, frame)
        return self._script[index % len(self._script)]

    def analyze(
        self,
        frames: Sequence[np.ndarray | ReducedFrame],
        *,
        tracks: Sequence[FaceTrack | None] | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[FrameAnalysis]:
        """One scripted ``FrameAnalysis`` per frame (``tracks`` and ``timings`` are ignored)."""
        if tracks is not None and len(tracks) != len(frames):
            raise ValueError(f"{len(tracks)} tracks for {len(frames)} frames")
        images = [f.image if isinstance(f, ReducedFrame) else f for f in frames]
        with self._lock:
            start = self.frames_seen
            self.frames_seen += len(images)
            self.batches.append(len(images))
        return [self._answer(start + i, image) for i, image in enumerate(images)]
