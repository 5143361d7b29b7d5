"""Video timestamps in YouTube comments: plain text or YouTube HTML → seconds.

``extract_timestamps(text, duration=...)`` returns every video position a comment points to, in
order of appearance, duplicates kept (the ranking in :mod:`comments.ranking` dedupes per
comment). It reads clocks (``10:43``, ``1:02:33``), ranges, unit forms (``10분 43초``,
``2m30s``) and YouTube's timestamp anchors, and rejects clocks whose context says they are not
a video position (times of day, ratios and scores, Bible verses, prices, durations …).

The rules, with examples and known limits: ``docs/timestamp-rules.md``. Quality is measured
by ``bench/timestamps.py`` against ``tests/comments/data/labelled_comments.jsonl``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from comments.text import html_to_text, looks_like_html
from timeline import parse_t_param

logger = logging.getLogger(__name__)

__all__ = ["extract_timestamps", "parse_t_param"]

# Full-width digits/colon/tilde → ASCII, one character for one so that spans keep their offsets.
_WIDTH_MAP = str.maketrans(
    {"：": ":", "﹕": ":", "～": "~", **{chr(0xFF10 + i): str(i) for i in range(10)}}
)

# ---------------------------------------------------------------------------------------------
# URLs and links (YouTube's timestamp anchors)
# ---------------------------------------------------------------------------------------------
# Bare URLs (and link texts that are URLs): the numbers in them are never times.
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:youtu\.be|(?:m\.|music\.)?youtube\.com)/\S+", re.IGNORECASE
)


@dataclass(frozen=True)
class _TimeAnchor:
    """A link's span in the plain text, and the position its ``href`` points at (if any)."""

    start: int
    end: int
    seconds: int | None


def _t_from_href(href: str) -> int | None:
    """The ``t=`` (or ``start=``) of a link, in its query or its fragment."""
    parts = urlsplit(href.strip())
    for component in (parts.query, parts.fragment):
        values = parse_qs(component).get("t") or parse_qs(component).get("start")
        if values:
            return parse_t_param(values[0])
    return None


# ---------------------------------------------------------------------------------------------
# Candidate forms
# ---------------------------------------------------------------------------------------------
_CLOCK_RE = re.compile(
    r"(?<!\d)(?<!\d[:.])"
    r"(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,3}):(?P<s>\d{2})"
    r"(?!\d)(?!:\d)(?!\.\d)"
)
_KO_UNIT_RE = re.compile(
    r"(?<!\d)(?:(?P<h>\d{1,2})\s*시간\s*)?(?:(?P<m>\d{1,3})\s*분\s*)?(?P<s>\d{1,2})\s*초"
)
_EN_UNIT_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:(?P<h>\d{1,2})\s?(?:hours|hour|hrs|hr|h)\s?,?\s?)?"
    r"(?P<m>\d{1,3})\s?(?:minutes|minute|minutos|minuto|menit|mins|min|m)\s?,?\s?(?:and\s|y\s|dan\s)?"
    r"(?P<s>\d{1,2})\s?(?:seconds|second|segundos|segundo|detik|secs|sec|s)"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Korean unit forms that name one unit only are positions when a place particle follows
# ("10분쯤에", "1시간 20분에", "30초에서", "45초부터"); alone they are durations ("10분쯤").
_KO_PLACE = r"(?=\s*(?:쯤|경|즈음|정도)?\s*(?:에서|에|부터|께|부분))"
_KO_MINUTES_RE = re.compile(
    r"(?<![\d.])(?:(?P<h>\d{1,2})\s*시간\s*)?(?P<m>\d{1,3})\s*분" + _KO_PLACE
)
_KO_SECONDS_RE = re.compile(r"(?<![\d.])(?P<s>\d{1,4})\s*초" + _KO_PLACE)
# Second ranges written with the unit once or twice: "12~15초", "12초~15초", "12-15초".
_KO_SECOND_RANGE_RE = re.compile(
    r"(?<![\d.:])(?P<a>\d{1,4})\s*(?:초\s*)?(?:~|〜|-|–)\s*(?P<b>\d{1,4})\s*초"
)
_DOTTED_RE = re.compile(
    r"(?<![A-Za-z])(?:menit|minuto|minute|min|detik)\.?\s*(?:ke[-\s]?)?"
    r"(?P<m>\d{1,3})\.(?P<s>\d{2})(?!\d)(?!\.\d)",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Context rules (applied to the text on the same line right before / after a candidate)
# ---------------------------------------------------------------------------------------------
_I = re.IGNORECASE

_TOD_AFTER = re.compile(
    r"^\s*(?:[ap]\.\s?m\.?|[ap]m\b(?!\s+i\b)|uhr\b|hrs\b|h\b|o'?clock\b|tonight\b|noon\b|midnight\b"
    r"|in\s+the\s+(?:morning|evening|afternoon)\b|at\s+night\b"
    r"|정각|정오|자정|pagi\b|siang\b|sore\b|malam\b|de\s+la\s+(?:mañana|manana|tarde|noche)"
    r"|da\s+(?:manhã|manha|tarde|noite)|del\s+mattino)",
    _I,
)
_TZ_AFTER = re.compile(
    r"^\s*(?:WIB|WITA|WIT|KST|JST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|GMT|UTC|CET|CEST|BST|IST|AEST"
    r"|ET|PT)\b"
)
_TOD_BEFORE = re.compile(
    r"(?:오전|오후|새벽|아침|저녁|밤|낮|午前|午後"
    r"|\bjam|\bpukul|\bpkl\.?|\ba\s+las|\bàs"
    r"|\b(?:tonight|today|tomorrow|yesterday)\s+at"
    r"|\bthis\s+(?:morning|evening|afternoon)\s+at"
    r"|\b(?:woke|wake|waking|get|got)\s+up\s+at"
    r"|\balarm(?:\s+(?:at|for|set\s+(?:to|for)))?"
    r"|\bpremieres?(?:\s+(?:at|on))?|\bpremiere\s+starts\s+at"
    r"|\b(?:stream|live|livestream)\s+(?:starts?|begins?)\s+at"
    r"|\b(?:goes|went)\s+live\s+at|\b(?:posted|uploaded)\s+at)\s*$",
    _I,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_BEFORE = re.compile(
    r"(?:\d{4}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}\s*일?"
    r"|\b\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}"
    r"|\b\d{1,2}/\d{1,2}"
    r"|\d{1,2}\s*월\s*\d{1,2}\s*일"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s*\d{{4}})?"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s*\d{{4}})?)"
    r"\s*,?\s*(?:at|um|pukul|jam|à|a\s+las)?\s*$",
    _I,
)
_ITS_BEFORE = re.compile(r"\bit'?s\s+(?:currently\s+|already\s+|now\s+)?$", _I)
_ITS_AFTER = re.compile(r"^\s*(?:and\b|here\b|now\b|rn\b|right\s+now|where\b|in\s+the\b|,)", _I)

_RATIO_BEFORE = re.compile(
    r"(?:score|skor|스코어|점수|marcador|resultado|placar|ratio|aspect|비율|화면비|rasio"
    r"|perbandingan|proporci[oó]n|odds|split)"
    r"\s*(?:final|akhir|final\s+es)?\s*(?:of|is|was|were|:|=|de|es|adalah)?\s*$",
    _I,
)
_SCORE_VERB_BEFORE = re.compile(
    r"\b(?:won|lost|beat|defeated|menang|kalah|gan[oó]|perdi[oó]|venci[oó])\s+(?:by\s+|with\s+)?$",
    _I,
)
_RATIO_AFTER = re.compile(
    r"^\s*(?:aspect|ratio|split|odds|chance|비율|화면비|확률|rasio|perbandingan|proporci"
    r"|format\b|포맷|세로|가로|vertical\b|widescreen|%"
    r"|(?:으로|로)\s*(?:이겼|졌|승리|패배|이김|짐|승\b|패\b))",
    _I,
)

_BOOKS_ANY_CASE = (
    r"genesis|gen|exodus|exod|leviticus|deuteronomy|deut|joshua|nehemiah|psalms?|psa|proverbs|prov"
    r"|ecclesiastes|eccl|isaiah|isa|jeremiah|jer|lamentations|ezekiel|ezek|matthew|romans|rom"
    r"|corinthians|galatians|gal|ephesians|eph|philippians|colossians|hebrews|heb|revelations?"
    r"|mazmur|amsal|yohanes|kejadian|matius|yesaya|filipi|ibrani|efesus|korintus|wahyu"
    r"|salmos?|proverbios|mateo|romanos|g[ée]nesis|isa[ií]as|filipenses|hebreos|efesios"
    r"|apocalipsis|verse|ayat|vers[ií]culo"
)
_BOOKS_NUMBERED = r"cor|corinthians|tim|timothy|pet|peter|sam|samuel|kings|chron|chronicles|john|jn|thess|thessalonians|korintus|yohanes|juan|pedro"
_BIBLE_BEFORE = re.compile(
    rf"(?:(?<![\w])(?:{_BOOKS_ANY_CASE})\.?|\b[1-3]\s?(?:{_BOOKS_NUMBERED})\.?)\s*$", _I
)
_BIBLE_BEFORE_CASED = re.compile(r"\b(?:John|Mark|Luke|Acts|Juan|Roma|Lucas|Marcos)\s*$")
_BIBLE_BEFORE_KO = re.compile(
    r"(?:창세기|출애굽기|시편|잠언|전도서|이사야|예레미야|마태복음|마가복음|누가복음|요한복음"
    r"|사도행전|로마서|고린도[전후]서|갈라디아서|에베소서|빌립보서|골로새서|히브리서|야고보서"
    r"|베드로[전후]서|요한[일이삼]서|요한계시록)\s*$"
)

_ARITH_BEFORE = re.compile(r"(?:=|\d\s*[×÷*])\s*$")
_ARITH_AFTER = re.compile(r"^\s*(?:[-+×÷*/x:]\s*\d+(?:[.,:]\d+)*\s*)?=")
_CURRENCY_BEFORE = re.compile(r"[$€£¥₩₹]\s*$")

_DURATION_BEFORE = re.compile(
    r"(?:\blength|\bruntime|\brun\s+time|\bduration|\bdurasi|\bduraci[oó]n|\bdura[cç][aã]o"
    r"|길이|러닝\s*타임|재생\s*시간|\blasts?|\blasting|\btook|\btakes|\btook\s+(?:me|us|him|her|them)|\bin\s+under"
    r"|\brecord\s+(?:of|is)|\btime\s+of|\bpb(?:\s+(?:of|is))?|\bwr(?:\s+(?:of|is))?"
    r"|\b(?:the\s+)?(?:first|last|next|final))"
    r"\s*(?:is|was|of|:)?\s*(?:only\s+|just\s+)?$",
    _I,
)
_DURATION_AFTER = re.compile(
    r"^\s*(?:(?:min(?:ute)?s?\s+)?long\b|(?:분\s*)?(?:짜리|동안|만에))", _I
)
_UNIT_DURATION_BEFORE = re.compile(
    r"\b(?:for|took(?:\s+(?:me|us|him|her|them))?|takes|in\s+under|within|lasts?|first|last)\s*$",
    _I,
)
_UNIT_DURATION_AFTER = re.compile(
    r"^\s*(?:정도\s*)?(?:만에|동안|짜리|컷|걸|밖에|이내|안에|내내|long\b|pertama\b|primeros?\b)", _I
)
# "5분에 한 번", "10초에 1개": a rate, not a place.
_KO_RATE_AFTER = re.compile(r"^\s*(?:쯤|경|즈음|정도)?\s*에\s*(?:한\s*번|한번|\d|하나|한\s*개)")
# "3시 20분에": a time of day (시 is o'clock; 시간 is hours).
_KO_OCLOCK_BEFORE = re.compile(r"\d\s*시\s*(?:반\s*)?$")

_RANGE_GAP_RE = re.compile(
    r"^\s*(?:-+>?|–|—|~+|〜|->|-->|=>|→|to|till|until|hasta|sampai|s/d|sd|a|부터|에서)\s*~?\s*$",
    _I,
)

_CONTEXT = 40  # characters of context read on each side


@dataclass
class _Candidate:
    start: int
    end: int
    seconds: int
    kind: str  # "clock" | "unit" | "dotted" | "ko_place"
    rejected: str | None = None


def _clock_seconds(h: str | None, m: str, s: str) -> int | None:
    seconds = int(s)
    if len(s) != 2 or seconds >= 60:
        return None
    minutes = int(m)
    if h is not None:
        if len(m) != 2 or minutes >= 60:
            return None
        return int(h) * 3600 + minutes * 60 + seconds
    return minutes * 60 + seconds


def _unit_seconds(h: str | None, m: str | None, s: str) -> int | None:
    if h is None and m is None:
        return None  # "30초" alone is a duration ("30초 만에"), not a position
    seconds = int(s)
    minutes = int(m) if m is not None else 0
    if seconds >= 60 or (h is not None and minutes >= 60):
        return None
    return (int(h) if h is not None else 0) * 3600 + minutes * 60 + seconds


def _find_candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for regex, kind in (
        (_CLOCK_RE, "clock"),
        (_KO_UNIT_RE, "unit"),
        (_EN_UNIT_RE, "unit"),
        (_DOTTED_RE, "dotted"),
    ):
        for match in regex.finditer(text):
            groups = match.groupdict()
            if kind == "unit" and groups.get("h") is None and groups.get("m") is None:
                continue  # one unit alone: only a place form below may make it a position
            if kind == "unit":
                seconds = _unit_seconds(groups.get("h"), groups.get("m"), groups["s"])
            else:
                seconds = _clock_seconds(groups.get("h"), groups["m"], groups["s"])
            # An invalid match (e.g. "1:75", "1:60:00") still claims its span, so that no
            # shorter piece of it is read as a time.
            found.append(
                _Candidate(match.start(), match.end(), -1 if seconds is None else seconds, kind)
            )
    for match in _KO_SECOND_RANGE_RE.finditer(text):
        a, b = int(match.group("a")), int(match.group("b"))
        if a < b and not _UNIT_DURATION_AFTER.match(text[match.end() : match.end() + _CONTEXT]):
            found.append(_Candidate(match.start("a"), match.end("a"), a, "ko_place"))
            found.append(_Candidate(match.start("b"), match.end(), b, "ko_place"))
    for match in _KO_MINUTES_RE.finditer(text):
        hours = int(match.group("h")) if match.group("h") else 0
        minutes = int(match.group("m"))
        valid = not (match.group("h") and minutes >= 60)
        found.append(_Candidate(match.start(), match.end(),
                                hours * 3600 + minutes * 60 if valid else -1, "ko_place"))
    for match in _KO_SECONDS_RE.finditer(text):
        found.append(_Candidate(match.start(), match.end(), int(match.group("s")), "ko_place"))
    # Keep the earliest, then longest, non-overlapping candidates.
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Candidate] = []
    for cand in found:
        if kept and cand.start < kept[-1].end:
            continue
        kept.append(cand)
    return [c for c in kept if c.seconds >= 0]


def _line_before(text: str, start: int) -> str:
    chunk = text[max(0, start - _CONTEXT) : start]
    return chunk[chunk.rfind("\n") + 1 :]


def _line_after(text: str, end: int) -> str:
    chunk = text[end : end + _CONTEXT]
    cut = chunk.find("\n")
    return chunk if cut < 0 else chunk[:cut]


def _reject_reason(text: str, cand: _Candidate) -> str | None:
    before = _line_before(text, cand.start)
    after = _line_after(text, cand.end)
    if cand.kind in ("unit", "ko_place"):
        if _UNIT_DURATION_BEFORE.search(before) or _UNIT_DURATION_AFTER.match(after):
            return "duration"
        if cand.kind == "ko_place":
            if _KO_RATE_AFTER.match(after):
                return "rate"
            if _KO_OCLOCK_BEFORE.search(before) or _TOD_BEFORE.search(before):
                return "time_of_day"
        return None

    if _TOD_AFTER.match(after) or _TZ_AFTER.match(after) or _TOD_BEFORE.search(before):
        return "time_of_day"
    if _DATE_BEFORE.search(before):
        return "time_of_day"
    if _ITS_BEFORE.search(before) and _ITS_AFTER.match(after):
        return "time_of_day"
    if cand.kind == "dotted":
        return None  # the keyword in front already says "minute"

    token = text[cand.start : cand.end]
    if token == "50:50":
        return "ratio"
    if _RATIO_BEFORE.search(before) or _SCORE_VERB_BEFORE.search(before):
        return "ratio"
    if _RATIO_AFTER.match(after):
        return "ratio"
    if (
        _BIBLE_BEFORE.search(before)
        or _BIBLE_BEFORE_CASED.search(before)
        or _BIBLE_BEFORE_KO.search(before)
    ):
        return "bible"
    if _ARITH_BEFORE.search(before) or _ARITH_AFTER.match(after):
        return "arithmetic"
    if _CURRENCY_BEFORE.search(before):
        return "price"
    if _DURATION_BEFORE.search(before) or _DURATION_AFTER.match(after):
        return "duration"
    return None


# Reasons that describe the whole range "9:30-10:30 pm", not just the end that carries the word.
_RANGE_WIDE_REASONS = {"time_of_day", "bible"}


def _spread_over_ranges(text: str, cands: list[_Candidate]) -> None:
    for left, right in zip(cands, cands[1:], strict=False):
        if left.kind != "clock" or right.kind != "clock":
            continue
        if not _RANGE_GAP_RE.match(text[left.end : right.start]):
            continue
        if left.rejected in _RANGE_WIDE_REASONS and right.rejected is None:
            right.rejected = left.rejected
        elif right.rejected in _RANGE_WIDE_REASONS and left.rejected is None:
            left.rejected = right.rejected


def _blank_urls(text: str) -> str:
    # Same length, so that offsets (and anchor spans) stay valid.
    return _URL_RE.sub(lambda m: " " * len(m.group(0)), text)


def extract_timestamps(text: str, *, duration: float | None = None) -> list[int]:
    """Return the video positions (seconds) a comment points to, in order, duplicates kept.

    ``text`` is plain text or YouTube HTML (``textFormat=html``); the rules are in
    ``docs/timestamp-rules.md``. With ``duration``, positions after it are dropped (a position
    equal to it is kept).
    """
    if not text:
        return []
    anchors: list[_TimeAnchor] = []
    if looks_like_html(text):
        text, links = html_to_text(text)
        anchors = [_TimeAnchor(a.start, a.end, _t_from_href(a.href)) for a in links]
    text = _blank_urls(text.translate(_WIDTH_MAP))

    cands = _find_candidates(text)
    for cand in cands:
        cand.rejected = _reject_reason(text, cand)
    _spread_over_ranges(text, cands)

    used_anchors: set[int] = set()
    result: list[int] = []
    for cand in cands:
        anchor_index = next(
            (i for i, a in enumerate(anchors) if a.start < cand.end and cand.start < a.end),
            None,
        )
        if anchor_index is not None:
            if anchor_index in used_anchors:
                continue  # one anchor, one time: never count its text twice
            used_anchors.add(anchor_index)
        if cand.rejected:
            logger.debug("timestamp %r rejected: %s", text[cand.start : cand.end], cand.rejected)
            continue
        href_seconds = anchors[anchor_index].seconds if anchor_index is not None else None
        seconds = cand.seconds if href_seconds is None else href_seconds
        if duration is not None and seconds > duration:
            continue
        result.append(seconds)
    return result
