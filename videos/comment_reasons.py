"""The reasons comment_files gives for refusing a comments file, in the reader's language.

comment_files/ is plain Python (no Django) and says why in English; each refusal also carries
a stable ``key`` naming its sentence and the ``params`` it was written with (sizes, counts, the
line numbers shown). Here the same sentences are marked for translation and filled in with
those values, ngettext choosing "Line 3 is" or "Lines 3, 5 are". In English the result is the
package's own sentence, word for word. A refusal with a key unknown here (a new one) is shown
in English rather than not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext, ngettext

from comment_files import CommentFileError


def _numbers(params: dict[str, Any]) -> str:
    """"2, 3, 4, 5, 6 and 4 more": the numbers shown and how many were left out."""
    shown = ", ".join(str(n) for n in params["shown"])
    more = int(params["more"])
    if not more:
        return shown
    return ngettext("%(numbers)s and %(more)d more", "%(numbers)s and %(more)d more",
                    more) % {"numbers": shown, "more": more}


def _file_too_large(params: dict[str, Any]) -> str:
    return gettext("The comments file is larger than %(megabytes)d MB.") % {
        "megabytes": int(params["megabytes"])}


def _not_utf8(params: dict[str, Any]) -> str:
    return gettext(
        "The comments file is not UTF-8 text (first bad byte on line %(line)d). "
        "Save it as UTF-8 (in Excel: “CSV UTF-8”) and try again."
    ) % {"line": int(params["line"])}


def _bad_array_items(params: dict[str, Any]) -> str:
    return gettext("Items %(numbers)s of the JSON array are not comments.") % {
        "numbers": _numbers(params)}


def _bad_json_lines(params: dict[str, Any]) -> str:
    return ngettext(
        "Line %(numbers)s is not a JSON comment. Every line of a JSON-lines file must be one "
        "comment object.",
        "Lines %(numbers)s are not a JSON comment. Every line of a JSON-lines file must be one "
        "comment object.",
        int(params["count"]),
    ) % {"numbers": _numbers(params)}


def _bad_csv_rows(params: dict[str, Any]) -> str:
    return ngettext(
        "Line %(numbers)s of the CSV file has more fields than the header or broken quoting.",
        "Lines %(numbers)s of the CSV file have more fields than the header or broken quoting.",
        int(params["count"]),
    ) % {"numbers": _numbers(params)}


def _too_many_comments(params: dict[str, Any]) -> str:
    return gettext(
        "The comments file has more than %(limit)s comments; split it or keep the top ones."
    ) % {"limit": f"{int(params['limit']):,}"}


_REASONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "file_too_large": _file_too_large,
    "empty": lambda _params: gettext("The comments file is empty."),
    "no_text": lambda _params: gettext("The comments file contains no comments with text."),
    "binary": lambda _params: gettext(
        "This is not a text file. Upload comments as JSON-lines, JSON or CSV."),
    "not_utf8": _not_utf8,
    "unrecognised_json": lambda _params: gettext(
        "This JSON file holds no comments we recognise (expected YouTube API responses, "
        "youtube-comment-downloader output, a yt-dlp .info.json or a list of comments)."),
    "bad_array_items": _bad_array_items,
    "bad_json_lines": _bad_json_lines,
    "bad_csv_rows": _bad_csv_rows,
    "no_text_column": lambda _params: gettext(
        "This file is neither JSON nor a CSV file with a comment text column "
        "(a header named text, comment, textDisplay or textOriginal)."),
    "too_many_comments": _too_many_comments,
}


def comment_reason(error: CommentFileError) -> str:
    """``error``'s sentence in the active language (its English text if the key is unknown
    or its values do not fit)."""
    reason = _REASONS.get(error.key)
    if reason is None:
        return str(error)
    try:
        return reason(error.params)
    except (KeyError, TypeError, ValueError):
        return str(error)
