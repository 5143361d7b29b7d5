"""Adding a video (upload + comments file) through the page and the API, end to end with
real ffmpeg; tasks run inline (django-q2 sync mode)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clips.models import Clip, Moment
from jobs.models import Job
from tests.media import comments_jsonl
from videos.models import Comment, SourceVideo, Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SPOTS = {5: 2, 14: 6, 27: 4, 40: 9, 52: 3, 58: 1}  # second -> viewers citing it


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile("my holiday.mp4", path.read_bytes(), content_type="video/mp4")


def comments_file(data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("comments.jsonl", data or comments_jsonl(SPOTS))


def add_via_page(client, video: Path, capture, **extra):
    with capture(execute=True):
        return client.post(reverse("video_add"), {
            "file": upload(video), "comments_file": comments_file(), "top_k": 5,
            "clip_before": 3, "clip_after": 3, "aspect": "source", **extra,
        })


def test_upload_with_comments_makes_five_explained_clips(
    alice_client, alice, sample_video, django_capture_on_commit_callbacks
):
    response = add_via_page(alice_client, sample_video, django_capture_on_commit_callbacks)
    video = Video.objects.get(user=alice)
    assert response.status_code == 302 and response["Location"] == reverse(
        "video_detail", args=[video.pk])
    assert video.status == Video.Status.READY
    assert video.source.title == "my holiday"
    assert video.source.duration == pytest.approx(60, abs=0.2)
    job = Job.objects.get(user=alice, kind=Job.Kind.VIDEO_PROCESS)
    assert (job.status, job.progress) == ("done", 100)

    moments = list(Moment.objects.filter(video=video).order_by("rank"))
    assert [round(m.peak) for m in moments] == [40, 14, 27, 52, 5]  # most-cited first
    assert moments[0].evidence["mention_count"] == 9
    assert moments[0].evidence["distinct_authors"] == 9
    assert (moments[0].start, moments[0].end) == (37, 43)

    clips = list(Clip.objects.filter(user=alice).order_by("moment__rank"))
    assert len(clips) == 5
    for clip, moment in zip(clips, moments, strict=True):
        assert clip.status == Clip.Status.READY
        assert clip.duration == pytest.approx(moment.end - moment.start, abs=0.1)
        assert Path(clip.file.path).stat().st_size > 1000
        assert Path(clip.thumbnail.path).read_bytes()[:2] == b"\xff\xd8"  # JPEG

    page = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
    assert "9 mentions from 9 different viewers" in page
    assert "@viewer" in page and "UC0000" not in page  # display names, not channel ids
    assert page.count('class="card moment"') == 5
    for clip in clips:
        assert reverse("clip_download", args=[clip.pk]) in page
    assert "<svg" in page and 'class="bar"' in page

    download = alice_client.get(reverse("clip_download", args=[clips[0].pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[4:8] == b"ftyp"


def test_range_requests_for_the_player(alice_client, alice, sample_video,
                                       django_capture_on_commit_callbacks):
    add_via_page(alice_client, sample_video, django_capture_on_commit_callbacks)
    clip = Clip.objects.filter(user=alice).first()
    response = alice_client.get(reverse("clip_file", args=[clip.pk]), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert len(b"".join(response.streaming_content)) == 100
    bad = alice_client.get(reverse("clip_file", args=[clip.pk]), HTTP_RANGE="bytes=999999999-")
    assert bad.status_code == 416


def test_another_user_sees_nothing(alice_client, bob_client, alice, sample_video,
                                   django_capture_on_commit_callbacks, api_client, bob):
    add_via_page(alice_client, sample_video, django_capture_on_commit_callbacks)
    video = Video.objects.get(user=alice)
    clip = Clip.objects.filter(user=alice).first()
    for url in (reverse("video_detail", args=[video.pk]), reverse("video_file", args=[video.pk]),
                reverse("clip_file", args=[clip.pk]), reverse("clip_download", args=[clip.pk]),
                reverse("clip_thumbnail", args=[clip.pk]), reverse("watch", args=[video.pk])):
        assert bob_client.get(url).status_code == 404, url
    assert bob_client.post(reverse("video_delete", args=[video.pk])).status_code == 404
    api_client.force_authenticate(bob)
    assert api_client.get(f"/api/v1/videos/{video.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/clips/{clip.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/clips/{clip.pk}/download/").status_code == 404
    assert api_client.get("/api/v1/clips/").json()["results"] == []
    assert Video.objects.filter(user=alice).exists()


def test_broken_upload_is_rejected_and_nothing_is_kept(alice_client, alice, tmp_path, settings,
                                                       django_capture_on_commit_callbacks):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"this is not a video at all" * 100)
    response = add_via_page(alice_client, fake, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error"' in html
    assert not SourceVideo.objects.exists() and not Video.objects.exists()
    assert not Job.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_bad_comments_file_is_rejected_with_reason(alice_client, sample_video,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("video_add"), {
            "file": upload(sample_video),
            "comments_file": SimpleUploadedFile("c.csv", b"\x00\x01\x02 garbage"),
            "top_k": 5, "clip_before": 10, "clip_after": 10, "aspect": "source"})
    assert response.status_code == 400
    assert "comments file" in response.content.decode().lower()
    assert not SourceVideo.objects.exists()


def test_wrong_url_gets_a_clear_error(alice_client):
    response = alice_client.post(reverse("video_add"), {
        "url": "https://vimeo.com/123456", "top_k": 5, "clip_before": 10, "clip_after": 10,
        "aspect": "source"})
    assert response.status_code == 400
    assert "YouTube" in response.content.decode()
    assert not SourceVideo.objects.exists()


def test_no_timestamps_says_why(alice_client, alice, sample_video,
                                django_capture_on_commit_callbacks):
    data = comments_jsonl({}, extra=["great video", "love this", "first!"])
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_add"), {
            "file": upload(sample_video), "comments_file": comments_file(data),
            "top_k": 5, "clip_before": 10, "clip_after": 10, "aspect": "source"})
    video = Video.objects.get(user=alice)
    assert video.status == Video.Status.READY
    assert video.no_moments_reason == "no_timestamps"
    page = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
    assert "no comment mentions a time in the video" in page
    assert not Clip.objects.exists()


def test_times_beyond_the_end_say_why(alice_client, alice, sample_video,
                                      django_capture_on_commit_callbacks):
    data = comments_jsonl({}, extra=["10:43 legend", "at 12:01 lol"])
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_add"), {
            "file": upload(sample_video), "comments_file": comments_file(data),
            "top_k": 5, "clip_before": 10, "clip_after": 10, "aspect": "source"})
    video = Video.objects.get(user=alice)
    assert video.no_moments_reason == "beyond_duration"


def test_api_upload_list_moments_clips_and_delete(api_client, alice, sample_video,
                                                  django_capture_on_commit_callbacks):
    api_client.force_authenticate(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/videos/", {
            "file": upload(sample_video), "comments_file": comments_file(), "top_k": 3,
            "clip_before": 2, "clip_after": 2}, format="multipart")
    assert response.status_code == 202, response.json()
    video_id = response.json()["id"]
    assert response.json()["job"]["kind"] == "video_process"
    detail = api_client.get(f"/api/v1/videos/{video_id}/").json()
    assert detail["status"] == "ready"
    assert [round(m["peak"]) for m in detail["moments"]] == [40, 14, 27]
    assert all(m["clip"] for m in detail["moments"])
    clips = api_client.get("/api/v1/clips/", {"video": video_id}).json()["results"]
    assert len(clips) == 3
    assert all(c["status"] == "ready" and c["download_url"] for c in clips)
    download = api_client.get(f"/api/v1/clips/{clips[0]['id']}/download/")
    assert download.status_code == 200
    listing = api_client.get("/api/v1/videos/").json()
    assert [v["id"] for v in listing["results"]] == [video_id]
    assert listing["count"] == 1 and listing["next"] is None
    # The list is light: per-second data and moments are in the detail only.
    assert "mention_histogram" not in listing["results"][0]
    assert "heatmap" not in listing["results"][0]
    detail = api_client.get(f"/api/v1/videos/{video_id}/").json()
    assert "mention_histogram" in detail and "moments" in detail
    assert api_client.delete(f"/api/v1/videos/{video_id}/").status_code == 204
    assert not Clip.objects.exists() and not SourceVideo.objects.exists()


def test_api_errors_use_one_shape(api_client, alice):
    api_client.force_authenticate(alice)
    response = api_client.post("/api/v1/videos/", {"url": "not a url"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "extra"} and "YouTube" in body["message"]
    response = api_client.post("/api/v1/videos/", {}, format="json")
    assert response.status_code == 400 and "url" in response.json()["message"]


def test_imported_comments_are_stored_with_their_timestamps(alice_client, alice, sample_video,
                                                            django_capture_on_commit_callbacks):
    add_via_page(alice_client, sample_video, django_capture_on_commit_callbacks)
    video = Video.objects.get(user=alice)
    stored = Comment.objects.filter(imported_for=video)
    assert stored.count() == sum(SPOTS.values())
    assert sorted({s for c in stored for s in c.seconds}) == sorted(SPOTS)
