"""Owner-checked media: streamed with byte ranges by default, handed to nginx by
X-Accel-Redirect when SHORTORY_X_ACCEL_MEDIA is set (the scaled deployment)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from clips.models import Clip
from videos.models import SourceVideo, Video

pytestmark = pytest.mark.django_db

BODY = bytes(range(256)) * 40  # 10 240 bytes, every offset distinguishable


@pytest.fixture
def clip(alice):
    source = SourceVideo(kind=SourceVideo.Kind.UPLOAD, uploaded_by=alice, title="t",
                         duration=30, file_status=SourceVideo.FileStatus.READY)
    source.file.save("upload.mp4", ContentFile(BODY), save=False)
    source.save()
    Video.objects.create(user=alice, source=source)
    clip = Clip(user=alice, source=source, kind="comments", start=1, end=5,
                status=Clip.Status.READY)
    clip.file.save("clip.mp4", ContentFile(BODY), save=False)
    clip.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8poster"), save=False)
    clip.save()
    return clip


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_embedded_default_streams_ranges(alice_client, clip, settings):
    assert settings.X_ACCEL_MEDIA_PREFIX == ""
    whole = alice_client.get(reverse("clip_file", args=[clip.pk]))
    assert whole.status_code == 200 and "X-Accel-Redirect" not in whole
    assert _body(whole) == BODY
    part = alice_client.get(reverse("clip_file", args=[clip.pk]), HTTP_RANGE="bytes=300-309")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 300-309/{len(BODY)}"
    assert _body(part) == BODY[300:310]
    tail = alice_client.get(reverse("clip_download", args=[clip.pk]), HTTP_RANGE="bytes=-5")
    assert _body(tail) == BODY[-5:]
    assert tail["Content-Disposition"].startswith('attachment; filename="shortory-')


def test_x_accel_redirect_after_the_ownership_check(alice_client, bob_client, api_client, alice,
                                                    clip, settings):
    settings.X_ACCEL_MEDIA_PREFIX = "/_protected_media/"
    response = alice_client.get(reverse("clip_download", args=[clip.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{clip.file.name}"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith('attachment; filename="shortory-')
    assert response.content == b""  # nginx sends the bytes

    poster = alice_client.get(reverse("clip_thumbnail", args=[clip.pk]))
    assert poster["X-Accel-Redirect"] == f"/_protected_media/{clip.thumbnail.name}"
    assert poster["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in poster

    video = Video.objects.get(user=alice)
    source = alice_client.get(reverse("video_file", args=[video.pk]))
    assert source["X-Accel-Redirect"] == f"/_protected_media/{clip.source.file.name}"

    api_client.force_authenticate(alice)
    api = api_client.get(f"/api/v1/clips/{clip.pk}/download/")
    assert api.status_code == 200
    assert api["X-Accel-Redirect"] == f"/_protected_media/{clip.file.name}"

    for url in (reverse("clip_download", args=[clip.pk]), reverse("clip_file", args=[clip.pk]),
                reverse("video_file", args=[video.pk])):
        refused = bob_client.get(url)
        assert refused.status_code == 404
        assert "X-Accel-Redirect" not in refused


def test_a_clip_that_is_not_ready_is_never_handed_over(alice_client, clip, settings):
    settings.X_ACCEL_MEDIA_PREFIX = "/_protected_media/"
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.RENDERING)
    response = alice_client.get(reverse("clip_download", args=[clip.pk]))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
