"""Share links: the public page with Open Graph tags, revoking, hidden clips, views, reports
and the moderators' queue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clips.models import Clip, Report, ShareLink

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def share(client, clip) -> ShareLink:
    response = client.post(reverse("clip_share", args=[clip.pk]))
    assert response.status_code == 302
    return ShareLink.objects.get(clip=clip, revoked_at__isnull=True)


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_shared_clip_is_public_with_a_preview_card(alice_client, top_clip, client):
    link = share(alice_client, top_clip)
    assert len(link.token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", link.token)
    assert share(alice_client, top_clip).pk == link.pk  # asking twice: the same link

    page = client.get(f"/s/{link.token}/")  # anonymous
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    image = meta(html, "og:image")
    assert image == f"http://testserver/s/{link.token}/poster.jpg"  # absolute, via the token
    assert "/media/" not in html
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == image
    assert meta(html, "og:video") == f"http://testserver/s/{link.token}/video.mp4"
    assert "9 viewers pointed to this moment" in meta(html, "og:description")
    # The comments came from an uploaded file, not public YouTube comments: no names.
    assert "@viewer" not in html

    poster = client.get(f"/s/{link.token}/poster.jpg")
    assert poster.status_code == 200 and b"".join(poster.streaming_content)[:2] == b"\xff\xd8"
    video = client.get(f"/s/{link.token}/video.mp4", HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206
    link.refresh_from_db()
    assert link.view_count == 1  # the page counts; the file and poster requests do not


def test_revoking_kills_the_link_at_once(alice_client, top_clip, client, api_client, alice):
    link = share(alice_client, top_clip)
    assert client.get(f"/s/{link.token}/").status_code == 200
    response = alice_client.post(reverse("clip_share", args=[top_clip.pk]), {"action": "revoke"})
    assert response.status_code == 302
    for path in ("", "video.mp4", "poster.jpg"):
        assert client.get(f"/s/{link.token}/{path}").status_code == 404, path
    assert client.post(f"/s/{link.token}/report/", {"reason": "spam"}).status_code == 404
    assert api_client.get(f"/api/v1/share/{link.token}/").status_code == 404
    # a new share is a new token; the old one stays dead
    again = share(alice_client, top_clip)
    assert again.token != link.token
    assert client.get(f"/s/{link.token}/").status_code == 404
    assert client.get(f"/s/{again.token}/").status_code == 200


def test_hidden_clip_is_never_served(alice_client, top_clip, client):
    link = share(alice_client, top_clip)
    Clip.objects.filter(pk=top_clip.pk).update(hidden=True)
    for path in ("", "video.mp4", "poster.jpg"):
        assert client.get(f"/s/{link.token}/{path}").status_code == 404, path
    # and a hidden clip cannot be shared again (it is 404 to its owner too)
    assert alice_client.post(reverse("clip_share", args=[top_clip.pk])).status_code == 404


def test_bad_and_unknown_tokens(client, alice_video):
    for token in ("x", "a" * 43, "../../etc/passwd", "a" * 200):
        assert client.get(f"/s/{token}/").status_code == 404


def test_another_user_cannot_share_or_revoke(alice_client, bob_client, top_clip, client,
                                             api_client, bob):
    link = share(alice_client, top_clip)
    assert bob_client.post(reverse("clip_share", args=[top_clip.pk])).status_code == 404
    assert bob_client.post(reverse("clip_share", args=[top_clip.pk]),
                           {"action": "revoke"}).status_code == 404
    api_client.force_authenticate(bob)
    assert api_client.delete(f"/api/v1/clips/{top_clip.pk}/share/").status_code == 404
    assert api_client.get(f"/api/v1/clips/{top_clip.pk}/share/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    assert client.get(f"/s/{link.token}/").status_code == 200


def test_reports_queue_and_take_down(alice_client, bob_client, staff_client, top_clip, client):
    link = share(alice_client, top_clip)
    assert client.post(f"/s/{link.token}/report/", {"reason": "nonsense"}).status_code == 302
    assert not Report.objects.exists()  # bad reason: nothing stored
    too_long = client.post(f"/s/{link.token}/report/", {"reason": "spam", "details": "x" * 1001})
    assert too_long.status_code == 302 and not Report.objects.exists()

    client.post(f"/s/{link.token}/report/", {"reason": "spam", "details": "ad"})
    bob_client.post(f"/s/{link.token}/report/", {"reason": "hate"})
    bob_client.post(f"/s/{link.token}/report/", {"reason": "violence"})  # updates bob's own
    reports = list(Report.objects.order_by("pk"))
    assert [(r.reason, r.reporter and r.reporter.username) for r in reports] == [
        ("spam", None), ("violence", "bob")]

    queue = staff_client.get("/admin/clips/report/")
    assert queue.status_code == 200 and "violence" in queue.content.decode().lower()
    shared = staff_client.get("/admin/clips/sharelink/")
    assert shared.status_code == 200

    response = staff_client.post("/admin/clips/report/", {
        "action": "take_down", "_selected_action": [reports[0].pk]})
    assert response.status_code == 302
    top_clip.refresh_from_db()
    assert top_clip.hidden
    assert set(Report.objects.values_list("status", flat=True)) == {"taken_down"}
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by_moderator
    assert client.get(f"/s/{link.token}/").status_code == 404


def test_dismissing_a_report_keeps_the_clip(alice_client, staff_client, top_clip, client):
    link = share(alice_client, top_clip)
    client.post(f"/s/{link.token}/report/", {"reason": "other"})
    report = Report.objects.get()
    staff_client.post("/admin/clips/report/", {"action": "dismiss",
                                               "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == "dismissed" and report.handled_by.username == "staff"
    assert client.get(f"/s/{link.token}/").status_code == 200


def test_share_api(api_client, alice, top_clip, client):
    api_client.force_authenticate(alice)
    made = api_client.post(f"/api/v1/clips/{top_clip.pk}/share/")
    assert made.status_code == 201
    token = made.json()["token"]
    assert made.json()["url"] == f"http://testserver/s/{token}/"
    api_client.force_authenticate(None)
    public = api_client.get(f"/api/v1/share/{token}/")
    assert public.status_code == 200
    body = public.json()
    assert body["poster_url"].endswith(f"/s/{token}/poster.jpg") and body["quotes"] == []
    bad = api_client.post(f"/api/v1/share/{token}/report/", {"reason": "?"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["extra"]["fields"]
    ok = api_client.post(f"/api/v1/share/{token}/report/", {"reason": "spam"}, format="json")
    assert ok.status_code == 201 and Report.objects.count() == 1
    api_client.force_authenticate(alice)
    assert api_client.delete(f"/api/v1/clips/{top_clip.pk}/share/").status_code == 204
    assert client.get(f"/s/{token}/").status_code == 404
