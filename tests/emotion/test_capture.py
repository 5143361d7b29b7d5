"""Captured frames keep the camera's aspect ratio, and the engine reads a face at any aspect."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion.capture import capture_size
from emotion.frames import decode_for_analysis


@pytest.mark.parametrize(("camera", "frame"), [
    ((1280, 720), (427, 240)), ((1920, 1080), (427, 240)), ((640, 480), (320, 240)),
    ((320, 240), (320, 240)), ((720, 1280), (240, 427)), ((160, 120), (160, 120)),
    ((3840, 480), (480, 60)), ((2560, 1080), (480, 203)),
])
def test_capture_size_keeps_the_aspect_and_fits(camera, frame) -> None:
    assert capture_size(*camera) == frame
    w, h = frame
    assert abs(w / h - camera[0] / camera[1]) < 0.02 * camera[0] / camera[1]
    with pytest.raises(ValueError):
        capture_size(0, 480)


def lfw_face(index: int, side: int) -> np.ndarray:
    from skimage import data

    gray = (data.lfw_subset()[index] * 255).astype(np.uint8)
    return cv2.cvtColor(cv2.resize(gray, (side, side), interpolation=cv2.INTER_CUBIC),
                        cv2.COLOR_GRAY2BGR)


def centred(face: np.ndarray, width: int, height: int) -> np.ndarray:
    frame = np.full((height, width, 3), 128, np.uint8)
    h, w = face.shape[:2]
    y, x = (height - h) // 2, (width - w) // 2
    frame[y : y + h, x : x + w] = face
    return frame


@pytest.mark.parametrize("size", [(427, 240), (240, 427), (320, 240), (480, 203)])
def test_a_real_face_reads_the_same_at_any_aspect(recognizer, size) -> None:
    # LFW sample 94 (scikit-image): the engine reads it as happy in a 4:3 frame.
    width, height = size
    face = lfw_face(94, int(min(width, height) * 0.8))
    ok, jpeg = cv2.imencode(".jpg", centred(face, width, height), [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    (reading,) = recognizer.analyze([decode_for_analysis(jpeg.tobytes())])
    assert reading.face_found
    assert reading.emotion == "happy"
    assert reading.probabilities["happy"] > 0.8
    x, y, w, h = reading.box
    assert 0 <= x and x + w <= width + 2 and 0 <= y and y + h <= height + 2

