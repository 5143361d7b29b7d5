"""CMX3600 EDL: one video(+audio) event per moment, cuts only, non-drop-frame timecode.

Each event line is ``NNN  REEL     CHAN  C        SRC-IN SRC-OUT REC-IN REC-OUT`` (event
number, 8-character reel, channels, transition, then four ``HH:MM:SS:FF`` timecodes); the
source file's name follows as ``* FROM CLIP NAME:`` so editors can relink it. The record side
starts at 01:00:00:00, as the format's users expect.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .model import ExportMoment, ExportSource, one_line, timeline_of

MAX_EVENTS = 999
RECORD_START_HOURS = 1
REEL = "AX"  # "auxiliary source": the usual reel name for a file-based source


def timecode(frames: int, fps: Fraction) -> str:
    """Non-drop-frame timecode, counting ``round(fps)`` frames a second (29.97 → 30)."""
    base = round(fps)
    seconds, ff = divmod(frames, base)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"


def _ascii(text: str, limit: int) -> str:
    """EDL readers expect ASCII: the separator we use becomes a dash, anything else a '?'."""
    return one_line(text.replace("·", "-").replace("—", "-"), limit).encode(
        "ascii", "replace").decode()


def write_edl(source: ExportSource, moments: Sequence[ExportMoment], *, title: str = "") -> str:
    fps = source.fps
    offset = RECORD_START_HOURS * 3600 * round(fps)
    placed = timeline_of(source, moments)[:MAX_EVENTS]
    channels = "AA/V" if source.has_audio else "V"
    name = _ascii(title or source.name, 70) or "SHORTORY"
    lines = [f"TITLE: {name}", "FCM: NON-DROP FRAME", ""]
    clip_name = _ascii(source.filename, 120)
    for number, item in enumerate(placed, start=1):
        lines.append(
            f"{number:03d}  {REEL:<8} {channels:<5} C        "
            f"{timecode(item.source_in, fps)} {timecode(item.source_out, fps)} "
            f"{timecode(offset + item.record_in, fps)} {timecode(offset + item.record_out, fps)}")
        lines.append(f"* FROM CLIP NAME: {clip_name}")
        comment = _ascii(item.moment.title + (f" - {item.moment.note}" if item.moment.note
                                              else ""), 200)
        lines.append(f"* COMMENT: {comment}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
