"""The export writers, checked against their formats: FCPXML's structure (a DTD of the part we
write, rational times on frame boundaries), CMX3600 fields (read back by pycmx, an independent
parser), SRT timing, moments.json, and hostile text."""

from __future__ import annotations

import io
import json
import re
from fractions import Fraction
from pathlib import Path

import pycmx
import pytest
from lxml import etree

from exports import (
    Cue,
    ExportMoment,
    ExportSource,
    frame_rate,
    srt_time,
    timeline_of,
    write_edl,
    write_fcpxml,
    write_mlt,
    write_moments_json,
    write_srt,
    write_srt_markers,
)
from exports.edl import timecode
from exports.fcpxml import rational

DTD = etree.DTD(str(Path(__file__).with_name("fcpxml-subset.dtd")))
TIME = re.compile(r"^(0|\d+|\d+/\d+)s$")


def source(fps: float = 25, **kw) -> ExportSource:
    return ExportSource(**{"name": "Holiday <best> & \"more\"", "filename": "holiday.mp4",
                           "duration": 600.0, "fps": frame_rate(fps), "width": 1920,
                           "height": 1080, **kw})


MOMENTS = [
    ExportMoment(rank=1, start=637.0, end=657.0, peak=643.0, title="#1 · 10:43 · 17 viewers",
                 note="17 viewers pointed here", kind="comments", score=9.5),
    ExportMoment(rank=2, start=100.5, end=110.25, peak=105, title="#2 · 1:45 · 6 viewers",
                 kind="comments", score=4.0),
    ExportMoment(rank=3, start=20, end=35, peak=30, title="#3 · 0:30 · happy", kind="emotion"),
]


def seconds(value: str) -> Fraction:
    assert TIME.match(value), value
    return Fraction(value[:-1])


@pytest.mark.parametrize(("fps", "exact"), [(25.0, Fraction(25)), (29.97, Fraction(30000, 1001)),
                                             (23.976, Fraction(24000, 1001)), (60.0, Fraction(60)),
                                             (None, Fraction(30)), (float("nan"), Fraction(30))])
def test_frame_rates_are_exact(fps, exact):
    assert frame_rate(fps) == exact


def test_timeline_is_in_time_order_butt_joined_and_clamped():
    placed = timeline_of(source(), MOMENTS)
    assert [p.moment.rank for p in placed] == [3, 2, 1]
    assert placed[0].record_in == 0
    for before, after in zip(placed, placed[1:], strict=False):
        assert after.record_in == before.record_out
    # 637–657 s of a 600 s source: clamped to the last frame, at least one frame long
    assert placed[2].source_out == 600 * 25 and placed[2].frames >= 1
    assert (placed[1].source_in, placed[1].source_out) == (2512, 2756)  # 100.5 s, 110.25 s


@pytest.mark.parametrize("fps", [25.0, 29.97, 23.976, 60.0])
def test_fcpxml_structure_and_rational_times(fps):
    text = write_fcpxml(source(fps), MOMENTS)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n')
    tree = etree.fromstring(text.encode())
    assert DTD.validate(tree), DTD.error_log.filter_from_errors()
    rate = frame_rate(fps)
    frame = Fraction(rate.denominator, rate.numerator)
    assert seconds(tree.find("resources/format").get("frameDuration")) == frame
    clips = tree.findall(".//spine/asset-clip")
    assert len(clips) == 3
    offset = Fraction(0)
    for clip in clips:
        start, duration = seconds(clip.get("start")), seconds(clip.get("duration"))
        assert seconds(clip.get("offset")) == offset  # butt-joined from 0
        for value in (start, duration, offset):
            assert (value / frame).denominator == 1  # on a frame boundary
        marker = clip.find("marker")
        assert start <= seconds(marker.get("start")) < start + duration
        offset += duration
    assert seconds(tree.find(".//sequence").get("duration")) == offset
    assert clips[2].find("note").text == "17 viewers pointed here"
    asset = tree.find("resources/asset")
    assert asset.get("name") == 'Holiday <best> & "more"'  # escaped in the file, intact here
    assert asset.find("media-rep").get("src") == "holiday.mp4"


def test_fcpxml_without_audio_and_without_moments():
    tree = etree.fromstring(write_fcpxml(source(has_audio=False), []).encode())
    assert DTD.validate(tree), DTD.error_log.filter_from_errors()
    assert tree.find("resources/asset").get("hasAudio") == "0"
    assert tree.find(".//sequence").get("duration") == "0s"


def test_rational():
    assert rational(250, Fraction(25)) == "10s"
    assert rational(3, Fraction(30000, 1001)) == "3003/30000s"
    assert rational(0, Fraction(30000, 1001)) == "0s"


EVENT = re.compile(r"^(\d{3})  (.{8}) (.{5}) C        (\d\d:\d\d:\d\d:\d\d) "
                   r"(\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)$")


@pytest.mark.parametrize("fps", [25.0, 29.97])
def test_edl_fields_and_an_independent_reader(fps):
    text = write_edl(source(fps), MOMENTS)
    lines = text.splitlines()
    assert lines[0] == 'TITLE: Holiday <best> & "more"' and lines[1] == "FCM: NON-DROP FRAME"
    events = [EVENT.match(line) for line in lines if line[:1].isdigit()]
    assert len(events) == 3 and all(events)
    assert [e.group(1) for e in events] == ["001", "002", "003"]
    assert all(e.group(2) == "AX      " and e.group(3) == "AA/V " for e in events)
    assert events[0].group(6) == "01:00:00:00"
    assert all(line.isascii() for line in lines)

    edl = pycmx.parse_cmx3600(io.StringIO(text))
    edits = [edit for event in edl.events for edit in event.edits]
    assert [e.clip_name for e in edits] == ["holiday.mp4"] * 3
    assert [e.source_in for e in edits] == [e.group(4) for e in events]
    assert edits[0].record_in == "01:00:00:00"
    assert edits[1].record_in == edits[0].record_out  # butt-joined
    assert all(e.channels.video and e.channels.a1 for e in edits)
    if fps == 25.0:
        assert (edits[1].source_in, edits[1].source_out) == ("00:01:40:12", "00:01:50:06")
        # past the end of the source: clamped to its last frame
        assert (edits[2].source_in, edits[2].source_out) == ("00:09:59:24", "00:10:00:00")


def test_edl_timecode_counts_whole_frames():
    assert timecode(0, Fraction(25)) == "00:00:00:00"
    assert timecode(25 * 3661 + 7, Fraction(25)) == "01:01:01:07"
    assert timecode(30 * 60, Fraction(30000, 1001)) == "00:01:00:00"  # NDF: 30 a second


def test_hostile_titles_stay_on_one_line():
    evil = ExportMoment(rank=1, start=1, end=5, peak=2,
                        title="#1\nTITLE: hacked\r\n001  XX", note="a\x00b\x1b[31m")
    edl = write_edl(source(name="x\nFCM: DROP FRAME"), [evil])
    lines = edl.splitlines()
    assert [line[:4] for line in lines].count("FCM:") == 1
    assert not any(line.startswith("TITLE: hacked") for line in lines)
    assert len([line for line in edl.splitlines() if line[:1].isdigit()]) == 1
    srt = write_srt_markers([evil])
    assert "\x00" not in srt and "\x1b" not in srt


def test_srt_markers_and_captions():
    text = write_srt_markers(MOMENTS)
    blocks = text.strip().split("\n\n")
    assert blocks[0].splitlines() == ["1", "00:00:20,000 --> 00:00:35,000", "#3 · 0:30 · happy"]
    assert blocks[2].splitlines()[1:] == ["00:10:37,000 --> 00:10:57,000",
                                          "#1 · 10:43 · 17 viewers", "17 viewers pointed here"]
    assert srt_time(3723.5) == "01:02:03,500"
    cues = write_srt([Cue(2, 3, "second"), Cue(0, 1, "first\nline two"), Cue(5, 4, "bad"),
                      Cue(6, 7, "  ")])
    assert cues == ("1\n00:00:00,000 --> 00:00:01,000\nfirst\nline two\n\n"
                    "2\n00:00:02,000 --> 00:00:03,000\nsecond\n\n")


def test_moments_json():
    data = json.loads(write_moments_json(source(29.97), MOMENTS, [{"id": 1}, {"id": 2}, {"id": 3}]))
    assert data["format"] == "shortory.moments" and data["version"] == 1
    assert data["source"]["fps"] == "30000/1001"
    assert [(m["rank"], m["id"]) for m in data["moments"]] == [(1, 1), (2, 2), (3, 3)]
    assert data["moments"][0]["title"] == "#1 · 10:43 · 17 viewers"


def test_mlt_project():
    tree = etree.fromstring(write_mlt(source(29.97), MOMENTS, resource="/media/x.mp4").encode())
    profile = tree.find("profile")
    assert (profile.get("frame_rate_num"), profile.get("frame_rate_den")) == ("30000", "1001")
    assert (profile.get("display_aspect_num"), profile.get("display_aspect_den")) == ("16", "9")
    assert tree.find("producer/property[@name='resource']").text == "/media/x.mp4"
    entries = tree.findall("playlist/entry")
    assert [int(e.get("in")) for e in entries] == [599, 3012, 17981]  # the last clamped to the source's end
    assert tree.find("tractor/track").get("producer") == "moments"
