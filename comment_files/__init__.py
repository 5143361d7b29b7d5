"""Comments as plain data, and a parser for comment files users import.

Pure module: no Django, no network. It defines :class:`HarvestedComment`, the one shape every
comment source produces (the YouTube Data API and yt-dlp in :mod:`youtube`, imported
files here), and :func:`parse_comments_file`, which reads the files users already have:

* **JSON-lines as written by youtube-comment-downloader** — one object per line with ``cid``,
  ``text``, ``author``, ``channel``, ``votes`` (a display string: ``"1.2K"``, ``"3,401"``,
  ``"1.2만"``), ``reply``, ``heart``, ``time`` ("2 years ago") and ``time_parsed`` (epoch).
* **Saved YouTube Data API responses** — one ``commentThreads.list`` (or ``comments.list``)
  response object, a JSON array of them, or JSON-lines of them.
* **yt-dlp ``.info.json``** written with ``--write-comments`` (a ``comments`` list).
* **A JSON array of flat comment objects** (any of the field names below).
* **CSV** (comma, semicolon or tab separated) with a header row; columns are matched
  case-insensitively: text (``text``, ``comment``, ``textDisplay``, ``textOriginal``, ...),
  author, likes (``likes``, ``votes``, ``likeCount``), id (``id``, ``cid``), published
  (``published``, ``publishedAt``, ``time``, ``date``) and parent.

The format is recognised from the content, not from the file name, because users rename files.

Texts from the API are YouTube HTML (``textFormat=html``: ``&#39;``, ``<br>``, and timestamp
anchors ``<a href="...&amp;t=643">10:43</a>``). They are kept as HTML so the timestamp extractor
can read the anchors; :attr:`HarvestedComment.is_html` says so, and :func:`html_to_plain_text`
gives a display version. Anything shown in a page must still be escaped by the template.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha1
from typing import Any

logger = logging.getLogger(__name__)

#: The most comments one file may hold; larger files are refused rather than cut silently.
MAX_COMMENTS = 100_000
#: The most bytes one file may hold (the upload view should refuse bigger files earlier).
MAX_FILE_BYTES = 100 * 1024 * 1024
#: YouTube's own limit on a comment's length; longer texts in a file are cut to it.
MAX_TEXT_CHARS = 10_000
# Field sizes of analysis.models.Comment, so that whatever is parsed here can be stored.
MAX_ID_CHARS = 128
MAX_AUTHOR_CHARS = 200
MAX_CHANNEL_ID_CHARS = 64

# How many bad line numbers an error message lists before "and N more".
_MAX_LINES_REPORTED = 5


@dataclass(slots=True)
class HarvestedComment:
    """One comment (or reply), whatever it came from.

    ``text`` is YouTube HTML when ``is_html`` is true (API harvests and saved API responses),
    plain text otherwise. ``parent_id`` is the top-level comment's id for a reply, ``None`` for
    a top-level comment. ``published_at`` is timezone-aware UTC, or ``None`` when unknown;
    scraped sources (yt-dlp, youtube-comment-downloader) only know "2 years ago", so their
    times are estimates.
    """

    comment_id: str
    author: str
    author_channel_id: str
    text: str
    like_count: int
    published_at: datetime | None
    parent_id: str | None = None
    is_html: bool = False


class CommentFileError(ValueError):
    """A comments file that cannot be read. ``message`` is shown to the user as it is.

    ``code`` is stable (``empty``, ``encoding``, ``too_large``, ``format``, ``bad_lines``,
    ``no_text_column``) so that the UI can translate; ``lines`` lists the 1-based line numbers
    at fault, when there are any.
    """

    def __init__(self, message: str, *, code: str, lines: list[int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.lines = lines or []


# --------------------------------------------------------------------------------------------
# Small value parsers shared with youtube


_TAG_RE = re.compile(r"<[^>]+>")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_HINT_RE = re.compile(
    r"<(?:a|br|b|i|s|span)\b[^>]*>|</(?:a|b|i|s|span)>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.I
)


def html_to_plain_text(text: str) -> str:
    """YouTube comment HTML → plain text for display (line breaks kept, tags dropped)."""
    return html.unescape(_TAG_RE.sub("", _BR_RE.sub("\n", text)))


def looks_like_html(text: str) -> bool:
    """Whether a comment text carries YouTube's HTML markup or entities."""
    return bool(_HTML_HINT_RE.search(text))


# "1.2K", "3,401", "1.2만", "3천", "2M", " 17 " → an int. YouTube shows abbreviated counts in
# the viewer's locale, and youtube-comment-downloader stores them as displayed.
_COUNT_RE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)*)\s*([kmb천만억]?)\s*$", re.IGNORECASE)
_COUNT_MULTIPLIERS = {
    "": 1,
    "k": 1_000,
    "m": 1_000_000,
    "b": 1_000_000_000,
    "천": 1_000,
    "만": 10_000,
    "억": 100_000_000,
}


def parse_count(value: Any) -> int:
    """Parse a like/vote count as YouTube or a scraper wrote it; anything unreadable is 0."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float):
        return max(int(value), 0) if math.isfinite(value) else 0
    match = _COUNT_RE.match(str(value))
    if not match:
        return 0
    number, suffix = match.groups()
    multiplier = _COUNT_MULTIPLIERS[suffix.lower()]
    if multiplier == 1:
        # Without a suffix, separators are thousands separators ("3,401", "3.401").
        return int(re.sub(r"[.,]", "", number))
    # With a suffix, the separator is a decimal point ("1.2K", "1,2K").
    return int(float(number.replace(",", ".")) * multiplier)


def parse_published(value: Any) -> datetime | None:
    """ISO 8601 text or an epoch number (s or ms) → aware UTC datetime; else ``None``.

    Relative texts ("2 years ago") give ``None``: without the moment they were scraped there is
    nothing to be relative to.
    """
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        return _from_epoch(float(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # Exports without an offset are, in practice, UTC (the API and the tools all write UTC).
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _clean_id(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) > MAX_ID_CHARS:
        # Keep it unique and storable rather than cutting it into a possible collision.
        text = "sha1:" + sha1(text.encode("utf-8")).hexdigest()
    return text


def _clean_str(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return str(value).strip()[:limit]


def _make_comment(
    *,
    comment_id: Any,
    author: Any,
    author_channel_id: Any,
    text: Any,
    like_count: Any,
    published_at: datetime | None,
    parent_id: Any,
    is_html: bool | None = None,
) -> HarvestedComment | None:
    """Build a comment from loosely typed values; ``None`` when there is no text."""
    body = "" if text is None else str(text)
    if not body.strip():
        return None
    body = body[:MAX_TEXT_CHARS]
    parent = _clean_id(parent_id) if parent_id not in (None, "", "root") else None
    return HarvestedComment(
        comment_id=_clean_id(comment_id),
        author=_clean_str(author, MAX_AUTHOR_CHARS),
        author_channel_id=_clean_str(author_channel_id, MAX_CHANNEL_ID_CHARS),
        text=body,
        like_count=parse_count(like_count),
        published_at=published_at,
        parent_id=parent or None,
        is_html=looks_like_html(body) if is_html is None else is_html,
    )


# --------------------------------------------------------------------------------------------
# YouTube Data API resources (shared with youtube)


def comment_from_api_resource(
    resource: dict[str, Any], *, is_html: bool | None = None
) -> HarvestedComment | None:
    """A ``youtube#comment`` resource → :class:`HarvestedComment` (``None`` if it has no text).

    ``textDisplay`` is used: with ``textFormat=html`` it keeps YouTube's timestamp anchors.
    ``textOriginal`` is only a fallback (the API returns it reliably only to the author).
    """
    snippet = resource.get("snippet") if isinstance(resource, dict) else None
    if not isinstance(snippet, dict):
        return None
    text = snippet.get("textDisplay")
    if not isinstance(text, str) or not text.strip():
        text = snippet.get("textOriginal")
        is_html = False if is_html is None else is_html
    channel = snippet.get("authorChannelId")
    channel_id = channel.get("value") if isinstance(channel, dict) else channel
    return _make_comment(
        comment_id=resource.get("id"),
        author=snippet.get("authorDisplayName"),
        author_channel_id=channel_id,
        text=text,
        like_count=snippet.get("likeCount"),
        published_at=parse_published(snippet.get("publishedAt")),
        parent_id=snippet.get("parentId"),
        is_html=is_html,
    )


def comments_from_api_thread(
    thread: dict[str, Any], *, is_html: bool | None = None
) -> list[HarvestedComment]:
    """A ``youtube#commentThread`` → its top-level comment followed by its inline replies.

    The API puts at most a handful of replies (up to 5) inline in ``replies.comments``; the
    rest would need one ``comments.list`` call per thread, which we do not make.
    """
    if not isinstance(thread, dict):
        return []
    snippet = thread.get("snippet") if isinstance(thread.get("snippet"), dict) else {}
    out: list[HarvestedComment] = []
    top = comment_from_api_resource(snippet.get("topLevelComment") or {}, is_html=is_html)
    if top is not None:
        if not top.comment_id:
            top.comment_id = _clean_id(thread.get("id"))
        out.append(top)
    replies = (
        (thread.get("replies") or {}).get("comments")
        if isinstance(thread.get("replies"), dict)
        else None
    )
    for reply in replies or []:
        comment = comment_from_api_resource(reply, is_html=is_html)
        if comment is None:
            continue
        if comment.parent_id is None and top is not None:
            comment.parent_id = top.comment_id
        out.append(comment)
    return out


def comments_from_api_response(
    response: dict[str, Any], *, is_html: bool | None = None
) -> list[HarvestedComment]:
    """A ``commentThreads.list`` or ``comments.list`` response body → comments, in order."""
    out: list[HarvestedComment] = []
    for item in response.get("items") or []:
        if not isinstance(item, dict):
            continue
        if item.get("kind") == "youtube#comment":
            comment = comment_from_api_resource(item, is_html=is_html)
            if comment is not None:
                out.append(comment)
        else:
            out.extend(comments_from_api_thread(item, is_html=is_html))
    if is_html is None and any(c.is_html for c in out):
        # textFormat is chosen per request: if any text of a response is HTML, all are, even
        # those without markup (whose HTML and plain forms happen to be the same).
        for comment in out:
            comment.is_html = True
    return out


def comment_from_ytdlp(entry: dict[str, Any]) -> HarvestedComment | None:
    """One entry of yt-dlp's ``info['comments']`` → :class:`HarvestedComment` (plain text)."""
    return _make_comment(
        comment_id=entry.get("id"),
        author=entry.get("author"),
        author_channel_id=entry.get("author_id"),
        text=entry.get("text"),
        like_count=entry.get("like_count"),
        published_at=parse_published(entry.get("timestamp")),
        parent_id=entry.get("parent"),
        is_html=False,
    )


# --------------------------------------------------------------------------------------------
# Flat comment objects (youtube-comment-downloader, hand-made JSON, CSV rows)

# Field names recognised in flat objects and CSV headers, in order of preference. Keys are
# compared after _norm_key (lower case, letters and digits only): "Like Count" == "likeCount".
_TEXT_KEYS = (
    "text",
    "textdisplay",
    "textoriginal",
    "comment",
    "commenttext",
    "content",
    "body",
    "message",
)
_AUTHOR_KEYS = ("author", "authordisplayname", "authorname", "user", "username", "name")
_CHANNEL_KEYS = ("authorchannelid", "channel", "channelid", "authorid")
_ID_KEYS = ("id", "cid", "commentid")
_LIKES_KEYS = ("likes", "likecount", "votes", "votecount")
_PUBLISHED_KEYS = (
    "publishedat",
    "published",
    "timeparsed",
    "timestamp",
    "date",
    "time",
    "updatedat",
)
_PARENT_KEYS = ("parentid", "parent")
_REPLY_FLAG_KEYS = ("reply", "isreply")


def _norm_key(key: Any) -> str:
    return re.sub(r"[^0-9a-z]", "", str(key).lower())


def _first(lowered: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return value
    return None


def _comment_from_flat(obj: dict[str, Any], fallback_id: str) -> HarvestedComment | None:
    lowered = {_norm_key(k): v for k, v in obj.items()}
    channel = _first(lowered, _CHANNEL_KEYS)
    if isinstance(channel, dict):  # authorChannelId: {"value": "UC..."}
        channel = channel.get("value")
    comment_id = _clean_id(_first(lowered, _ID_KEYS)) or fallback_id
    parent = _first(lowered, _PARENT_KEYS)
    if parent is None and _truthy(_first(lowered, _REPLY_FLAG_KEYS)) and "." in comment_id:
        # youtube-comment-downloader marks replies with "reply": true and ids "<parent>.<reply>".
        parent = comment_id.split(".", 1)[0]
    published: datetime | None = None
    for key in _PUBLISHED_KEYS:
        if lowered.get(key) not in (None, ""):
            published = parse_published(lowered[key])
            if published is not None:
                break
    text = _first(lowered, _TEXT_KEYS)
    if text is not None and not isinstance(text, str):
        text = str(text) if isinstance(text, int | float) else None
    return _make_comment(
        comment_id=comment_id,
        author=_first(lowered, _AUTHOR_KEYS),
        author_channel_id=channel if isinstance(channel, str) else None,
        text=text,
        like_count=_first(lowered, _LIKES_KEYS),
        published_at=published,
        parent_id=parent,
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _comments_from_object(obj: Any, fallback_id: str) -> list[HarvestedComment]:
    """Any JSON object we recognise → comments; ``[]`` for objects that hold none."""
    if not isinstance(obj, dict):
        raise _NotAComment
    kind = obj.get("kind")
    if isinstance(obj.get("items"), list):  # an API list response
        return comments_from_api_response(obj)
    if kind == "youtube#commentThread" or (
        isinstance(obj.get("snippet"), dict) and "topLevelComment" in obj["snippet"]
    ):
        return comments_from_api_thread(obj)
    if kind == "youtube#comment" or (
        isinstance(obj.get("snippet"), dict) and "textDisplay" in obj["snippet"]
    ):
        comment = comment_from_api_resource(obj)
        return [comment] if comment else []
    if isinstance(obj.get("comments"), list):  # a yt-dlp .info.json
        return [
            c for c in (comment_from_ytdlp(e) for e in obj["comments"] if isinstance(e, dict)) if c
        ]
    lowered = {_norm_key(k) for k in obj}
    if not lowered.intersection(_TEXT_KEYS):
        raise _NotAComment
    comment = _comment_from_flat(obj, fallback_id)
    return [comment] if comment else []


class _NotAComment(Exception):
    """An object that is valid JSON but not anything we know how to read comments from."""


# --------------------------------------------------------------------------------------------
# The file parser


def parse_comments_file(data: bytes, filename: str = "") -> list[HarvestedComment]:
    """Read an imported comments file → comments, deduplicated by comment id, in file order.

    ``filename`` is only used in log messages: the format is detected from the content.
    Raises :class:`CommentFileError` with a user-facing message for empty, binary, wrongly
    encoded, malformed (with line numbers) or oversized files, and files with no comments.
    """
    if len(data) > MAX_FILE_BYTES:
        raise CommentFileError(
            f"The comments file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.",
            code="too_large",
        )
    text = _decode(data)
    stripped = text.strip()
    if not stripped:
        raise CommentFileError("The comments file is empty.", code="empty")

    if stripped[0] in "[{":
        comments = _parse_json_text(text)
    else:
        comments = _parse_csv_text(text)

    for number, comment in enumerate(comments, start=1):
        if not comment.comment_id:  # an API object saved without its id: give it a stable one
            comment.comment_id = f"noid-{number}"
    unique = dedupe_comments(comments)
    if not unique:
        raise CommentFileError("The comments file contains no comments with text.", code="empty")
    logger.info(
        "Parsed %d comments (%d duplicates dropped) from %r",
        len(unique),
        len(comments) - len(unique),
        filename,
    )
    return unique


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" and some Windows tools write UTF-16 with a byte-order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:4096]:
        raise CommentFileError(
            "This is not a text file. Upload comments as JSON-lines, JSON or CSV.", code="format"
        )
    try:
        # utf-8-sig also reads plain UTF-8; it only drops a leading byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CommentFileError(
            f"The comments file is not UTF-8 text (first bad byte on line {line}). "
            "Save it as UTF-8 (in Excel: “CSV UTF-8”) and try again.",
            code="encoding",
            lines=[line],
        ) from None


def _parse_json_text(text: str) -> list[HarvestedComment]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
        is_document = False
    else:
        is_document = True

    if is_document:
        if isinstance(document, list):
            out: list[HarvestedComment] = []
            bad: list[int] = []
            for index, element in enumerate(document):
                try:
                    out.extend(_comments_from_object(element, f"item-{index + 1}"))
                except _NotAComment:
                    bad.append(index + 1)
                _check_count(len(out))
            if bad:
                raise CommentFileError(
                    f"Items {_format_numbers(bad)} of the JSON array are not comments.",
                    code="format",
                    lines=bad,
                )
            return out
        try:
            out = _comments_from_object(document, "item-1")
        except _NotAComment:
            raise CommentFileError(
                "This JSON file holds no comments we recognise (expected YouTube API responses, "
                "youtube-comment-downloader output, a yt-dlp .info.json or a list of comments).",
                code="format",
            ) from None
        _check_count(len(out))
        return out
    return _parse_json_lines(text)


def _parse_json_lines(text: str) -> list[HarvestedComment]:
    out: list[HarvestedComment] = []
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.extend(_comments_from_object(obj, f"line-{number}"))
        except (json.JSONDecodeError, _NotAComment):
            bad.append(number)
            if len(bad) > 1000:  # clearly not JSON-lines; stop scanning a huge garbage file
                break
            continue
        _check_count(len(out))
    if bad:
        raise CommentFileError(
            f"{'Line' if len(bad) == 1 else 'Lines'} {_format_numbers(bad)} "
            f"{'is' if len(bad) == 1 else 'are'} not a JSON comment. Every line of a JSON-lines "
            "file must be one comment object.",
            code="bad_lines",
            lines=bad,
        )
    return out


def _parse_csv_text(text: str) -> list[HarvestedComment]:
    sample = text[: 64 * 1024]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    # The header decides the delimiter: the candidate that splits it into the most columns.
    delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []
    columns = [_norm_key(h) for h in header]
    if not set(columns).intersection(_TEXT_KEYS):
        raise CommentFileError(
            "This file is neither JSON nor a CSV file with a comment text column "
            "(a header named text, comment, textDisplay or textOriginal).",
            code="no_text_column",
        )
    out: list[HarvestedComment] = []
    bad: list[int] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            bad.append(reader.line_num)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            bad.append(reader.line_num)
            continue
        obj = dict(zip(columns, row, strict=False))
        comment = _comment_from_flat(obj, f"line-{reader.line_num}")
        if comment is not None:
            out.append(comment)
            _check_count(len(out))
    if bad:
        raise CommentFileError(
            f"{'Line' if len(bad) == 1 else 'Lines'} {_format_numbers(bad)} of the CSV file "
            f"{'has' if len(bad) == 1 else 'have'} more fields than the header or broken quoting.",
            code="bad_lines",
            lines=bad,
        )
    return out


def _check_count(count: int) -> None:
    if count > MAX_COMMENTS:
        raise CommentFileError(
            f"The comments file has more than {MAX_COMMENTS:,} comments; split it or keep the top ones.",
            code="too_large",
        )


def _format_numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_MAX_LINES_REPORTED])
    if len(numbers) > _MAX_LINES_REPORTED:
        shown += f" and {len(numbers) - _MAX_LINES_REPORTED} more"
    return shown


def dedupe_comments(comments: Iterable[HarvestedComment]) -> list[HarvestedComment]:
    """Drop later comments whose id was already seen, keeping the first one's order."""
    seen: set[str] = set()
    out: list[HarvestedComment] = []
    for comment in comments:
        if comment.comment_id in seen:
            continue
        seen.add(comment.comment_id)
        out.append(comment)
    return out
