"""Real face images from scikit-image, framed the way a webcam sees a viewer."""

from __future__ import annotations

import math

import cv2
import numpy as np


def astronaut_head() -> np.ndarray:
    """Eileen Collins' smiling head and shoulders (BGR 480x480, face about 165 px)."""
    from skimage import data

    head = data.astronaut()[:, :, ::-1][0:300, 75:375]
    return cv2.resize(head, (480, 480), interpolation=cv2.INTER_LINEAR)


def in_frame(image: np.ndarray, x: int = 80, y: int = 0) -> np.ndarray:
    """``image`` pasted into a grey 640x480 BGR frame at (x, y), clipped at the edges."""
    frame = np.full((480, 640, 3), 60, np.uint8)
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, 640), min(y + h, 480)
    if x1 > x0 and y1 > y0:
        frame[y0:y1, x0:x1] = image[y0 - y : y1 - y, x0 - x : x1 - x]
    return frame


def turned(image: np.ndarray, degrees: float, centre_x: float, radius: float) -> np.ndarray:
    """The image with a vertical cylinder around ``centre_x`` turned by ``degrees``.

    A rough stand-in for a head turning: the face slides round the cylinder and the far side
    disappears behind it.
    """
    h, w = image.shape[:2]
    xs = np.arange(w, dtype=np.float64) - centre_x
    inside = np.abs(xs) < radius
    phi = np.arcsin(np.clip(xs / radius, -1, 1)) - math.radians(degrees)
    visible = inside & (np.abs(phi) < math.pi / 2)
    source = np.where(visible, radius * np.sin(phi) + centre_x, np.where(inside, -1, xs + centre_x))
    map_x = np.tile(source.astype(np.float32), (h, 1))
    map_y = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w))
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def cameraman() -> np.ndarray:
    """scikit-image's cameraman: a real face turned well away from the lens (BGR)."""
    from skimage import data

    return cv2.cvtColor(data.camera(), cv2.COLOR_GRAY2BGR)
