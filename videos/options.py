"""A video's clip options (how many moments, seconds around each, clip shape): the one place
their bounds and defaults live. Forms, the API, the CLI and the services use these."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import render
from common.errors import ApplicationError


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int


TOP_K = Bounds(1, 20)
SECONDS_AROUND = Bounds(0, 120)  # before and after the peak, each
MIN_CLIP_SECONDS = 2
ASPECTS = render.ASPECTS
#: How each aspect ratio is offered to people (forms); the names are `render.ASPECTS`.
ASPECT_LABELS = {
    "source": gettext_lazy("Same as the video"),
    "9:16": gettext_lazy("Vertical 9:16 (Shorts, Reels)"),
    "1:1": gettext_lazy("Square 1:1"),
    "4:5": gettext_lazy("Portrait 4:5"),
}


@dataclass(frozen=True)
class VideoOptions:
    top_k: int
    clip_before: int
    clip_after: int
    aspect: str = "source"
    captions: bool = False  # burn the video's captions into its clips

    @classmethod
    def default(cls) -> VideoOptions:
        """The site's defaults (settings SHORTORY_TOP_MOMENTS, _CLIP_BEFORE, _CLIP_AFTER)."""
        return cls(top_k=settings.TOP_MOMENTS, clip_before=settings.CLIP_BEFORE_SECONDS,
                   clip_after=settings.CLIP_AFTER_SECONDS)

    @classmethod
    def from_data(cls, data: dict) -> VideoOptions:
        """Options from form or API data; missing values take the defaults. Validated."""
        default = cls.default()
        return cls(
            top_k=_int_or(data.get("top_k"), default.top_k),
            clip_before=_int_or(data.get("clip_before"), default.clip_before),
            clip_after=_int_or(data.get("clip_after"), default.clip_after),
            aspect=data.get("aspect") or default.aspect,
            captions=bool(data.get("captions", default.captions)),
        ).validated()

    def validated(self) -> VideoOptions:
        if not TOP_K.low <= self.top_k <= TOP_K.high:
            raise ApplicationError(_("Choose between %(low)d and %(high)d moments.")
                                   % {"low": TOP_K.low, "high": TOP_K.high}, {"field": "top_k"})
        for field, value in (("clip_before", self.clip_before), ("clip_after", self.clip_after)):
            if not SECONDS_AROUND.low <= value <= SECONDS_AROUND.high:
                raise ApplicationError(
                    _("Seconds before and after must be between %(low)d and %(high)d.")
                    % {"low": SECONDS_AROUND.low, "high": SECONDS_AROUND.high}, {"field": field})
        if self.clip_before + self.clip_after < MIN_CLIP_SECONDS:
            raise ApplicationError(_("A clip must last at least %(n)d seconds.")
                                   % {"n": MIN_CLIP_SECONDS}, {"field": "clip_after"})
        if self.aspect not in ASPECTS:
            raise ApplicationError(_("Unknown aspect ratio."), {"field": "aspect"})
        return self

    def as_fields(self) -> dict[str, int | str | bool]:
        return {"top_k": self.top_k, "clip_before": self.clip_before,
                "clip_after": self.clip_after, "aspect": self.aspect, "captions": self.captions}


def _int_or(value: object, default: int) -> int:
    return default if value is None or value == "" else int(value)  # type: ignore[call-overload]
