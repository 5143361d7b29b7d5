"""Tests of youtube: URL parsing, the Data API harvester (through
google-api-python-client's HttpMockSequence and recorded-shape responses), yt-dlp comments (with
a stand-in YoutubeDL), and yt-dlp metadata/download against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import json
import logging
import os
import re
import socket
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httplib2
import imageio_ffmpeg
import pytest
from googleapiclient.http import HttpMockSequence

import youtube
from youtube import (
    DownloadError,
    HarvestError,
    InvalidYouTubeURL,
    canonical_url,
    download_video,
    fetch_comments_api,
    fetch_comments_ytdlp,
    fetch_metadata,
    is_video_id,
    parse_start_time,
    parse_video_id,
    parse_youtube_url,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
VIDEO_ID = "dQw4w9WgXcQ"
API_KEY = "test-key-AIzaSyDoNotLeakMe"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_text(name))


# ============================================================================================
# URLs

ID = VIDEO_ID
VALID_URLS = [
    # (url, id, start seconds)
    (f"https://www.youtube.com/watch?v={ID}", ID, None),
    (f"http://www.youtube.com/watch?v={ID}", ID, None),
    (f"https://youtube.com/watch?v={ID}", ID, None),
    (f"www.youtube.com/watch?v={ID}", ID, None),
    (f"youtube.com/watch?v={ID}", ID, None),
    (f"//www.youtube.com/watch?v={ID}", ID, None),
    (f"  https://www.youtube.com/watch?v={ID}  ", ID, None),
    (f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}", ID, None),
    (f"https://www.youtube.com./watch?v={ID}", ID, None),
    (f"https://www.youtube.com:443/watch?v={ID}", ID, None),
    (f"https://m.youtube.com/watch?v={ID}", ID, None),
    (f"https://music.youtube.com/watch?v={ID}&feature=share", ID, None),
    (f"https://www.youtube.com/watch?feature=youtu.be&v={ID}", ID, None),
    (
        f"https://www.youtube.com/watch?v={ID}&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI&index=3",
        ID,
        None,
    ),
    (f"https://www.youtube.com/watch?v={ID}&ab_channel=RickAstley", ID, None),
    (f"https://www.youtube.com/watch?v={ID}&t=643s", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=643", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=10m43s", ID, 643),
    (f"https://www.youtube.com/watch?v={ID}&t=1h2m3s", ID, 3723),
    (f"https://www.youtube.com/watch?v={ID}&t=1h", ID, 3600),
    (f"https://www.youtube.com/watch?v={ID}&start=90", ID, 90),
    (f"https://www.youtube.com/watch?v={ID}#t=1m30s", ID, 90),
    (f"https://www.youtube.com/watch/?v={ID}", ID, None),
    (f"https://www.youtube.com/?v={ID}", ID, None),
    (f"https://youtu.be/{ID}", ID, None),
    (f"youtu.be/{ID}", ID, None),
    (f"https://youtu.be/{ID}?t=643", ID, 643),
    (f"https://youtu.be/{ID}?si=Xk2JqL8vN0pQ4rT1&t=95", ID, 95),
    (f"https://youtu.be/{ID}/", ID, None),
    (f"https://www.youtube.com/shorts/{ID}", ID, None),
    (f"https://youtube.com/shorts/{ID}?feature=share", ID, None),
    (f"https://m.youtube.com/shorts/{ID}", ID, None),
    (f"https://www.youtube.com/live/{ID}?si=abc", ID, None),
    (f"https://www.youtube.com/live/{ID}?t=3600", ID, 3600),
    (f"https://www.youtube.com/embed/{ID}", ID, None),
    (f"https://www.youtube.com/embed/{ID}?start=30&autoplay=1", ID, 30),
    (f"https://www.youtube-nocookie.com/embed/{ID}", ID, None),
    (f"https://youtube-nocookie.com/embed/{ID}?rel=0", ID, None),
    (f"https://www.youtube.com/v/{ID}?version=3", ID, None),
    (f"https://www.youtube.com/e/{ID}", ID, None),
    ("https://www.youtube.com/watch?v=_-aZ09Az_-0", "_-aZ09Az_-0", None),
    (f"https://www.youtube.com/watch?v={ID}&t=", ID, None),  # empty t
    (f"https://www.youtube.com/watch?v={ID}&t=abc", ID, None),  # unreadable t ignored
]

INVALID_URLS = [
    # (url, code)
    ("", "empty"),
    ("   ", "empty"),
    (ID, "not_youtube"),  # a bare id is not a link
    ("hello", "not_youtube"),
    (f"https://www.youtube.com.evil.com/watch?v={ID}", "not_youtube"),
    (f"https://evilyoutube.com/watch?v={ID}", "not_youtube"),
    (f"https://youtube.co/watch?v={ID}", "not_youtube"),
    (f"https://www.youtu.be.evil.net/{ID}", "not_youtube"),
    (f"https://evil.com/?u=https://www.youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://evil.com/youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com@evil.com/watch?v={ID}", "not_youtube"),
    (f"https://user:pass@www.youtube.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com:8080/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com:99999/watch?v={ID}", "not_youtube"),
    (f"http://127.0.0.1/watch?v={ID}", "not_youtube"),
    (f"http://169.254.169.254/latest/meta-data?v={ID}", "not_youtube"),
    (f"http://[::1]/watch?v={ID}", "not_youtube"),
    (f"http://localhost/watch?v={ID}", "not_youtube"),
    (f"https://www.yоutube.com/watch?v={ID}", "not_youtube"),  # Cyrillic "о"
    (f"https://www.youtube.com\\@evil.com/watch?v={ID}", "not_youtube"),
    (f"https://www.youtube.com/watch?v={ID} https://evil.com", "not_youtube"),
    (f"https://www.youtube.com/watch\n?v={ID}", "not_youtube"),
    ("javascript:alert(document.cookie)//youtube.com/watch?v=" + ID, "scheme"),
    ("file:///etc/passwd", "scheme"),
    (f"ftp://www.youtube.com/watch?v={ID}", "scheme"),
    (f"data:text/html,https://www.youtube.com/watch?v={ID}", "scheme"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXc", "not_video"),  # 10 chars
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQQ", "not_video"),  # 12 chars
    ("https://www.youtube.com/watch?v=dQw4w9WgX$Q", "not_video"),
    ("https://www.youtube.com/watch?v=", "not_video"),
    ("https://www.youtube.com/watch", "not_video"),
    ("https://www.youtube.com/", "not_video"),
    (f"https://youtu.be/{ID}extra", "not_video"),
    (f"https://youtu.be/watch/{ID}", "not_video"),
    ("https://youtu.be/", "not_video"),
    (f"https://www.youtube.com/shorts/{ID}/extra", "not_video"),
    ("https://www.youtube.com/results?search_query=rick", "not_video"),
    (f"https://www.youtube.com/feed/{ID}", "not_video"),
    ("https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "playlist"),
    ("https://www.youtube.com/watch?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "playlist"),
    (
        "https://www.youtube.com/embed/videoseries?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
        "playlist",
    ),
    ("https://www.youtube.com/@RickAstleyYT", "channel"),
    ("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", "channel"),
    ("https://www.youtube.com/c/RickAstley", "channel"),
    ("https://www.youtube.com/user/RickAstleyVEVO", "channel"),
    ("https://www.youtube.com/watch?v=" + ID + "&x=" + "a" * 3000, "too_long"),
]


@pytest.mark.parametrize(("url", "video_id", "start"), VALID_URLS)
def test_parse_youtube_url_accepts_common_forms(url: str, video_id: str, start: int | None) -> None:
    assert parse_video_id(url) == video_id
    assert parse_start_time(url) == start
    assert parse_youtube_url(url) == youtube.YouTubeURL(video_id=video_id, start_time=start)


@pytest.mark.parametrize(("url", "code"), INVALID_URLS)
def test_parse_youtube_url_rejects_everything_else(url: str, code: str) -> None:
    with pytest.raises(InvalidYouTubeURL) as info:
        parse_video_id(url)
    assert info.value.code == code
    # The message is for people: a sentence, and it does not echo the input back.
    assert info.value.message.endswith(".")
    assert len(info.value.message) < 120
    assert parse_start_time(url) is None


def test_invalid_url_is_a_value_error_with_the_message_as_text() -> None:
    with pytest.raises(ValueError, match="not a YouTube link"):
        parse_video_id("https://vimeo.com/123456")


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(InvalidYouTubeURL):
        parse_video_id(None)  # type: ignore[arg-type]


def test_canonical_url_and_id_shape() -> None:
    assert canonical_url(ID) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert parse_video_id(canonical_url(ID)) == ID
    assert is_video_id(ID)
    for bad in ("", "dQw4w9WgXc", "dQw4w9WgXcQQ", "dQw4w9WgX/Q", None, 12345678901):
        assert not is_video_id(bad)
    with pytest.raises(ValueError):
        canonical_url("../../etc/p")


# ============================================================================================
# YouTube Data API through HttpMockSequence


class ScriptedHttp(HttpMockSequence):
    """HttpMockSequence whose script may also hold exceptions, raised in place of a response
    (to simulate timeouts and refused connections). Requests are recorded by the parent."""

    def request(
        self, uri, method="GET", body=None, headers=None, redirections=1, connection_type=None
    ):
        if self._iterable and isinstance(self._iterable[0], BaseException):
            self.request_sequence.append((uri, method, body, headers))
            raise self._iterable.pop(0)
        return super().request(uri, method, body, headers, redirections, connection_type)


def ok(name: str) -> tuple[dict[str, str], str]:
    return (
        {"status": "200", "content-type": "application/json; charset=UTF-8"},
        fixture_text(name),
    )


def failing(status: int, name: str) -> tuple[dict[str, str], str]:
    return (
        {"status": str(status), "content-type": "application/json; charset=UTF-8"},
        fixture_text(name),
    )


def query_of(uri: str) -> dict[str, str]:
    parts = urlsplit(uri)
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args if len(args) > 1 else args[0])


PAGES = ["comment_threads_page1.json", "comment_threads_page2.json", "comment_threads_page3.json"]


def test_api_harvest_follows_every_page_with_the_documented_parameters() -> None:
    http = HttpMockSequence([ok(name) for name in PAGES])
    progress = Recorder()
    comments = fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, on_progress=progress)

    # Three pages → three requests: building the service used the bundled discovery document.
    assert len(http.request_sequence) == 3
    tokens = []
    for uri, method, _body, _headers in http.request_sequence:
        parts = urlsplit(uri)
        assert method == "GET"
        assert parts.netloc == "youtube.googleapis.com"
        assert parts.path == "/youtube/v3/commentThreads"
        query = query_of(uri)
        assert query["part"] == "snippet,replies"
        assert query["videoId"] == VIDEO_ID
        assert query["maxResults"] == "100"
        assert query["order"] == "relevance"
        assert query["textFormat"] == "html"
        assert query["key"] == API_KEY
        tokens.append(query.get("pageToken"))
    page1, page2 = fixture_json(PAGES[0]), fixture_json(PAGES[1])
    assert tokens == [None, page1["nextPageToken"], page2["nextPageToken"]]

    # 8 distinct threads (page 3 repeats one of page 1) + 2 + 5 inline replies.
    assert len(comments) == 15
    assert len({c.comment_id for c in comments}) == 15
    assert progress.calls == [6, 14, 15]

    first = comments[0]
    assert first.comment_id == "UgzGx8Kq3vJ0m1XnR9d4AaABAg"
    assert (
        first.text
        == '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=643">10:43</a> legend'
    )
    assert first.is_html is True
    assert first.author == "@minji_kim"
    assert first.author_channel_id == "UCp9Qm3c5xWv2tY7nK1rL8aQ"
    assert first.like_count == 1523
    assert first.published_at == datetime(2023, 6, 11, 8, 21, 44, tzinfo=UTC)
    assert first.parent_id is None

    # Replies follow their thread and point at it.
    assert [c.parent_id for c in comments[1:3]] == [first.comment_id, first.comment_id]
    assert "진짜 미쳤다" in comments[1].text

    by_id = {c.comment_id: c for c in comments}
    # The repeated thread keeps its first occurrence.
    assert by_id["Ugw7pQ2rN4sVb8kLmE1x4AaABAg"].like_count == 87
    assert "can&#39;t believe it" in by_id["Ugw7pQ2rN4sVb8kLmE1x4AaABAg"].text
    # A deleted author's channel has no id: an empty string, not a crash.
    assert by_id["UgxH2nV7cL9pQ4sJ8e14AaABAg"].author_channel_id == ""
    # totalReplyCount says 9, but only the 5 inline replies exist in the response.
    replies_of_t5 = [c for c in comments if c.parent_id == "Ugz0RbX5mK2tY8vN3qU4AaABAg"]
    assert len(replies_of_t5) == 5
    assert comments[-1].comment_id == "UgxV5bN1mC8kJ3hG7fD4AaABAg"


def test_api_cap_is_respected_in_the_middle_of_a_page() -> None:
    http = HttpMockSequence([ok(PAGES[0]), ok(PAGES[1])])
    comments = fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, max_comments=8)
    assert len(http.request_sequence) == 2
    assert len(comments) == 8
    # 6 from page 1, then page 2's first thread and its first reply.
    assert comments[6].comment_id == "Ugz0RbX5mK2tY8vN3qU4AaABAg"
    assert comments[7].parent_id == "Ugz0RbX5mK2tY8vN3qU4AaABAg"


def test_api_stops_asking_once_the_cap_is_reached_at_a_page_end() -> None:
    # Only one response is scripted: a second request would fail the test (IndexError).
    http = HttpMockSequence([ok(PAGES[0])])
    comments = fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, max_comments=6)
    assert len(comments) == 6
    assert len(http.request_sequence) == 1


def test_api_without_replies_asks_for_snippet_only_and_keeps_top_level_comments() -> None:
    http = HttpMockSequence([ok(name) for name in PAGES])
    comments = fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, include_replies=False)
    assert {query_of(uri)["part"] for uri, *_ in http.request_sequence} == {"snippet"}
    assert len(comments) == 8
    assert all(c.parent_id is None for c in comments)


def test_api_stops_when_youtube_repeats_a_page_token() -> None:
    looping = fixture_json(PAGES[1])
    looping["nextPageToken"] = "U0FNRS1UT0tFTg=="
    body = json.dumps(looping)
    http = HttpMockSequence([({"status": "200"}, body)] * 2)
    comments = fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http)
    assert len(http.request_sequence) == 2
    assert len(comments) == 8  # the second page repeated the first one's comments


@pytest.mark.parametrize(
    ("status", "fixture", "code", "permanent", "words"),
    [
        (403, "error_comments_disabled.json", "comments_disabled", True, "turned off"),
        (403, "error_quota_exceeded.json", "quota_exceeded", False, "quota"),
        (404, "error_video_not_found.json", "video_not_found", True, "does not exist"),
        (403, "error_forbidden.json", "forbidden", True, "does not allow"),
        (400, "error_api_key_invalid.json", "bad_api_key", True, "API key"),
    ],
)
def test_api_errors_map_to_harvest_errors_without_retrying(
    status: int,
    fixture: str,
    code: str,
    permanent: bool,
    words: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sleeps = Recorder()
    http = HttpMockSequence([failing(status, fixture)])
    with pytest.raises(HarvestError) as info:
        fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, sleep=sleeps)
    error = info.value
    assert error.code == code
    assert error.permanent is permanent
    assert words in error.message
    assert str(error) == error.message
    assert str(status) in error.detail
    assert len(http.request_sequence) == 1
    assert sleeps.calls == []
    # The HttpError (whose text holds the request URI and so the key) is not chained…
    assert error.__cause__ is None and error.__suppress_context__
    # …and the key appears nowhere in what we say or log.
    for text in (error.message, error.detail, repr(error), caplog.text):
        assert API_KEY not in text


def test_api_retries_a_server_error_then_succeeds() -> None:
    sleeps = Recorder()
    http = HttpMockSequence([failing(500, "error_backend_500.json"), ok(PAGES[2])])
    comments = fetch_comments_api(
        VIDEO_ID,
        api_key=API_KEY,
        http=http,
        sleep=sleeps,
        backoff=lambda attempt: 0.5 * (attempt + 1),
    )
    assert [c.comment_id for c in comments] == [
        "Ugw7pQ2rN4sVb8kLmE1x4AaABAg",
        "UgxV5bN1mC8kJ3hG7fD4AaABAg",
    ]
    assert sleeps.calls == [0.5]
    assert len(http.request_sequence) == 2
    # The retry is the same request.
    assert http.request_sequence[0][0] == http.request_sequence[1][0]


def test_api_retries_a_rate_limit_then_succeeds() -> None:
    sleeps = Recorder()
    http = HttpMockSequence([failing(403, "error_rate_limited.json"), ok(PAGES[2])])
    comments = fetch_comments_api(
        VIDEO_ID, api_key=API_KEY, http=http, sleep=sleeps, backoff=lambda a: 0.0
    )
    assert len(comments) == 2
    assert sleeps.calls == [0.0]


def test_api_gives_up_after_the_bounded_number_of_retries() -> None:
    sleeps = Recorder()
    http = HttpMockSequence([failing(503, "error_backend_500.json")] * 3)
    with pytest.raises(HarvestError) as info:
        fetch_comments_api(
            VIDEO_ID,
            api_key=API_KEY,
            http=http,
            retries=2,
            sleep=sleeps,
            backoff=lambda a: float(2**a),
        )
    assert info.value.code == "unavailable"
    assert info.value.permanent is False
    assert len(http.request_sequence) == 3
    assert sleeps.calls == [1.0, 2.0]


def test_api_error_on_a_later_page_raises_instead_of_returning_half_a_harvest() -> None:
    http = HttpMockSequence([ok(PAGES[0]), failing(403, "error_quota_exceeded.json")])
    progress = Recorder()
    with pytest.raises(HarvestError) as info:
        fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, on_progress=progress)
    assert info.value.code == "quota_exceeded"
    assert progress.calls == [6]


@pytest.mark.parametrize(
    "exc",
    [
        TimeoutError("timed out"),
        ConnectionRefusedError(111, "Connection refused"),
        httplib2.ServerNotFoundError("Unable to find the server at youtube.googleapis.com"),
    ],
)
def test_api_network_error_is_retried_then_reported(exc: Exception) -> None:
    sleeps = Recorder()
    http = ScriptedHttp([exc, ok(PAGES[2])])
    comments = fetch_comments_api(
        VIDEO_ID, api_key=API_KEY, http=http, sleep=sleeps, backoff=lambda a: 0.0
    )
    assert len(comments) == 2
    assert len(sleeps.calls) == 1

    http = ScriptedHttp([exc, exc])
    with pytest.raises(HarvestError) as info:
        fetch_comments_api(
            VIDEO_ID, api_key=API_KEY, http=http, retries=1, sleep=sleeps, backoff=lambda a: 0.0
        )
    assert info.value.code == "network"
    assert info.value.permanent is False
    assert type(exc).__name__ in info.value.detail
    assert len(http.request_sequence) == 2


def test_api_answer_that_is_not_json_is_retried_then_reported_as_unavailable() -> None:
    http = HttpMockSequence([({"status": "200"}, "<html>oops</html>")] * 2)
    with pytest.raises(HarvestError) as info:
        fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, retries=1, sleep=lambda s: None)
    assert info.value.code == "unavailable"
    assert len(http.request_sequence) == 2


def test_api_rejects_bad_arguments_before_any_request() -> None:
    http = HttpMockSequence([])
    with pytest.raises(ValueError):
        fetch_comments_api("not-an-id", api_key=API_KEY, http=http)
    with pytest.raises(ValueError):
        fetch_comments_api(VIDEO_ID, api_key="", http=http)
    with pytest.raises(ValueError):
        fetch_comments_api(VIDEO_ID, api_key=API_KEY, http=http, max_comments=0)
    assert http.request_sequence == []


def test_default_backoff_grows_and_is_bounded() -> None:
    delays = [youtube._default_backoff(a) for a in range(8)]
    assert 1.0 <= delays[0] <= 1.5
    assert 2.0 <= delays[1] <= 2.5
    assert all(d <= 30.5 for d in delays)


# ============================================================================================
# yt-dlp comments, with a stand-in for yt_dlp.YoutubeDL


class FakeYDL:
    """Stands in for yt_dlp.YoutubeDL: records options and URLs, returns or raises."""

    def __init__(self, options: dict[str, Any], result: Any) -> None:
        self.options = options
        self.result = result
        self.urls: list[str] = []

    def __enter__(self) -> FakeYDL:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def extract_info(self, url: str, download: bool = True) -> Any:
        self.urls.append(url)
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


def fake_factory(result: Any) -> tuple[list[FakeYDL], Any]:
    made: list[FakeYDL] = []

    def factory(options: dict[str, Any]) -> FakeYDL:
        made.append(FakeYDL(options, result))
        return made[-1]

    return made, factory


def test_ytdlp_comments_are_bounded_and_mapped() -> None:
    made, factory = fake_factory(fixture_json("ytdlp_info_with_comments.json"))
    comments = fetch_comments_ytdlp(f"https://youtu.be/{VIDEO_ID}?t=5", ydl_factory=factory)

    (ydl,) = made
    assert ydl.urls == [canonical_url(VIDEO_ID)]
    assert ydl.options["getcomments"] is True
    assert ydl.options["skip_download"] is True
    assert ydl.options["ignoreerrors"] is False
    assert ydl.options["extractor_args"]["youtube"]["max_comments"] == ["2000", "all", "2000", "5"]
    assert ydl.options["extractor_args"]["youtube"]["comment_sort"] == ["top"]

    assert [c.comment_id for c in comments] == [
        "UgzGx8Kq3vJ0m1XnR9d4AaABAg",
        "UgzGx8Kq3vJ0m1XnR9d4AaABAg.9qZ1aB3cD4e9qZ2fG5hJ6k",
        "Ugw7pQ2rN4sVb8kLmE1x4AaABAg",
    ]
    assert comments[0].parent_id is None  # "root"
    assert comments[1].parent_id == "UgzGx8Kq3vJ0m1XnR9d4AaABAg"
    assert comments[0].like_count == 1523
    assert comments[0].author_channel_id == "UCp9Qm3c5xWv2tY7nK1rL8aQ"
    assert comments[0].text == "10:43 legend"
    assert comments[0].is_html is False
    assert comments[0].published_at == datetime.fromtimestamp(1686471704, tz=UTC)


def test_ytdlp_comments_without_replies_and_with_a_smaller_cap() -> None:
    made, factory = fake_factory(fixture_json("ytdlp_info_with_comments.json"))
    comments = fetch_comments_ytdlp(
        VIDEO_ID, max_comments=2, include_replies=False, ydl_factory=factory
    )
    assert made[0].options["extractor_args"]["youtube"]["max_comments"] == ["2", "all", "0", "0"]
    assert len(comments) == 2  # the cap holds even if the extractor returned more


def test_ytdlp_disabled_comments() -> None:
    _, factory = fake_factory({"id": VIDEO_ID, "comments": None})
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == "comments_disabled"
    assert info.value.permanent is True


def test_ytdlp_empty_comment_section_is_not_an_error() -> None:
    _, factory = fake_factory({"id": VIDEO_ID, "comments": []})
    assert fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory) == []


def _ytdlp_failure(message: str, cause: BaseException | None = None) -> BaseException:
    from yt_dlp.utils import DownloadError as YtDlpDownloadError
    from yt_dlp.utils import ExtractorError

    inner = ExtractorError(message, expected=True, cause=cause)
    return YtDlpDownloadError(f"ERROR: [youtube] {VIDEO_ID}: {message}", (type(inner), inner, None))


@pytest.mark.parametrize(
    ("message", "code", "permanent"),
    [
        ("Video unavailable. This video has been removed by the uploader", "video_not_found", True),
        ("Private video. Sign in if you've been granted access to this video", "forbidden", True),
        (
            "Sign in to confirm your age. This video may be inappropriate for some users.",
            "forbidden",
            True,
        ),
        ("Sign in to confirm you’re not a bot. Use --cookies-from-browser", "blocked", False),
        (
            "Join this channel to get access to members-only content like this video",
            "forbidden",
            True,
        ),
        ("This live event will begin in 3 hours.", "live", True),
        ("Something nobody has seen before", "unavailable", False),
    ],
)
def test_ytdlp_errors_are_mapped(message: str, code: str, permanent: bool) -> None:
    _, factory = fake_factory(_ytdlp_failure(message))
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == code
    assert info.value.permanent is permanent
    assert message[:20] in info.value.detail


def test_ytdlp_network_failure_is_mapped() -> None:
    from yt_dlp.networking.exceptions import TransportError

    cause = TransportError("[Errno -3] Temporary failure in name resolution")
    _, factory = fake_factory(_ytdlp_failure("Unable to download API page", cause=cause))
    with pytest.raises(HarvestError) as info:
        fetch_comments_ytdlp(VIDEO_ID, ydl_factory=factory)
    assert info.value.code == "network"
    assert info.value.permanent is False


def test_ytdlp_comments_refuse_non_youtube_input_without_fetching() -> None:
    made, factory = fake_factory({"comments": []})
    with pytest.raises(InvalidYouTubeURL):
        fetch_comments_ytdlp("http://127.0.0.1:8000/admin", ydl_factory=factory)
    assert made == []


def test_metadata_is_normalised_from_youtube_shaped_info() -> None:
    info = {
        "id": VIDEO_ID,
        "title": "Rick Astley - Never Gonna Give You Up (Official Music Video)",
        "duration": 213,
        "thumbnail": "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg",
        "uploader": "Rick Astley",
        "channel_id": "UCuAXFkgsw1L7xaCfnd5JJOw",
        "upload_date": "20091025",
        "view_count": 1_600_000_000,
        "comment_count": 2_400_000,
        "live_status": "not_live",
        "chapters": [
            {"start_time": 0.0, "end_time": 43.0, "title": "Intro"},
            {"start_time": 43.0, "end_time": 213.0, "title": "Song"},
            {"start_time": 50.0, "end_time": 50.0, "title": "broken"},
        ],
        "heatmap": [
            {
                "start_time": 2.13 * i,
                "end_time": 2.13 * (i + 1),
                "value": (1.0 if i == 42 else i / 200),
            }
            for i in reversed(range(100))
        ],
    }
    _, factory = fake_factory(info)
    meta = fetch_metadata(canonical_url(VIDEO_ID), ydl_factory=factory)
    assert meta.video_id == VIDEO_ID
    assert meta.duration == 213.0
    assert meta.thumbnail_url.endswith("maxresdefault.jpg")
    assert meta.upload_date is not None and meta.upload_date.isoformat() == "2009-10-25"
    assert [c["title"] for c in meta.chapters] == ["Intro", "Song"]
    assert meta.heatmap is not None and len(meta.heatmap) == 100
    assert [s["start_time"] for s in meta.heatmap] == sorted(s["start_time"] for s in meta.heatmap)
    assert max(meta.heatmap, key=lambda s: s["value"])["start_time"] == pytest.approx(2.13 * 42)
    assert meta.is_live is False
    assert meta.comment_count == 2_400_000


def test_metadata_without_heatmap_reports_none() -> None:
    _, factory = fake_factory(
        {"id": VIDEO_ID, "title": "t", "heatmap": [], "live_status": "is_live"}
    )
    meta = fetch_metadata(canonical_url(VIDEO_ID), ydl_factory=factory)
    assert meta.heatmap is None
    assert meta.duration is None
    assert meta.is_live is True


def test_download_refuses_live_streams_before_downloading(tmp_path: Path) -> None:
    class LiveYDL(FakeYDL):
        def extract_info(self, url: str, download: bool = True) -> Any:
            # What yt-dlp does before downloading: run the match filter on the extracted info.
            self.options["match_filter"]({"id": VIDEO_ID, "is_live": True}, incomplete=True)
            raise AssertionError("the filter should have refused")

    with pytest.raises(DownloadError) as info:
        download_video(canonical_url(VIDEO_ID), tmp_path, ydl_factory=lambda o: LiveYDL(o, None))
    assert info.value.code == "live"
    assert list(tmp_path.iterdir()) == []


def test_format_selector_prefers_h264_mp4_within_the_height() -> None:
    selector = youtube.video_format_selector(720)
    alternatives = selector.split("/")
    assert alternatives[0] == "bv*[height<=?720][vcodec^=avc1]+ba[ext=m4a]"
    assert all("height<=?720" in a for a in alternatives)


# ============================================================================================
# yt-dlp against a local HTTP server


FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

PAGE_TEMPLATE = """<!doctype html>
<html><head><title>Local test clip</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "VideoObject", "name": "Local test clip",
 "description": "generated by the test", "duration": "PT3S", "uploadDate": "2024-05-01",
 "thumbnailUrl": "BASE/thumb.jpg", "contentUrl": "BASE/clip.mp4"}
</script></head><body><p>A generated clip.</p></body></html>
"""

MPD = """<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"
     type="static" mediaPresentationDuration="PT3.0S" minBufferTime="PT2.0S">
 <Period id="0" start="PT0.0S">
  <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
   <Representation id="v240" codecs="avc1.42c00c" bandwidth="500000" width="320" height="240">
    <BaseURL>video.mp4</BaseURL></Representation>
   <Representation id="v1440" codecs="avc1.640032" bandwidth="9000000" width="2560" height="1440">
    <BaseURL>missing-1440.mp4</BaseURL></Representation>
  </AdaptationSet>
  <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4">
   <Representation id="a64" codecs="mp4a.40.2" bandwidth="64000" audioSamplingRate="44100">
    <BaseURL>audio.m4a</BaseURL></Representation>
  </AdaptationSet>
 </Period>
</MPD>
"""


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single-range support (yt-dlp may ask for byte ranges), quiet logs,
    and a record of the paths requested."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def send_head(self):
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        self._remaining = None
        range_header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not range_header or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
        if not match or match.groups() == ("", ""):
            return super().send_head()
        first, last = match.groups()
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = open(path, "rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile) -> None:
        try:
            if self._remaining is None:
                super().copyfile(source, outputfile)
                return
            remaining = self._remaining
            while remaining > 0:
                block = source.read(min(64 * 1024, remaining))
                if not block:
                    break
                outputfile.write(block)
                remaining -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            # yt-dlp closes connections early on purpose (probing, aborting): not an error.
            pass


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=60
    )


def probe(path: Path) -> str:
    """ffmpeg's description of a file's streams (there is no ffprobe here)."""
    result = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.stderr


def duration_of(path: Path) -> float:
    match = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", probe(path))
    assert match, probe(path)
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@pytest.fixture(scope="module")
def media_server(tmp_path_factory: pytest.TempPathFactory):
    """A 127.0.0.1 server with a 3 s H.264/AAC clip, a page describing it (JSON-LD), and the
    same clip as separate DASH video/audio streams."""
    root = tmp_path_factory.mktemp("media")
    src = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15:duration=3"]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=3"]
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    _ffmpeg(
        *src,
        *tone,
        *h264,
        "-c:a",
        "aac",
        "-shortest",
        "-movflags",
        "+faststart",
        str(root / "clip.mp4"),
    )
    (root / "dash").mkdir()
    _ffmpeg(*src, *h264, "-movflags", "+faststart", str(root / "dash" / "video.mp4"))
    _ffmpeg(
        *tone,
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-movflags",
        "+faststart",
        str(root / "dash" / "audio.m4a"),
    )
    (root / "dash" / "manifest.mpd").write_text(MPD, encoding="utf-8")

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(RangeRequestHandler, directory=str(root))
    )
    server.requested = []  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (root / "page.html").write_text(PAGE_TEMPLATE.replace("BASE", base), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, server, root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_fetch_metadata_from_a_local_page(media_server) -> None:
    base, _, _ = media_server
    meta = fetch_metadata(f"{base}/page.html")
    assert meta.title == "Local test clip"
    assert meta.duration == 3.0
    assert meta.thumbnail_url == f"{base}/thumb.jpg"
    assert meta.upload_date is not None and meta.upload_date.isoformat() == "2024-05-01"
    assert meta.heatmap is None
    assert meta.extractor.lower() == "generic"


def test_fetch_metadata_of_a_missing_page(media_server) -> None:
    base, _, _ = media_server
    with pytest.raises(HarvestError) as info:
        fetch_metadata(f"{base}/no-such-video.html")
    assert info.value.code == "video_not_found"
    assert info.value.permanent is True
    assert "404" in info.value.detail


def test_download_video_writes_an_mp4_under_a_generated_name_and_reports_progress(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, root = media_server
    progress = Recorder()
    out = download_video(
        f"{base}/page.html", tmp_path / "videos", on_progress=progress, ffmpeg_location=FFMPEG
    )

    assert out.parent == tmp_path / "videos"
    assert re.fullmatch(r"[0-9a-f]{32}\.mp4", out.name)
    assert list(out.parent.iterdir()) == [out]  # no temp folder, no .part, nothing else
    assert out.read_bytes() == (root / "clip.mp4").read_bytes()
    description = probe(out)
    assert "Video: h264" in description and "Audio: aac" in description
    assert duration_of(out) == pytest.approx(3.0, abs=0.1)

    percents = [p for p, _ in progress.calls]
    assert percents[0] == 0.0 and percents[-1] == 100.0
    assert percents == sorted(percents)
    assert len({p for p in percents if 0 < p < 100}) >= 3
    assert progress.calls[-1][1] == "Downloaded"


def test_download_video_merges_separate_h264_and_aac_streams(media_server, tmp_path: Path) -> None:
    base, server, _ = media_server
    progress = Recorder()
    out = download_video(
        f"{base}/dash/manifest.mpd", tmp_path, max_height=1080, on_progress=progress
    )

    description = probe(out)
    assert "Video: h264" in description and "Audio: aac" in description
    assert "320x240" in description
    assert duration_of(out) == pytest.approx(3.0, abs=0.15)
    assert out.suffix == ".mp4" and list(tmp_path.iterdir()) == [out]
    # The 1440p stream is over the height limit and was never requested.
    assert not any("missing-1440" in path for path in server.requested)
    messages = [m for _, m in progress.calls]
    assert "Downloading part 1 of 2" in messages and "Downloading part 2 of 2" in messages
    assert "Merging audio and video" in messages
    percents = [p for p, _ in progress.calls]
    assert percents == sorted(percents) and percents[-1] == 100.0


def test_download_video_refuses_a_file_over_the_size_limit_and_leaves_nothing(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, root = media_server
    limit = (root / "clip.mp4").stat().st_size // 2
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/clip.mp4", tmp_path, max_filesize=limit)
    assert info.value.code == "too_large"
    assert info.value.permanent is True
    assert "MB" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_download_video_refuses_a_video_over_the_duration_limit(
    media_server,
    tmp_path: Path,
) -> None:
    base, _, _ = media_server
    progress = Recorder()
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/page.html", tmp_path, max_duration=2.0, on_progress=progress)
    assert info.value.code == "too_long"
    assert info.value.permanent is True
    assert "0:03" in info.value.message and "0:02" in info.value.message
    # Refused from the extracted duration, before any byte of the file was downloaded.
    assert progress.calls == [(0.0, "Starting download")]
    assert list(tmp_path.iterdir()) == []


def test_download_video_of_a_missing_url(media_server, tmp_path: Path) -> None:
    base, _, _ = media_server
    with pytest.raises(DownloadError) as info:
        download_video(f"{base}/gone.mp4", tmp_path)
    assert info.value.code == "video_not_found"
    assert list(tmp_path.iterdir()) == []


def test_download_video_when_nothing_listens(tmp_path: Path) -> None:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused at once.
    with pytest.raises(DownloadError) as info:
        download_video(f"http://127.0.0.1:{port}/clip.mp4", tmp_path, socket_timeout=5)
    assert info.value.code == "network"
    assert info.value.permanent is False
    assert list(tmp_path.iterdir()) == []


def test_an_exception_from_on_progress_reaches_the_caller_unchanged(
    media_server, tmp_path: Path
) -> None:
    base, _, _ = media_server

    class JobCancelled(Exception):
        pass

    def cancel_midway(percent: float, message: str) -> None:
        if percent > 10:
            raise JobCancelled

    with pytest.raises(JobCancelled):
        download_video(f"{base}/clip.mp4", tmp_path, on_progress=cancel_midway)
    assert list(tmp_path.iterdir()) == []


def test_ytdlp_comment_options_are_accepted_by_the_real_youtubedl() -> None:
    import yt_dlp

    real: list[Any] = []

    def factory(options: dict[str, Any]) -> FakeYDL:
        real.append(yt_dlp.YoutubeDL(options))  # validates the options; makes no request
        return FakeYDL(options, {"comments": []})

    fetch_comments_ytdlp(VIDEO_ID, max_comments=300, ydl_factory=factory)
    youtube_ie = real[0].get_info_extractor("Youtube")
    assert youtube_ie._configuration_arg("max_comments") == ["300", "all", "300", "5"]
    real[0].close()


def test_error_permanence_defaults_to_what_the_code_means() -> None:
    assert HarvestError("x", code="comments_disabled").permanent is True
    assert HarvestError("x", code="quota_exceeded").permanent is False
    assert DownloadError("x", code="network").permanent is False
    assert DownloadError("x", code="too_large").permanent is True
    assert DownloadError("x", code="network", permanent=True).permanent is True
    assert set(youtube.ERROR_MESSAGES) >= {
        "comments_disabled",
        "quota_exceeded",
        "video_not_found",
        "forbidden",
        "network",
        "unavailable",
    }
