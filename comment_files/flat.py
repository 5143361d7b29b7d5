"""Flat comment objects → :class:`~comment_files.records.HarvestedComment`.

Pure module. A flat object is one comment as a plain mapping: a line of
youtube-comment-downloader's JSON-lines, an element of a hand-made JSON array, or a CSV row
keyed by its header. Field names are matched loosely (``"Like Count"`` == ``"likeCount"`` ==
``"likecount"``), each from a list of the names exporters use, in order of preference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .records import HarvestedComment, clean_id, make_comment, parse_published

__all__ = ["TEXT_KEYS", "comment_from_flat", "has_text_field", "norm_key"]

# Field names recognised in flat objects and CSV headers, in order of preference, as compared
# after norm_key (lower case, letters and digits only).
TEXT_KEYS = (
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


def norm_key(key: Any) -> str:
    """A field name as compared: ``"Like Count"`` → ``"likecount"``."""
    return re.sub(r"[^0-9a-z]", "", str(key).lower())


def has_text_field(keys: Iterable[Any]) -> bool:
    """Whether field names (object keys, a CSV header) include a comment text field."""
    return not {norm_key(k) for k in keys}.isdisjoint(TEXT_KEYS)


def comment_from_flat(obj: Mapping[Any, Any], fallback_id: str) -> HarvestedComment | None:
    """A flat object → a comment (``None`` without text); ``fallback_id`` when it has no id."""
    lowered = {norm_key(k): v for k, v in obj.items()}
    channel = _first(lowered, _CHANNEL_KEYS)
    if isinstance(channel, dict):  # authorChannelId: {"value": "UC..."}
        channel = channel.get("value")
    comment_id = clean_id(_first(lowered, _ID_KEYS)) or fallback_id
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
    text = _first(lowered, TEXT_KEYS)
    if text is not None and not isinstance(text, str):
        text = str(text) if isinstance(text, int | float) else None
    return make_comment(
        comment_id=comment_id,
        author=_first(lowered, _AUTHOR_KEYS),
        author_channel_id=channel if isinstance(channel, str) else None,
        text=text,
        like_count=_first(lowered, _LIKES_KEYS),
        published_at=published,
        parent_id=parent,
    )


def _first(lowered: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return value
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
