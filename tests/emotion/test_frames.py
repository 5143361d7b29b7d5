"""Decoding received JPEGs at the size analysis needs, and boxes back in the sender's pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion import FrameDecodeError, ReducedFrame, decode_for_analysis, decode_jpeg
from emotion.frames import jpeg_size

from .images import astronaut_head, in_frame


def jpeg(image: np.ndarray, **params: int) -> bytes:
    flags = [v for item in params.items() for v in (getattr(cv2, item[0]), item[1])]
    ok, buf = cv2.imencode(".jpg", image, flags)
    assert ok
    return buf.tobytes()


def noise(height: int, width: int) -> np.ndarray:
    return np.random.default_rng(height * width).integers(0, 256, (height, width, 3), np.uint8)


@pytest.mark.parametrize(
    ("size", "decoded", "scale"),
    [
        ((640, 480), (320, 240), 2.0),  # a webcam frame: 1/2 keeps 240 rows
        ((320, 240), (320, 240), 1.0),  # what live sessions send: already small
        ((1280, 720), (640, 360), 2.0),  # 1/4 would leave 180 rows
        ((1920, 1080), (480, 270), 4.0),
        ((479, 479), (479, 479), 1.0),  # just under twice 240
    ],
)
def test_large_jpegs_are_decoded_reduced(size, decoded, scale):
    width, height = size
    data = jpeg(noise(height, width))
    assert jpeg_size(data) == size
    frame = decode_for_analysis(data)
    assert isinstance(frame, ReducedFrame)
    assert frame.image.shape == (decoded[1], decoded[0], 3) and frame.image.dtype == np.uint8
    assert frame.scale == pytest.approx(scale)


def test_reduced_decode_is_the_downscaled_image():
    frame = in_frame(astronaut_head())
    reduced = decode_for_analysis(jpeg(frame, IMWRITE_JPEG_QUALITY=95)).image
    expected = cv2.resize(frame, (320, 240), interpolation=cv2.INTER_AREA)
    assert np.abs(reduced.astype(int) - expected).mean() < 3


def test_odd_sizes_and_other_formats():
    frame = decode_for_analysis(jpeg(noise(481, 641)))
    assert frame.image.shape[:2] == (241, 321)
    assert frame.scale == pytest.approx(641 / 321)
    progressive = jpeg(noise(480, 640), IMWRITE_JPEG_PROGRESSIVE=1)
    assert jpeg_size(progressive) == (640, 480)
    assert decode_for_analysis(progressive).image.shape[:2] == (240, 320)
    ok, png = cv2.imencode(".png", noise(480, 640))
    assert jpeg_size(png.tobytes()) is None
    with pytest.raises(FrameDecodeError, match="not a JPEG"):  # JPEG only (issue 13)
        decode_for_analysis(png.tobytes())


def test_garbage_is_refused_like_decode_jpeg():
    data = jpeg(noise(480, 640))
    for garbage in (b"", b"not a jpeg at all", data[:20], b"\xff\xd8" + b"\x00" * 50):
        with pytest.raises(FrameDecodeError):
            decode_for_analysis(garbage)
        with pytest.raises(FrameDecodeError):
            decode_jpeg(garbage)
    with pytest.raises(FrameDecodeError, match="at most"):
        decode_for_analysis(data, max_bytes=100)
    assert jpeg_size(b"\xff\xd8\xff") is None and jpeg_size(data[:4]) is None


def test_a_jpeg_claiming_an_enormous_size_is_refused_before_decoding():
    data = bytearray(jpeg(noise(480, 640)))
    sof = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    data[sof + 5 : sof + 9] = (8000).to_bytes(2, "big") + (8000).to_bytes(2, "big")
    assert jpeg_size(bytes(data)) == (8000, 8000)
    with pytest.raises(FrameDecodeError, match="too large"):
        decode_for_analysis(bytes(data))


def test_reduced_frame_reports_the_senders_pixels(recognizer):
    data = jpeg(in_frame(astronaut_head(), x=100), IMWRITE_JPEG_QUALITY=90)
    (full,) = recognizer.analyze([decode_jpeg(data)])
    (reduced,) = recognizer.analyze([decode_for_analysis(data)])
    assert full.face_found and reduced.face_found
    # Measured: the 320x240 analysis moves the box by 1-3 px and the probabilities by < 0.02.
    np.testing.assert_allclose(reduced.box, full.box, atol=6)
    assert reduced.emotion == full.emotion == "happy"
    for emotion, p in full.probabilities.items():
        assert reduced.probabilities[emotion] == pytest.approx(p, abs=0.03)
    assert reduced.yaw == pytest.approx(full.yaw, abs=4)
    assert reduced.pitch == pytest.approx(full.pitch, abs=4)
    assert reduced.attention == pytest.approx(full.attention, abs=0.1)
