"""Geometry shared by the server-rendered SVG charts (a video's comments, a session's
emotions): moment marks and time ticks in a 1000 × 160 box."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import timeline

CHART_WIDTH = 1000
CHART_HEIGHT = 160


class Span(Protocol):
    start: float
    end: float
    peak: float
    rank: int


def chart_marks(moments: Iterable[Span], span: float) -> list[dict]:
    """Shaded clip windows with their rank over the peak, in chart coordinates."""
    return [
        {"x": round(CHART_WIDTH * m.start / span, 2),
         "w": round(max(CHART_WIDTH * (m.end - m.start) / span, 2), 2),
         "peak_x": round(CHART_WIDTH * m.peak / span, 2), "rank": m.rank}
        for m in moments
    ]


def chart_ticks(span: float) -> list[dict]:
    return [{"x": round(CHART_WIDTH * t / span, 1), "label": timeline.clock(t)}
            for t in [span * i / 5 for i in range(6)]]
