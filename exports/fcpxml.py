"""FCPXML 1.9 (Final Cut Pro, DaVinci Resolve): one project whose spine holds each moment as
an ``asset-clip`` of the source, with a marker at its peak and the reason as a note.

Times are rational seconds on frame boundaries (``"1001/30000s"`` multiples at 29.97 fps);
the structure follows Apple's FCPXML reference: fcpxml > resources (format, asset with a
media-rep) and library > event > project > sequence > spine.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from fractions import Fraction

from .model import ExportMoment, ExportSource, one_line, timeline_of

VERSION = "1.9"


def rational(frames: int, fps: Fraction) -> str:
    """``frames`` at ``fps`` as FCPXML time: ``"10s"``, ``"3003/30000s"``, ``"0s"``."""
    numerator = frames * fps.denominator
    if numerator % fps.numerator == 0:
        return f"{numerator // fps.numerator}s"
    return f"{numerator}/{fps.numerator}s"


def write_fcpxml(source: ExportSource, moments: Sequence[ExportMoment], *,
                 project: str = "") -> str:
    fps = source.fps
    placed = timeline_of(source, moments)
    total_frames = placed[-1].record_out if placed else 0
    source_frames = max(1, round(source.duration * fps))
    root = ET.Element("fcpxml", version=VERSION)
    resources = ET.SubElement(root, "resources")
    ET.SubElement(resources, "format", id="r1", frameDuration=rational(1, fps),
                  width=str(source.width), height=str(source.height))
    asset = ET.SubElement(resources, "asset", {
        "id": "r2", "name": one_line(source.name) or source.filename, "start": "0s",
        "duration": rational(source_frames, fps), "hasVideo": "1", "format": "r1",
        "videoSources": "1",
        **({"hasAudio": "1", "audioSources": "1", "audioChannels": "2", "audioRate": "48000"}
           if source.has_audio else {"hasAudio": "0"}),
    })
    ET.SubElement(asset, "media-rep", kind="original-media",
                  src=source.url or source.filename)
    library = ET.SubElement(root, "library")
    event = ET.SubElement(library, "event", name="Shortory")
    name = one_line(project) or f"{one_line(source.name) or source.filename} — moments"
    project_el = ET.SubElement(event, "project", name=name)
    sequence = ET.SubElement(project_el, "sequence", format="r1",
                             duration=rational(total_frames, fps), tcStart="0s",
                             tcFormat="NDF", audioLayout="stereo", audioRate="48k")
    spine = ET.SubElement(sequence, "spine")
    for item in placed:
        clip = ET.SubElement(spine, "asset-clip", {
            "ref": "r2", "name": one_line(item.moment.title) or f"#{item.moment.rank}",
            "offset": rational(item.record_in, fps), "start": rational(item.source_in, fps),
            "duration": rational(item.frames, fps), "format": "r1", "tcFormat": "NDF",
            **({"audioRole": "dialogue"} if source.has_audio else {}),
        })
        if item.moment.note:
            ET.SubElement(clip, "note").text = one_line(item.moment.note, 500)
        peak = min(max(round(item.moment.peak * fps), item.source_in), item.source_out - 1)
        ET.SubElement(clip, "marker", start=rational(peak, fps), duration=rational(1, fps),
                      value=one_line(item.moment.title) or "peak")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n'
