"""Recognizers for the worker-process tests. The worker processes import this module by name,
so it imports no Django and nothing from the test modules."""

from __future__ import annotations

import os
import time
from pathlib import Path

from emotion import FakeRecognizer, FrameAnalysis

#: The file the stalling recognizer creates when its first batch starts.
MARKER_ENV = "SHORTORY_TEST_POOL_MARKER"


class StallOnceRecognizer(FakeRecognizer):
    """The first batch any process of this test gets (no marker file yet) creates the marker and
    stalls for a minute, long enough to be killed in the middle of it; later batches, in any
    process, answer at once."""

    def analyze(self, frames, *, tracks=None, timings=None):
        marker = Path(os.environ[MARKER_ENV])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(60)
        return super().analyze(frames, tracks=tracks, timings=timings)


class TrackingRecognizer(FakeRecognizer):
    """Marks each frame's track as followed, as the engine does when it skips the detector;
    and says in which process it ran (as the face score)."""

    def analyze(self, frames, *, tracks=None, timings=None):
        for track in tracks or []:
            if track is not None:
                track.followed_frames += 1
        return [FrameAnalysis(face_found=False, face_score=float(os.getpid())) for _ in frames]


class SlowRecognizer(FakeRecognizer):
    def analyze(self, frames, *, tracks=None, timings=None):
        time.sleep(0.05)
        return super().analyze(frames, tracks=tracks, timings=timings)


class BrokenRecognizer(FakeRecognizer):
    def analyze(self, frames, *, tracks=None, timings=None):
        raise RuntimeError("the model fell over")
