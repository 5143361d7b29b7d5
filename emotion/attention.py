"""Attention: is the viewer looking at the screen, eyes open, and settled?

Per frame from head pose and eye openness (``frame_attention``), smoothed over the last
seconds per viewer (``AttentionTracker``); independent of the emotion. The rules and their
constants: docs/emotion-engine.md#attention.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import numpy as np

from .frames import FrameAnalysis
from .vocabulary import REACTIONS

logger = logging.getLogger(__name__)

FACING_FULL_DEG = 15.0
FACING_ZERO_DEG = 40.0
PRESENCE_ONLY = 0.5
STEADY_MOTION = 0.05
RESTLESS_MOTION = 0.3
MIN_STABILITY = 0.5
#: Eye openness below this is a closed eye.
EYES_CLOSED = 0.3
#: Eyes closed for up to this long are a blink: not inattention.
BLINK_GRACE_S = 0.6
#: Eyes squeezed shut during a strong emotion (crying, laughing) are a reaction, not
#: inattention, for up to this long; longer closure counts.
EXPRESSIVE_GRACE_S = 4.0
#: A reaction (not the resting state) at least this probable is a strong emotion.
STRONG_EMOTION = 0.5


def _falloff(angle: float) -> float:
    excess = (abs(angle) - FACING_FULL_DEG) / (FACING_ZERO_DEG - FACING_FULL_DEG)
    return float(np.clip(1.0 - excess, 0.0, 1.0))


def frame_attention(
    face_found: bool, yaw: float | None, pitch: float | None, eye_openness: float | None
) -> float:
    """Attention in [0, 1] from one frame's face presence, head pose and eye openness."""
    if not face_found:
        return 0.0
    if yaw is None or pitch is None or eye_openness is None:
        return PRESENCE_ONLY
    facing = _falloff(yaw) * _falloff(pitch)
    return float(np.clip(facing * eye_openness, 0.0, 1.0))


@dataclass(frozen=True)
class _Sample:
    t: float
    score: float
    centre: tuple[float, float] | None
    width: float


class AttentionTracker:
    """One viewer's attention over the last ``window`` seconds. Not shared between viewers.

    Not thread-safe by itself: a viewer's frames arrive in order on one connection, which
    owns its tracker.
    """

    def __init__(self, window: float = 1.5) -> None:
        self.window = window
        self._samples: deque[_Sample] = deque()
        self._closed_since: float | None = None

    def reset(self) -> None:
        """Forget the history (e.g. after a pause or a seek)."""
        self._samples.clear()
        self._closed_since = None

    def _score(self, analysis: FrameAnalysis, t: float) -> float:
        """This frame's score, forgiving a blink and expressive squeezing (see the docs)."""
        eyes = analysis.eye_openness
        if not analysis.face_found or eyes is None or eyes >= EYES_CLOSED:
            self._closed_since = None
            return analysis.attention
        if self._closed_since is None:
            self._closed_since = t
        closed_for = t - self._closed_since
        strong = max((analysis.probabilities.get(e, 0.0) for e in REACTIONS), default=0.0)
        grace = EXPRESSIVE_GRACE_S if strong >= STRONG_EMOTION else BLINK_GRACE_S
        if closed_for <= grace:
            return frame_attention(True, analysis.yaw, analysis.pitch, 1.0)
        return analysis.attention

    def update(self, analysis: FrameAnalysis, t: float) -> float:
        """Add one frame's analysis at time ``t`` (seconds) and return smoothed attention."""
        if self._samples and t < self._samples[-1].t:
            # Time went backwards (seek/restart): the old history says nothing about now.
            self._samples.clear()
            self._closed_since = None
        score = self._score(analysis, t)
        centre = None
        width = 0.0
        if analysis.face_found and analysis.box is not None:
            x, y, w, h = analysis.box
            centre, width = (x + w / 2.0, y + h / 2.0), float(max(w, 1))
        self._samples.append(_Sample(t, score, centre, width))
        while self._samples and self._samples[0].t < t - self.window:
            self._samples.popleft()
        return self.value()

    def value(self) -> float:
        """The current smoothed attention in [0, 1] (0 before any frame)."""
        if not self._samples:
            return 0.0
        mean = float(np.mean([s.score for s in self._samples]))
        return float(np.clip(mean * self.stability(), 0.0, 1.0))

    def stability(self) -> float:
        """1 for a steady face, down to ``MIN_STABILITY`` for one moving about."""
        seen = [s for s in self._samples if s.centre is not None]
        if len(seen) < 3:
            return 1.0
        centres = np.array([s.centre for s in seen])
        width = float(np.median([s.width for s in seen]))
        motion = float(np.sqrt(centres.var(axis=0).sum())) / width
        excess = (motion - STEADY_MOTION) / (RESTLESS_MOTION - STEADY_MOTION)
        return float(np.clip(1.0 - excess * (1.0 - MIN_STABILITY), MIN_STABILITY, 1.0))
