"""Caption tracks: SRT, WebVTT and YouTube's json3 parsed into cues (with word timings where
the format has them), cut to a clip, and styled for shorts as ASS for ffmpeg's ``ass`` filter
(large, outlined, inside the safe area, two lines at most, the spoken word highlighted).
SubRip out is ``exports.write_srt``. Rules and reasons: docs/captions.md.

Hostile input is bounded before any work: at most ``MAX_BYTES`` of text, ``MAX_CUES`` cues,
``MAX_CUE_CHARS`` characters a cue. A file that breaks a rule raises ``CaptionError`` with a
sentence for the user; nothing half-parsed is returned.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

MAX_BYTES = 2_000_000
MAX_CUES = 20_000
MAX_CUE_CHARS = 1_000
MAX_SECONDS = 24 * 3600.0

# The fonts with Hangul (and Latin) that captions are set in: Debian's fonts-noto-cjk
# (SIL Open Font License 1.1), installed by `make setup`. The first folder that exists is
# given to libass; fontconfig's own fallback covers a machine with none of them.
FONT_NAME = "Noto Sans CJK KR"
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/opentype"),
             Path("/usr/share/fonts"))


class CaptionError(ValueError):
    """A caption file cannot be used; ``str(error)`` is a sentence for the user."""


@dataclass(frozen=True)
class Word:
    """One word and the time it starts being spoken (seconds)."""

    start: float
    text: str


@dataclass(frozen=True)
class Cue:
    """One caption: shown ``start <= t < end`` (seconds), its text, its words' times if known."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


# -- parsing -----------------------------------------------------------------------------------

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_TAG_RE = re.compile(r"<[^>]{0,200}>")


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        raise CaptionError("A caption time is not valid.")
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + int(fraction.ljust(3, "0")) / 1000)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data.encode("utf-8", "replace")) > MAX_BYTES:
            raise CaptionError("The caption file is too large (2 MB at most).")
        return data
    if len(data) > MAX_BYTES:
        raise CaptionError("The caption file is too large (2 MB at most).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaptionError("The caption file is not UTF-8 text.") from None


def _clean(text: str) -> str:
    text = html.unescape(_TAG_RE.sub("", text))
    text = "".join(ch for ch in text if ch in "\n" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _checked(cues: list[Cue]) -> list[Cue]:
    if len(cues) > MAX_CUES:
        raise CaptionError(f"The caption file has too many cues ({MAX_CUES} at most).")
    for cue in cues:
        if not (0 <= cue.start < cue.end <= MAX_SECONDS):
            raise CaptionError("A caption ends before it starts or lies outside the video.")
        if len(cue.text) > MAX_CUE_CHARS:
            raise CaptionError("A caption is too long.")
    return sorted(cues, key=lambda c: (c.start, c.end))


def _parse_blocks(text: str, kind: str) -> list[Cue]:
    cues: list[Cue] = []
    if not text.strip():
        raise CaptionError(f"The file has no {kind.upper()} captions.")
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    timed = 0
    for block in blocks:
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines[:3]) if "-->" in line), None)
        if at is None:
            if kind == "vtt" and (block.startswith(("WEBVTT", "NOTE", "STYLE", "REGION"))):
                continue
            raise CaptionError(f"The {kind.upper()} file has a block without a time line.")
        match = _TIMING_RE.match(lines[at])
        if not match:
            raise CaptionError(f"The {kind.upper()} file has a time line that cannot be read.")
        g = match.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        timed += 1
        if len(cues) >= MAX_CUES:
            raise CaptionError(f"The caption file has too many cues ({MAX_CUES} at most).")
        body = _clean("\n".join(lines[at + 1 :]))
        if body and end > start:
            cues.append(Cue(start, end, body))
    if not timed:
        raise CaptionError(f"The file has no {kind.upper()} captions.")
    return _checked(cues)


def parse_srt(data: bytes | str) -> list[Cue]:
    """SubRip: numbered blocks, ``00:01:02,500 --> 00:01:04,000``, text lines."""
    text = _decode(data)
    return _parse_blocks(text, "srt")


def parse_vtt(data: bytes | str) -> list[Cue]:
    """WebVTT: a ``WEBVTT`` header, then cue blocks (optional identifiers and settings)."""
    text = _decode(data)
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise CaptionError("The file is not WebVTT (it must start with WEBVTT).")
    return _parse_blocks(text, "vtt")


def parse_json3(data: bytes | str) -> list[Cue]:
    """YouTube's json3: ``events`` with ``tStartMs``, ``dDurationMs`` and ``segs`` whose
    ``tOffsetMs`` gives each word's start (automatic captions have them)."""
    text = _decode(data)
    try:
        doc = json.loads(text)
    except ValueError:
        raise CaptionError("The caption data is not valid JSON.") from None
    events = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(events, list):
        raise CaptionError("The caption data has no events.")
    if len(events) > MAX_CUES * 2:
        raise CaptionError(f"The caption file has too many cues ({MAX_CUES} at most).")
    cues = []
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("segs"), list):
            continue
        try:
            start = float(event.get("tStartMs", 0)) / 1000
            length = float(event.get("dDurationMs", 0)) / 1000
        except (TypeError, ValueError):
            raise CaptionError("A caption time is not valid.") from None
        if not (math.isfinite(start) and math.isfinite(length)):
            raise CaptionError("A caption time is not valid.")
        words = []
        for seg in event["segs"]:
            piece = seg.get("utf8") if isinstance(seg, dict) else None
            if not isinstance(piece, str) or not piece.strip():
                continue
            offset = seg.get("tOffsetMs", 0)
            offset = float(offset) / 1000 if isinstance(offset, int | float) else 0.0
            words.append(Word(start + max(0.0, offset), _clean(piece)))
        body = _clean("".join(seg.get("utf8", "") for seg in event["segs"]
                              if isinstance(seg, dict) and isinstance(seg.get("utf8"), str)))
        if body and length > 0:
            timed_words = tuple(w for w in words if w.text) if len(words) > 1 else ()
            cues.append(Cue(start, start + length, body, timed_words))
    # Automatic captions overlap (each event lasts until the one after the next starts): a
    # cue ends where the next one starts, so at most one is on screen.
    cues.sort(key=lambda c: c.start)
    trimmed = [replace(c, end=min(c.end, n.start)) if n.start > c.start else c
               for c, n in zip(cues, cues[1:], strict=False)] + cues[-1:]
    return _checked([c for c in trimmed if c.end > c.start])


def parse_captions(data: bytes | str, name: str) -> list[Cue]:
    """Parse by the file name's suffix (``.srt``, ``.vtt``, ``.json3``/``.json``)."""
    suffix = Path(name).suffix.lower()
    parsers = {".srt": parse_srt, ".vtt": parse_vtt, ".json3": parse_json3, ".json": parse_json3}
    if suffix not in parsers:
        raise CaptionError("Caption files must be .srt or .vtt.")
    return parsers[suffix](data)


# -- one clip ----------------------------------------------------------------------------------


def cues_for_clip(cues: Iterable[Cue], start: float, end: float) -> list[Cue]:
    """The cues shown during ``[start, end)`` of the source, in clip time (0 = ``start``),
    cut at the clip's edges."""
    out = []
    for cue in cues:
        if cue.end <= start or cue.start >= end:
            continue
        words = tuple(Word(max(0.0, w.start - start), w.text) for w in cue.words
                      if start <= w.start < end)
        out.append(Cue(max(cue.start, start) - start, min(cue.end, end) - start, cue.text,
                       words))
    return out


# -- burned-in style ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptionStyle:
    """Caption look for one output size (see ``style_for``)."""

    font_size: int
    margin_v: int  # bottom margin: clear of the app's buttons and caption bar
    margin_h: int
    max_lines: int = 2
    highlight: str = "&H0000E5FF&"  # ASS BGR: the spoken word in yellow


def style_for(size: tuple[int, int]) -> CaptionStyle:
    """Large for phones: 1/12 of the width on vertical frames; bottom margin clear of the
    Shorts/Reels/TikTok overlay (the lowest ~22 %) on vertical, 8 % on landscape."""
    width, height = size
    vertical = height > width
    font = round(width / 12) if vertical else round(height / 14)
    return CaptionStyle(font_size=max(16, font), margin_v=round(height * (0.22 if vertical
                                                                          else 0.08)),
                        margin_h=round(width * 0.08))


def _text_width(text: str) -> float:
    """Width of ``text`` in ems: wide (CJK) characters ~1, others ~0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _fit_words(words: list[str], per_line: float) -> list[str]:
    """``words`` with any word wider than a line cut into pieces that fit (a URL, a run of
    Hangul without spacing): libass does not wrap them (WrapStyle 2) and they would run off
    the frame."""
    out = []
    for word in words:
        piece = ""
        for ch in word:
            if piece and _text_width(piece + ch) > per_line:
                out.append(piece)
                piece = ""
            piece += ch
        out.append(piece)
    return out


def _wrap(words: list[str], per_line: float) -> list[list[str]]:
    lines: list[list[str]] = [[]]
    for word in words:
        trial = " ".join([*lines[-1], word])
        if lines[-1] and _text_width(trial) > per_line:
            lines.append([word])
        else:
            lines[-1].append(word)
    return lines


def _pages(cue: Cue, style: CaptionStyle, width: int) -> list[tuple[float, float, list[str],
                                                                      list[Word]]]:
    """Split a cue into pages of at most ``max_lines`` lines; each page gets a share of the
    cue's time (its words' own times where known, else by length)."""
    per_line = (width - 2 * style.margin_h) / style.font_size
    tokens = _fit_words(cue.text.replace("\n", " ").split(), per_line)
    if not tokens:
        return []
    lines = _wrap(tokens, per_line)
    chunks = [lines[i : i + style.max_lines] for i in range(0, len(lines), style.max_lines)]
    pages = []
    total = sum(len(" ".join(w for line in chunk for w in line)) for chunk in chunks) or 1
    t = cue.start
    word_index = 0
    for n, chunk in enumerate(chunks):
        count = sum(len(line) for line in chunk)
        text_len = len(" ".join(w for line in chunk for w in line))
        words = list(cue.words[word_index : word_index + count]) if cue.words else []
        word_index += count
        end = cue.end if n == len(chunks) - 1 else t + (cue.end - cue.start) * text_len / total
        if cue.words and n < len(chunks) - 1 and word_index < len(cue.words):
            end = max(t + 0.1, min(cue.end, cue.words[word_index].start))
        pages.append((t, end, [" ".join(line) for line in chunk], words))
        t = end
    return pages


def _ass_time(seconds: float) -> str:
    cs = int(round(max(0.0, seconds) * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _ass_escape(text: str) -> str:
    """Caption text as plain ASS text: no override blocks, and no backslash at all (libass
    reads ``\\N`` as a backslash then a line break, so doubling it escapes nothing): a
    fullwidth reverse solidus, which the caption font has, stands in for it."""
    return text.replace("\\", "\uff3c").replace("{", "(").replace("}", ")")


def one_at_a_time(cues: Iterable[Cue]) -> list[Cue]:
    """``cues`` in order, each ending where the next one starts: overlapping cues (two
    speakers, a sound tag under speech) would be stacked on screen by libass, four lines and
    more. Cues starting together become one (their texts joined, up to ``MAX_CUE_CHARS``;
    their word timings dropped)."""
    merged: list[Cue] = []
    for cue in sorted(cues, key=lambda c: c.start):
        if merged and cue.start == merged[-1].start:
            last = merged[-1]
            if len(last.text) + 1 + len(cue.text) <= MAX_CUE_CHARS:
                merged[-1] = Cue(last.start, max(last.end, cue.end),
                                 f"{last.text}\n{cue.text}")
            continue
        merged.append(cue)
    out = []
    for cue, after in zip(merged, [*merged[1:], None], strict=True):
        end = cue.end if after is None else min(cue.end, after.start)
        if end > cue.start:
            out.append(replace(cue, end=end, words=tuple(w for w in cue.words
                                                         if w.start < end)))
    return out


def to_ass(cues: Sequence[Cue], size: tuple[int, int], style: CaptionStyle | None = None) -> str:
    """An ASS script that burns ``cues`` (clip time) into frames of ``size``, one cue on
    screen at a time."""
    width, height = size
    style = style or style_for(size)
    outline = max(2, round(style.font_size / 12))
    head = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Short,{FONT_NAME},{style.font_size},&H00FFFFFF,&H00FFFFFF,&H00000000,"
        f"&H80000000,-1,0,0,0,100,100,0,0,1,{outline},{max(1, outline // 2)},2,"
        f"{style.margin_h},{style.margin_h},{style.margin_v},1\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")
    events = []
    for cue in one_at_a_time(cues):
        for start, end, lines, words in _pages(cue, style, width):
            if end <= start:
                continue
            plain = "\\N".join(_ass_escape(line) for line in lines)
            if not words or len(words) != sum(len(line.split()) for line in lines):
                events.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Short,,0,0,0,,"
                              f"{plain}")
                continue
            # Word by word: one event per spoken word, that word in the highlight colour.
            flat = [w for line in lines for w in line.split()]
            breaks = {sum(len(line.split()) for line in lines[: i + 1]) for i in range(len(lines))}
            times = [max(start, w.start) for w in words] + [end]
            times[0] = start
            for k in range(len(flat)):
                a, b = times[k], max(times[k], times[k + 1])
                if b - a < 0.01:
                    continue
                parts = []
                for j, token in enumerate(flat):
                    piece = _ass_escape(token)
                    if j == k:
                        piece = f"{{\\c{style.highlight}}}{piece}{{\\r}}"
                    parts.append(piece + ("\\N" if j + 1 in breaks and j + 1 < len(flat)
                                          else " "))
                events.append(f"Dialogue: 0,{_ass_time(a)},{_ass_time(b)},Short,,0,0,0,,"
                              + "".join(parts).rstrip())
    return head + "\n".join(events) + "\n"


def font_dir() -> Path | None:
    """The first caption font folder present on this machine."""
    return next((d for d in FONT_DIRS if d.is_dir()), None)
