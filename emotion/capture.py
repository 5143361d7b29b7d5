"""The frames a client captures for analysis: their size, one rule for every client.

Light pure module (no imports beyond the standard library). ``static/js/watch.js`` applies the
same rule in the browser (the socket's hello sends both sides), and reaction videos
(``emotion.reaction``) are scaled by :func:`capture_size`, so the engine sees the same frames
whichever way they came. A frame keeps its camera's aspect ratio — scaled down to fit, never
stretched — so a 16:9 camera gives 427x240 frames, a 4:3 one 320x240 and a phone held upright
240x427; the server analyses any aspect within the byte and pixel limits.
"""

from __future__ import annotations

#: The short side of a captured frame (smaller cameras are not scaled up).
CAPTURE_SHORT_SIDE = 240
#: The long side's cap, for very wide or very tall cameras.
CAPTURE_LONG_SIDE = 480


def capture_size(
    width: int, height: int, *, short_side: int = CAPTURE_SHORT_SIDE,
    long_side: int = CAPTURE_LONG_SIDE,
) -> tuple[int, int]:
    """(width, height) of the frame captured from a ``width`` x ``height`` camera."""
    if width <= 0 or height <= 0:
        raise ValueError(f"not a frame size: {width}x{height}")
    scale = min(1.0, short_side / min(width, height), long_side / max(width, height))
    # Rounded as JavaScript's Math.round does, so browser and server agree to the pixel.
    return max(1, int(width * scale + 0.5)), max(1, int(height * scale + 0.5))
