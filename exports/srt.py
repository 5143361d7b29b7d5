"""SubRip (.srt): captions from cues, and a video's moments as chapter-like markers."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Cue, ExportMoment, one_line


def srt_time(seconds: float) -> str:
    """``3723.5`` → ``01:02:03,500``."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def write_srt(cues: Sequence[Cue]) -> str:
    """SubRip text: cues in time order, numbered from 1, each block ending in a blank line;
    empty cues are dropped, text keeps its lines. The one SRT writer (markers and clip captions)."""
    blocks: list[str] = []
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        lines = [one_line(line, 500) for line in cue.text.splitlines()]
        lines = [line for line in lines if line]
        if not lines or cue.end <= cue.start:
            continue
        blocks.append(f"{len(blocks) + 1}\n{srt_time(cue.start)} --> {srt_time(cue.end)}\n"
                      + "\n".join(lines) + "\n\n")
    return "".join(blocks)


def write_srt_markers(moments: Sequence[ExportMoment]) -> str:
    """Each moment as a cue over its window in the source: its title, then why."""
    return write_srt([Cue(start=m.start, end=m.end,
                          text=m.title + (f"\n{m.note}" if m.note else "")) for m in moments])
