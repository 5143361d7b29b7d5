"""Positions on a video's timeline: YouTube's ``t=`` notation, clock strings, clip windows.

Pure module (no Django): the timestamp extractor, the YouTube URL policy, both moment finders,
the pages and the exports all use these, so each rule lives here once.
"""

from __future__ import annotations

import re

_T_UNITS_RE = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", re.IGNORECASE)
_T_CLOCK_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")
#: No video is longer than this; a larger ``t=`` is a typo or an attack, not a position.
MAX_T_SECONDS = 100 * 3600


def parse_t_param(value: str) -> int | None:
    """Seconds from a YouTube ``t=``/``start=`` value, or ``None`` when it is not one.

    Accepts ``643``, ``643s``, ``10m43s``, ``1h2m3s`` (YouTube's own forms) and the clock
    ``10:43`` / ``1:02:33`` that people paste; refuses empty values, ``1:75`` and anything
    beyond :data:`MAX_T_SECONDS`.
    """
    value = value.strip()
    if not value:
        return None
    clock = _T_CLOCK_RE.fullmatch(value)
    if clock:
        hours, minutes, seconds = (int(g) if g else 0 for g in clock.groups())
        if (hours and minutes >= 60) or seconds >= 60:
            return None
    else:
        units = _T_UNITS_RE.fullmatch(value)
        if not units or not any(units.groups()):
            return None
        hours, minutes, seconds = (int(g) if g else 0 for g in units.groups())
    total = hours * 3600 + minutes * 60 + seconds
    return total if total <= MAX_T_SECONDS else None


def clock(seconds: float) -> str:
    """``65`` → ``1:05``, ``3753`` → ``1:02:33``: readable in every language, unlike "65 s"."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clip_window(
    peak: float, before: float, after: float, duration: float | None
) -> tuple[float, float]:
    """The clip around ``peak``: ``peak - before … peak + after``, clamped to the video."""
    start = max(0.0, peak - before)
    end = peak + after
    if duration is not None:
        end = min(float(duration), end)
        start = min(start, end)
    return float(start), float(end)
