"""``RenderOptions``: how one clip is rendered, the small explicit value every caller passes
(the pipelines, the clip editor, reels, exports). Validation of each field lives here.

* ``aspect``: a name from ``render.ASPECTS`` ("source", "9:16", "1:1", "4:5").
* ``framing``: how a reframed aspect places the picture. ``"auto"`` (the default) follows the
  subject's face shot by shot and falls back to the blurred-background fit layout for shots
  with no face or a group that does not fit (docs/reframe.md); ``"centre"`` is the fixed
  centre crop; ``"fit"`` always letterboxes the whole frame over a blurred copy of itself.
  Ignored for ``"source"``.
* ``captions``: burn the caption cues passed to ``render_clip`` into the picture
  (docs/captions.md). With no cues there is nothing to burn and the option does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .aspects import ASPECTS

Framing = Literal["auto", "centre", "fit"]
FRAMINGS: tuple[str, ...] = ("auto", "centre", "fit")


@dataclass(frozen=True)
class RenderOptions:
    """How to render one clip; see the module docstring for each field."""

    aspect: str = "source"
    captions: bool = False
    framing: Framing = "auto"

    def __post_init__(self) -> None:
        if self.aspect not in ASPECTS:
            raise ValueError(f"aspect must be one of {ASPECTS}, not {self.aspect!r}")
        if self.framing not in FRAMINGS:
            raise ValueError(f"framing must be one of {FRAMINGS}, not {self.framing!r}")
        if not isinstance(self.captions, bool):
            raise ValueError("captions must be True or False")

    @property
    def reframes(self) -> bool:
        """Whether the source's frame is cropped or fitted into another shape."""
        return self.aspect != "source"
