"""Deleting a clip asks on a page of its own first; only the owner can, and only by POST."""

import pytest
from django.urls import reverse

from clips.models import Clip, ShareLink


def _clip(alice):
    from clips.models import Moment
    from videos.models import SourceVideo, Video

    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="Mine",
                                        duration=60, file_status="ready")
    video = Video.objects.create(user=alice, source=source)
    moment = Moment.objects.create(kind=Moment.Kind.COMMENTS, video=video, rank=1, peak=20,
                                   start=10, end=30)
    return Clip.objects.create(user=alice, source=source, moment=moment, kind="comments",
                               start=10, end=30, status=Clip.Status.FAILED)


@pytest.mark.django_db
def test_delete_asks_first_then_deletes(alice, alice_client, bob_client):
    clip = _clip(alice)
    ShareLink.objects.create(clip=clip)
    url = reverse("clip_delete", args=[clip.pk])
    page = alice_client.get(url, {"next": "https://evil.example/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Delete this clip?" in html and "share link stops working" in html
    assert 'name="next" value=""' in html  # another site is never a place to go back to
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url).status_code == 404
    assert Clip.objects.filter(pk=clip.pk).exists()
    response = alice_client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("galleries")
    assert not Clip.objects.filter(pk=clip.pk).exists()
