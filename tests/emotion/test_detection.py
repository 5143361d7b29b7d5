"""BlazeFace decoding pieces: anchors, batching layout, weighted NMS, chunking, input shapes."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from emotion.detection import (
    ANCHORS,
    INPUT_SIZE,
    FaceDetector,
    anchor_grid,
    decode,
    input_size_for,
    letterbox,
    unbatch_blazeface,
    weighted_nms,
)
from emotion.litert import LiteModel, batch_chunks

from .images import astronaut_head, cameraman, in_frame

DETECTOR = "mediapipe/face_detection_short_range.tflite"


def test_anchor_layout():
    assert ANCHORS.shape == (896, 2)
    # 16x16 grid, two anchors per cell, then the 8x8 grid with six per cell.
    np.testing.assert_allclose(ANCHORS[0], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(ANCHORS[1], ANCHORS[0])
    np.testing.assert_allclose(ANCHORS[2], [1.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(ANCHORS[511], [15.5 / 16, 15.5 / 16])
    np.testing.assert_allclose(ANCHORS[512:518], [[0.5 / 8, 0.5 / 8]] * 6)
    np.testing.assert_allclose(ANCHORS[-1], [7.5 / 8, 7.5 / 8])


def test_decode_places_box_relative_to_its_anchor():
    regressors = np.zeros((896, 16), np.float32)
    logits = np.full(896, -10.0, np.float32)
    logits[600] = 5.0
    regressors[600, :4] = [12.8, -6.4, 32.0, 25.6]  # +0.1, -0.05 in x, y; 0.25 x 0.2 in size
    corners, scores, keypoints = decode(regressors, logits)
    cx, cy = ANCHORS[600] + [0.1, -0.05]
    np.testing.assert_allclose(corners[0], [cx - 0.125, cy - 0.1, cx + 0.125, cy + 0.1], atol=1e-6)
    assert scores[0] > 0.99 and keypoints.shape == (1, 6, 2)


def test_weighted_nms_merges_overlaps_and_keeps_separate_faces():
    corners = np.array(
        [[0.1, 0.1, 0.3, 0.3], [0.12, 0.1, 0.32, 0.3], [0.6, 0.6, 0.9, 0.9]], np.float32
    )
    scores = np.array([0.9, 0.9, 0.8], np.float32)
    keypoints = np.zeros((3, 6, 2), np.float32)
    merged = weighted_nms(corners, scores, keypoints)
    assert len(merged) == 2
    np.testing.assert_allclose(merged[0][0], [0.11, 0.1, 0.31, 0.3], atol=1e-6)
    np.testing.assert_allclose(merged[1][0], corners[2])


def test_batch_chunks():
    assert batch_chunks(1) == [1]
    assert batch_chunks(13) == [8, 4, 1]
    assert batch_chunks(70) == [8] * 8 + [4, 2]  # at most 8: larger batches run slower
    assert batch_chunks(0) == []


def test_batched_detector_outputs_match_single_runs(models_dir):
    model = LiteModel(models_dir / DETECTOR)
    x = np.random.default_rng(0).uniform(-1, 1, (5, 128, 128, 3)).astype(np.float32)
    regressors, logits = model.run(x, unbatch=unbatch_blazeface)
    assert regressors.shape == (5, 896, 16) and logits.shape == (5, 896)
    for i in range(5):
        r1, l1 = model.run(x[i : i + 1], unbatch=unbatch_blazeface)
        np.testing.assert_allclose(regressors[i], r1[0], atol=1e-4)
        np.testing.assert_allclose(logits[i], l1[0], atol=1e-4)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ((480, 640), (96, 128)),  # 4:3 webcam
        ((240, 320), (96, 128)),
        ((720, 1280), (80, 128)),  # 16:9: 72 rounded up to the 16-pixel grid
        ((640, 480), (128, 96)),  # portrait
        ((512, 512), (128, 128)),
        ((10, 1000), (16, 128)),
    ],
)
def test_detector_input_follows_the_frame_shape(frame, expected):
    assert input_size_for(*frame) == expected


def test_anchor_grid_for_a_4_3_input():
    anchors, counts = anchor_grid(96, 128)
    assert counts == (16 * 12 * 2, 8 * 6 * 6) and len(anchors) == sum(counts) == 672
    np.testing.assert_allclose(anchors[0], [4 / INPUT_SIZE, 4 / INPUT_SIZE])
    np.testing.assert_allclose(anchors[counts[0] - 1], [124 / INPUT_SIZE, 92 / INPUT_SIZE])
    np.testing.assert_allclose(anchors[-1], [120 / INPUT_SIZE, 88 / INPUT_SIZE])
    square, square_counts = anchor_grid(128, 128)
    np.testing.assert_array_equal(square, ANCHORS)
    assert square_counts == (512, 384)


def test_batched_frame_shaped_outputs_match_single_runs(models_dir):
    model = LiteModel(models_dir / DETECTOR)
    _, counts = anchor_grid(96, 128)
    unbatch = partial(unbatch_blazeface, grid_counts=counts)
    x = np.random.default_rng(1).uniform(-1, 1, (3, 96, 128, 3)).astype(np.float32)
    regressors, logits = model.run(x, unbatch=unbatch)
    assert regressors.shape == (3, 672, 16) and logits.shape == (3, 672)
    for i in range(3):
        r1, l1 = model.run(x[i : i + 1], unbatch=unbatch)
        np.testing.assert_allclose(regressors[i], r1[0], atol=1e-4)
        np.testing.assert_allclose(logits[i], l1[0], atol=1e-4)


@pytest.mark.parametrize("x", [0, 80, 160])
def test_frame_shaped_input_finds_what_the_letterboxed_square_finds(models_dir, x):
    """Dropping the letterbox's grey bands (a quarter of a 4:3 frame's work) keeps the face."""
    model = LiteModel(models_dir / DETECTOR)
    frame = in_frame(astronaut_head(), x=x)
    (face,) = FaceDetector(model).detect([frame])[0]

    square = np.empty((1, 128, 128, 3), np.float32)
    lb = letterbox(frame, square[0])
    assert lb.pad_y == 16  # the square path really is letterboxed
    regressors, logits = model.run(square, unbatch=unbatch_blazeface)
    ((box, score, _),) = weighted_nms(*decode(regressors[0], logits[0]))
    top_left, bottom_right = lb.to_frame(box[:2].copy()), lb.to_frame(box[2:].copy())
    assert score == pytest.approx(face.score, abs=0.01)
    np.testing.assert_allclose(face.box[:2], top_left, atol=1.5)
    np.testing.assert_allclose(face.box[2:], bottom_right - top_left, atol=1.5)


def test_frames_of_different_shapes_in_one_batch(models_dir):
    detector = FaceDetector(LiteModel(models_dir / DETECTOR))
    frames = [in_frame(astronaut_head()), cameraman(), in_frame(astronaut_head(), x=40)]
    batch = detector.detect(frames)
    singles = [detector.detect([f])[0] for f in frames]
    for together, alone in zip(batch, singles, strict=True):
        assert len(together) == len(alone) == 1
        np.testing.assert_allclose(together[0].box, alone[0].box, atol=1e-3)
