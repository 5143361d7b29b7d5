"""The aspect ratios a clip can be rendered in, and what each one means for ffmpeg.

The one home of this list: the renderer checks names against it and callers (forms, the API,
commands) can offer ``ASPECTS`` as their choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# Centre crop to 9:16 (or, for sources narrower than that, to the full width), then scale.
VERTICAL_FILTER = (
    "crop=w='min(iw,trunc(ih*9/16/2)*2)':h='min(ih,trunc(iw*16/9/2)*2)',"
    "scale=1080:1920,setsar=1"
)


@dataclass(frozen=True)
class Aspect:
    """What rendering in one aspect ratio does."""

    description: str
    # The ffmpeg video filter that reframes every frame; None keeps the source's frame, which
    # is what allows a smart cut (copying the source's packets).
    filter: str | None
    # The output size (width, height); None: the source's own.
    size: tuple[int, int] | None

    @property
    def keeps_source_frame(self) -> bool:
        return self.filter is None


ASPECT_RATIOS: MappingProxyType[str, Aspect] = MappingProxyType({
    "source": Aspect(description="the source's own frame (smart-cut when possible)",
                     filter=None, size=None),
    "9:16": Aspect(description="1080x1920 centre crop (a full re-encode)",
                   filter=VERTICAL_FILTER, size=(1080, 1920)),
})
ASPECTS: tuple[str, ...] = tuple(ASPECT_RATIOS)
