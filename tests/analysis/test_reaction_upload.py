"""Issue 15: "I watched this with my camera recording" — a reaction video uploaded for a watch
session (API and page) goes through the live path and lands in the same galleries; the
recording is deleted once read.

The recording: 3 s of an empty room, then real faces from scikit-image's LFW sample that the
engine reads as sad (9 s) and then happy (10 s), 16:9 — a stand-in for one person crying then
laughing (no registry package ships such a video).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analysis.models import EmotionSample, WatchSession
from clips.models import Clip, Moment
from jobs.models import Job
from tests.media import LFW_HAPPY, LFW_SAD, lfw_face_picture, reaction_video
from videos.models import SourceVideo, Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reaction-upload")
    return reaction_video(folder / "me.mp4", [
        (None, 3), (lfw_face_picture(LFW_SAD, folder / "sad.png"), 9),
        (lfw_face_picture(LFW_HAPPY, folder / "happy.png"), 10)])


@pytest.fixture
def video(alice, sample_video):
    source = SourceVideo(kind="upload", uploaded_by=alice, title="Sketch", duration=60,
                         file_status="ready", width=320, height=240)
    with open(sample_video, "rb") as handle:
        source.file.save("v.mp4", File(handle), save=False)
    source.save()
    return Video.objects.create(user=alice, source=source)


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile("me.mp4", path.read_bytes(), content_type="video/mp4")


def test_api_reaction_video_to_sad_and_happy_clips(api_client, alice, video, recording,
                                                   django_capture_on_commit_callbacks):
    api_client.force_authenticate(alice)
    session_id = api_client.post(f"/api/v1/videos/{video.pk}/sessions/", {"consent": True},
                                 format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/sessions/{session_id}/reaction/",
                                   {"file": upload(recording), "offset": "3"},
                                   format="multipart")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == Job.Status.DONE, job.error
    session = WatchSession.objects.get(pk=session_id)
    assert session.status == WatchSession.Status.DONE, session.error
    assert not session.reaction_video  # the recording is gone once read
    assert not list((Path(session.video.source.file.storage.location) / "reactions").glob("*"))
    # 19 s of the source watched at 4 frames a second, as the live page sends them.
    times = list(EmotionSample.objects.filter(session=session).values_list("t", flat=True))
    assert len(times) == pytest.approx(19 * 4, abs=2) and session.frames_received == len(times)
    assert min(times) == 0.0 and max(times) <= 19.01

    moments = {m.emotion: m for m in Moment.objects.filter(session=session)}
    assert {"sad", "happy"} <= set(moments)
    assert 0 <= moments["sad"].peak < 9 and 9 <= moments["happy"].peak <= 19
    clips = {c.emotion for c in Clip.objects.filter(user=alice, kind="emotion", status="ready")}
    assert {"sad", "happy"} <= clips
    gallery = api_client.get("/api/v1/clips/", {"emotion": "sad"}).json()["results"]
    assert len(gallery) == 1


def test_api_reaction_is_404_for_someone_else_and_bad_input_is_refused(
        api_client, alice, bob, video, recording):
    from analysis import services

    session = services.session_start(user=alice, video=video)
    api_client.force_authenticate(bob)
    response = api_client.post(f"/api/v1/sessions/{session.pk}/reaction/",
                               {"file": upload(recording), "offset": "0"}, format="multipart")
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == WatchSession.Status.ACTIVE and not session.reaction_video
    api_client.force_authenticate(alice)
    missing = api_client.post(f"/api/v1/sessions/{session.pk}/reaction/", {"offset": "0"},
                              format="multipart")
    assert missing.status_code == 400
    junk = api_client.post(f"/api/v1/sessions/{session.pk}/reaction/",
                           {"file": SimpleUploadedFile("x.mp4", b"nope" * 500), "offset": "0"},
                           format="multipart")
    assert junk.status_code == 400 and junk.json()["extra"] == {"field": "file"}
    session.refresh_from_db()
    assert session.status == WatchSession.Status.ACTIVE and not session.reaction_video
    assert not Job.objects.filter(target=f"session:{session.pk}").exists()


def test_a_recording_that_breaks_mid_read_fails_the_session_and_is_deleted(
        alice, video, recording, monkeypatch, django_capture_on_commit_callbacks):
    from analysis import services

    session = services.session_start(user=alice, video=video)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.session_add_reaction(session=session, upload=upload(recording), offset=3)
    stored = Path(session.reaction_video.path)
    assert stored.is_file()

    def broken(*args, **kwargs):
        yield from ()
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(services, "reaction_readings", broken)
    from analysis.tasks import analyse_reaction

    analyse_reaction(job_id=job.pk, session_id=session.pk)
    job.refresh_from_db()
    session.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert session.status == WatchSession.Status.FAILED and session.error
    assert not session.reaction_video and not stored.exists()


def test_reaction_page_and_refusals(alice_client, bob_client, alice, video, recording, tmp_path,
                                    django_capture_on_commit_callbacks):
    from analysis import services

    session = services.session_start(user=alice, video=video)
    url = reverse("session_reaction", args=[session.pk])
    assert alice_client.get(url).status_code == 200
    # Someone else's session: 404, nothing changes.
    assert bob_client.post(url, {"file": upload(recording), "offset": "0"}).status_code == 404
    session.refresh_from_db()
    assert session.status == WatchSession.Status.ACTIVE and not session.reaction_video
    # Not a video: a clear error on the page, nothing stored.
    junk = SimpleUploadedFile("me.mp4", b"definitely not a video" * 100)
    page = alice_client.post(url, {"file": junk, "offset": "0"})
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    session.refresh_from_db()
    assert session.status == WatchSession.Status.ACTIVE and not session.reaction_video
    assert not Job.objects.filter(target=f"session:{session.pk}").exists()
    # An offset past the end of the recording: refused.
    page = alice_client.post(url, {"file": upload(recording), "offset": "500"})
    assert "never overlap" in page.content.decode()
    # A session that already streamed frames: refused.
    services.session_add_samples(session_id=session.pk, samples=[])
    WatchSession.objects.filter(pk=session.pk).update(frames_received=3)
    page = alice_client.post(url, {"file": upload(recording), "offset": "0"})
    assert "already has frames" in page.content.decode()
    # The page flow: upload, redirect to the session, the job made the clips.
    fresh = services.session_start(user=alice, video=video)
    with django_capture_on_commit_callbacks(execute=True):
        done = alice_client.post(reverse("session_reaction", args=[fresh.pk]),
                                 {"file": upload(recording), "offset": "3"})
    assert done.status_code == 302 and done["Location"] == reverse("session_detail",
                                                                    args=[fresh.pk])
    fresh.refresh_from_db()
    assert fresh.status == WatchSession.Status.DONE
    assert {"sad", "happy"} <= set(fresh.moments.values_list("emotion", flat=True))
