"""Honest states: every status a clip, job, video or session can be in shows a clear message
on its page, with an action where one makes sense, and none of them waits forever.

Each test enumerates the model's own list of statuses and fails when a new one is added
without a page state for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from analysis.models import EmotionSample, WatchSession
from clips.models import Clip, ClipState, Moment
from jobs import services as job_services
from jobs.models import Job
from videos.models import SourceVideo, Video

pytestmark = pytest.mark.django_db


def _video(user, status=Video.Status.READY) -> Video:
    source = SourceVideo.objects.create(kind=SourceVideo.Kind.UPLOAD, uploaded_by=user,
                                        title="Talk", duration=120.0)
    return Video.objects.create(user=user, source=source, status=status)


def _moment(video: Video, rank: int = 1, **kwargs) -> Moment:
    return Moment.objects.create(kind=Moment.Kind.COMMENTS, video=video, rank=rank, peak=30,
                                 start=20, end=40, evidence={"mention_count": 3,
                                                             "distinct_authors": 3}, **kwargs)


def _clip(moment: Moment, **fields) -> Clip:
    owner = moment.video or moment.session.video
    return Clip.objects.create(user=owner.user, source=owner.source, moment=moment,
                               kind=moment.kind, emotion=moment.emotion, start=moment.start,
                               end=moment.end, **fields)


def _ready_clip(moment: Moment, **fields) -> Clip:
    clip = _clip(moment, status=Clip.Status.READY, **fields)
    clip.file.save("c.mp4", ContentFile(b"mp4"), save=False)
    clip.thumbnail.save("t.jpg", ContentFile(b"jpg"), save=False)
    clip.save()
    return clip


# One way to reach every clip state, on a video page.
CLIP_CASES = {
    ClipState.READY: (Video.Status.READY, lambda m: _ready_clip(m)),
    ClipState.MAKING: (Video.Status.PROCESSING, lambda m: _clip(m, status=Clip.Status.RENDERING)),
    ClipState.STOPPED: (Video.Status.READY, lambda m: _clip(m, status=Clip.Status.RENDERING)),
    ClipState.FAILED: (Video.Status.READY,
                       lambda m: _clip(m, status=Clip.Status.FAILED, error="ffmpeg broke")),
    ClipState.HIDDEN: (Video.Status.READY, lambda m: _ready_clip(m, hidden=True)),
    ClipState.DELETED: (Video.Status.READY, lambda m: None),
}


def test_every_clip_state_has_a_case():
    assert set(CLIP_CASES) == set(ClipState)


@pytest.mark.parametrize("state", list(ClipState), ids=str)
def test_clip_state_on_the_video_page(alice, alice_client, state):
    video_status, make = CLIP_CASES[state]
    video = _video(alice, status=video_status)
    moment = _moment(video)
    make(moment)
    moment = Moment.objects.get(pk=moment.pk)
    assert moment.clip_state == state

    html = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
    assert f'data-clip-state="{state}"' in html
    assert "Clip on its way" not in html
    retry = f'action="{reverse("video_retry", args=[video.pk])}"'
    if state == ClipState.READY:
        assert reverse("clip_file", args=[moment.clip.pk]) in html
        assert 'aria-label="Clip from 0:20 to 0:40"' in html
    else:
        assert str(state.label) in html
    if state in (ClipState.STOPPED, ClipState.FAILED, ClipState.DELETED):
        assert retry in html  # the way out: make the clips again
    if state == ClipState.HIDDEN:
        assert "A moderator hid this clip." in html
        assert reverse("clip_file", args=[moment.clip.pk]) not in html
    # Only a clip that is really being made shows the spinner.
    assert ('class="spinner"' in html) == (state == ClipState.MAKING)


def test_deleted_emotion_clip_on_the_session_page(alice, alice_client):
    video = _video(alice)
    session = WatchSession.objects.create(user=alice, video=video,
                                          status=WatchSession.Status.DONE, frames_received=40)
    moment = Moment.objects.create(kind=Moment.Kind.EMOTION, session=session, rank=1, peak=30,
                                   start=25, end=35, emotion="happy", intensity=0.4)
    _ready_clip(moment).delete()
    html = alice_client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert 'data-clip-state="deleted"' in html and "You deleted this clip." in html
    assert "Clip on its way" not in html and 'class="spinner"' not in html


# Every session status (and the open one left behind), with what its page must offer.
def _session(alice, status, **fields):
    return WatchSession.objects.create(user=alice, video=_video(alice), status=status, **fields)


def test_every_session_status(alice, alice_client):
    seen = set()

    def page(session):
        seen.add(session.status)
        return alice_client.get(reverse("session_detail", args=[session.pk])).content.decode()

    open_session = _session(alice, WatchSession.Status.ACTIVE)
    html = page(open_session)
    assert 'data-session-state="open"' in html
    assert reverse("watch_session", args=[open_session.pk]) in html  # resume
    assert f'action="{reverse("session_finish", args=[open_session.pk])}"' in html  # finish

    left = _session(alice, WatchSession.Status.ACTIVE)
    EmotionSample.objects.create(session=left, t=3, face_found=True, neutral=1)
    stale = timezone.now() - WatchSession.ABANDONED_AFTER - timedelta(minutes=1)
    WatchSession.objects.filter(pk=left.pk).update(started_at=stale)
    EmotionSample.objects.filter(session=left).update(created_at=stale)
    html = page(left)
    assert 'data-session-state="abandoned"' in html and "Not finished" in html
    assert "without finishing it" in html
    assert reverse("watch_session", args=[left.pk]) in html
    assert f'action="{reverse("session_finish", args=[left.pk])}"' in html
    listing = alice_client.get(reverse("sessions")).content.decode()
    assert "Not finished" in listing and "Resume or finish" in listing

    processing = _session(alice, WatchSession.Status.PROCESSING)
    job = job_services.job_create(user=alice, kind=Job.Kind.SESSION_FINISH,
                                  target=f"session:{processing.pk}")
    html = page(processing)
    assert f'data-job-id="{job.pk}"' in html and "Making clips" in html

    empty = _session(alice, WatchSession.Status.DONE, frames_received=0)
    html = page(empty)
    assert "No frames were received in this session" in html
    assert "No strong reactions" not in html
    assert reverse("watch", args=[empty.video.pk]) in html  # watch again

    calm = _session(alice, WatchSession.Status.DONE, frames_received=120)
    EmotionSample.objects.bulk_create([EmotionSample(session=calm, t=i / 2, face_found=True,
                                                     neutral=0.9, happy=0.1)
                                       for i in range(120)])
    html = page(calm)
    assert "No strong reactions stood out" in html and "No frames were received" not in html
    assert "Your face was not found" not in html

    faceless = _session(alice, WatchSession.Status.DONE, frames_received=120)
    EmotionSample.objects.bulk_create([EmotionSample(session=faceless, t=i / 2)
                                       for i in range(120)])
    html = page(faceless)
    assert "Your face was not found in any of the frames received" in html
    assert "No strong reactions" not in html and "No frames were received" not in html

    failed = _session(alice, WatchSession.Status.FAILED, error="The clips could not be made.")
    html = page(failed)
    assert 'data-session-state="failed"' in html and "The clips could not be made." in html
    assert f'action="{reverse("session_retry", args=[failed.pk])}"' in html

    assert seen == set(WatchSession.Status.values)


def test_session_retry_makes_a_new_job(alice, alice_client, bob_client, django_capture_on_commit_callbacks):
    failed = _session(alice, WatchSession.Status.FAILED, error="boom")
    url = reverse("session_retry", args=[failed.pk])
    assert bob_client.post(url).status_code == 404
    failed.refresh_from_db()
    assert failed.status == WatchSession.Status.FAILED
    with django_capture_on_commit_callbacks(execute=False):
        assert alice_client.post(url).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (WatchSession.Status.PROCESSING, "")
    assert Job.objects.filter(target=f"session:{failed.pk}", status="pending").count() == 1


def test_every_video_status(alice, alice_client):
    seen = set()
    for status in Video.Status.values:
        video = _video(alice, status=status)
        if status == Video.Status.FAILED:
            Video.objects.filter(pk=video.pk).update(error="YouTube did not answer properly.")
        html = alice_client.get(reverse("video_detail", args=[video.pk])).content.decode()
        seen.add(status)
        retry = f'action="{reverse("video_retry", args=[video.pk])}"'
        assert f'href="{reverse("video_delete", args=[video.pk])}"' in html  # always removable
        if status == Video.Status.FAILED:
            assert "YouTube did not answer properly." in html and "Try again" in html
            assert retry in html
        elif status == Video.Status.READY:
            assert retry in html and "No moments to show" in html
        else:
            assert retry not in html  # already being processed
        listing = alice_client.get(reverse("videos")).content.decode()
        assert f"status-{status}" in listing
    assert seen == set(Video.Status.values)


@pytest.mark.parametrize("language, waiting, done", [("en", "Waiting", "Done"),
                                                     ("ko", "대기", "완료")])
def test_every_job_status_in_the_readers_language(alice, alice_client, language, waiting, done):
    seen = {}
    for status in Job.Status.values:
        job = job_services.job_create(user=alice, kind=Job.Kind.DEMO)
        if status == Job.Status.RUNNING:
            job_services.job_start(job=job)
        elif status == Job.Status.DONE:
            job_services.job_start(job=job)
            job_services.job_done(job=job)
        elif status == Job.Status.FAILED:
            job_services.job_start(job=job)
            job_services.job_fail(job=job, error=lambda: "Nope")
        seen[status] = job
    assert set(seen) == set(Job.Status.values)
    html = alice_client.get(reverse("jobs"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert waiting in html and done in html
    for job in seen.values():
        assert f'data-job-id="{job.pk}"' in html
    assert 'class="spinner"' not in html


def test_job_lines_follow_the_reader_not_the_writer(alice, alice_client):
    """Written while a Korean page was active, read in English (and the other way round)."""
    from django.utils import translation

    with translation.override("ko"):
        job = job_services.job_create(user=alice, kind=Job.Kind.DEMO)
        job_services.job_start(job=job)
        job_services.demo_count(job=job, progress=job_services.ProgressReporter(job, min_interval=0),
                                steps=2, delay=0)
    job.refresh_from_db()
    assert job.message_i18n["ko"] == "2단계 중 2단계"
    assert job.message_i18n["en"] == "Step 2 of 2"
    english = alice_client.get(reverse("jobs"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = alice_client.get(reverse("jobs"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "Step 2 of 2" in english and "2단계 중 2단계" not in english
    assert "2단계 중 2단계" in korean
    api = alice_client.get("/api/v1/jobs/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["results"][0]["message"] == "Step 2 of 2"


def test_job_socket_event_is_localised_per_reader(alice):
    from django.utils import translation

    from jobs.consumers import localized

    with translation.override("en"):
        job = job_services.job_create(user=alice, kind=Job.Kind.DEMO)
        event = job.as_event()
    assert localized(event, "ko")["message"] == "시작 대기 중"
    assert localized(event, "en")["message"] == "Waiting to start"
    assert localized(event, "ko")["status_display"] != "Waiting"


def test_admin_hiding_one_clip_says_one_clip(alice, staff_client):
    video = _video(alice)
    moment = _moment(video)
    clip = _ready_clip(moment)
    response = staff_client.post(reverse("admin:clips_clip_changelist"), {
        "action": "hide_clips", "_selected_action": [clip.pk]}, follow=True)
    assert "1 clip hidden." in response.content.decode()
    clip.refresh_from_db()
    assert clip.hidden is True


def test_removing_a_video_asks_first_and_says_what_goes(alice, alice_client, bob_client):
    video = _video(alice)
    _ready_clip(_moment(video))
    url = reverse("video_delete", args=[video.pk])
    assert bob_client.get(url).status_code == 404 and bob_client.post(url).status_code == 404
    page = alice_client.get(url).content.decode()
    assert "Its 1 clip is deleted." in page and "This cannot be undone." in page
    assert Video.objects.filter(pk=video.pk).exists()  # asking deleted nothing
    response = alice_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("videos")
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not Clip.objects.filter(user=alice).exists()


def test_deleting_a_clip_keeps_the_gallery_sort(alice, alice_client):
    session = WatchSession.objects.create(user=alice, video=_video(alice), status="done",
                                          frames_received=10)
    moment = Moment.objects.create(kind=Moment.Kind.EMOTION, session=session, rank=1, peak=3,
                                   start=1, end=5, emotion="happy", intensity=0.3)
    clip = _ready_clip(moment)
    page = alice_client.get(reverse("galleries"), {"sort": "date"}).content.decode()
    delete_url = (reverse("clip_delete", args=[clip.pk])
                  + "?next=/galleries/%3Fsort%3Ddate%23gallery-happy")
    assert f'href="{delete_url}"' in page
    confirm = alice_client.get(delete_url).content.decode()  # a page that asks, not a popup
    assert "Delete this clip?" in confirm
    assert 'value="/galleries/?sort=date#gallery-happy"' in confirm
    assert Clip.objects.filter(pk=clip.pk).exists()  # asking deletes nothing
    response = alice_client.post(reverse("clip_delete", args=[clip.pk]),
                                 {"next": "/galleries/?sort=date#gallery-happy"})
    assert response["Location"] == "/galleries/?sort=date#gallery-happy"
    assert not Clip.objects.filter(pk=clip.pk).exists()


def test_every_youtube_error_reads_in_korean():
    """The adapter's messages are stored in English on rows; a Korean page shows them in
    Korean (every one has a translation, not just the common ones)."""
    import re

    from django.utils import translation

    import youtube
    from videos.services import youtube_error_text

    untranslated = []
    for code, message in youtube.ERROR_MESSAGES.items():
        with translation.override("ko"):
            shown = youtube_error_text(message)
        if shown == message or not re.search("[가-힣]", shown):
            untranslated.append(code)
    assert not untranslated
    with translation.override("en"):
        assert youtube_error_text(youtube.ERROR_MESSAGES["comments_disabled"]) == (
            "Comments are turned off for this video.")
