"""Imported comments files → comments: :func:`parse_comments_file`.

Pure module. Reads the files users already have (youtube-comment-downloader JSON lines, saved
YouTube Data API responses, yt-dlp ``.info.json``, flat JSON arrays, CSV), recognising the format
from the content, not the file name. The formats and their fields: docs/comment-files.md.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from typing import Any

from .flat import comment_from_flat, has_text_field, norm_key
from .records import CommentFileError, HarvestedComment, dedupe_comments, make_comment
from .youtube_formats import (
    comment_from_api_resource,
    comment_from_ytdlp,
    comments_from_api_response,
    comments_from_api_thread,
)

logger = logging.getLogger(__name__)

__all__ = ["MAX_COMMENTS", "MAX_FILE_BYTES", "parse_comments_file"]

#: The most comments one file may hold; larger files are refused rather than cut silently.
MAX_COMMENTS = 100_000
#: The most bytes one file may hold (the upload view should refuse bigger files earlier).
MAX_FILE_BYTES = 100 * 1024 * 1024

# How many bad line numbers an error message lists before "and N more".
_MAX_LINES_REPORTED = 5


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
            key="file_too_large",
            params={"megabytes": MAX_FILE_BYTES // (1024 * 1024)},
        )
    text = _decode(data)
    stripped = text.strip()
    if not stripped:
        raise CommentFileError("The comments file is empty.", code="empty", key="empty")

    comments = _parse_json_text(text) if stripped[0] in "[{" else _parse_csv_text(text)

    for number, comment in enumerate(comments, start=1):
        if not comment.comment_id:  # an API object saved without its id: give it a stable one
            comment.comment_id = f"noid-{number}"
    unique = dedupe_comments(comments)
    if not unique:
        raise CommentFileError(
            "The comments file contains no comments with text.", code="empty", key="no_text"
        )
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
            "This is not a text file. Upload comments as JSON-lines, JSON or CSV.", code="format",
            key="binary",
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
            key="not_utf8",
            params={"line": line},
        ) from None


class _NotAComment(Exception):
    """An object that is valid JSON but not anything we know how to read comments from."""


def _comments_from_object(obj: Any, fallback_id: str) -> list[HarvestedComment]:
    """Any JSON object we recognise → comments; ``[]`` for objects that hold none."""
    if not isinstance(obj, dict):
        raise _NotAComment
    kind = obj.get("kind")
    snippet = obj.get("snippet")
    if isinstance(obj.get("items"), list):  # an API list response
        return comments_from_api_response(obj)
    if kind == "youtube#commentThread" or (
        isinstance(snippet, dict) and "topLevelComment" in snippet
    ):
        return comments_from_api_thread(obj)
    if kind == "youtube#comment" or (isinstance(snippet, dict) and "textDisplay" in snippet):
        comment = comment_from_api_resource(obj)
        return [comment] if comment else []
    entries = obj.get("comments")
    if isinstance(entries, list):  # a yt-dlp .info.json
        found = (comment_from_ytdlp(e) for e in entries if isinstance(e, dict))
        return [c for c in found if c]
    if not has_text_field(obj):
        raise _NotAComment
    comment = comment_from_flat(obj, fallback_id)
    return [comment] if comment else []


def _parse_json_text(text: str) -> list[HarvestedComment]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return _parse_json_lines(text)

    if not isinstance(document, list):
        try:
            found = _comments_from_object(document, "item-1")
        except _NotAComment:
            raise CommentFileError(
                "This JSON file holds no comments we recognise (expected YouTube API responses, "
                "youtube-comment-downloader output, a yt-dlp .info.json or a list of comments).",
                code="format",
                key="unrecognised_json",
            ) from None
        _check_count(len(found))
        return found

    out: list[HarvestedComment] = []
    bad: list[int] = []
    for index, element in enumerate(document):
        if isinstance(element, str):  # a scraper's plain list of comment texts
            comment = make_comment(
                comment_id=f"item-{index + 1}", author="", author_channel_id="", text=element,
                like_count=0, published_at=None, parent_id=None, is_html=False,
            )
            if comment is not None:
                out.append(comment)
            _check_count(len(out))
            continue
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
            key="bad_array_items",
            params=_number_params(bad),
        )
    return out


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
            key="bad_json_lines",
            params=_number_params(bad),
        )
    return out


def _parse_csv_text(text: str) -> list[HarvestedComment]:
    sample = text[: 64 * 1024]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    # The header decides the delimiter: the candidate that splits it into the most columns.
    delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))
    # strict: an unclosed quote is an error, not one field that swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []
    columns = [norm_key(h) for h in header]
    if not has_text_field(columns):
        raise CommentFileError(
            "This file is neither JSON nor a CSV file with a comment text column "
            "(a header named text, comment, textDisplay or textOriginal).",
            code="no_text_column",
            key="no_text_column",
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
        comment = comment_from_flat(
            dict(zip(columns, row, strict=False)), f"line-{reader.line_num}"
        )
        if comment is not None:
            out.append(comment)
            _check_count(len(out))
    if bad:
        raise CommentFileError(
            f"{'Line' if len(bad) == 1 else 'Lines'} {_format_numbers(bad)} of the CSV file "
            f"{'has' if len(bad) == 1 else 'have'} more fields than the header or broken quoting.",
            code="bad_lines",
            lines=bad,
            key="bad_csv_rows",
            params=_number_params(bad),
        )
    return out


def _check_count(count: int) -> None:
    if count > MAX_COMMENTS:
        raise CommentFileError(
            f"The comments file has more than {MAX_COMMENTS:,} comments; split it or keep the top ones.",
            code="too_large",
            key="too_many_comments",
            params={"limit": MAX_COMMENTS},
        )


def _number_params(numbers: list[int]) -> dict[str, Any]:
    """What :func:`_format_numbers` writes, as values: how many, the ones shown, how many more."""
    shown = numbers[:_MAX_LINES_REPORTED]
    return {"count": len(numbers), "shown": shown, "more": len(numbers) - len(shown)}


def _format_numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_MAX_LINES_REPORTED])
    if len(numbers) > _MAX_LINES_REPORTED:
        shown += f" and {len(numbers) - _MAX_LINES_REPORTED} more"
    return shown
