"""A newcomer's first steps: "Try a sample" in one click, a picture for every video, comments
added after the upload, and an upload form that answers in the page. Real ffmpeg; tasks run
inline (django-q2 sync mode)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clips.models import Clip, Moment
from tests.media import comments_jsonl
from videos import sample
from videos.models import Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_try_a_sample_in_one_click(alice, alice_client, django_capture_on_commit_callbacks):
    page = alice_client.get(reverse("videos")).content.decode()
    assert 'id="try-sample"' in page and reverse("video_sample") in page
    assert 'id="sample-licence"' in page and "nothing to license" in page  # its licence, stated
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("video_sample"))
    video = Video.objects.get(user=alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("video_detail", args=[video.pk])
    assert video.source.title == "Sample video"
    assert video.source.duration == pytest.approx(sample.SAMPLE_SECONDS, abs=0.2)
    assert video.status == Video.Status.READY
    # The sample comments agree on four moments; the most-cited (0:34, five viewers) is first.
    moments = list(Moment.objects.filter(video=video).order_by("rank"))
    assert [round(m.peak) for m in moments][:2] == [34, 12]
    assert sorted(round(m.peak) for m in moments) == [12, 34, 57, 80]
    assert moments[0].evidence["mention_count"] == 5
    assert Clip.objects.filter(user=alice, status=Clip.Status.READY).count() == 4
    # …and the library shows its picture, not a placeholder.
    assert video.source.poster.name.endswith(".jpg")
    listing = alice_client.get(reverse("videos")).content.decode()
    assert reverse("video_poster", args=[video.pk]) in listing
    assert 'id="try-sample"' not in listing  # the invitation is for an empty library
    poster = alice_client.get(reverse("video_poster", args=[video.pk]))
    assert poster["Content-Type"] == "image/jpeg"
    assert b"".join(poster.streaming_content)[:3] == b"\xff\xd8\xff"


def test_poster_is_owner_only(alice, bob_client, alice_client, sample_video,
                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("a.mp4", Path(sample_video).read_bytes()),
            "top_k": 5, "clip_before": 3, "clip_after": 3, "aspect": "source"})
    video = Video.objects.get(user=alice)
    assert bob_client.get(reverse("video_poster", args=[video.pk])).status_code == 404
    assert alice_client.get(reverse("video_poster", args=[video.pk])).status_code == 200
    assert Video.objects.filter(pk=video.pk).exists()


def test_comments_can_be_added_after_the_upload(alice, alice_client, sample_video,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("talk.mp4", Path(sample_video).read_bytes()),
            "top_k": 5, "clip_before": 3, "clip_after": 3, "aspect": "source"})
    video = Video.objects.get(user=alice)
    assert video.no_moments_reason == Video.NoMoments.NO_COMMENTS
    page = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
    assert reverse("video_comments", args=[video.pk]) in page
    assert "<svg" not in page  # no empty chart for a video without comments

    bad = SimpleUploadedFile("c.jsonl", b"")
    response = alice_client.post(reverse("video_comments", args=[video.pk]),
                                 {"comments_file": bad}, follow=True)
    assert "The comments file" in response.content.decode()
    assert Moment.objects.filter(video=video).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_comments", args=[video.pk]), {
            "comments_file": SimpleUploadedFile("c.jsonl", comments_jsonl({20: 3, 45: 2}))})
    video.refresh_from_db()
    assert video.status == Video.Status.READY and video.no_moments_reason == ""
    assert [round(m.peak) for m in Moment.objects.filter(video=video).order_by("rank")] == [20, 45]


def test_upload_form_answers_the_page_script_with_json(alice, alice_client, sample_video,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("a.mp4", Path(sample_video).read_bytes()),
            "top_k": 5, "clip_before": 3, "clip_after": 3, "aspect": "source"},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    video = Video.objects.get(user=alice)
    assert response.json() == {"location": reverse("video_detail", args=[video.pk])}
    # A form error comes back as the form (the script keeps the chosen files in place).
    response = alice_client.post(reverse("video_add"), {"top_k": 5, "clip_before": 3,
                                                        "clip_after": 3, "aspect": "source"},
                                 HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 400 and 'id="add-video"' in response.content.decode()
