"""Reaction videos: a viewer's own recording, read the way the live page is read.

Pure module. :func:`analyse_reaction` takes the recording's frames (from
``render.read_frames`` at the capture rate and :func:`emotion.capture.capture_size`) and puts
each through exactly what a live frame goes through: JPEG at the browser's quality, decoded by
``decode_for_analysis``, the recognizer with the viewer's ``FaceTrack``, and an
``AttentionTracker`` on the recording's clock. ``offset`` is where, in the recording, the
source video started: a reading at recording time ``r`` is at source time ``r - offset``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from .attention import AttentionTracker
from .frames import FrameAnalysis, decode_for_analysis
from .moments import EmotionSample
from .protocol import Recognizer
from .tracking import FaceTrack

#: ``canvas.toBlob(..., "image/jpeg", 0.7)`` in static/js/watch.js.
BROWSER_JPEG_QUALITY = 70


@dataclass(frozen=True)
class ReactionReading:
    """One analysed frame: source-video time, what the engine saw, smoothed attention."""

    t: float
    analysis: FrameAnalysis
    attention: float

    def sample(self) -> EmotionSample:
        """The stored shape, as the live socket stores it."""
        return EmotionSample(t=self.t, probabilities=dict(self.analysis.probabilities),
                             attention=self.attention, face_found=bool(self.analysis.face_found))

    def as_json(self) -> dict:
        """``{"t", "face_found", "emotion", "probabilities", "eye_openness", "attention"}``."""
        a = self.analysis
        return {
            "t": round(self.t, 3), "face_found": bool(a.face_found), "emotion": a.emotion,
            "probabilities": {k: round(float(v), 4) for k, v in a.probabilities.items()},
            "eye_openness": None if a.eye_openness is None else round(float(a.eye_openness), 3),
            "attention": round(self.attention, 3),
        }


def analyse_reaction(
    frames: Iterable[tuple[float, np.ndarray]],
    *,
    recognizer: Recognizer,
    offset: float,
    duration: float | None,
    jpeg_quality: int = BROWSER_JPEG_QUALITY,
    on_frame: Callable[[int, float], None] | None = None,
) -> Iterator[ReactionReading]:
    """Readings for the frames that fall inside the source video (``0 ≤ t ≤ duration``).

    ``frames`` are ``(recording time, BGR frame)`` pairs in order, already at the capture rate
    and size. ``on_frame(count, t)`` is called after each reading (progress).
    """
    tracker = AttentionTracker()
    # A recording has no real-time budget: the eyes are measured on every frame (a live
    # viewer's track measures them on every second one), so a blink between is not missed.
    track = FaceTrack(eyes_every=1)
    count = 0
    for recording_t, frame in frames:
        t = float(recording_t) - offset
        if t < 0:
            continue
        if duration is not None and t > duration:
            break
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        if not ok:
            continue
        (result,) = recognizer.analyze([decode_for_analysis(jpeg.tobytes())], tracks=[track])
        attention = float(tracker.update(result, float(recording_t)))
        count += 1
        yield ReactionReading(t=t, analysis=result, attention=attention)
        if on_frame is not None:
            on_frame(count, t)
