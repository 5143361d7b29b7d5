"""Trim and extend a clip through the page and the API: bounds, the old file kept until the
new one is stored, reset to the original window, another user's clip, the thumbnail strip."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

import render
from clips.models import Clip
from clips.services import editing
from jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_extend_by_five_seconds_in_the_page(alice_client, top_clip,
                                            django_capture_on_commit_callbacks):
    old_file = Path(top_clip.file.path)
    page = alice_client.get(reverse("clip_edit", args=[top_clip.pk])).content.decode()
    assert 'data-step="5"' in page and 'id="start-handle"' in page
    assert reverse("clip_strip", args=[top_clip.pk]) in page
    assert "onclick" not in page and "<script>" not in page  # JS lives in static files

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("clip_edit", args=[top_clip.pk]),
                                     {"start": "37", "end": "48"})
    assert response.status_code == 302
    top_clip.refresh_from_db()
    assert (top_clip.start, top_clip.end) == (37, 48)
    assert top_clip.duration == pytest.approx(11, abs=0.05)
    assert render.probe_media(top_clip.file.path).duration == pytest.approx(11, abs=0.1)
    assert (top_clip.original_start, top_clip.original_end) == (37, 43)
    assert top_clip.pending_start is None and top_clip.status == Clip.Status.READY
    assert not old_file.exists()  # replaced, and the old one removed after commit
    job = Job.objects.get(kind=Job.Kind.CLIP_RENDER)
    assert (job.status, job.target) == ("done", f"clip:{top_clip.pk}")

    page = alice_client.get(reverse("clip_edit", args=[top_clip.pk])).content.decode()
    assert "Reset to the original 0:37–0:43" in page
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("clip_edit", args=[top_clip.pk]), {"action": "reset"})
    top_clip.refresh_from_db()
    assert (top_clip.start, top_clip.end) == (37, 43)
    assert top_clip.duration == pytest.approx(6, abs=0.05)


def test_old_file_plays_until_the_new_one_is_stored(alice_client, top_clip):
    """Without running the queued job: the clip is still ready, on its old range and file."""
    old_name = top_clip.file.name
    alice_client.post(reverse("clip_edit", args=[top_clip.pk]), {"start": "35", "end": "43"})
    top_clip.refresh_from_db()
    assert (top_clip.pending_start, top_clip.pending_end) == (35, 43)
    assert (top_clip.start, top_clip.end, top_clip.file.name) == (37, 43, old_name)
    served = alice_client.get(reverse("clip_file", args=[top_clip.pk]))
    assert served.status_code == 200
    page = alice_client.get(reverse("clip_edit", args=[top_clip.pk])).content.decode()
    assert "Re-cutting to 0:35–0:43" in page


def test_a_failed_recut_keeps_the_old_clip(alice_client, top_clip, monkeypatch,
                                           django_capture_on_commit_callbacks):
    old_name = top_clip.file.name

    def broken(*args, **kwargs):
        raise render.MediaError("ffmpeg fell over")

    monkeypatch.setattr(editing.render, "render_clip", broken)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("clip_edit", args=[top_clip.pk]), {"start": "30", "end": "43"})
    top_clip.refresh_from_db()
    assert (top_clip.start, top_clip.end, top_clip.file.name) == (37, 43, old_name)
    assert Path(top_clip.file.path).exists()
    assert top_clip.pending_start is None and "ffmpeg fell over" in top_clip.edit_error
    job = Job.objects.get(kind=Job.Kind.CLIP_RENDER)
    assert job.status == "failed" and "ffmpeg fell over" in job.error


@pytest.mark.parametrize(("start", "end", "field"), [
    (-1, 5, "start"),            # before the video
    (50, 61, "end"),             # after its end (60 s)
    (10, 10.5, "end"),           # shorter than 1 s
    (0, 59.9, None),             # fine: 59.9 s
    ("nan", 5, "start"),
    ("inf", 5, "start"),
])
def test_bounds(api_client, alice, top_clip, start, end, field,
                django_capture_on_commit_callbacks):
    api_client.force_authenticate(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client.post(f"/api/v1/clips/{top_clip.pk}/range/",
                                   {"start": start, "end": end}, format="json")
    top_clip.refresh_from_db()
    if field is None:
        assert response.status_code == 202
        body = response.json()
        assert body["clip"]["pending_end"] == 59.9 and body["job"]["kind"] == "clip_render"
        assert body["clip"]["file_url"]  # the old file is still served
    else:
        assert response.status_code == 400, response.content
        assert response.json()["message"]
        assert top_clip.pending_start is None
        assert not Job.objects.filter(kind=Job.Kind.CLIP_RENDER).exists()


def test_longer_than_180_seconds_is_refused(alice, top_clip):
    top_clip.source.duration = 3600
    top_clip.source.save(update_fields=["duration"])
    with pytest.raises(editing.ApplicationError):
        editing.clip_validate_range(clip=top_clip, start=0, end=180.5)
    assert editing.clip_validate_range(clip=top_clip, start=0, end=180) == (0, 180)


def test_another_users_clip_is_404(bob_client, api_client, bob, top_clip):
    for url in (reverse("clip_edit", args=[top_clip.pk]),
                reverse("clip_strip", args=[top_clip.pk])):
        assert bob_client.get(url).status_code == 404
    assert bob_client.post(reverse("clip_edit", args=[top_clip.pk]),
                           {"start": 0, "end": 10}).status_code == 404
    api_client.force_authenticate(bob)
    assert api_client.post(f"/api/v1/clips/{top_clip.pk}/range/",
                           {"start": 0, "end": 10}, format="json").status_code == 404
    assert api_client.post(f"/api/v1/clips/{top_clip.pk}/reset/").status_code == 404
    top_clip.refresh_from_db()
    assert top_clip.pending_start is None and (top_clip.start, top_clip.end) == (37, 43)


def test_thumbnail_strip(alice_client, top_clip):
    response = alice_client.get(reverse("clip_strip", args=[top_clip.pk]) + "?from=7&to=60")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    path = Path(top_clip.file.path).with_name("strip-test.jpg")
    path.write_bytes(response.content)
    from PIL import Image

    with Image.open(path) as image:
        assert image.height == 72 and image.width == 12 * 96  # 12 frames of 320x240 at 72 px
    too_long = alice_client.get(reverse("clip_strip", args=[top_clip.pk]) + "?from=0&to=1e9")
    assert too_long.status_code == 200  # clamped to the video
    bad = alice_client.get(reverse("clip_strip", args=[top_clip.pk]) + "?from=30&to=30.2")
    assert bad.status_code == 400
