"""What the engine says about one frame, and turning received bytes into a frame."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

logger = logging.getLogger(__name__)

# A webcam frame is tens of kilobytes; anything far larger is a mistake or an attack.
MAX_JPEG_BYTES = 4 * 1024 * 1024
MAX_FRAME_PIXELS = 4096 * 4096
# The short side a frame keeps when decoded for analysis (``decode_for_analysis``): the live
# sessions capture 320x240, and the engine's accuracy was measured at that size.
ANALYSIS_MIN_SIDE = 240
# libjpeg's DCT scaling: decoding at 1/2, 1/4 or 1/8 skips most of the inverse DCT work.
_REDUCED_FLAGS = {
    8: cv2.IMREAD_REDUCED_COLOR_8,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    2: cv2.IMREAD_REDUCED_COLOR_2,
}
# JPEG start-of-frame markers (SOF0-SOF15, less DHT, JPG and DAC, which share the range).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


class FrameDecodeError(ValueError):
    """Received bytes are not a usable JPEG frame (the message says why, for the client)."""


def decode_jpeg(data: bytes, *, max_bytes: int = MAX_JPEG_BYTES) -> np.ndarray:
    """Decode JPEG (or PNG) bytes into a BGR uint8 frame; ``FrameDecodeError`` for garbage."""
    return _decode(data, max_bytes, cv2.IMREAD_COLOR)


@dataclass(frozen=True)
class ReducedFrame:
    """A frame decoded at a fraction of its size, and the factor back to the sender's pixels.

    ``EmotionRecognizer.analyze`` accepts it in place of an array and reports boxes in the
    sender's pixels (``box * scale``), so callers never see the reduced coordinates.
    """

    image: np.ndarray  # BGR uint8
    scale: float  # sender's pixels per image pixel (1, 2, 4 or 8, up to rounding)


def decode_for_analysis(
    data: bytes, *, max_bytes: int = MAX_JPEG_BYTES, min_side: int = ANALYSIS_MIN_SIDE
) -> ReducedFrame:
    """Decode JPEG (or PNG) bytes as small as analysis allows; ``FrameDecodeError`` for garbage.

    A JPEG whose short side is at least twice ``min_side`` is decoded at 1/2, 1/4 or 1/8 of
    its size through libjpeg's DCT scaling (the smallest that keeps ``min_side``), which costs
    a fraction of a full decode: 0.41 instead of 0.62 ms for a 640x480 webcam JPEG. The models
    see at most 192 pixels of a face, and a 240-pixel-high frame still gives a typical viewer's
    face 70-80 pixels (what the live sessions send). Other images are decoded in full.
    """
    size = jpeg_size(data) if data and len(data) <= max_bytes else None
    factor = 1
    if size is not None:
        # The full-size limit still holds: DCT scaling would otherwise let a small file that
        # encodes an enormous image through, at 1/8 of its size but at much of its cost.
        if size[0] * size[1] > MAX_FRAME_PIXELS:
            raise FrameDecodeError(f"The frame is {size[0]}x{size[1]}; too large.")
        short = min(size)
        factor = next((f for f in _REDUCED_FLAGS if short >= f * min_side), 1)
    flags = _REDUCED_FLAGS.get(factor, cv2.IMREAD_COLOR)
    image = _decode(data, max_bytes, flags)
    scale = max(size) / max(image.shape[:2]) if factor > 1 and size is not None else 1.0
    return ReducedFrame(image=image, scale=scale)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header without decoding it; None if not found."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return (width, height) if width and height else None
        if marker == 0xDA:  # entropy-coded data starts; no frame header before it
            return None
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _decode(data: bytes, max_bytes: int, flags: int) -> np.ndarray:
    if not data:
        raise FrameDecodeError("The frame is empty.")
    if len(data) > max_bytes:
        raise FrameDecodeError(f"The frame is {len(data)} bytes; at most {max_bytes} are accepted.")
    buffer = np.frombuffer(data, dtype=np.uint8)
    # OpenCV reads the header first and refuses images above its own pixel limit, so a tiny
    # file claiming a huge size does not allocate gigabytes.
    try:
        frame = cv2.imdecode(buffer, flags)
    except cv2.error as exc:
        raise FrameDecodeError(f"The frame could not be decoded: {exc.msg}") from None
    if frame is None or frame.size == 0:
        raise FrameDecodeError("The frame is not a decodable JPEG image.")
    if frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS:
        raise FrameDecodeError(f"The frame is {frame.shape[1]}x{frame.shape[0]}; too large.")
    return frame


@dataclass(frozen=True)
class FrameAnalysis:
    """The engine's reading of one frame.

    ``probabilities`` covers exactly the five product emotions and sums to 1, or is empty when
    no face was found. ``attention`` is this frame's instantaneous attention in [0, 1] (see
    ``emotion.attention``); a per-viewer ``AttentionTracker`` smooths it over time.
    ``yaw``/``pitch`` (degrees) and ``eye_openness`` ([0, 1]) are None when the landmark stage
    is off or did not confirm the face. ``face_score`` is the detector's confidence, or on a
    frame where a ``FaceTrack`` let the detector be skipped, the face mesh's face-presence
    probability.
    """

    face_found: bool
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in frame pixels
    probabilities: dict[str, float] = field(default_factory=dict)
    emotion: str | None = None
    attention: float = 0.0
    face_score: float = 0.0
    yaw: float | None = None
    pitch: float | None = None
    eye_openness: float | None = None

    def to_dict(self) -> dict:
        """A JSON-ready dict (tuples become lists)."""
        data = asdict(self)
        if self.box is not None:
            data["box"] = list(self.box)
        return data


NO_FACE = FrameAnalysis(face_found=False)
