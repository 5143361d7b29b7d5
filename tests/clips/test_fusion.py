"""Comment moments fused with the other signals, their agreement badges on the video page, and
comment clips labelled from their texts in the emotion galleries (real ffmpeg, inline tasks)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analysis import services as sessions
from analysis.models import WatchSession
from clips.models import Clip, Moment
from clips.services.moments import moments_find_for_video
from comments.ranking import mentions_from_comments, rank_comment_moments
from emotion.samples import validate_sample
from tests.media import comments_jsonl
from videos.models import Video
from videos.services import video_comments

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SPOTS = {5: 2, 14: 6, 27: 4, 40: 9, 52: 3}
LAUGHS = ["0:27 ㅋㅋㅋㅋㅋ", "0:27 lol", "0:27 wkwkwk", "0:27 😂😂"]


@pytest.fixture
def video(alice_client, alice, sample_video, django_capture_on_commit_callbacks):
    data = comments_jsonl(SPOTS, extra=LAUGHS)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("video_add"), {
            "file": SimpleUploadedFile("v.mp4", sample_video.read_bytes()),
            "comments_file": SimpleUploadedFile("c.jsonl", data), "top_k": 3,
            "clip_before": 3, "clip_after": 3, "aspect": "source"})
    video = Video.objects.get(user=alice)
    assert video.status == Video.Status.READY, video.error
    return video


def peaks(video) -> list[int]:
    return [round(m.peak) for m in Moment.objects.filter(video=video).order_by("rank")]


def test_comments_alone_rank_exactly_as_the_comment_ranking(video):
    source = video.source
    comments = [(c.comment_id, c.author_channel_id or c.author, c.text, c.like_count)
                for c in video_comments(video=video)]
    plain = rank_comment_moments(mentions_from_comments(comments, duration=source.duration),
                                 duration=source.duration, top_k=3, before=3, after=3)
    assert peaks(video) == [m.peak for m in plain] == [40, 27, 14]
    stored = Moment.objects.filter(video=video).order_by("rank")
    assert [m.score for m in stored] == [m.score for m in plain]
    assert all("fusion" not in m.evidence for m in stored)


def test_laughing_comments_put_their_clip_in_the_happy_gallery(video, alice_client, bob_client):
    laughing = Moment.objects.get(video=video, peak=27)
    assert laughing.emotion == "happy" and laughing.evidence["reaction"]["emotion"] == "happy"
    assert Moment.objects.get(video=video, peak=40).emotion == ""  # "wow 3" is no cue here
    clip = Clip.objects.get(moment=laughing)
    assert (clip.kind, clip.emotion, clip.status) == ("comments", "happy", "ready")
    page = alice_client.get(reverse("galleries"))
    happy = next(s for s in page.context["sections"] if s["emotion"] == "happy")
    assert [c.pk for c in happy["clips"]] == [clip.pk]
    assert happy["clips"][0].from_comments and happy["clips"][0].video_id == video.pk
    assert "from comments" in page.content.decode()
    zipped = alice_client.get(reverse("gallery_zip", args=["happy"]))
    assert zipped.status_code == 200
    assert bob_client.get(reverse("gallery_zip", args=["happy"])).status_code == 404
    assert Clip.objects.filter(pk=clip.pk).exists()
    listed = alice_client.get("/api/v1/clips/", {"emotion": "happy"}).json()["results"]
    assert [c["id"] for c in listed] == [clip.pk]


def test_replays_and_the_crowd_join_the_ranking_and_the_badges(
        video, alice, alice_client, settings):
    source = video.source
    source.heatmap = [{"start_time": s, "end_time": s + 1,
                       "value": 1.0 if 13 <= s <= 15 else 0.1} for s in range(60)]
    source.save(update_fields=["heatmap"])
    moments_find_for_video(video=video)
    assert peaks(video) == [14, 40, 27]  # the most-replayed moment rises
    top = Moment.objects.get(video=video, rank=1)
    assert top.evidence["fusion"]["agreeing"] == ["comments", "heatmap"]

    # Five viewers laughed at 0:27 (k = 2 here, so two sessions are enough to show it).
    settings.CROWD_MIN_VIEWERS = 2
    session = sessions.session_start(user=alice, video=video)
    raw = [{"t": i / 4, "attention": 0.9, "face_found": True,
            "probabilities": {"happy": 0.9 if 26 <= i / 4 < 29 else 0.05, "sad": 0.05,
                              "angry": 0.0, "neutral": 0.9 if not 26 <= i / 4 < 29 else 0.05,
                              "surprise": 0.0}} for i in range(240)]
    sessions.session_add_samples(session_id=session.pk,
                                 samples=[validate_sample(r, duration=60) for r in raw])
    WatchSession.objects.filter(pk=session.pk).update(status="processing")
    session.refresh_from_db()
    assert sessions.crowd_contribute(session=session)
    page = alice_client.get(reverse("video_detail", args=[video.pk]))
    assert page.context["crowd"] is None  # one viewer: below k
    # The owner's own reactions are a signal for their own ranking.
    moments_find_for_video(video=video)
    laughing = Moment.objects.get(video=video, peak=27)
    assert "own" in laughing.evidence["fusion"]["agreeing"]
    page = alice_client.get(reverse("video_detail", args=[video.pk]))
    badges = {m.peak: [a["signal"] for a in m.agreement] for m in page.context["moments"]}
    assert badges[14] == ["comments", "heatmap"]
    assert "own" in badges[27]
    html = page.content.decode()
    assert "replays" in html and 'data-signals="comments heatmap"' in html
    detail = alice_client.get(f"/api/v1/videos/{video.pk}/").json()
    api_badges = {round(m["peak"]): [a["signal"] for a in m["agreement"]]
                  for m in detail["moments"]}
    assert api_badges == badges
    assert detail["crowd"] is None


def test_opted_out_owner_reactions_still_rank_their_own_video(video, alice):
    alice.crowd_opt_out = True
    alice.save(update_fields=["crowd_opt_out"])
    session = sessions.session_start(user=alice, video=video)
    raw = [{"t": i / 4, "attention": 0.9, "face_found": True,
            "probabilities": {"happy": 0.9 if 13 <= i / 4 < 16 else 0.05, "sad": 0.05,
                              "angry": 0.0, "neutral": 0.05 if 13 <= i / 4 < 16 else 0.9,
                              "surprise": 0.0}} for i in range(240)]
    sessions.session_add_samples(session_id=session.pk,
                                 samples=[validate_sample(r, duration=60) for r in raw])
    WatchSession.objects.filter(pk=session.pk).update(status="done")
    assert not sessions.crowd_contribute(session=session)  # nothing leaves alice
    moments_find_for_video(video=video)
    fourteen = Moment.objects.get(video=video, peak=14)
    assert "own" in fourteen.evidence["fusion"]["agreeing"]
    assert peaks(video)[0] == 14  # her own laugh lifts the moment she laughed at


def test_five_viewers_laughing_show_in_the_owners_badge_and_crowd(
        video, alice, alice_client, django_user_model):
    """The Done-means page: a source watched by five other viewers (k = 5, the owner is not
    among them) draws the crowd timeline, and the moment they laughed at says so."""
    source = video.source
    raw = [{"t": i / 4, "attention": 0.9, "face_found": True,
            "probabilities": {"happy": 0.9 if 26 <= i / 4 < 29 else 0.05, "sad": 0.05,
                              "angry": 0.0, "neutral": 0.05 if 26 <= i / 4 < 29 else 0.9,
                              "surprise": 0.0}} for i in range(240)]
    for i in range(5):
        viewer = django_user_model.objects.create_user(f"crowd{i}", password="x")
        theirs = Video.objects.create(user=viewer, source=source, clip_before=3, clip_after=3)
        session = sessions.session_start(user=viewer, video=theirs)
        sessions.session_add_samples(session_id=session.pk,
                                     samples=[validate_sample(r, duration=60) for r in raw])
        WatchSession.objects.filter(pk=session.pk).update(status="processing")
        session.refresh_from_db()
        assert sessions.crowd_contribute(session=session)
    page = alice_client.get(reverse("video_detail", args=[video.pk]))
    assert page.context["crowd"]["viewers"] == 5
    badges = {m.peak: [a["label"] for a in m.agreement] for m in page.context["moments"]}
    assert "5 viewers laughed" in badges[27]
    assert not any("laughed" in label for label in badges[40])
    assert "5 viewers laughed" in page.content.decode()
    assert 'id="crowd"' in page.content.decode()
