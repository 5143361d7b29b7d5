"""The aspect ratios a clip can be rendered in, and what each one means for ffmpeg.

The one home of this list: the renderer checks names against it and callers (forms, the API,
commands) can offer ``ASPECTS`` as their choices. Every ratio other than ``source`` is a
reframe: face-tracked per shot when a face finder is given (docs/reframe.md), else the centre
crop in ``filter``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


def centre_crop_filter(ratio: tuple[int, int], size: tuple[int, int]) -> str:
    """Centre crop to ``ratio`` (w, h; the full width or height where the source is narrower
    or flatter), then scale to ``size``."""
    rw, rh = ratio
    return (f"crop=w='min(iw,trunc(ih*{rw}/{rh}/2)*2)':h='min(ih,trunc(iw*{rh}/{rw}/2)*2)',"
            f"scale={size[0]}:{size[1]},setsar=1")


# Centre crop to 9:16 (or, for sources narrower than that, to the full width), then scale.
VERTICAL_FILTER = centre_crop_filter((9, 16), (1080, 1920))


@dataclass(frozen=True)
class Aspect:
    """What rendering in one aspect ratio does."""

    description: str
    # The ffmpeg video filter of the centre crop; None keeps the source's frame, which is
    # what allows a smart cut (copying the source's packets).
    filter: str | None
    # The output size (width, height); None: the source's own.
    size: tuple[int, int] | None
    # The frame's shape (width, height) in lowest terms; None: the source's own.
    ratio: tuple[int, int] | None = None

    @property
    def keeps_source_frame(self) -> bool:
        return self.filter is None


def _reframe(ratio: tuple[int, int], size: tuple[int, int], description: str) -> Aspect:
    return Aspect(description=description, filter=centre_crop_filter(ratio, size), size=size,
                  ratio=ratio)


ASPECT_RATIOS: MappingProxyType[str, Aspect] = MappingProxyType({
    "source": Aspect(description="the source's own frame (smart-cut when possible)",
                     filter=None, size=None),
    "9:16": _reframe((9, 16), (1080, 1920), "1080x1920 vertical, face-tracked (a re-encode)"),
    "1:1": _reframe((1, 1), (1080, 1080), "1080x1080 square, face-tracked (a re-encode)"),
    "4:5": _reframe((4, 5), (1080, 1350), "1080x1350 portrait, face-tracked (a re-encode)"),
})
ASPECTS: tuple[str, ...] = tuple(ASPECT_RATIOS)
