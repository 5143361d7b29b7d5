"""BlazeFace decoding pieces: anchors, batching layout, weighted NMS, chunking."""

from __future__ import annotations

import numpy as np

from analysis.emotion.detection import ANCHORS, decode, unbatch_blazeface, weighted_nms
from analysis.emotion.litert import LiteModel, batch_chunks


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
    assert batch_chunks(70) == [32, 32, 4, 2]
    assert batch_chunks(0) == []


def test_batched_detector_outputs_match_single_runs(models_dir):
    model = LiteModel(models_dir / "mediapipe/face_detection_short_range.tflite")
    x = np.random.default_rng(0).uniform(-1, 1, (5, 128, 128, 3)).astype(np.float32)
    regressors, logits = model.run(x, unbatch=unbatch_blazeface)
    assert regressors.shape == (5, 896, 16) and logits.shape == (5, 896)
    for i in range(5):
        r1, l1 = model.run(x[i : i + 1], unbatch=unbatch_blazeface)
        np.testing.assert_allclose(regressors[i], r1[0], atol=1e-4)
        np.testing.assert_allclose(logits[i], l1[0], atol=1e-4)
