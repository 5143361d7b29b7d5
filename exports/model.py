"""The plain data every writer takes, frame rates as exact fractions, and the one timeline
layout they share: the moments in time order, each a whole number of frames, butt-joined."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

# The NTSC rates a probe reports as rounded floats, back to their exact values.
_NTSC = {23.976: Fraction(24000, 1001), 29.97: Fraction(30000, 1001),
         47.952: Fraction(48000, 1001), 59.94: Fraction(60000, 1001),
         119.88: Fraction(120000, 1001)}


def frame_rate(fps: float | None) -> Fraction:
    """An exact frame rate from a probed one (25.0 → 25, 29.97 → 30000/1001; unknown → 30)."""
    if fps is None or not math.isfinite(fps) or not 1 <= fps <= 240:
        return Fraction(30)
    for approx, exact in _NTSC.items():
        if abs(fps - approx) < 0.01:
            return exact
    rate = Fraction(fps).limit_denominator(1001)
    return Fraction(round(fps)) if abs(rate - round(fps)) < Fraction(1, 100) else rate


@dataclass(frozen=True)
class ExportSource:
    """The source video the moments are clips of."""

    name: str                 # its title
    filename: str             # the media file's name, for editors to relink
    duration: float           # seconds
    fps: Fraction
    width: int
    height: int
    has_audio: bool = True
    url: str = ""             # where the media is (file:// or http(s)://), if known


@dataclass(frozen=True)
class ExportMoment:
    rank: int
    start: float              # seconds in the source
    end: float
    peak: float
    title: str                # "#1 · 10:43 · 17 viewers"
    note: str = ""            # why this moment, one line
    kind: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class Cue:
    """One caption: text shown from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Placed:
    """A moment on the export timeline, in frames of the source's rate."""

    moment: ExportMoment
    source_in: int            # first frame
    source_out: int           # one past the last frame
    record_in: int            # where it starts on the timeline

    @property
    def frames(self) -> int:
        return self.source_out - self.source_in

    @property
    def record_out(self) -> int:
        return self.record_in + self.frames


def timeline_of(source: ExportSource, moments: Sequence[ExportMoment]) -> list[Placed]:
    """The moments in time order, each clamped to the source and at least one frame long,
    placed one after the other from frame 0."""
    last = max(1, math.floor(source.duration * source.fps))
    placed: list[Placed] = []
    record = 0
    for moment in sorted(moments, key=lambda m: (m.start, m.rank)):
        first = min(max(0, round(moment.start * source.fps)), last - 1)
        end = min(max(first + 1, round(moment.end * source.fps)), last)
        placed.append(Placed(moment=moment, source_in=first, source_out=end, record_in=record))
        record += end - first
    return placed


def one_line(text: str, limit: int = 200) -> str:
    """Text safe on one line of a line-based format: no control characters, bounded."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:limit]
