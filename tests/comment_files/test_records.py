"""Tests of comment_files.records: the value parsers, record building and deduplication."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from comment_files import HarvestedComment, dedupe_comments, parse_count, parse_published
from comment_files.records import (
    MAX_AUTHOR_CHARS,
    MAX_CHANNEL_ID_CHARS,
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    clean_id,
    make_comment,
)

# --------------------------------------------------------------------------------------------
# Value parsers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, 0),
        (17, 17),
        (-3, 0),
        (4.7, 4),
        (float("nan"), 0),
        (True, 0),
        (None, 0),
        ("", 0),
        ("17", 17),
        (" 17 ", 17),
        ("1,234", 1234),
        ("1.234", 1234),
        ("1,234,567", 1234567),
        ("1.2K", 1200),
        ("1,2K", 1200),
        ("12K", 12000),
        ("3k", 3000),
        ("2.5M", 2_500_000),
        ("1B", 10**9),
        ("1.2만", 12000),
        ("3천", 3000),
        ("15만", 150000),
        ("1억", 100_000_000),
        ("many", 0),
        ("1.2X", 0),
    ],
)
def test_parse_count(raw: object, expected: int) -> None:
    assert parse_count(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T12:04:05+09:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645000, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("1704164645.0", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2 years ago", None),
        ("", None),
        (None, None),
        (0, None),
        (float("inf"), None),
    ],
)
def test_parse_published(raw: object, expected: datetime | None) -> None:
    assert parse_published(raw) == expected


# --------------------------------------------------------------------------------------------
# Building records


def _make(**overrides: Any) -> HarvestedComment | None:
    values: dict[str, Any] = {
        "comment_id": " c1 ",
        "author": " @ann ",
        "author_channel_id": "UC123",
        "text": "3:07 wow",
        "like_count": "1.2K",
        "published_at": None,
        "parent_id": None,
    }
    values.update(overrides)
    return make_comment(**values)


def test_make_comment_cleans_loose_values() -> None:
    comment = _make()
    assert comment == HarvestedComment(
        comment_id="c1",
        author="@ann",
        author_channel_id="UC123",
        text="3:07 wow",
        like_count=1200,
        published_at=None,
        parent_id=None,
        is_html=False,
    )


def test_make_comment_drops_nul_characters() -> None:
    """PostgreSQL text cannot hold NUL; a JSON "\\u0000" in a file or a harvest carries one."""
    comment = _make(comment_id="c\x001", author="@a\x00nn", text="3:07\x00 wow",
                    author_channel_id="UC\x00123")
    assert comment is not None
    assert (comment.comment_id, comment.author, comment.author_channel_id, comment.text) == (
        "c1", "@ann", "UC123", "3:07 wow")
    assert _make(text="\x00\x00") is None  # nothing but NUL is no text


@pytest.mark.parametrize("text", [None, "", "   \n\t"])
def test_make_comment_without_text_is_none(text: object) -> None:
    assert _make(text=text) is None


@pytest.mark.parametrize(
    ("parent", "expected"), [(None, None), ("", None), ("root", None), ("p1", "p1")]
)
def test_make_comment_parent(parent: object, expected: str | None) -> None:
    comment = _make(parent_id=parent)
    assert comment is not None
    assert comment.parent_id == expected


def test_make_comment_detects_html_unless_told() -> None:
    html = "can&#39;t<br>stop"
    detected = _make(text=html)
    told = _make(text=html, is_html=False)
    assert detected is not None and detected.is_html is True
    assert told is not None and told.is_html is False
    # The text is kept as it came: HTML stays HTML.
    assert detected.text == html


def test_make_comment_cuts_to_the_storable_sizes() -> None:
    comment = _make(text="t" * (MAX_TEXT_CHARS + 5), author="a" * 500, author_channel_id="U" * 99)
    assert comment is not None
    assert len(comment.text) == MAX_TEXT_CHARS
    assert len(comment.author) == MAX_AUTHOR_CHARS
    assert len(comment.author_channel_id) == MAX_CHANNEL_ID_CHARS


def test_clean_id_hashes_ids_too_long_to_store() -> None:
    assert clean_id(None) == ""
    assert clean_id(42) == "42"
    assert clean_id("x" * MAX_ID_CHARS) == "x" * MAX_ID_CHARS
    long_a, long_b = clean_id("a" * 500), clean_id("a" * 499 + "b")
    assert long_a.startswith("sha1:") and len(long_a) == 45 <= MAX_ID_CHARS
    assert long_a != long_b
    assert clean_id("a" * 500) == long_a


def test_dedupe_keeps_the_first_of_each_id_in_order() -> None:
    def comment(cid: str, text: str) -> HarvestedComment:
        return HarvestedComment(cid, "", "", text, 0, None)

    kept = dedupe_comments(
        iter([comment("a", "1"), comment("b", "2"), comment("a", "3"), comment("c", "4")])
    )
    assert [(c.comment_id, c.text) for c in kept] == [("a", "1"), ("b", "2"), ("c", "4")]
