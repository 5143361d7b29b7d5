"""YouTube's own comment shapes → :class:`~comment_files.records.HarvestedComment`.

Pure module, shared with :mod:`youtube`: Data API ``youtube#comment`` resources,
``youtube#commentThread`` threads and ``commentThreads.list`` / ``comments.list`` response
bodies (live harvests and saved responses alike), and the entries of yt-dlp's
``info["comments"]``. Inputs are parsed JSON, so every field is checked before it is used.
"""

from __future__ import annotations

from typing import Any

from .records import HarvestedComment, clean_id, make_comment, parse_published

__all__ = [
    "comment_from_api_resource",
    "comment_from_ytdlp",
    "comments_from_api_response",
    "comments_from_api_thread",
]


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
    return make_comment(
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
    snippet = thread.get("snippet")
    top_resource = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
    out: list[HarvestedComment] = []
    top = comment_from_api_resource(top_resource or {}, is_html=is_html)
    if top is not None:
        if not top.comment_id:
            top.comment_id = clean_id(thread.get("id"))
        out.append(top)
    replies = thread.get("replies")
    reply_resources = replies.get("comments") if isinstance(replies, dict) else None
    for reply in reply_resources if isinstance(reply_resources, list) else []:
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
    return make_comment(
        comment_id=entry.get("id"),
        author=entry.get("author"),
        author_channel_id=entry.get("author_id"),
        text=entry.get("text"),
        like_count=entry.get("like_count"),
        published_at=parse_published(entry.get("timestamp")),
        parent_id=entry.get("parent"),
        is_html=False,
    )
