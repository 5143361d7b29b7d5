"""Video timestamps in YouTube comments: text or YouTube HTML → seconds.

``extract_timestamps(text, duration=...)`` returns every video position a comment points to, in
order of appearance, duplicates kept (a comment that names 2:10 twice votes for it twice; the
ranking in :mod:`comments.ranking` dedupes per comment).

Input
=====
* **Plain text** (yt-dlp comments, imported files) or **YouTube HTML** (Data API with
  ``textFormat=html``). HTML is recognised by its tags (``<a``, ``<br>``, ``<b>`` …) or entities
  (``&amp;``, ``&#39;`` …). Tags are removed (``<br>`` becomes a line break) and entities are
  unescaped *after* the tags are parsed, so a literal ``&lt;a&gt;`` typed by a user stays text.
* **Anchors**: YouTube links every timestamp it recognises,
  ``<a href="https://www.youtube.com/watch?v=ID&amp;t=643">10:43</a>``. When an anchor's own text
  is a timestamp, the ``t=`` value of its ``href`` gives the seconds (``643``, ``643s``,
  ``10m43s``, ``1h2m3s``; also ``#t=``); the anchor's text is *not* counted a second time. The
  anchor still goes through the context rules below (YouTube happily links the ``9:30`` of
  ``9:30 pm``). Anchors whose text is not a timestamp (pasted links, @mentions, hashtags) never
  yield a time, and the numbers inside any URL are ignored — a pasted link may point at another
  video.

Forms that count
================
* Clocks ``m:ss``, ``mm:ss``, ``mmm:ss`` (long videos without hours) and ``h:mm:ss``, with or
  without leading zeros, ASCII or full-width colon (``１０：４３``). Seconds are always two digits
  and < 60; in ``h:mm:ss`` the minutes are two digits and < 60. A clock touching another digit or
  colon (``1:02:33:44``, ``12:345``) is not a time at all, nor is one followed by a decimal part
  (``1:23.456`` is a lap/speedrun time). Punctuation and words may be glued on either side:
  ``(3:07)``, ``-12:05``, ``8:10.``, ``@2:15``, ``5:20초``, ``at10:43``, ``0:00,1:23``.
* Ranges (``2:10-4:00``, ``6:12~6:20``, ``1:40 -> 2:05``, ``1:40부터 2:05까지``): both ends.
* Unit forms that name seconds plus a larger unit: ``10분 43초``, ``1시간 2분 3초``, ``2m30s``,
  ``1h2m3s``, ``2 min 30 sec``, ``2 menit 30 detik``, ``2 minutos 30 segundos``.
* Dotted clocks only right after a minute keyword: ``menit 2.30``, ``minuto 3.45``, ``min 2.30``
  (Indonesian/Spanish habit). A bare ``2.30`` is a price or a version, not a time.

Forms that do not count
=======================
The rule of thumb: reject only on a *clear* signal next to the number (we prefer precision where
the context says "not a video time", and recall everywhere else). Context is read on the same
line, immediately before/after the clock.

* **Times of day**: after: ``9:30 pm``/``a.m.`` (but ``3:20 am I the only one…`` is English),
  ``Uhr``/``h``/``hrs``, ``noon``/``midnight``/``정각``, a time zone (``WIB``, ``KST``,
  ``EST``…), ``in the morning``, ``de la tarde``, ``malam``; before: ``오전``/``오후``/``새벽``/
  ``저녁``/``아침``/``밤``, ``午後``, ``jam``/``pukul``, ``a las``, ``às``, ``tonight at``,
  ``woke up at``, ``alarm``, ``premieres at``, ``stream starts at``, ``posted at``…; a date right
  before (``2024-05-01 20:15``, ``5/12 20:15``, ``May 5 at 20:15``, ``5월 12일 20:15``);
  ``it's 2:30 and I'm still up``. The marker spreads over a range: ``9:30-10:30 pm`` and
  ``오후 3:30~5:00`` reject both ends.
* **Ratios and scores**: one-digit "seconds" never form a clock, which already rejects ``16:9``,
  ``4:3``, ``21:9``, ``3:1``. Two-digit pairs (``70:30``, ``16:10``, ``9:16``, ``21:19``) are
  valid positions in a long enough video, so they are rejected only when a context word is
  attached to them: right after (``aspect``, ``ratio``, ``비율``, ``화면비``, ``format``,
  ``vertical``, ``세로``, ``split``, ``odds``, ``chance``, ``%``, ``으로 이겼/졌``) or right before
  (``score``/``스코어``/``skor``/``marcador``/``ratio``/``aspect``/``split`` with an optional
  ``was``/``of``/``:``; ``won``/``lost``/``menang``/``kalah``). "Attached" matters: in
  ``the 2:1 ratio at 4:55`` the word belongs to ``2:1`` and ``4:55`` stays a time. ``50:50`` is
  always the idiom. Known cost: ``22:10 비율 미쳤다`` ("her proportions at 22:10") is lost.
* **Arithmetic**: an ``=`` right before, or right after (possibly after an operand such as
  ``÷ 2``): ``10:2=5``, ``100:20 = 5``, ``x = 12:30``.
* **Bible verses**: a book name immediately before (``John 3:16``, ``1 Cor 13:14``,
  ``Psalm 91:11``, ``요한복음 3:16``, ``Yohanes 3:16``, ``Juan 3:16``, ``verse``/``ayat``). Book
  names that are also common first names or words count only when capitalised and only for the
  famous ones (``John``, ``Mark``, ``Luke``, ``Acts``); ``Matt``/``Phil``/``Tim`` stay times
  (``Matt 3:20 face lol``, ``mark 12:01 for later``) and ``Job`` is never a book
  (``nice job 3:20``).
* **Prices and currency**: a currency sign right before (``$12:30``); plain prices (``$9.99``,
  ``Rp 15.000``, ``₩3,000``) never look like clocks.
* **Durations**: a clock that is a length, not a position (``the song is 3:45 long``,
  ``runtime 12:30``, ``the first 10:00``, ``took me 3:20``, ``in under 3:20``, ``record is
  2:01:09``, ``3:20 동안``/``만에``/``짜리``); unit forms without seconds (``3분컷``,
  ``10 minutes``, ``10분쯤``, ``1시간 20분``, ``30초`` alone) and unit forms with a duration
  marker (``2분 30초 만에``, ``for 2m30s``, ``took me 2m30s``, ``2 menit 30 detik pertama``).
* Numbers inside URLs, ``1:1``/``24/7``-style pairs, ports (``localhost:8080``).

With ``duration`` (seconds), times beyond it are dropped (``t > duration``); a time equal to the
duration is kept.

Known limits (measured in ``bench/timestamps.py``): minute- or second-only references
(``minute 12``, ``12분쯤``, ``30초부터``), ``2:10-15`` shorthand ranges (only ``2:10``) and times in
words are not extracted; clock times of day without a marker (``my 12:30 lunch break``,
``clocked in at 8:00``), unmarked scores (``Team A 21:15 Team B``) and lengths without a keyword
(``the song is only 2:45``) are taken as positions; ``2:31.5`` is dropped as a lap time.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from timeline import parse_t_param

logger = logging.getLogger(__name__)

__all__ = ["extract_timestamps", "parse_t_param"]

# Full-width digits/colon/tilde → ASCII, one character for one so that spans keep their offsets.
_WIDTH_MAP = str.maketrans(
    {"：": ":", "﹕": ":", "～": "~", **{chr(0xFF10 + i): str(i) for i in range(10)}}
)

# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^<>]*)>")
_HTML_HINT_RE = re.compile(
    r"<(?:a\s|/a>|br\s*/?>|b>|/b>|i>|/i>|s>|/s>|u>|/u>|p>|/p>|span|/span>|div|/div>|strong>|em>)"
    r"|&(?:amp|lt|gt|quot|apos|nbsp|#\d{1,6}|#x[0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)
_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BLOCK_TAGS = {"br", "p", "div", "li"}
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:youtu\.be|(?:m\.|music\.)?youtube\.com)/\S+", re.IGNORECASE
)


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    seconds: int | None


def _t_from_href(href: str) -> int | None:
    parts = urlsplit(html.unescape(href).strip())
    for component in (parts.query, parts.fragment):
        values = parse_qs(component).get("t") or parse_qs(component).get("start")
        if values:
            return parse_t_param(values[0])
    return None


def _html_to_text(text: str) -> tuple[str, list[_Anchor]]:
    """Strip tags, unescape entities and record where timestamp anchors ended up."""
    out: list[str] = []
    length = 0
    anchors: list[_Anchor] = []
    open_anchor: tuple[int, int | None] | None = None  # (start offset, t seconds)
    pos = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += len(chunk)

    for match in _HTML_TAG_RE.finditer(text):
        emit(html.unescape(text[pos : match.start()]))
        pos = match.end()
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name == "a" and not closing:
            href = _HREF_RE.search(attrs)
            href_value = next((g for g in href.groups() if g is not None), "") if href else ""
            open_anchor = (length, _t_from_href(href_value) if href_value else None)
        elif name == "a" and closing:
            if open_anchor is not None:
                anchors.append(_Anchor(open_anchor[0], length, open_anchor[1]))
            open_anchor = None
        elif name in _BLOCK_TAGS:
            emit("\n")
    emit(html.unescape(text[pos:]))
    return "".join(out), anchors


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
    r"^\s*(?:만에|동안|짜리|컷|걸|밖에|이내|안에|내내|long\b|pertama\b|primeros?\b)", _I
)

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
    kind: str  # "clock" | "unit" | "dotted"
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
            if kind == "unit":
                seconds = _unit_seconds(groups.get("h"), groups.get("m"), groups["s"])
            else:
                seconds = _clock_seconds(groups.get("h"), groups["m"], groups["s"])
            # An invalid match (e.g. "1:75", "1:60:00") still claims its span, so that no
            # shorter piece of it is read as a time.
            found.append(
                _Candidate(match.start(), match.end(), -1 if seconds is None else seconds, kind)
            )
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
    if cand.kind == "unit":
        if _UNIT_DURATION_BEFORE.search(before) or _UNIT_DURATION_AFTER.match(after):
            return "duration"
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

    ``text`` is plain text or YouTube HTML (``textFormat=html``); see the module docstring for
    the exact rules. With ``duration``, positions after it are dropped.
    """
    if not text:
        return []
    anchors: list[_Anchor] = []
    if _HTML_HINT_RE.search(text):
        text, anchors = _html_to_text(text)
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
        seconds = cand.seconds
        if anchor_index is not None and anchors[anchor_index].seconds is not None:
            seconds = anchors[anchor_index].seconds
        if duration is not None and seconds > duration:
            continue
        result.append(seconds)
    return result
