"""Watch sessions through the REST API (apps that analyse on the device), the finish job,
emotion moments → clips → galleries, and that no frame is ever written."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files import File
from django.urls import reverse

from analysis.models import EmotionSample, WatchSession
from clips.models import Clip, Moment
from emotion.samples import validate_sample
from jobs.models import Job
from videos.models import SourceVideo, Video

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EMOTIONS = ("happy", "sad", "angry", "neutral", "surprise")


@pytest.fixture
def video(alice, sample_video):
    source = SourceVideo(kind="upload", uploaded_by=alice, title="Sketch", duration=60,
                         file_status="ready", width=320, height=240)
    with open(sample_video, "rb") as handle:
        source.file.save("v.mp4", File(handle), save=False)
    source.save()
    return Video.objects.create(user=alice, source=source, clip_before=3, clip_after=3)


def probs(**peaks: float) -> dict:
    """A resting face that is slightly 'sad' (as some faces are), plus the given peaks."""
    base = {"happy": 0.05, "sad": 0.35, "angry": 0.05, "neutral": 0.5, "surprise": 0.05}
    base.update(peaks)
    total = sum(base.values())
    return {k: v / total for k, v in base.items()}


def reaction_samples() -> list[dict]:
    samples = []
    for i in range(60 * 4):  # 4 fps over 60 s
        t = i / 4
        if 20 <= t < 24:
            p = probs(happy=0.9, neutral=0.05, sad=0.02)
        elif 44 <= t < 47:
            p = probs(surprise=0.85, neutral=0.05, sad=0.02)
        else:
            p = probs()
        samples.append({"t": t, "probabilities": p, "attention": 0.9, "face_found": True})
    return samples


def test_mobile_flow_samples_to_gallery(api_client, alice, video,
                                        django_capture_on_commit_callbacks):
    api_client.force_authenticate(alice)
    assert api_client.post(f"/api/v1/videos/{video.pk}/sessions/", {"consent": False},
                           format="json").status_code == 400
    response = api_client.post(f"/api/v1/videos/{video.pk}/sessions/", {"consent": True},
                               format="json")
    assert response.status_code == 201
    session_id = response.json()["id"]
    assert response.json()["websocket_url"] == f"/ws/sessions/{session_id}/"
    samples = reaction_samples()
    for start in range(0, len(samples), 100):  # batches, as an app would send them
        stored = api_client.post(f"/api/v1/sessions/{session_id}/samples/",
                                 {"samples": samples[start:start + 100]}, format="json")
        assert stored.status_code == 201 and stored.json()["stored"] == len(
            samples[start:start + 100])
    assert EmotionSample.objects.filter(session_id=session_id).count() == 240
    with django_capture_on_commit_callbacks(execute=True):
        finished = api_client.post(f"/api/v1/sessions/{session_id}/finish/")
    assert finished.status_code == 202
    job = Job.objects.get(pk=finished.json()["id"])
    assert job.status == Job.Status.DONE, job.error

    moments = list(Moment.objects.filter(session_id=session_id).order_by("rank"))
    assert [(m.emotion, round(m.peak)) for m in moments][:2] in (
        [("happy", 22), ("surprise", 45)], [("happy", 21), ("surprise", 45)],
        [("happy", 22), ("surprise", 46)], [("happy", 21), ("surprise", 46)])
    assert "sad" not in {m.emotion for m in moments}  # the resting face is the baseline
    assert all(0 < m.intensity <= 1 for m in moments)
    assert moments[0].evidence["curve"]

    clips = Clip.objects.filter(user=alice, kind="emotion", status="ready")
    assert {c.emotion for c in clips} >= {"happy", "surprise"}
    happy = clips.get(emotion="happy")
    assert happy.duration == pytest.approx(happy.end - happy.start, abs=0.1)

    detail = api_client.get(f"/api/v1/sessions/{session_id}/").json()
    assert detail["status"] == "done"
    assert {m["emotion"] for m in detail["moments"]} >= {"happy", "surprise"}
    listed = api_client.get("/api/v1/clips/", {"emotion": "happy"}).json()["results"]
    assert [c["id"] for c in listed] == [happy.pk]


def test_bad_samples_are_rejected_whole_with_the_reason(api_client, alice, video):
    api_client.force_authenticate(alice)
    session = api_client.post(f"/api/v1/videos/{video.pk}/sessions/", {"consent": True},
                              format="json").json()["id"]
    good = {"t": 1, "probabilities": probs(), "attention": 0.5, "face_found": True}
    cases = [
        {"t": 2, "probabilities": {"happy": 1}, "attention": 1},
        {"t": -1, "probabilities": probs(), "attention": 1},
        {"t": 3, "probabilities": probs(), "attention": 7},
        {"t": 9999, "probabilities": probs(), "attention": 1},
        {"probabilities": probs()},
    ]
    for bad in cases:
        response = api_client.post(f"/api/v1/sessions/{session}/samples/",
                                   {"samples": [good, bad]}, format="json")
        assert response.status_code == 400
        assert response.json()["message"].startswith("Sample 1:")
        assert response.json()["extra"] == {"index": 1}
    assert not EmotionSample.objects.exists()
    no_face = {"t": 4, "face_found": False}
    assert api_client.post(f"/api/v1/sessions/{session}/samples/", {"samples": [no_face]},
                           format="json").status_code == 201
    row = EmotionSample.objects.get()
    assert (row.face_found, row.attention, row.happy) == (False, 0.0, 0.0)


def test_sessions_are_private(api_client, client, alice, bob, video, bob_client):
    session = WatchSession.objects.create(user=alice, video=video)
    api_client.force_authenticate(bob)
    assert api_client.post(f"/api/v1/videos/{video.pk}/sessions/", {"consent": True},
                           format="json").status_code == 404
    for url in (f"/api/v1/sessions/{session.pk}/", f"/api/v1/sessions/{session.pk}/finish/",
                f"/api/v1/sessions/{session.pk}/samples/"):
        assert api_client.post(url, {"samples": []}, format="json").status_code in (404, 405)
        assert api_client.get(url).status_code in (404, 405)
    for name in ("session_detail", "watch_session"):
        assert bob_client.get(reverse(name, args=[session.pk])).status_code == 404
    assert bob_client.post(reverse("session_finish", args=[session.pk])).status_code == 404
    assert api_client.get("/api/v1/sessions/").json()["results"] == []


def test_watch_page_consent_then_session(alice_client, alice, video):
    page = alice_client.get(reverse("watch", args=[video.pk])).content.decode()
    assert "discards the picture" in page and "Pictures are never saved" in page
    response = alice_client.post(reverse("watch", args=[video.pk]), {"remember": "on"})
    session = WatchSession.objects.get(user=alice)
    assert response["Location"] == reverse("watch_session", args=[session.pk])
    alice.refresh_from_db()
    assert alice.webcam_consent is True
    watch = alice_client.get(reverse("watch_session", args=[session.pk])).content.decode()
    assert f'data-session="{session.pk}"' in watch and "js/watch.js" in watch
    assert reverse("video_file", args=[video.pk]) in watch
    # Both players have a name a screen reader says: the video's title and the camera preview.
    players = re.findall(r"<video\b[^>]*>", watch)
    assert len(players) == 2
    assert 'aria-label="Sketch"' in players[0] and 'aria-label="Your webcam preview"' in players[1]


def test_watch_page_names_every_emotion_for_the_live_status(alice_client, alice, video):
    # watch.js reads data-label-<emotion>; the names come from the one vocabulary.
    session = WatchSession.objects.create(user=alice, video=video)
    url = reverse("watch_session", args=[session.pk])
    english = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for emotion in EMOTIONS:
        assert f'data-label-{emotion}="{emotion}"' in english
    assert 'data-label-happy="행복"' in korean and 'data-label-surprise="놀람"' in korean


def test_watch_needs_a_ready_video(alice_client, alice, video):
    video.source.file_status = "downloading"
    video.source.save()
    response = alice_client.post(reverse("watch", args=[video.pk]))
    assert response.status_code == 302
    assert not WatchSession.objects.exists()


def finished_session(alice, video, capture) -> WatchSession:
    from analysis import services

    session = services.session_start(user=alice, video=video)
    services.session_add_samples(session_id=session.pk, samples=[
        validate_sample(raw, duration=60) for raw in reaction_samples()])
    with capture(execute=True):
        services.session_finish(session=session)
    session.refresh_from_db()
    return session


def test_frames_without_a_face_say_so(alice, alice_client, video,
                                      django_capture_on_commit_callbacks):
    """Frames arrived but no face was in any of them: the job and the page say that, not
    "no strong reactions" (which would blame the viewer's face for being calm)."""
    from analysis import services

    session = services.session_start(user=alice, video=video)
    services.session_add_samples(session_id=session.pk, samples=[
        validate_sample({"t": i / 4, "probabilities": None, "attention": 0, "face_found": False},
                        duration=60) for i in range(40)])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.session_finish(session=session)
    job.refresh_from_db()
    session.refresh_from_db()
    assert (job.status, session.status, session.frames_received) == ("done", "done", 40)
    assert job.message_text.startswith("Your face was not found in any frame")
    html = alice_client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Your face was not found in any of the frames received" in html
    assert "No strong reactions" not in html and "No frames were received" not in html


def test_gallery_sections_sorting_zip_and_delete(alice_client, bob_client, alice, video,
                                                 django_capture_on_commit_callbacks):
    session = finished_session(alice, video, django_capture_on_commit_callbacks)
    assert session.status == "done"
    page = alice_client.get(reverse("galleries")).content.decode()
    for emotion in ("happy", "sad", "angry", "surprise"):
        assert f'id="gallery-{emotion}"' in page
    assert 'id="gallery-neutral"' not in page  # the baseline is not collected
    happy = Clip.objects.get(user=alice, emotion="happy")
    assert f'data-clip-id="{happy.pk}"' in page
    assert page.index('id="gallery-happy"') < page.index(f'data-clip-id="{happy.pk}"') < page.index(
        'id="gallery-sad"')
    assert 'class="spark"' in page  # the "why" curve
    assert alice_client.get(reverse("galleries"), {"sort": "date"}).status_code == 200

    response = alice_client.get(reverse("gallery_zip", args=["happy"]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == Clip.objects.filter(user=alice, emotion="happy").count()
    assert archive.read(names[0])[4:8] == b"ftyp"
    assert bob_client.get(reverse("gallery_zip", args=["happy"])).status_code == 404
    assert alice_client.get(reverse("gallery_zip", args=["neutral"])).status_code == 404

    assert bob_client.post(reverse("clip_delete", args=[happy.pk])).status_code == 404
    path = happy.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("clip_delete", args=[happy.pk]),
                                     {"next": "https://evil.example/"})
    assert response["Location"] == reverse("galleries")
    assert not Clip.objects.filter(pk=happy.pk).exists()
    import os

    assert not os.path.exists(path)

    detail = alice_client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Your reactions over the video" in detail and "polyline" in detail


# transaction=True: the consumer's database_sync_to_async runs close_old_connections() on this
# thread, which drops a connection held inside a test transaction (PostgreSQL then fails with
# "the connection is closed"; SQLite's in-memory test database ignores the close).
@pytest.mark.django_db(transaction=True)
def test_no_frame_is_ever_written(alice, video, tmp_path, settings, monkeypatch):
    """Drive a session over the socket with real JPEGs and the real recognizer, then look
    for anything image-like in MEDIA_ROOT and the temp dir."""
    import asyncio
    import struct
    import tempfile
    from pathlib import Path

    import numpy as np
    from channels.testing import WebsocketCommunicator
    from PIL import Image
    from rest_framework.authtoken.models import Token
    from skimage import data

    from analysis import inference
    from shortory.asgi import application

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    inference.reset_inference_worker()
    face = Image.fromarray(data.astronaut()).resize((320, 320)).crop((0, 40, 320, 280))
    buffer = io.BytesIO()
    face.save(buffer, format="JPEG", quality=80)
    jpeg = buffer.getvalue()
    session = WatchSession.objects.create(user=alice, video=video)
    token = Token.objects.create(user=alice).key

    async def stream():
        ws = WebsocketCommunicator(application, f"/ws/sessions/{session.pk}/",
                                   headers=[(b"authorization", f"Token {token}".encode())])
        assert (await ws.connect())[0]
        await ws.receive_from()
        replies = []
        for i in range(6):
            await ws.send_to(bytes_data=struct.pack("<d", i * 0.25) + jpeg)
            import json

            replies.append(json.loads(await ws.receive_from(timeout=30)))
            await asyncio.sleep(0.26)
        await ws.disconnect()
        return replies

    from asgiref.sync import async_to_sync

    replies = async_to_sync(stream)()
    inference.reset_inference_worker()
    assert all(r["type"] == "analysis" for r in replies)
    assert replies[0]["face_found"] is True and replies[0]["emotion"] == "happy"
    assert EmotionSample.objects.filter(session=session).count() == 6
    signatures = (b"\xff\xd8\xff", b"\x89PNG")
    for root in (Path(settings.MEDIA_ROOT), scratch):
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                assert not path.read_bytes()[:4].startswith(signatures), path
                assert jpeg[100:200] not in path.read_bytes(), path
    assert np.isfinite([s.happy for s in EmotionSample.objects.all()]).all()
