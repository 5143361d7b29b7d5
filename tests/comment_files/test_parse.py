"""Tests of comment_files.parse: every supported comments-file format, and the clear errors
for files that are not one of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import comment_files
from comment_files import (
    CommentFileError,
    HarvestedComment,
    parse_comments_file,
)
from comment_files import parse as parse_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
PAGES = ["comment_threads_page1.json", "comment_threads_page2.json", "comment_threads_page3.json"]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ids(comments: list[HarvestedComment]) -> list[str]:
    return [c.comment_id for c in comments]


# --------------------------------------------------------------------------------------------
# youtube-comment-downloader JSON-lines


def test_youtube_comment_downloader_jsonl() -> None:
    comments = parse_comments_file(fixture_bytes("ycd_comments.jsonl"), "comments.json")
    assert ids(comments) == [
        "UgzA1b2C3d4E5f6G7h8I9j4AaABAg",
        "UgzA1b2C3d4E5f6G7h8I9j4AaABAg.9qZ1aB3cD4e9qZ2fG5hJ6k",
        "Ugw7pQ2rN4sVb8kLmE1x4AaABAg",
        "UgyKd93mPq0aZ7WcR5t4AaABAg",
        "UgxNoVotes000000000004AaABAg",
    ]
    # Vote counts are display strings: "1.5K", "41", "1,234", "1.2만", "".
    assert [c.like_count for c in comments] == [1500, 41, 1234, 12000, 0]
    first, reply = comments[0], comments[1]
    assert first.text == "10:43 legend"
    assert first.author == "@minji_kim"
    assert first.author_channel_id == "UCp9Qm3c5xWv2tY7nK1rL8aQ"
    assert first.parent_id is None
    assert first.is_html is False
    assert first.published_at == datetime.fromtimestamp(1686471704, tz=UTC)
    # "reply": true with a "<parent>.<reply>" id → the parent is the part before the dot.
    assert reply.parent_id == "UgzA1b2C3d4E5f6G7h8I9j4AaABAg"
    assert comments[2].text == "The part at 1:02:03 made me cry\nStill can't believe it"


def test_jsonl_with_blank_lines_and_crlf() -> None:
    lines = fixture_bytes("ycd_comments.jsonl").decode().splitlines()
    data = ("\r\n".join([lines[0], "", lines[2], "   "]) + "\r\n").encode()
    assert ids(parse_comments_file(data, "c.jsonl")) == [
        "UgzA1b2C3d4E5f6G7h8I9j4AaABAg",
        "Ugw7pQ2rN4sVb8kLmE1x4AaABAg",
    ]


def test_jsonl_bad_lines_are_reported_by_number() -> None:
    lines = fixture_bytes("ycd_comments.jsonl").decode().splitlines()
    broken = [lines[0], lines[1][:-10], lines[2], "not json at all", lines[3]]
    with pytest.raises(CommentFileError) as info:
        parse_comments_file("\n".join(broken).encode(), "c.jsonl")
    assert info.value.code == "bad_lines"
    assert info.value.lines == [2, 4]
    assert "Lines 2, 4 " in info.value.message


def test_jsonl_single_bad_line_message_and_many_bad_lines_are_summarised() -> None:
    good = fixture_bytes("ycd_comments.jsonl").decode().splitlines()[0]
    with pytest.raises(CommentFileError, match=r"^Line 2 is not a JSON comment"):
        parse_comments_file(f"{good}\n{{oops\n".encode(), "c.jsonl")
    with pytest.raises(CommentFileError) as info:
        parse_comments_file((good + "\n" + "{x\n" * 9).encode(), "c.jsonl")
    assert info.value.lines == list(range(2, 11))
    assert "2, 3, 4, 5, 6 and 4 more" in info.value.message


# --------------------------------------------------------------------------------------------
# Saved YouTube Data API responses


def test_one_saved_comment_threads_response() -> None:
    comments = parse_comments_file(fixture_bytes(PAGES[0]), "page1.json")
    assert len(comments) == 6
    assert all(c.is_html for c in comments)
    assert comments[0].text.startswith(
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=643">'
    )
    assert comments[0].published_at == datetime(2023, 6, 11, 8, 21, 44, tzinfo=UTC)
    assert [c.parent_id for c in comments[1:3]] == [comments[0].comment_id] * 2


def test_a_json_array_of_saved_responses_is_merged_and_deduplicated() -> None:
    pages = [json.loads(fixture_bytes(name)) for name in PAGES]
    comments = parse_comments_file(json.dumps(pages).encode(), "all.json")
    assert len(comments) == 15
    assert len(set(ids(comments))) == 15
    # The thread repeated on page 3 keeps page 1's version.
    repeated = next(c for c in comments if c.comment_id == "Ugw7pQ2rN4sVb8kLmE1x4AaABAg")
    assert repeated.like_count == 87


def test_json_lines_of_saved_responses() -> None:
    data = "\n".join(json.dumps(json.loads(fixture_bytes(name))) for name in PAGES).encode()
    assert len(parse_comments_file(data, "pages.jsonl")) == 15


def test_saved_plain_text_api_response_is_not_marked_html() -> None:
    page = json.loads(fixture_bytes(PAGES[0]))
    for thread in page["items"]:
        snippet = thread["snippet"]["topLevelComment"]["snippet"]
        snippet["textDisplay"] = snippet["textOriginal"]
        thread.pop("replies", None)
    comments = parse_comments_file(json.dumps(page).encode(), "plain.json")
    assert [c.is_html for c in comments] == [False, False, False, False]


def test_saved_comments_list_response_of_replies() -> None:
    page = json.loads(fixture_bytes(PAGES[1]))
    replies = page["items"][0]["replies"]["comments"]
    response = {"kind": "youtube#commentListResponse", "items": replies}
    comments = parse_comments_file(json.dumps(response).encode(), "replies.json")
    assert len(comments) == 5
    assert {c.parent_id for c in comments} == {"Ugz0RbX5mK2tY8vN3qU4AaABAg"}


# --------------------------------------------------------------------------------------------
# yt-dlp .info.json and plain JSON arrays


def test_ytdlp_info_json_with_comments() -> None:
    comments = parse_comments_file(
        fixture_bytes("ytdlp_info_with_comments.json"), "video.info.json"
    )
    assert len(comments) == 3
    assert comments[0].parent_id is None
    assert comments[1].parent_id == "UgzGx8Kq3vJ0m1XnR9d4AaABAg"
    assert comments[0].like_count == 1523


def test_plain_json_array_of_comment_objects_with_various_field_names() -> None:
    data = json.dumps(
        [
            {
                "id": "a1",
                "textOriginal": "3:07 wow",
                "authorDisplayName": "@ann",
                "likeCount": 5,
                "publishedAt": "2024-03-01T10:00:00Z",
            },
            {
                "commentId": "b2",
                "comment": "12:05 lol",
                "user": "bob",
                "votes": "2.3K",
                "published": "2024-03-02 11:30:00",
            },
            {"text": "no id here", "likes": "7"},
            {"id": "a1", "text": "duplicate id, dropped"},
            {"id": "c3", "text": "   "},  # no text: dropped
            {"id": "d4", "Text": "upper-case keys work", "Like Count": 1},
        ]
    ).encode()
    comments = parse_comments_file(data, "mine.json")
    assert ids(comments) == ["a1", "b2", "item-3", "d4"]
    assert [c.like_count for c in comments] == [5, 2300, 7, 1]
    assert comments[0].author == "@ann"
    assert comments[1].author == "bob"
    assert comments[1].published_at == datetime(2024, 3, 2, 11, 30, tzinfo=UTC)
    assert comments[3].text == "upper-case keys work"


def test_json_array_with_items_that_are_not_comments() -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(json.dumps([{"text": "ok"}, 5, {"foo": "bar"}]).encode(), "x.json")
    assert info.value.code == "format"
    assert info.value.lines == [2, 3]


def test_json_array_of_plain_strings() -> None:
    data = json.dumps(["0:34 ㅋㅋㅋ", "  ", "best part 2:10", {"text": "12:01 wow"}],
                      ensure_ascii=False).encode()
    comments = parse_comments_file(data, "scraped.json")
    assert [(c.comment_id, c.text, c.author, c.like_count) for c in comments] == [
        ("item-1", "0:34 ㅋㅋㅋ", "", 0), ("item-3", "best part 2:10", "", 0),
        ("item-4", "12:01 wow", "", 0)]
    assert not any(c.is_html for c in comments)
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(json.dumps(["fine", 3, None]).encode(), "x.json")
    assert info.value.lines == [2, 3]


def test_json_object_that_holds_no_comments() -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(b'{"name": "my settings", "volume": 3}', "settings.json")
    assert info.value.code == "format"


def test_long_values_are_cut_to_what_can_be_stored() -> None:
    data = json.dumps([{"id": "x" * 500, "text": "t" * 20_000, "author": "a" * 500}]).encode()
    (comment,) = parse_comments_file(data, "big.json")
    assert len(comment.text) == comment_files.MAX_TEXT_CHARS
    assert len(comment.author) == comment_files.MAX_AUTHOR_CHARS
    assert len(comment.comment_id) <= comment_files.MAX_ID_CHARS
    assert comment.comment_id.startswith("sha1:")


# --------------------------------------------------------------------------------------------
# CSV


def test_csv_with_bom_quotes_and_multiline_text() -> None:
    data = (
        "\ufeffComment,Author,Likes,ID,Published\r\n"
        '"10:43 legend, truly",@minji,"1,234",c1,2024-01-02T03:04:05Z\r\n'
        '"line one\nline two 2:15",@bo,3,c2,\r\n'
        "1:02:03 the end,@cy,,c3,1704164645\r\n"
        "duplicate,@dd,1,c1,\r\n"
    ).encode("utf-8")
    comments = parse_comments_file(data, "comments.csv")
    assert ids(comments) == ["c1", "c2", "c3"]
    assert comments[0].text == "10:43 legend, truly"
    assert comments[0].like_count == 1234
    assert comments[0].published_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert comments[1].text == "line one\nline two 2:15"
    assert comments[1].published_at is None
    assert comments[2].like_count == 0
    assert comments[2].published_at == datetime.fromtimestamp(1704164645, tz=UTC)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_with_other_delimiters(delimiter: str) -> None:
    rows = [
        ["textDisplay", "likeCount", "authorDisplayName"],
        ["3:07 (wow)", "5", "@a"],
        ["8:10.", "0", "@b"],
    ]
    data = "\n".join(delimiter.join(r) for r in rows).encode()
    comments = parse_comments_file(data, "export.csv")
    assert [c.text for c in comments] == ["3:07 (wow)", "8:10."]
    assert [c.like_count for c in comments] == [5, 0]
    # Without an id column every row gets one from its line number.
    assert ids(comments) == ["line-2", "line-3"]


def test_csv_from_excel_in_utf16() -> None:
    data = "text\tlikes\n10:43 최고\t3\n".encode("utf-16")
    (comment,) = parse_comments_file(data, "excel.txt")
    assert comment.text == "10:43 최고"
    assert comment.like_count == 3


def test_csv_with_reply_parent_column() -> None:
    data = b"id,parent,text\np1,,top\np1.r1,p1,a reply\n"
    comments = parse_comments_file(data, "c.csv")
    assert [c.parent_id for c in comments] == [None, "p1"]


def test_csv_rows_with_too_many_fields_are_reported_by_line() -> None:
    data = b"text,likes\nfine,1\nbroken,2,extra\nfine too,3\n"
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(data, "c.csv")
    assert info.value.code == "bad_lines"
    assert info.value.lines == [3]
    assert "Line 3" in info.value.message


def test_csv_without_a_text_column() -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(b"author,likes\n@a,3\n", "c.csv")
    assert info.value.code == "no_text_column"
    assert "text" in info.value.message


def test_csv_header_only_has_no_comments() -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(b"text,author,likes\n", "c.csv")
    assert info.value.code == "empty"


# --------------------------------------------------------------------------------------------
# Files that are not comments


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(data, "empty.json")
    assert info.value.code == "empty"
    assert info.value.message == "The comments file is empty."


def test_binary_file() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(png, "comments.json")
    assert info.value.code == "format"
    assert "not a text file" in info.value.message


def test_prose_is_not_a_comments_file() -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(b"Dear diary,\nToday I watched a video.\n", "notes.txt")
    assert info.value.code == "no_text_column"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("text,likes\n10:43 café,1\n".encode("latin-1"), 2),
        ("text,likes\nok,1\n10:43 최고,3\n".encode("cp949"), 3),
    ],
)
def test_wrong_encoding_names_the_line(data: bytes, line: int) -> None:
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(data, "c.csv")
    assert info.value.code == "encoding"
    assert info.value.lines == [line]
    assert f"line {line}" in info.value.message
    assert "UTF-8" in info.value.message


def test_too_many_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "MAX_COMMENTS", 10)
    data = ("text\n" + "".join(f"{i}:00 moment\n" for i in range(11))).encode()
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(data, "c.csv")
    assert info.value.code == "too_large"
    assert "10" in info.value.message
    # Exactly at the limit is fine.
    assert len(parse_comments_file(("text\n" + "x\n" * 10).encode(), "c.csv")) == 10


def test_too_many_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "MAX_FILE_BYTES", 1024)
    with pytest.raises(CommentFileError) as info:
        parse_comments_file(b"text\n" + b"x" * 2000, "c.csv")
    assert info.value.code == "too_large"
