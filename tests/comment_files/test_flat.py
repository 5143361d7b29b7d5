"""Tests of comment_files.flat: loose field names of flat comment objects and CSV rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from comment_files.flat import comment_from_flat, has_text_field, norm_key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Like Count", "likecount"),
        ("likeCount", "likecount"),
        ("time_parsed", "timeparsed"),
        (3, "3"),
    ],
)
def test_norm_key(key: object, expected: str) -> None:
    assert norm_key(key) == expected


def test_has_text_field() -> None:
    assert has_text_field(["Author", "Comment Text"])
    assert has_text_field({"textOriginal": "x"})
    assert not has_text_field(["author", "likes", "texts"])
    assert not has_text_field([])


def test_youtube_comment_downloader_reply() -> None:
    comment = comment_from_flat(
        {
            "cid": "p1.r1",
            "text": "me too",
            "author": "@c",
            "channel": "UCc",
            "votes": "1,2K",
            "reply": True,
            "time": "2 years ago",
            "time_parsed": 1704164645.5,
        },
        "line-1",
    )
    assert comment is not None
    assert (comment.comment_id, comment.parent_id, comment.author_channel_id) == (
        "p1.r1",
        "p1",
        "UCc",
    )
    assert comment.like_count == 1200
    # "2 years ago" is unreadable; the next published field is used.
    assert comment.published_at == datetime.fromtimestamp(1704164645.5, tz=UTC)


def test_reply_flag_as_text_and_without_a_dotted_id() -> None:
    flagged = comment_from_flat({"id": "p1.r1", "text": "x", "isReply": "yes"}, "line-1")
    no_dot = comment_from_flat({"id": "r1", "text": "x", "reply": True}, "line-1")
    not_reply = comment_from_flat({"id": "p1.r1", "text": "x", "reply": "false"}, "line-1")
    assert flagged is not None and flagged.parent_id == "p1"
    assert no_dot is not None and no_dot.parent_id is None
    assert not_reply is not None and not_reply.parent_id is None


def test_preferred_names_fallback_id_and_odd_values() -> None:
    comment = comment_from_flat(
        {
            "comment": "second choice",
            "Text": "",  # empty: the next text field is used
            "authorChannelId": {"value": "UCx"},
            "likes": None,
            "votes": 4,
        },
        "item-3",
    )
    assert comment is not None
    assert (comment.text, comment.comment_id, comment.author_channel_id) == (
        "second choice",
        "item-3",
        "UCx",
    )
    assert comment.like_count == 4
    number = comment_from_flat({"text": 1234}, "item-1")
    assert number is not None and number.text == "1234"
    assert comment_from_flat({"text": ["not", "text"]}, "item-1") is None
