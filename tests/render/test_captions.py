"""Captions: SRT/VTT/json3 parsing (bad input refused whole), cutting to a clip, SRT out, ASS
styling for shorts, and burning Korean and English into a real clip with ffmpeg."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exports import Cue as ExportCue
from exports import write_srt
from render import RenderOptions, render_clip
from render.captions import (
    MAX_BYTES,
    CaptionError,
    Cue,
    Word,
    cues_for_clip,
    parse_captions,
    parse_json3,
    parse_srt,
    parse_vtt,
    style_for,
    to_ass,
)
from tests.render.helpers import run_ffmpeg

SRT = """1
00:00:01,000 --> 00:00:02,500
Hello <i>world</i>

2
00:10:33,000 --> 00:10:35,200
안녕하세요
여러분

"""

VTT = """WEBVTT
Kind: captions

NOTE a comment

intro
00:01.000 --> 00:02.500 align:start
Hello &amp; welcome

01:02:03.250 --> 01:02:04.000
<c.colorE5E5E5>[Laughter]</c>
"""


def test_srt_cues_with_tags_removed() -> None:
    cues = parse_srt(SRT.encode())
    assert cues == [Cue(1.0, 2.5, "Hello world"), Cue(633.0, 635.2, "안녕하세요\n여러분")]


def test_vtt_header_notes_identifiers_settings_and_entities() -> None:
    cues = parse_vtt(VTT)
    assert cues == [Cue(1.0, 2.5, "Hello & welcome"), Cue(3723.25, 3724.0, "[Laughter]")]


def test_json3_keeps_word_offsets_and_ends_overlapping_cues() -> None:
    data = {"events": [
        {"tStartMs": 1000, "dDurationMs": 3000, "segs": [
            {"utf8": "so"}, {"utf8": " this", "tOffsetMs": 400}, {"utf8": " works", "tOffsetMs": 900}]},
        {"tStartMs": 2500, "dDurationMs": 2000, "segs": [{"utf8": "\n"}]},  # a line break event
        {"tStartMs": 3000, "dDurationMs": 1500, "segs": [{"utf8": "[음악]"}]},
    ]}
    cues = parse_json3(json.dumps(data))
    assert cues[0] == Cue(1.0, 3.0, "so this works",
                          (Word(1.0, "so"), Word(1.4, "this"), Word(1.9, "works")))
    assert cues[1] == Cue(3.0, 4.5, "[음악]")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.srt", "1\n00:00:01,000 -> 00:00:02,000\nhi\n", "without a time line"),
    ("a.srt", "1\n00:00:99,000 --> 00:01:00,000\nhi\n", "not valid"),
    ("a.srt", "1\n00:00:05,000 --> 00:00:02,000\nhi\n\n2\nbroken\n", "without a time line"),
    ("a.srt", "", "no SRT captions"),
    ("a.vtt", "1\n00:01.000 --> 00:02.000\nhi\n", "must start with WEBVTT"),
    ("a.srt", b"\xff\xfe\x00bad", "not UTF-8"),
    ("a.json3", "{not json", "not valid JSON"),
    ("a.json3", '{"events": 3}', "no events"),
    ("a.txt", "hello", "must be .srt or .vtt"),
    ("a.srt", "x" * (MAX_BYTES + 1), "too large"),
])
def test_bad_files_are_refused_with_a_clear_error(name: str, data: str | bytes,
                                                  message: str) -> None:
    with pytest.raises(CaptionError, match=message):
        parse_captions(data, name)


def test_too_many_cues_are_refused_before_more_work() -> None:
    block = "1\n00:00:01,000 --> 00:00:01,500\nx\n\n"
    with pytest.raises(CaptionError, match="too many cues"):
        parse_srt(block * 20_001)


def test_cues_are_cut_to_the_clip_in_clip_time() -> None:
    cues = [Cue(630.0, 633.5, "before and into"), Cue(633.0, 635.0, "10:33 line",
                                                    (Word(633.0, "10:33"), Word(634.0, "line"))),
            Cue(660.0, 662.0, "after")]
    clip = cues_for_clip(cues, 633.0, 653.0)  # a clip starting at 10:33
    assert clip == [Cue(0.0, 0.5, "before and into"),
                    Cue(0.0, 2.0, "10:33 line", (Word(0.0, "10:33"), Word(1.0, "line")))]


def test_srt_out_round_trips() -> None:
    cues = [Cue(0.0, 1.25, "one"), Cue(61.5, 3725.004, "두 줄\ntwo lines")]
    text = write_srt([ExportCue(c.start, c.end, c.text) for c in cues])  # the one SRT writer
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,250\none\n\n2\n00:01:01,500 --> ")
    assert parse_srt(text) == cues


def test_ass_style_is_large_high_contrast_and_in_the_safe_area() -> None:
    style = style_for((1080, 1920))
    assert style.font_size == 90 and style.margin_v == round(1920 * 0.22)
    ass = to_ass([Cue(0.0, 2.0, "short line")], (1080, 1920))
    assert "PlayResX: 1080\nPlayResY: 1920" in ass
    assert "Style: Short,Noto Sans CJK KR,90,&H00FFFFFF," in ass  # white, black outline
    assert "Dialogue: 0,0:00:00.00,0:00:02.00,Short,,0,0,0,,short line" in ass


def test_long_cues_become_pages_of_two_lines_at_most() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    ass = to_ass([Cue(0.0, 8.0, words)], (1080, 1920))
    dialogues = [line for line in ass.splitlines() if line.startswith("Dialogue:")]
    assert len(dialogues) > 1
    assert all(line.count("\\N") <= 1 for line in dialogues)
    texts = " ".join(line.split(",,", 2)[-1].split(",", 4)[-1].replace("\\N", " ")
                     for line in dialogues)
    assert texts.split() == words.split()  # every word once, in order


def _dialogues(ass: str) -> list[tuple[float, float, str]]:
    def secs(text: str) -> float:
        h, m, rest = text.split(":")
        return int(h) * 3600 + int(m) * 60 + float(rest)

    out = []
    for line in ass.splitlines():
        if line.startswith("Dialogue:"):
            fields = line.split(",", 9)
            out.append((secs(fields[1]), secs(fields[2]), fields[9]))
    return out


def test_overlapping_cues_never_stack_past_two_lines() -> None:
    # Real SRT files overlap (two speakers, a sound tag under speech); libass would stack the
    # cues on screen, four lines and more. A cue ends where the next one starts.
    cues = [Cue(0.0, 4.0, "저는 너무 기뻐서 눈물이 났어요. 여러분 덕분에 가능했습니다"),
            Cue(3.0, 5.0, "겹치는 자막 overlapping cue"), Cue(3.0, 4.5, "[Laughter]"),
            Cue(6.0, 7.0, "after a gap")]
    events = _dialogues(to_ass(cues, (1080, 1920)))
    for (_, a1, _), (b0, _, _) in zip(events, events[1:], strict=False):
        assert a1 <= b0 + 1e-9  # one event on screen at a time
    assert all(text.count("\\N") <= 1 for _, _, text in events)
    assert events[-1] == (6.0, 7.0, "after a gap")
    texts = " ".join(text for _, _, text in events)
    assert "눈물이" in texts and "overlapping" in texts


def test_a_word_wider_than_the_frame_is_broken_to_fit() -> None:
    # No spaces (a URL, a run of Hangul without spacing): libass would not wrap it
    # (WrapStyle 2) and it would run off the frame.
    long = "가" * 30 + " https://example.com/" + "x" * 60
    events = _dialogues(to_ass([Cue(0.0, 6.0, long)], (1080, 1920)))
    style = style_for((1080, 1920))
    per_line = (1080 - 2 * style.margin_h) / style.font_size
    lines = [line for _, _, text in events for line in text.split("\\N")]
    assert all(_width(line) <= per_line + 1e-9 for line in lines)
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")


def test_caption_text_cannot_add_lines_or_ass_overrides() -> None:
    # libass reads a doubled backslash before N as a backslash then a line break: doubling
    # escapes nothing (checked by rendering), so a cue's own backslashes and braces never
    # reach the script.
    hostile = r"one\Ntwo\Nthree\Nfour {\pos(0,0)\fs300}big"
    events = _dialogues(to_ass([Cue(0.0, 4.0, hostile)], (1080, 1920)))
    for _, _, text in events:
        assert text.count("\\") == text.count("\\N") <= 1 and "{" not in text
    joined = "".join(text for _, _, text in events).replace("\\N", "")
    assert "one\uff3cNtwo" in joined and "(\uff3cpos(0,0)\uff3cfs300)big" in joined


def _width(text: str) -> float:
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def test_word_timings_highlight_the_spoken_word() -> None:
    cue = Cue(1.0, 3.0, "one two three", (Word(1.0, "one"), Word(1.5, "two"),
                                          Word(2.2, "three")))
    dialogues = [line for line in to_ass([cue], (1080, 1920)).splitlines()
                 if line.startswith("Dialogue:")]
    assert [d.split(",")[1:3] for d in dialogues] == [
        ["0:00:01.00", "0:00:01.50"], ["0:00:01.50", "0:00:02.20"], ["0:00:02.20", "0:00:03.00"]]
    assert "{\\c&H0000E5FF&}two{\\r}" in dialogues[1]


def _black_video(path: Path, seconds: float) -> Path:
    run_ffmpeg("-f", "lavfi", "-i", f"color=black:s=640x360:r=25:d={seconds}",
               "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path))
    return path


def _grey(path: Path) -> np.ndarray:
    raw = run_ffmpeg("-i", str(path), "-vf", "scale=270:480", "-f", "rawvideo", "-pix_fmt",
                     "gray", "pipe:1").stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, 480, 270).astype(np.float64)


@pytest.mark.slow
def test_korean_and_english_captions_burn_in_at_clip_time(tmp_path: Path) -> None:
    source = _black_video(tmp_path / "black.mp4", 14.0)
    cues = [Cue(10.5, 11.5, "가나다 Hello"), Cue(12.0, 13.0, "다나가 Hello")]
    result = render_clip(source, 10.0, 13.5, tmp_path / "c.mp4",
                         options=RenderOptions(aspect="9:16", captions=True), cues=cues)
    assert result.captions == 2
    frames = _grey(result.path)
    assert len(frames) == round(3.5 * 25)
    band = slice(300, 400)  # the caption sits above the bottom 22 %, in the lower third
    lit = [(frame[band] > 128).sum() for frame in frames]
    assert lit[5] == 0 and lit[15] > 200 and lit[40] == 0 and lit[55] > 200  # 0.2/0.6/1.6/2.2 s
    assert (frames[15][:250] > 128).sum() == 0  # nothing in the top part of the frame
    # Real Hangul glyphs, not boxes: the same letters in another order draw another picture.
    first, second = frames[15][band] > 128, frames[55][band] > 128
    assert (first != second).sum() > 0.1 * (first | second).sum()  # boxes: 0
    off = render_clip(source, 10.0, 13.5, tmp_path / "off.mp4",
                      options=RenderOptions(aspect="9:16", captions=False), cues=cues)
    assert off.captions == 0 and (_grey(off.path)[15][band] > 128).sum() == 0
