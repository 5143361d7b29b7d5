"""An MLT XML project (what Kdenlive and Shotcut are built on; ``melt`` plays and renders it):
the moments as entries of one playlist over the source file."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .model import ExportMoment, ExportSource, one_line, timeline_of


def write_mlt(source: ExportSource, moments: Sequence[ExportMoment], *, resource: str = "") -> str:
    """``resource`` is the path melt opens (default: the source's file name, beside the
    project)."""
    fps = source.fps
    gcd = math.gcd(source.width, source.height) or 1
    root = ET.Element("mlt", LC_NUMERIC="C", title=one_line(source.name) or "Shortory",
                      producer="timeline")
    ET.SubElement(root, "profile", {
        "description": "Shortory moments", "width": str(source.width),
        "height": str(source.height), "progressive": "1", "sample_aspect_num": "1",
        "sample_aspect_den": "1", "display_aspect_num": str(source.width // gcd),
        "display_aspect_den": str(source.height // gcd),
        "frame_rate_num": str(fps.numerator), "frame_rate_den": str(fps.denominator),
        "colorspace": "709"})
    last = max(0, round(source.duration * fps) - 1)
    producer = ET.SubElement(root, "producer", {"id": "source", "in": "0", "out": str(last)})
    ET.SubElement(producer, "property", name="resource").text = resource or source.filename
    ET.SubElement(producer, "property", name="mlt_service").text = "avformat"
    playlist = ET.SubElement(root, "playlist", id="moments")
    for item in timeline_of(source, moments):
        ET.SubElement(playlist, "entry", {"producer": "source", "in": str(item.source_in),
                                          "out": str(item.source_out - 1)})
    tractor = ET.SubElement(root, "tractor", id="timeline")
    ET.SubElement(tractor, "track", producer="moments")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
