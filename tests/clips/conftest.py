"""A processed video of alice's (upload + comments file, 5 real clips), tasks inline."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clips.models import Clip
from tests.media import comments_jsonl
from videos.models import Video

SPOTS = {5: 2, 14: 6, 27: 4, 40: 9, 52: 3}  # second -> viewers citing it


@pytest.fixture
def alice_video(alice_client, alice, sample_video, django_capture_on_commit_callbacks) -> Video:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("holiday.mp4", sample_video.read_bytes(),
                                       content_type="video/mp4"),
            "comments_file": SimpleUploadedFile("comments.jsonl", comments_jsonl(SPOTS)),
            "top_k": 5, "clip_before": 3, "clip_after": 3, "aspect": "source"})
    assert response.status_code == 302
    video = Video.objects.get(user=alice)
    assert Clip.objects.filter(user=alice, status=Clip.Status.READY).count() == 5
    return video


@pytest.fixture
def top_clip(alice_video) -> Clip:
    """The clip of the most-cited moment (0:40, window 37–43 s)."""
    return Clip.objects.get(moment__video=alice_video, moment__rank=1)
