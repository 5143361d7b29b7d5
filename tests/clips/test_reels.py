"""Highlight reels from the page and the API: five moments joined with crossfades and title
cards by moviepy in a job; order, bounds (oversize, another user's clip, hidden clip)."""

from __future__ import annotations

import pytest
from django.urls import reverse

import render
from clips.models import Clip, Reel
from clips.services.reels import reel_create
from common.errors import ApplicationError
from jobs.models import Job
from render.reel import CROSSFADE, TITLE_CARD

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_reel_of_five_moments_from_the_page(alice_client, alice, alice_video,
                                            django_capture_on_commit_callbacks):
    clips = list(Clip.objects.filter(user=alice).order_by("moment__rank"))
    form = alice_client.get(reverse("reel_new") + f"?video={alice_video.pk}").content.decode()
    assert form.count('name="clips"') == 5 and form.count("checked") >= 5
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("reel_new") + f"?video={alice_video.pk}", {
            "clips": [c.pk for c in clips], "order": "score", "title_cards": "on",
            "aspect": "source", "title": "Best of my holiday"})
    reel = Reel.objects.get(user=alice)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reel_detail", args=[reel.pk])
    assert reel.status == Reel.Status.READY, reel.error
    job = Job.objects.get(kind=Job.Kind.REEL_RENDER)
    assert (job.status, job.progress) == ("done", 100)
    # best first: the most-cited moment (0:40, 9 viewers) opens the reel
    assert [item["clip"] for item in reel.items] == [c.pk for c in clips]
    assert reel.items[0]["label"] == "#1 · 0:40 · 9 viewers"
    cut = sum(c.end - c.start for c in clips)
    parts = 2 * len(clips)  # a card before each clip
    expected = cut + len(clips) * TITLE_CARD - (parts - 1) * CROSSFADE
    assert reel.duration == pytest.approx(expected, abs=0.1)
    info = render.probe_media(reel.file.path)
    assert info.duration == pytest.approx(expected, abs=0.15)
    assert info.has_audio and (info.width, info.height) == (320, 240)
    page = alice_client.get(reverse("reel_detail", args=[reel.pk])).content.decode()
    assert reverse("reel_download", args=[reel.pk]) in page
    download = alice_client.get(reverse("reel_download", args=[reel.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_in_time_order_without_cards_over_the_api(api_client, alice, alice_video,
                                                  django_capture_on_commit_callbacks):
    clips = list(Clip.objects.filter(user=alice).order_by("moment__rank"))[:3]
    api_client.force_authenticate(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/reels/", {
            "clips": [c.pk for c in clips], "order": "time", "aspect": "9:16"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["job"]["kind"] == "reel_render"
    reel = Reel.objects.get(pk=response.json()["id"])
    starts = [item["start"] for item in reel.items]
    assert starts == sorted(starts)
    assert reel.status == Reel.Status.READY, reel.error
    info = render.probe_media(reel.file.path)
    assert (info.width, info.height) == (1080, 1920)
    assert info.duration == pytest.approx(
        sum(c.end - c.start for c in clips) - 2 * CROSSFADE, abs=0.15)
    detail = api_client.get(f"/api/v1/reels/{reel.pk}/").json()
    assert detail["status"] == "ready" and detail["download_url"]


def test_bad_reels_are_refused_and_nothing_is_made(api_client, alice, bob, alice_video,
                                                   django_capture_on_commit_callbacks):
    clips = list(Clip.objects.filter(user=alice))
    api_client.force_authenticate(bob)
    response = api_client.post("/api/v1/reels/", {"clips": [clips[0].pk]}, format="json")
    assert response.status_code == 400 and response.json()["extra"]["missing"] == [clips[0].pk]

    api_client.force_authenticate(alice)
    oversize = api_client.post("/api/v1/reels/", {"clips": list(range(1, 30))}, format="json")
    assert oversize.status_code == 400
    assert api_client.post("/api/v1/reels/", {"clips": []}, format="json").status_code == 400
    assert api_client.post("/api/v1/reels/", {"clips": [clips[0].pk], "aspect": "2:3"},
                           format="json").status_code == 400
    Clip.objects.filter(pk=clips[1].pk).update(hidden=True)
    hidden = api_client.post("/api/v1/reels/", {"clips": [clips[1].pk]}, format="json")
    assert hidden.status_code == 400
    assert not Reel.objects.exists() and not Job.objects.filter(kind="reel_render").exists()


def test_too_long_in_all(alice, alice_video, monkeypatch):
    clips = list(Clip.objects.filter(user=alice))
    monkeypatch.setattr(Reel, "MAX_SECONDS", 20.0)  # 5 clips of 6 s make 30 s
    with pytest.raises(ApplicationError) as error:
        reel_create(user=alice, clips=clips)
    assert error.value.extra["max_seconds"] == 20.0
    assert not Reel.objects.exists()


def test_another_users_reel_is_404(alice, bob_client, api_client, bob, alice_video):
    clips = list(Clip.objects.filter(user=alice))[:2]
    reel = reel_create(user=alice, clips=clips)
    for name in ("reel_detail", "reel_file", "reel_download", "reel_thumbnail"):
        assert bob_client.get(reverse(name, args=[reel.pk])).status_code == 404, name
    assert bob_client.post(reverse("reel_delete", args=[reel.pk])).status_code == 404
    api_client.force_authenticate(bob)
    assert api_client.get(f"/api/v1/reels/{reel.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/reels/{reel.pk}/").status_code == 404
    assert api_client.get("/api/v1/reels/").json() == []
    assert Reel.objects.filter(pk=reel.pk).exists()


def test_captions_and_aspect_options_as_for_clips(api_client, alice, alice_video, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    from videos.models import CaptionTrack

    CaptionTrack.objects.create(source=alice_video.source, origin="upload", cues=[
        [38.0, 40.0, "hello there", []], [50.0, 52.0, "and again", []]])
    calls = []
    real = render.render_clip

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_clip", spy)
    clips = list(Clip.objects.filter(user=alice).order_by("start"))[-2:]  # 37–43, 49–55
    api_client.force_authenticate(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/reels/", {
            "clips": [c.pk for c in clips], "captions": True, "aspect": "9:16"}, format="json")
    assert response.status_code == 202 and response.json()["captions"] is True
    reel = Reel.objects.get(user=alice)
    assert reel.status == Reel.Status.READY, reel.error
    assert [(c["options"].aspect, c["options"].captions) for c in calls] == [("9:16", True)] * 2
    assert [[cue.text for cue in c["cues"]] for c in calls][0] == ["hello there", "and again"]
    assert all(c["find_faces"] is not None for c in calls)  # faces followed, as for clips
    assert (render.probe_media(reel.file.path).width,
            render.probe_media(reel.file.path).height) == (1080, 1920)
