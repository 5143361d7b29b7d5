"""The YouTube path end to end: the Data API through google-api-python-client's HttpMockSequence,
metadata and download through yt-dlp against a local HTTP server, real ffmpeg rendering."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest
from django.urls import reverse
from googleapiclient.http import HttpMockSequence

from clips.models import Clip, Moment
from jobs.models import Job
from tests.media import make_video
from tests.youtube.helpers import RangeRequestHandler
from videos import services
from videos.models import Comment, SourceVideo, Video
from videos.options import VideoOptions

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
VIDEO_ID = "dQw4w9WgXcQ"
PAGE = """<!doctype html><html><head><title>Concert</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "VideoObject", "name": "Concert",
 "duration": "PT40S", "uploadDate": "2024-05-01", "contentUrl": "BASE/VIDEO.mp4"}
</script></head><body>video</body></html>"""


@pytest.fixture(scope="module")
def youtube_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("yt")
    make_video(root / f"{VIDEO_ID}.mp4", seconds=40)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(RangeRequestHandler, directory=str(root)))
    server.requested = []
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (root / f"{VIDEO_ID}.html").write_text(
        PAGE.replace("BASE", base).replace("VIDEO", VIDEO_ID), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, server
    server.shutdown()
    server.server_close()


@pytest.fixture
def youtube(settings, youtube_server, monkeypatch):
    base, server = youtube_server
    server.requested.clear()
    settings.YOUTUBE_WATCH_URL_TEMPLATE = base + "/{id}.html"
    settings.YOUTUBE_API_KEY = "test-key-not-real"
    responses: list = []
    monkeypatch.setattr(services, "youtube_api_http", lambda: HttpMockSequence(list(responses)))
    return server, responses


def thread(i: int, second: int, author: str, likes: int = 0) -> dict:
    anchor = (f'<a href="https://www.youtube.com/watch?v={VIDEO_ID}&amp;t={second}">'
              f'{second // 60}:{second % 60:02d}</a>')
    return {"kind": "youtube#commentThread", "id": f"t{i}", "snippet": {
        "videoId": VIDEO_ID, "totalReplyCount": 0, "topLevelComment": {
            "kind": "youtube#comment", "id": f"t{i}", "snippet": {
                "videoId": VIDEO_ID, "textDisplay": f"{anchor} so good",
                "textOriginal": f"{second // 60}:{second % 60:02d} so good",
                "authorDisplayName": author, "authorChannelId": {"value": f"UC{author}"},
                "likeCount": likes, "publishedAt": "2024-05-02T10:00:00Z"}}}}


def page(items: list[dict], next_token: str | None = None) -> tuple[dict, str]:
    body = {"kind": "youtube#commentThreadListResponse", "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": 100}}
    if next_token:
        body["nextPageToken"] = next_token
    return {"status": "200"}, json.dumps(body)


def api_error(status: int, reason: str) -> tuple[dict, str]:
    body = {"error": {"code": status, "message": reason,
                      "errors": [{"reason": reason, "domain": "youtube", "message": reason}]}}
    return {"status": str(status)}, json.dumps(body)


def add(user, capture, url=f"https://youtu.be/{VIDEO_ID}?t=5"):
    with capture(execute=True):
        video, job = services.video_add_from_url(
            user=user, url=url, options=VideoOptions(top_k=3, clip_before=2,
                                                               clip_after=2))
    video.refresh_from_db()
    job.refresh_from_db()
    return video, job


def test_api_harvest_download_rank_and_render(alice, youtube, django_capture_on_commit_callbacks):
    server, responses = youtube
    responses += [
        page([thread(i, 20, f"a{i}", likes=i) for i in range(5)], next_token="p2"),
        page([thread(10 + i, 33, f"b{i}") for i in range(3)] + [thread(20, 8, "c0")]),
    ]
    video, job = add(alice, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.error
    source = video.source
    assert (source.youtube_id, source.title, source.kind) == (VIDEO_ID, "Concert", "youtube")
    assert source.comments_status == "harvested" and source.comments_source == "api"
    assert Comment.objects.filter(source=source, origin="api").count() == 9
    assert source.file_status == "ready"
    assert source.duration == pytest.approx(40, abs=0.2)
    moments = list(Moment.objects.filter(video=video).order_by("rank"))
    assert [m.peak for m in moments] == [20, 33, 8]
    assert moments[0].evidence["top_comments"][0]["likes"] == 4  # most liked first
    clips = Clip.objects.filter(user=alice, status="ready")
    assert clips.count() == 3
    assert any(path.endswith(f"/{VIDEO_ID}.mp4") for path in server.requested)


def test_second_user_shares_the_download_and_the_harvest(
    alice, bob, youtube, django_capture_on_commit_callbacks
):
    server, responses = youtube
    responses += [page([thread(i, 12, f"a{i}") for i in range(2)])]
    add(alice, django_capture_on_commit_callbacks)
    downloads = sum(p.endswith(".mp4") for p in server.requested)
    responses.clear()  # a second harvest would find no response and fail the test
    video, job = add(bob, django_capture_on_commit_callbacks,
                     url=f"https://www.youtube.com/watch?v={VIDEO_ID}&feature=share")
    assert job.status == Job.Status.DONE, job.error
    assert SourceVideo.objects.count() == 1
    assert Video.objects.count() == 2
    assert sum(p.endswith(".mp4") for p in server.requested) == downloads
    assert Clip.objects.filter(user=bob, status="ready").count() == 1
    assert Clip.objects.filter(user=alice, status="ready").count() == 1


def test_comments_disabled_is_explained_not_crashed(
    alice_client, alice, youtube, django_capture_on_commit_callbacks
):
    server, responses = youtube
    responses += [api_error(403, "commentsDisabled")]
    video, job = add(alice, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE
    assert video.status == Video.Status.READY
    assert video.no_moments_reason == "comments_disabled"
    assert video.source.comments_status == "disabled"
    assert video.source.file_status == "none"  # nothing to cut: nothing downloaded
    html = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
    assert "comments are turned off for this video" in html
    body = alice_client.get(f"/api/v1/videos/{video.pk}/").json()
    assert body["no_moments_reason"] == "comments_disabled"
    assert body["comments_status"] == "disabled"


def test_quota_exceeded_fails_clearly_keeps_nothing_and_can_be_retried(
    alice, youtube, django_capture_on_commit_callbacks
):
    _, responses = youtube
    responses += [api_error(403, "quotaExceeded")]
    video, job = add(alice, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "quota" in job.error.lower() and "try again" in job.error.lower()
    assert video.status == Video.Status.FAILED
    assert not Comment.objects.exists() and not Moment.objects.exists()
    responses[:] = [page([thread(1, 15, "z")])]
    with django_capture_on_commit_callbacks(execute=True):
        retry = services.video_reprocess(video=video)
    retry.refresh_from_db()
    video.refresh_from_db()
    assert retry.status == Job.Status.DONE, retry.error
    assert video.status == Video.Status.READY
    assert [m.peak for m in Moment.objects.filter(video=video)] == [15]


def test_video_not_found_is_permanent_and_explained(alice, youtube,
                                                   django_capture_on_commit_callbacks):
    _, responses = youtube
    responses += [api_error(404, "videoNotFound")]
    video, job = add(alice, django_capture_on_commit_callbacks)
    assert video.source.comments_status == "failed"
    assert video.no_moments_reason == "comments_unavailable"
    assert video.source.comments_error


def test_shared_download_is_removed_with_the_last_video(
    alice, bob, youtube, django_capture_on_commit_callbacks
):
    import os

    _, responses = youtube
    responses += [page([thread(1, 12, "a")])]
    first, _ = add(alice, django_capture_on_commit_callbacks)
    second, _ = add(bob, django_capture_on_commit_callbacks)
    path = first.source.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=first)
    assert os.path.exists(path) and SourceVideo.objects.count() == 1  # bob still uses it
    assert Clip.objects.filter(user=bob).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=second)
    assert not os.path.exists(path) and not SourceVideo.objects.exists()


def test_nul_characters_in_harvested_comments_are_dropped(
    alice, youtube, django_capture_on_commit_callbacks
):
    """A commenter's NUL character (a JSON "\\u0000") must not fail the harvest: PostgreSQL
    text cannot hold NUL, and one such comment would keep a video's moments from everyone."""
    _, responses = youtube
    hostile = thread(1, 20, "a\x00b")
    hostile["snippet"]["topLevelComment"]["snippet"]["textDisplay"] = "0:20 so\x00 good"
    responses += [page([hostile, thread(2, 20, "c")])]
    video, job = add(alice, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.error
    stored = Comment.objects.get(source=video.source, comment_id="t1")
    assert (stored.text, stored.author) == ("0:20 so good", "ab")
    assert stored.seconds == [20]
    assert [m.peak for m in Moment.objects.filter(video=video)] == [20]
