"""Exports of a video's moments for other tools: chapter-like SRT markers, an FCPXML timeline
(Final Cut Pro, DaVinci Resolve), a CMX3600 EDL, an MLT project (Kdenlive, Shotcut, ``melt``)
and ``moments.json``; and SRT captions from cues.

Pure package: plain data in (`ExportSource`, `ExportMoment`, `Cue`), text out. Every writer
lays the moments out the same way: in time order, butt-joined on one track, each one a clip of
the source from its start to its end (see `model.py`).
"""

from __future__ import annotations

from .edl import write_edl
from .fcpxml import write_fcpxml
from .mlt import write_mlt
from .model import Cue, ExportMoment, ExportSource, frame_rate, timeline_of
from .moments_json import write_moments_json
from .srt import srt_time, write_srt, write_srt_markers

__all__ = [
    "Cue",
    "ExportMoment",
    "ExportSource",
    "frame_rate",
    "srt_time",
    "timeline_of",
    "write_edl",
    "write_fcpxml",
    "write_mlt",
    "write_moments_json",
    "write_srt",
    "write_srt_markers",
]
