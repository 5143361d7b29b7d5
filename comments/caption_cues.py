"""Caption cues: the sound tags caption tracks carry ([Laughter], [Applause], [Music] and the
Korean [웃음], [박수], [음악], also in parentheses, and ♪ lines), found per second, and the
small ranking bonus they give a comment moment. Rules and weights: docs/caption-cues.md.

Pure module: cues in as (start, end, text) in seconds, plain data out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

CUE_KINDS = ("laughter", "applause", "music")

# The words inside [..] or (..) that name each kind (lower case; English and Korean).
_WORDS = {
    "laughter": ("laughter", "laughs", "laughing", "laugh", "chuckles", "giggles", "웃음",
                 "웃음소리", "폭소", "웃는 소리"),
    "applause": ("applause", "applauding", "clapping", "cheering", "cheers", "박수",
                 "박수 소리", "박수갈채", "환호", "환호성"),
    "music": ("music", "music playing", "음악", "음악 소리", "배경음악"),
}
_TAG_RE = re.compile(r"[\[(（【]\s*([^\])）】]{1,40}?)\s*[\])）】]")
_MUSIC_NOTE = "♪"

# Bonus added to a comment moment's score when a cue lies within ``CUE_REACH`` seconds of its
# peak: one full comment vote is 1.0, so even all three together stay below one vote.
CUE_BONUS = {"laughter": 0.15, "applause": 0.15, "music": 0.05}
CUE_REACH = 5
MAX_SECONDS_PER_KIND = 20_000  # bounds what is stored for a pathological track


def cue_kinds(text: str) -> set[str]:
    """The cue kinds one caption's text names."""
    found = set()
    for tag in _TAG_RE.findall(text):
        words = " ".join(tag.lower().split())
        for kind, names in _WORDS.items():
            if words in names or any(words.startswith(n + " ") for n in names):
                found.add(kind)
    if _MUSIC_NOTE in text:
        found.add("music")
    return found


def find_cues(cues: Iterable[tuple[float, float, str]]) -> dict[str, list[int]]:
    """Per kind, the whole seconds (sorted, unique) during which a caption names it."""
    seconds: dict[str, set[int]] = {kind: set() for kind in CUE_KINDS}
    for start, end, text in cues:
        kinds = cue_kinds(text)
        if not kinds or not (math.isfinite(start) and math.isfinite(end)) or end < start:
            continue
        for kind in kinds:
            span = seconds[kind]
            for second in range(max(0, int(start)), int(math.ceil(end)) or 1):
                if len(span) >= MAX_SECONDS_PER_KIND:
                    break
                span.add(second)
    return {kind: sorted(values) for kind, values in seconds.items() if values}


def cues_near(cues: Mapping[str, Sequence[int]] | None, second: float,
              reach: int = CUE_REACH) -> list[str]:
    """The kinds with a cue within ``reach`` seconds of ``second``."""
    if not cues:
        return []
    return [kind for kind in CUE_KINDS
            if any(abs(s - second) <= reach for s in cues.get(kind, ()))]


def cue_bonus(cues: Mapping[str, Sequence[int]] | None, second: float) -> float:
    """The ranking bonus of a moment peaking at ``second`` (see ``CUE_BONUS``)."""
    return sum(CUE_BONUS[kind] for kind in cues_near(cues, second))
