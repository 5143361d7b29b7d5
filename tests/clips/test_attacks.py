"""Issue 11 as an attacker sees it: another user's clip on every endpoint, hostile ranges and
ids, report spam, and markup in titles and comments (share page, FCPXML, EDL, MLT)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from lxml import etree

from clips import selectors
from clips.models import Clip, Report, ShareLink
from clips.services import sharing
from jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Control characters (PostgreSQL text cannot hold NUL at all, and forms refuse it: \x07 here).
HOSTILE_TITLE = 'Trip "best"\n<script>alert(1)</script>\r\nFCM: DROP FRAME & \'more\' \x07\x1b'


def test_another_users_clip_on_every_endpoint(alice_video, top_clip, bob, bob_client,
                                              api_client):
    pk = top_clip.pk
    for name in ("clip_file", "clip_thumbnail", "clip_download", "clip_delete",
                 "clip_subtitles", "clip_edit", "clip_strip"):
        assert bob_client.get(reverse(name, args=[pk])).status_code == 404, name
    for name, data in (("clip_delete", {}), ("clip_captions", {"captions": "on"}),
                       ("clip_edit", {"action": "reset"}), ("clip_share", {}),
                       ("clip_share", {"action": "revoke"})):
        assert bob_client.post(reverse(name, args=[pk]), data).status_code == 404, name
    api_client.force_authenticate(bob)
    for method, url in (("get", f"/api/v1/clips/{pk}/"), ("delete", f"/api/v1/clips/{pk}/"),
                        ("get", f"/api/v1/clips/{pk}/download/"),
                        ("get", f"/api/v1/clips/{pk}/captions.srt"),
                        ("post", f"/api/v1/clips/{pk}/captions/"),
                        ("post", f"/api/v1/clips/{pk}/range/"),
                        ("post", f"/api/v1/clips/{pk}/reset/"),
                        ("get", f"/api/v1/clips/{pk}/share/"),
                        ("post", f"/api/v1/clips/{pk}/share/"),
                        ("delete", f"/api/v1/clips/{pk}/share/")):
        body = {"start": 30, "end": 45, "captions": True} if method == "post" else None
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert bob_client.get(reverse("reel_new") + f"?video={alice_video.pk}").status_code == 404
    top_clip.refresh_from_db()
    assert top_clip.status == Clip.Status.READY and top_clip.pending_start is None
    assert not ShareLink.objects.exists() and not Job.objects.filter(
        kind=Job.Kind.CLIP_RENDER).exists()


@pytest.mark.parametrize(("start", "end"), [
    ("-5", "10"), ("nan", "nan"), ("0", "1e9"), ("1e9", "1e9"), ("10", "10.5"),
    ("0", "181"), ("", ""), ("0x10", "20"), ("²", "20"),
])
def test_hostile_ranges_in_the_page(alice_client, top_clip, start, end):
    response = alice_client.post(reverse("clip_edit", args=[top_clip.pk]),
                                 {"start": start, "end": end}, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    top_clip.refresh_from_db()
    assert top_clip.pending_start is None and (top_clip.start, top_clip.end) == (37, 43)
    assert not Job.objects.filter(kind=Job.Kind.CLIP_RENDER).exists()


def test_hostile_ids_are_a_bad_request_never_a_crash(alice_client, api_client, alice,
                                                     alice_video):
    url = reverse("reel_new") + f"?video={alice_video.pk}"
    # Not ASCII digits (superscripts pass str.isdigit but not int()), and over 4300 digits.
    for ids in (["²"], ["9" * 5000], ["１２"], [str(2**64)]):
        response = alice_client.post(url, {"clips": ids})
        assert response.status_code == 400, ids
    assert alice_client.get(reverse("reel_new") + "?video=²").status_code in (200, 404)
    # 10,000 ids in a form: Django refuses the request before the view.
    many = alice_client.post(url, {"clips": [str(i) for i in range(1, 10_001)]})
    assert many.status_code == 400
    api_client.force_authenticate(alice)
    oversize = api_client.post("/api/v1/reels/", {"clips": list(range(1, 10_001))},
                               format="json")
    assert oversize.status_code == 400
    for query in ("video=²", "session=²", f"video={'9' * 5000}"):
        assert api_client.get(f"/api/v1/clips/?{query}").status_code == 200, query
    from clips.models import Reel
    assert not Reel.objects.exists()


def test_anonymous_report_spam_is_rate_limited(alice_client, top_clip, client, api_client):
    alice_client.post(reverse("clip_share", args=[top_clip.pk]))
    token = ShareLink.objects.get(clip=top_clip).token
    url = reverse("share_report", args=[token])
    codes = [client.post(url, {"reason": "spam", "details": f"spam {i}"}).status_code
             for i in range(30)]
    limit = sharing.REPORTS_PER_ADDRESS
    # Past the limit the page says so (429, the share page with a message), it does not
    # pretend to take the report.
    assert codes == [302] * limit + [429] * (30 - limit)
    assert Report.objects.filter(clip=top_clip).count() == limit
    refused = client.post(url, {"reason": "spam"})
    assert refused.status_code == 429 and b"Too many reports" in refused.content
    # The API counts against the same address.
    api = api_client.post(f"/api/v1/share/{token}/report/", {"reason": "spam"}, format="json")
    assert api.status_code == 429
    assert Report.objects.filter(clip=top_clip).count() == limit
    assert ShareLink.objects.get(token=token).view_count == 0  # refusals are not page views


def test_markup_in_titles_and_comments(alice_client, alice_video, top_clip, client,
                                       monkeypatch):
    # As if the comments were public on YouTube, so their quotes and authors are shown.
    monkeypatch.setattr(selectors, "moment_names_are_public", lambda moment: True)
    source = top_clip.source
    source.title = HOSTILE_TITLE
    source.save(update_fields=["title"])
    moment = top_clip.moment
    moment.evidence["top_comments"] = [{"text": '<img src=x onerror=alert(1)>"', "author":
                                        '<b onmouseover=alert(2)>eve</b>'}]
    moment.save(update_fields=["evidence"])
    alice_client.post(reverse("clip_share", args=[top_clip.pk]))
    token = ShareLink.objects.get(clip=top_clip).token
    html = client.get(reverse("share_page", args=[token])).content.decode()
    assert "<script>alert" not in html and "onerror=alert" not in html
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(2)&gt;eve" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "onerror" not in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Trip &quot;best&quot; &lt;script&gt;alert(1)&lt;/script&gt; FCM")
    for tag in re.findall(r"<meta [^>]*>", html):
        assert "\n" not in tag and "<script" not in tag

    fcpxml = alice_client.get(reverse("video_export", args=[alice_video.pk, "fcpxml"]))
    tree = etree.fromstring(fcpxml.content)
    names = [tree.find("resources/asset").get("name"),
             tree.find("library/event/project").get("name")]
    for name in names:
        assert "\n" not in name and "\x07" not in name and "<script>" in name
    mlt = alice_client.get(reverse("video_export", args=[alice_video.pk, "mlt"]))
    assert etree.fromstring(mlt.content).get("title").startswith('Trip "best" <script>')

    edl = alice_client.get(reverse("video_export", args=[alice_video.pk, "edl"])).content
    lines = edl.decode("ascii").splitlines()
    assert lines[0].startswith("TITLE: Trip") and lines[1] == "FCM: NON-DROP FRAME"
    assert sum(line.startswith("FCM:") for line in lines) == 1
    assert all(re.fullmatch(r"(TITLE: .*|FCM: .*|\d{3}  .*|\* .*|)", line) for line in lines)
    json_export = alice_client.get(reverse("video_export", args=[alice_video.pk, "json"]))
    assert json_export.json()["source"]["name"] == HOSTILE_TITLE
