"""The comment record every source produces, and the value parsers that build it.

Pure module: :class:`HarvestedComment` (what the YouTube Data API, yt-dlp and imported files
all become), :class:`CommentFileError`, the field limits of ``analysis.models.Comment``, the
loose-value parsers (:func:`parse_count`, :func:`parse_published`) and :func:`dedupe_comments`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha1
from typing import Any

from comments.text import looks_like_html, storable

__all__ = [
    "MAX_AUTHOR_CHARS",
    "MAX_CHANNEL_ID_CHARS",
    "MAX_ID_CHARS",
    "MAX_TEXT_CHARS",
    "CommentFileError",
    "HarvestedComment",
    "dedupe_comments",
    "parse_count",
    "parse_published",
]

#: YouTube's own limit on a comment's length; longer texts in a file are cut to it.
MAX_TEXT_CHARS = 10_000
# Field sizes of analysis.models.Comment, so that whatever is parsed here can be stored.
MAX_ID_CHARS = 128
MAX_AUTHOR_CHARS = 200
MAX_CHANNEL_ID_CHARS = 64


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
    at fault, when there are any. ``key`` names the sentence itself (finer than ``code``: two
    ``empty`` sentences differ) and ``params`` holds the values it was written with (sizes,
    counts, the line numbers shown and how many more there are), so that a UI can write the
    same sentence in another language; ``key`` defaults to ``code``.
    """

    def __init__(
        self, message: str, *, code: str, lines: list[int] | None = None, key: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.lines = lines or []
        self.key = key or code
        self.params: dict[str, Any] = dict(params or {})


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


def clean_id(value: Any) -> str:
    """An id as text, stripped; one too long to store becomes its SHA-1 (still unique)."""
    text = storable(str(value)).strip() if value is not None else ""
    if len(text) > MAX_ID_CHARS:
        # Keep it unique and storable rather than cutting it into a possible collision.
        text = "sha1:" + sha1(text.encode("utf-8")).hexdigest()
    return text


def _clean_str(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return storable(str(value)).strip()[:limit]


def make_comment(
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
    """Build a comment from loosely typed values; ``None`` when there is no text.

    Values are cut to what ``analysis.models.Comment`` can store. ``is_html=None`` means "look
    at the text" (:func:`comments.text.looks_like_html`).
    """
    body = "" if text is None else storable(str(text))
    if not body.strip():
        return None
    body = body[:MAX_TEXT_CHARS]
    parent = clean_id(parent_id) if parent_id not in (None, "", "root") else None
    return HarvestedComment(
        comment_id=clean_id(comment_id),
        author=_clean_str(author, MAX_AUTHOR_CHARS),
        author_channel_id=_clean_str(author_channel_id, MAX_CHANNEL_ID_CHARS),
        text=body,
        like_count=parse_count(like_count),
        published_at=published_at,
        parent_id=parent or None,
        is_html=looks_like_html(body) if is_html is None else is_html,
    )


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
