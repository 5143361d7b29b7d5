"""youtube.data_api: the Data API harvester, through google-api-python-client's
HttpMockSequence and recorded-shape responses (tests/fixtures/youtube/)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httplib2
import pytest
from googleapiclient.http import HttpMockSequence

from tests.youtube.helpers import API_KEY, VIDEO_ID, Recorder, fixture_json, fixture_text
from youtube import HarvestError, fetch_comments_api
from youtube.data_api import _default_backoff


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
    delays = [_default_backoff(a) for a in range(8)]
    assert 1.0 <= delays[0] <= 1.5
    assert 2.0 <= delays[1] <= 2.5
    assert all(d <= 30.5 for d in delays)
