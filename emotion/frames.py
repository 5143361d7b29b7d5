"""What the engine says about one frame, and turning received bytes into a frame."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

logger = logging.getLogger(__name__)

# A webcam frame is tens of kilobytes; anything far larger is a mistake or an attack.
MAX_JPEG_BYTES = 4 * 1024 * 1024
# Checked from the JPEG's own frame header *before* decoding: a 632-byte file can claim 2^30
# pixels (5 GB and seconds of CPU in libjpeg). Live sessions send 320x240; 1080p is plenty.
MAX_FRAME_PIXELS = 1920 * 1080
# A baseline JPEG has one scan and a progressive one about ten; each scan is a pass over the
# whole image, so their number bounds the decoding work too.
MAX_JPEG_SCANS = 16
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
    """Decode JPEG bytes into a BGR uint8 frame; ``FrameDecodeError`` for anything else, and
    for a JPEG too large to decode safely (checked before decoding, see ``check_jpeg``)."""
    check_jpeg(data, max_bytes=max_bytes)
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
    """Decode JPEG bytes as small as analysis allows; ``FrameDecodeError`` for anything else.

    A JPEG whose short side is at least twice ``min_side`` is decoded at 1/2, 1/4 or 1/8 of
    its size through libjpeg's DCT scaling (the smallest that keeps ``min_side``), which costs
    a fraction of a full decode: 0.41 instead of 0.62 ms for a 640x480 webcam JPEG. The models
    see at most 192 pixels of a face, and a 240-pixel-high frame still gives a typical viewer's
    face 70-80 pixels (what the live sessions send). Only JPEG is accepted, and only when
    ``check_jpeg`` finds it small enough to decode.
    """
    size = check_jpeg(data, max_bytes=max_bytes)
    short = min(size)
    factor = next((f for f in _REDUCED_FLAGS if short >= f * min_side), 1)
    flags = _REDUCED_FLAGS.get(factor, cv2.IMREAD_COLOR)
    image = _decode(data, max_bytes, flags)
    scale = max(size) / max(image.shape[:2]) if factor > 1 else 1.0
    return ReducedFrame(image=image, scale=scale)


def check_jpeg(data: bytes, *, max_bytes: int = MAX_JPEG_BYTES,
               max_pixels: int = MAX_FRAME_PIXELS) -> tuple[int, int]:
    """(width, height) of a JPEG that is safe to decode, else ``FrameDecodeError``.

    The structure is read strictly (``jpeg_layout``): what this parser cannot follow is not
    handed to libjpeg, whose own parser is more forgiving (it skips junk bytes to find a frame
    header further on), so the two can never disagree about the size.
    """
    if not data:
        raise FrameDecodeError("The frame is empty.")
    if len(data) > max_bytes:
        raise FrameDecodeError(f"The frame is {len(data)} bytes; at most {max_bytes} are accepted.")
    layout = jpeg_layout(data)
    if layout is None:
        raise FrameDecodeError("The frame is not a JPEG image.")
    width, height, scans = layout
    if width * height > max_pixels:
        raise FrameDecodeError(f"The frame is {width}x{height}; too large.")
    if scans > MAX_JPEG_SCANS:
        raise FrameDecodeError(f"The frame has {scans} scans; at most {MAX_JPEG_SCANS}.")
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header without decoding it; None if not a JPEG."""
    layout = jpeg_layout(data)
    return (layout[0], layout[1]) if layout else None


def jpeg_layout(data: bytes) -> tuple[int, int, int] | None:
    """(width, height, number of scans) of a well-formed JPEG, None for anything else.

    Strict: every marker must follow the previous segment exactly (fill bytes allowed), there
    is exactly one frame header and it comes before the first scan.
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    i, n = 2, len(data)
    size: tuple[int, int] | None = None
    scans = 0
    while i + 2 <= n:
        if data[i] != 0xFF:
            return None  # junk where a marker must be
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker == 0xD9:  # end of image
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        if marker in (0x00, 0xD8) or i + 4 > n:
            return None
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > n:
            return None
        if marker in _SOF_MARKERS:
            if size is not None or length < 8:
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            if not (width and height):
                return None
            size = (width, height)
        i += 2 + length
        if marker == 0xDA:  # a scan: entropy-coded data runs to the next real marker
            if size is None:
                return None
            scans += 1
            i = _end_of_entropy_data(data, i)
    if size is None or scans == 0:
        return None
    return size[0], size[1], scans


def _end_of_entropy_data(data: bytes, i: int) -> int:
    """Index of the first marker after entropy-coded data starting at ``i`` (or the end)."""
    n = len(data)
    while True:
        i = data.find(b"\xff", i)
        if i < 0 or i + 1 >= n:
            return n
        following = data[i + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            i += 1 if following == 0xFF else 2  # stuffed byte, restart marker, or fill
            continue
        return i


def _decode(data: bytes, max_bytes: int, flags: int) -> np.ndarray:
    buffer = np.frombuffer(data, dtype=np.uint8)
    # check_jpeg has bounded the size already; the shape check below is a second line.
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
