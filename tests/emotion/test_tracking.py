"""Face tracks: calibration maths, bookkeeping, and real sequences that skip the detector."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from emotion import EmotionRecognizer, FaceTrack
from emotion.landmarks import Roi
from emotion.tracking import (
    LEFT_EYE_OUTER,
    RIGHT_EYE_OUTER,
    FacePose,
    RoiCalibration,
    pose_from_points,
)

from .images import astronaut_head, cameraman, in_frame

SHAPE = (480, 640)


def test_pose_of_a_rotated_point_cloud():
    rng = np.random.default_rng(0)
    # Points filling an upright 100 x 80 box centred at (300, 200), eye corners level ...
    points = np.column_stack([rng.uniform(-50, 50, 468), rng.uniform(-40, 40, 468)])
    points[[RIGHT_EYE_OUTER, LEFT_EYE_OUTER]] = [[-30, -10], [30, -10]]
    points[:2] = [[-50, -40], [50, 40]]  # make the extent exact
    # ... then rolled by 20 degrees.
    angle = math.radians(20)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    pose = pose_from_points(points @ rotation.T + [300, 200])
    assert pose.angle == pytest.approx(angle)
    assert pose.size == pytest.approx(100)
    assert (pose.cx, pose.cy) == pytest.approx((300, 200))


def test_calibration_turns_the_pose_back_into_the_detectors_square():
    rng = np.random.default_rng(1)
    for _ in range(20):
        roi = Roi(*rng.uniform(100, 400, 2), rng.uniform(60, 200), rng.uniform(-0.5, 0.5))
        pose = FacePose(
            roi.cx + rng.uniform(-20, 20),
            roi.cy + rng.uniform(-20, 20),
            roi.size * rng.uniform(1.1, 1.6),
            roi.angle + rng.uniform(-0.1, 0.1),
        )
        calibration = RoiCalibration.fit(roi, pose)
        back = calibration.roi(pose)
        assert (back.cx, back.cy, back.size, back.angle) == pytest.approx(
            (roi.cx, roi.cy, roi.size, roi.angle)
        )
        # The same face moved, scaled and rolled: the square moves, scales and rolls with it.
        moved = FacePose(pose.cx + 30, pose.cy - 10, pose.size * 1.2, pose.angle + 0.2)
        square = calibration.roi(moved)
        assert square.size == pytest.approx(roi.size * 1.2)
        assert square.angle == pytest.approx(roi.angle + 0.2)
        offset = math.hypot(square.cx - moved.cx, square.cy - moved.cy)
        assert offset == pytest.approx(1.2 * math.hypot(roi.cx - pose.cx, roi.cy - pose.cy))


def test_track_bookkeeping():
    track = FaceTrack(redetect_every=3)
    roi = Roi(320, 240, 150, 0.0)
    pose = FacePose(320, 250, 200, 0.0)
    assert track.predicted_roi(SHAPE) is None  # nothing yet: detect
    track.detected(roi, pose, SHAPE)
    assert track.predicted_roi(SHAPE) == roi
    assert track.predicted_roi((240, 320)) is None  # another frame size: detect
    moved = Roi(330, 240, 150, 0.0)
    track.tracked(moved, SHAPE)
    assert track.predicted_roi(SHAPE) == moved
    track.tracked(moved, SHAPE)
    assert track.predicted_roi(SHAPE) is None  # third frame since the detector: detect again
    assert (track.detected_frames, track.followed_frames) == (1, 2)
    track.detected(roi, pose, SHAPE)
    track.lost()
    assert track.predicted_roi(SHAPE) is None
    track.detected(roi, pose, SHAPE)
    track.reset()
    assert track.predicted_roi(SHAPE) is None and track.calibration() is None
    with pytest.raises(ValueError):
        FaceTrack(redetect_every=0)


def sway(count: int, step: int = 4) -> list[np.ndarray]:
    """The astronaut swaying from side to side, ``step`` pixels a frame."""
    head = astronaut_head()
    return [
        in_frame(head, x=60 + step * (i % 10 if i % 20 < 10 else 10 - i % 10)) for i in range(count)
    ]


def assert_close(tracked, alone, *, p=0.03, box=0.06, degrees=4.0, eyes=0.15):
    assert tracked.face_found and alone.face_found
    assert tracked.emotion == alone.emotion
    for emotion, value in alone.probabilities.items():
        assert tracked.probabilities[emotion] == pytest.approx(value, abs=p)
    width = alone.box[2]
    np.testing.assert_allclose(tracked.box, alone.box, atol=box * width)
    assert tracked.yaw == pytest.approx(alone.yaw, abs=degrees)
    assert tracked.pitch == pytest.approx(alone.pitch, abs=degrees)
    assert tracked.eye_openness == pytest.approx(alone.eye_openness, abs=eyes)


def test_tracked_sequence_skips_the_detector_and_matches_per_frame(recognizer):
    frames = sway(24)
    track = FaceTrack(redetect_every=8)
    tracked = [recognizer.analyze([f], tracks=[track])[0] for f in frames]
    alone = recognizer.analyze(frames)
    assert (track.detected_frames, track.followed_frames) == (3, 21)
    for t, a in zip(tracked, alone, strict=True):
        assert_close(t, a)


def test_a_jump_or_a_lost_face_brings_the_detector_back(recognizer):
    head = astronaut_head()
    frames = [in_frame(head, x=80)] * 3 + [in_frame(head, x=160)]  # half a face in one frame
    frames += [np.full((480, 640, 3), 60, np.uint8)] * 2  # gone
    frames += [in_frame(head, x=40)] * 2  # back elsewhere
    track = FaceTrack()
    results = [recognizer.analyze([f], tracks=[track])[0] for f in frames]
    alone = recognizer.analyze(frames)
    assert [r.face_found for r in results] == [True] * 4 + [False] * 2 + [True] * 2
    # Found by the detector: the first frame, the jump (the mesh's region was half a face off)
    # and the return; followed by the mesh alone: the two steady frames and the last one. (The
    # detector also ran, finding nothing, on the two empty frames.)
    assert (track.detected_frames, track.followed_frames) == (3, 3)
    for t, a in zip(results, alone, strict=True):
        if a.face_found:
            assert_close(t, a)


def test_each_viewer_keeps_their_own_track_in_one_batch(recognizer):
    left, right = sway(6, step=3), [cameraman()] * 6
    tracks = [FaceTrack(), FaceTrack()]
    for k in range(6):
        together = recognizer.analyze([left[k], right[k]], tracks=tracks)
        alone = recognizer.analyze([left[k], right[k]])
        assert together[0].box[0] > 150 and together[1].box[0] < 200
        for t, a in zip(together, alone, strict=True):
            assert_close(t, a, degrees=6.0)
    assert [t.detected_frames for t in tracks] == [1, 1]


def test_tracks_are_checked_and_ignored_without_landmarks(models_dir):
    frames = sway(3)
    recognizer = EmotionRecognizer(models_dir, landmarks=False)
    track = FaceTrack()
    results = [recognizer.analyze([f], tracks=[track])[0] for f in frames]
    assert all(r.face_found and r.yaw is None for r in results)
    assert track.detected_frames == track.followed_frames == 0  # the mesh is what tracks
    with pytest.raises(ValueError, match="tracks"):
        recognizer.analyze(frames, tracks=[track])


def test_tracked_frames_of_another_size_restart_the_track(recognizer):
    track = FaceTrack()
    frame = in_frame(astronaut_head())
    recognizer.analyze([frame], tracks=[track])
    small = cv2.resize(frame, (320, 240), interpolation=cv2.INTER_AREA)
    (result,) = recognizer.analyze([small], tracks=[track])
    assert result.face_found and track.detected_frames == 2


def test_a_followed_face_measures_its_eyes_every_second_frame(recognizer, monkeypatch):
    # The iris model runs on the detector's frame and then on every second followed frame;
    # the frame between reports the last measured openness unchanged.
    engine = recognizer._get_engine()
    eyes = engine.mesh.eyes
    measured: list[int] = []
    real = eyes.openness

    def counting(crops, points):
        measured.append(len(crops))
        return real(crops, points)

    monkeypatch.setattr(eyes, "openness", counting)
    frames = sway(8)
    track = FaceTrack(redetect_every=8)
    results = []
    for frame in frames:
        before = len(measured)
        results.append(recognizer.analyze([frame], tracks=[track])[0])
        measured_now = len(measured) > before
        results[-1] = (results[-1], measured_now)
    assert [m for _, m in results] == [True, False, True, False, True, False, True, False]
    for k in range(1, 8, 2):
        assert results[k][0].eye_openness == results[k - 1][0].eye_openness
    # Untracked frames (and a track asked to measure every frame) always measure.
    measured.clear()
    recognizer.analyze(frames[:3])
    every = FaceTrack(eyes_every=1)
    for frame in frames[:3]:
        recognizer.analyze([frame], tracks=[every])
    assert measured == [3, 1, 1, 1]
    with pytest.raises(ValueError, match="eyes_every"):
        FaceTrack(eyes_every=0)


def test_a_lost_face_measures_its_eyes_again_when_found(recognizer):
    head = astronaut_head()
    track = FaceTrack()
    recognizer.analyze([in_frame(head, x=80)], tracks=[track])
    assert track.known_eyes() is not None  # the next followed frame may reuse it
    recognizer.analyze([np.full((480, 640, 3), 60, np.uint8)], tracks=[track])
    assert track.known_eyes() is None
