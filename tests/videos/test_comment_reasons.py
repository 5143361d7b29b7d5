"""Every refusal comment_files can give for a comments file is shown in the reader's
language: Korean on Korean pages (no English sentence left in it), and in English the
package's own sentence word for word. A Korean user's bad upload is refused in Korean on the
page and in the API, and nothing is stored."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

import comment_files.parse as parse
from comment_files import CommentFileError, parse_comments_file
from jobs.models import Job
from videos.comment_reasons import _REASONS, comment_reason
from videos.models import Comment, SourceVideo, Video

NOT_UTF8 = b"text\nhello\n\xff\xfe broken\n"

# (key, file) for every refusal the parser can produce; the limits are made small below.
BAD_FILES = [
    ("file_too_large", b"text\n" + b"a" * (1024 * 1024)),
    ("empty", b"  \n\n "),
    ("no_text", b'[{"text": "   "}]'),
    ("binary", b"text\x00\x01\x02 garbage"),
    ("not_utf8", NOT_UTF8),
    ("unrecognised_json", b'{"video": "abc"}'),
    ("bad_array_items", b'[{"text": "ok"}, {"x": 1}, 3]'),
    ("bad_json_lines", b'{"text": "ok"}\n{"text": "ok"}\nnot json\n'),
    ("bad_json_lines", b'{"text": "ok"}\n' + b"nope\n" * 8),
    ("bad_csv_rows", b'text,author\nhi,a\nhi,a,extra\n'),
    ("bad_csv_rows", b'text,author\nhi,a\nhi,a,x\nhi,a,y\n'),
    ("no_text_column", b"name,age\nann,3\n"),
    ("too_many_comments", b"text\n" + b"".join(b"c%d\n" % i for i in range(12))),
]

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Three English words in a row: what a sentence left untranslated looks like (the Korean
# keeps only names such as "JSON Lines", "yt-dlp .info.json", "textDisplay").
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}")


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", 1024 * 1024)
    monkeypatch.setattr(parse, "MAX_COMMENTS", 10)


def refusal(data: bytes) -> CommentFileError:
    with pytest.raises(CommentFileError) as caught:
        parse_comments_file(data, "c")
    return caught.value


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(("key", "data"), BAD_FILES, ids=[k for k, _ in BAD_FILES])
def test_every_refusal_is_shown_in_the_readers_language(key, data):
    error = refusal(data)
    assert error.key == key
    with translation.override("en"):
        assert comment_reason(error) == str(error)
    with translation.override("ko"):
        korean = comment_reason(error)
    assert HANGUL.search(korean), korean
    assert not ENGLISH_RUN.search(korean), korean
    for number in error.params.get("shown", []) + [error.params.get("line", "")]:
        assert str(number) in korean  # the line numbers survive translation
    if error.params.get("more"):
        assert f"외 {error.params['more']}개" in korean


@pytest.mark.usefixtures("small_limits")
def test_the_walk_covers_every_sentence_and_plural():
    errors = [refusal(data) for _, data in BAD_FILES]
    assert {e.key for e in errors} == set(_REASONS)
    texts = [str(e) for e in errors]
    assert "Line 3 is not a JSON comment." in " ".join(texts)
    assert any(t.startswith("Lines 2, 3, 4, 5, 6 and 3 more are not") for t in texts)
    assert any(t.startswith("Line 3 of the CSV file has ") for t in texts)
    assert any(t.startswith("Lines 3, 4 of the CSV file have ") for t in texts)
    assert "The comments file is larger than 1 MB." in texts
    assert "more than 10 comments" in " ".join(texts)


def test_the_parameters_are_carried_and_the_real_limits_are_worded():
    error = refusal(NOT_UTF8)
    assert (error.code, error.key, error.params, error.lines) == (
        "encoding", "not_utf8", {"line": 3}, [3])
    assert str(error).startswith("The comments file is not UTF-8 text (first bad byte on line 3)")
    big = CommentFileError("x", code="too_large", key="too_many_comments",
                           params={"limit": parse.MAX_COMMENTS})
    with translation.override("en"):
        assert comment_reason(big) == (
            "The comments file has more than 100,000 comments; split it or keep the top ones.")
    with translation.override("ko"):
        assert comment_reason(big) == (
            "댓글 파일에 댓글이 100,000개보다 많습니다. 파일을 나누거나 상위 댓글만 남겨 주세요.")
        assert comment_reason(refusal(NOT_UTF8)).startswith(
            "댓글 파일이 UTF-8 텍스트가 아닙니다(3번째 줄에")


def test_an_unknown_or_malformed_refusal_is_shown_in_english():
    odd = CommentFileError("Something new.", code="format", key="brand_new")
    broken = CommentFileError("Lines ? are bad.", code="bad_lines", key="bad_csv_rows")
    with translation.override("ko"):
        assert comment_reason(odd) == "Something new."
        assert comment_reason(broken) == "Lines ? are bad."


@pytest.mark.django_db
def test_a_korean_user_sees_the_korean_reason_and_nothing_is_stored(alice_client, alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="Mine",
                                        duration=600)
    video = Video.objects.create(user=alice, source=source, status=Video.Status.READY)
    earlier = Comment.objects.create(source=source, imported_for=video,
                                     origin=Comment.Origin.FILE, comment_id="c1", text="at 0:40")
    alice_client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    page = alice_client.post(
        reverse("video_comments", args=[video.pk]),
        {"comments_file": SimpleUploadedFile("comments.csv", NOT_UTF8)}, follow=True,
    ).content.decode()
    assert "댓글 파일을 읽을 수 없습니다: 댓글 파일이 UTF-8 텍스트가 아닙니다(3번째 줄에" in page
    assert "not UTF-8 text" not in page and "first bad byte" not in page
    assert list(Comment.objects.values_list("pk", "text")) == [(earlier.pk, "at 0:40")]
    assert not Job.objects.exists()
    video.refresh_from_db()
    assert video.status == Video.Status.READY


@pytest.mark.django_db
def test_the_api_refuses_in_korean_too(api_client, alice):
    api_client.force_authenticate(alice)
    response = api_client.post(
        "/api/v1/videos/",
        {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
         "comments_file": SimpleUploadedFile("c.jsonl", b'{"text": "ok"}\nnope\nnope\n')},
        format="multipart", HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "댓글 파일을 읽을 수 없습니다: JSON 댓글이 아닌 줄이 있습니다(줄 번호: 2, 3). "
        "JSON Lines 파일의 모든 줄은 댓글 객체 하나여야 합니다.")
    assert not SourceVideo.objects.exists() and not Video.objects.exists()
    assert not Job.objects.exists()
