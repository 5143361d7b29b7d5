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


class FrameDecodeError(ValueError):
    """Received bytes are not a usable JPEG frame (the message says why, for the client)."""


def decode_jpeg(data: bytes, *, max_bytes: int = MAX_JPEG_BYTES) -> np.ndarray:
    """Decode JPEG (or PNG) bytes into a BGR uint8 frame; ``FrameDecodeError`` for garbage."""
    if not data:
        raise FrameDecodeError("The frame is empty.")
    if len(data) > max_bytes:
        raise FrameDecodeError(f"The frame is {len(data)} bytes; at most {max_bytes} are accepted.")
    buffer = np.frombuffer(data, dtype=np.uint8)
    # OpenCV reads the header first and refuses images above its own pixel limit, so a tiny
    # file claiming a huge size does not allocate gigabytes.
    try:
        frame = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
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
    ``analysis.emotion.attention``); a per-viewer ``AttentionTracker`` smooths it over time.
    ``yaw``/``pitch`` (degrees) and ``eye_openness`` ([0, 1]) are None when the landmark stage
    is off or did not confirm the face.
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
