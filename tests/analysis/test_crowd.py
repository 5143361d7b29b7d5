"""The crowd timeline: many viewers of one YouTube video, k-anonymous aggregates on the video
page of every viewer, the opt-out, withdrawal when data goes, incremental updates."""

from __future__ import annotations

import pytest
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analysis import services
from analysis.models import CrowdAggregate, CrowdContribution, WatchSession
from emotion.samples import validate_sample
from videos.models import SourceVideo, Video

pytestmark = pytest.mark.django_db


def probs(**peaks: float) -> dict:
    base = {"happy": 0.05, "sad": 0.35, "angry": 0.05, "neutral": 0.5, "surprise": 0.05}
    base.update(peaks)
    total = sum(base.values())
    return {k: v / total for k, v in base.items()}


def samples(*, laugh_at: tuple[int, int] = (20, 24), until: float = 60) -> list:
    out = []
    for i in range(int(until * 4)):
        t = i / 4
        p = probs(happy=0.9, neutral=0.05, sad=0.02) if laugh_at[0] <= t < laugh_at[1] \
            else probs()
        out.append(validate_sample({"t": t, "probabilities": p, "attention": 0.8,
                                    "face_found": True}, duration=60))
    return out


@pytest.fixture
def source(alice, sample_video):
    source = SourceVideo(kind="youtube", youtube_id="crowdvid001", title="Shared", duration=60,
                         file_status="ready", width=320, height=240)
    with open(sample_video, "rb") as handle:
        source.file.save("v.mp4", File(handle), save=False)
    source.save()
    return source


@pytest.fixture
def viewers(django_user_model, alice, bob, source):
    """alice, bob and four more users, each with the shared source in their library."""
    users = [alice, bob] + [django_user_model.objects.create_user(f"viewer{i}", password="x")
                            for i in range(4)]
    for user in users:
        Video.objects.create(user=user, source=source, clip_before=3, clip_after=3)
    return users


def watched(user, source, **kwargs) -> WatchSession:
    video = Video.objects.get(user=user, source=source)
    session = services.session_start(user=user, video=video)
    services.session_add_samples(session_id=session.pk, samples=samples(**kwargs))
    WatchSession.objects.filter(pk=session.pk).update(status=WatchSession.Status.PROCESSING)
    session.refresh_from_db()
    return session


def crowd_context(client, user, source):
    video = Video.objects.get(user=user, source=source)
    response = client.get(reverse("video_detail", args=[video.pk]))
    assert response.status_code == 200
    return response


def test_timeline_appears_at_k_viewers_for_every_viewer_of_the_source(
        viewers, source, alice_client, bob_client, alice, bob,
        django_capture_on_commit_callbacks):
    for user in viewers[1:5]:
        assert services.crowd_contribute(session=watched(user, source))
    # Four viewers: nothing may be shown yet.
    assert source.crowd.contributors == 4
    response = crowd_context(alice_client, alice, source)
    assert response.context["crowd"] is None
    assert b'id="crowd"' not in response.content

    # The fifth viewer's session finishes through the real job: the timeline updates.
    session = watched(alice, source)
    WatchSession.objects.filter(pk=session.pk).update(status=WatchSession.Status.ACTIVE)
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_finish(session=session)
    session.refresh_from_db()
    assert session.status == "done"
    aggregate = CrowdAggregate.objects.get(source=source)
    assert aggregate.contributors == 5
    shown = aggregate.timeline()
    assert shown.viewers[21] == 5 and shown.shares["happy"][21] == 1.0
    assert shown.shares["happy"][40] == 0.0  # at rest: nobody above their own baseline
    assert shown.shares["sad"][40] == 0.0  # a resting "sad" face is that viewer's baseline
    assert shown.attention[21] == pytest.approx(0.8, abs=0.01)

    for client, user in ((alice_client, alice), (bob_client, bob)):
        response = crowd_context(client, user, source)
        crowd = response.context["crowd"]
        assert crowd["viewers"] == 5 and crowd["min_viewers"] == 5
        assert {line["key"] for line in crowd["lines"]} >= {"happy", "attention"}
        assert b'id="crowd"' in response.content
        # Only counts: no viewer's name is on the page of another viewer.
        others = {u.username for u in viewers} - {user.username}
        assert not any(name.encode() in response.content for name in others)


def test_seconds_with_fewer_than_k_viewers_are_never_shown(viewers, source):
    for user in viewers[:4]:
        services.crowd_contribute(session=watched(user, source))
    services.crowd_contribute(session=watched(viewers[4], source, until=30))
    shown = CrowdAggregate.objects.get(source=source).timeline()
    assert shown.viewers[10] == 5
    assert shown.viewers[45] is None and shown.shares["happy"][45] is None
    assert shown.attention[45] is None


def test_a_viewer_counts_once_and_a_job_delivered_twice_adds_nothing(viewers, source, alice):
    first = watched(alice, source, laugh_at=(20, 24))
    assert services.crowd_contribute(session=first)
    assert not services.crowd_contribute(session=first)  # the same session again
    second = watched(alice, source, laugh_at=(40, 44))
    assert services.crowd_contribute(session=second)
    counts = CrowdAggregate.objects.get(source=source).aggregate()
    assert counts.viewers[21] == 1 and counts.viewers[41] == 1  # once per second
    assert counts.reacted["happy"][41] == 1
    assert counts.reacted["happy"][21] == 0  # the newer session replaced what it saw
    assert CrowdContribution.objects.filter(user=alice).count() == 1


def test_opting_out_takes_contributions_out_and_keeps_new_ones_out(
        viewers, source, alice, alice_client):
    for user in viewers[:5]:
        services.crowd_contribute(session=watched(user, source))
    response = alice_client.post(reverse("profile"), {"email": alice.email,
                                                      "crowd_opt_out": "on"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.crowd_opt_out
    aggregate = CrowdAggregate.objects.get(source=source)
    assert aggregate.contributors == 4
    assert aggregate.aggregate().viewers[21] == 4
    assert aggregate.timeline().is_empty  # 4 < k: nothing shown any more
    assert not CrowdContribution.objects.filter(user=alice).exists()
    assert not services.crowd_contribute(session=watched(alice, source))
    assert CrowdAggregate.objects.get(source=source).contributors == 4
    page = alice_client.get(reverse("profile"))
    assert b'name="crowd_opt_out"' in page.content and b"checked" in page.content


def test_deleting_a_video_or_an_account_withdraws_the_counts(viewers, source, bob):
    for user in viewers[:6]:
        services.crowd_contribute(session=watched(user, source))
    assert CrowdAggregate.objects.get(source=source).aggregate().viewers[21] == 6
    Video.objects.get(user=viewers[3], source=source).delete()
    assert CrowdAggregate.objects.get(source=source).aggregate().viewers[21] == 5
    from accounts.services import user_delete_with_data

    user_delete_with_data(user=bob)
    aggregate = CrowdAggregate.objects.get(source=source)
    assert aggregate.aggregate().viewers[21] == 4 and aggregate.contributors == 4


def test_the_update_is_incremental(viewers, source, django_user_model):
    """The work of adding one session does not grow with the number of earlier viewers."""
    counts = []
    for user in viewers:
        session = watched(user, source)
        with CaptureQueriesContext(connection) as queries:
            services.crowd_contribute(session=session)
        counts.append(len(queries))
        sample_reads = [q["sql"] for q in queries if "analysis_emotionsample" in q["sql"]]
        assert len(sample_reads) == 1  # this session's samples, nobody else's
    assert counts[1] == counts[-1]


def test_the_crowd_is_not_shown_to_someone_without_the_source(viewers, source, staff_client):
    for user in viewers[:5]:
        services.crowd_contribute(session=watched(user, source))
    video = Video.objects.get(user=viewers[0], source=source)
    assert staff_client.get(reverse("video_detail", args=[video.pk])).status_code == 404


def test_the_api_gives_the_same_k_anonymous_timeline(viewers, source, api_client, bob):
    for user in viewers[:4]:
        services.crowd_contribute(session=watched(user, source))
    services.crowd_contribute(session=watched(viewers[4], source, until=30))
    api_client.force_authenticate(bob)
    video = Video.objects.get(user=bob, source=source)
    crowd = api_client.get(f"/api/v1/videos/{video.pk}/").json()["crowd"]
    assert crowd["min_viewers"] == 5
    assert crowd["viewers"][21] == 5 and crowd["shares"]["happy"][21] == 1.0
    assert crowd["viewers"][45] is None and crowd["shares"]["happy"][45] is None
    assert "user" not in str(crowd) and "viewer0" not in str(crowd)
