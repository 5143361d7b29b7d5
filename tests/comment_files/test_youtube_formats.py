"""Tests of comment_files.youtube_formats: YouTube Data API and yt-dlp shapes → records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from comment_files import (
    comment_from_api_resource,
    comment_from_ytdlp,
    comments_from_api_response,
    comments_from_api_thread,
)


def resource(cid: str, text: str, **snippet: Any) -> dict[str, Any]:
    return {
        "kind": "youtube#comment",
        "id": cid,
        "snippet": {"textDisplay": text, "authorDisplayName": "@ann", **snippet},
    }


def test_api_resource_fields() -> None:
    comment = comment_from_api_resource(
        resource(
            "c1",
            "can&#39;t stop",
            authorChannelId={"value": "UCabc"},
            likeCount=7,
            publishedAt="2024-01-02T03:04:05Z",
        )
    )
    assert comment is not None
    assert (comment.comment_id, comment.author, comment.author_channel_id) == (
        "c1",
        "@ann",
        "UCabc",
    )
    assert (comment.text, comment.like_count, comment.is_html) == ("can&#39;t stop", 7, True)
    assert comment.published_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert comment.parent_id is None


def test_api_resource_falls_back_to_text_original_as_plain_text() -> None:
    res = resource("c1", "  ", textOriginal="it's <b>plain</b>")
    comment = comment_from_api_resource(res)
    assert comment is not None
    assert (comment.text, comment.is_html) == ("it's <b>plain</b>", False)
    # Told the response is HTML, it stays so (textFormat is per request).
    told = comment_from_api_resource(res, is_html=True)
    assert told is not None and told.is_html is True


def test_api_resource_without_snippet_or_text() -> None:
    assert comment_from_api_resource({"id": "x"}) is None
    assert comment_from_api_resource({"id": "x", "snippet": "oops"}) is None
    assert comment_from_api_resource(resource("x", "")) is None


def test_thread_gives_top_then_replies_with_parent_ids() -> None:
    thread = {
        "kind": "youtube#commentThread",
        "id": "t1",
        "snippet": {"topLevelComment": resource("", "top 1:02")},
        "replies": {
            "comments": [
                resource("t1.r1", "reply one", parentId="t1"),
                resource("t1.r2", "reply two"),  # no parentId: the top comment's id
                resource("t1.r3", ""),  # no text: dropped
                "not a resource",
            ]
        },
    }
    comments = comments_from_api_thread(thread)
    # A top-level comment saved without an id takes the thread's.
    assert [(c.comment_id, c.parent_id) for c in comments] == [
        ("t1", None),
        ("t1.r1", "t1"),
        ("t1.r2", "t1"),
    ]


def test_thread_with_odd_shapes() -> None:
    assert comments_from_api_thread("nope") == []  # type: ignore[arg-type]
    assert comments_from_api_thread({"snippet": None, "replies": {"comments": "x"}}) == []
    only_top = comments_from_api_thread({"snippet": {"topLevelComment": resource("a", "hi")}})
    assert [c.comment_id for c in only_top] == ["a"]


def test_response_marks_every_comment_html_when_one_is() -> None:
    response = {
        "items": [
            {"snippet": {"topLevelComment": resource("a", "plain words")}},
            resource("b", "x &amp; y"),
            "junk",
        ]
    }
    comments = comments_from_api_response(response)
    assert [(c.comment_id, c.is_html) for c in comments] == [("a", True), ("b", True)]
    plain = comments_from_api_response({"items": [resource("a", "plain words")]})
    assert [c.is_html for c in plain] == [False]
    assert comments_from_api_response({}) == []


def test_ytdlp_entry() -> None:
    comment = comment_from_ytdlp(
        {
            "id": "r1",
            "parent": "root",
            "text": "10:43 &amp; more",
            "author": "@bo",
            "author_id": "UCbo",
            "like_count": 12,
            "timestamp": 1704164645,
        }
    )
    assert comment is not None
    assert (comment.comment_id, comment.parent_id, comment.author_channel_id) == (
        "r1",
        None,
        "UCbo",
    )
    # yt-dlp texts are plain: an entity typed by the user is not markup.
    assert (comment.text, comment.is_html, comment.like_count) == ("10:43 &amp; more", False, 12)
    assert comment.published_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    reply = comment_from_ytdlp({"id": "p.r", "parent": "p", "text": "yes"})
    assert reply is not None and reply.parent_id == "p"
    assert comment_from_ytdlp({"id": "e", "text": None}) is None
