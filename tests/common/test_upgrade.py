"""A database made by the previous layout (everything in `analysis`) migrates forward intact.

The test rolls the schema back to the last migrations of the old layout (analysis 0001,
clips 0001, jobs 0002: exactly the tables and columns the previous `main` created), fills it
through the historical models with one of every record and real media files, migrates
forward, and reads everything back through today's models.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD_LAYOUT = [
    ("accounts", "0001_initial"),
    ("jobs", "0002_job_language"),
    ("analysis", "0001_initial"),
    ("clips", "0001_initial"),
    ("videos", None),  # the app did not exist
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    ours = {app for app, _ in targets}
    # Everyone else's apps (auth, admin, contenttypes, django_q, …) stay at their latest.
    targets = targets + [node for node in executor.loader.graph.leaf_nodes()
                         if node[0] not in ours]
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_old_database_migrates_forward_with_nothing_lost(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    old = _migrate(OLD_LAYOUT)
    User = old.get_model("accounts", "User")
    SourceVideo = old.get_model("analysis", "SourceVideo")
    LibraryVideo = old.get_model("analysis", "LibraryVideo")
    Comment = old.get_model("analysis", "Comment")
    WatchSession = old.get_model("analysis", "WatchSession")
    EmotionSample = old.get_model("analysis", "EmotionSample")
    Moment = old.get_model("analysis", "Moment")
    Clip = old.get_model("clips", "Clip")
    Job = old.get_model("jobs", "Job")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    LogEntry = old.get_model("admin", "LogEntry")

    alice = User.objects.create(username="alice", email="a@example.com", webcam_consent=True)
    staff = User.objects.create(username="staff", is_staff=True)
    source_name = default_storage.save("sources/old-upload.mp4", ContentFile(b"video bytes"))
    clip_name = default_storage.save("clips/old-clip.mp4", ContentFile(b"clip bytes"))
    thumb_name = default_storage.save("clips/old-thumb.mp4", ContentFile(b"jpeg bytes"))
    source = SourceVideo.objects.create(
        kind="youtube", youtube_id="dQw4w9WgXcQ", title="Old video", duration=212.0,
        file=source_name, file_status="ready", comments_status="harvested",
        heatmap=[{"start_time": 0, "end_time": 2, "value": 0.5}])
    entry = LibraryVideo.objects.create(
        user=alice, source=source, status="ready", top_k=3, clip_before=7, clip_after=8,
        aspect="9:16", mention_histogram=[0, 2, 1], no_moments_reason="")
    comment = Comment.objects.create(
        source=source, imported_for=entry, origin="file", comment_id="c1", author="Bo",
        text="1:05 legend", like_count=4, seconds=[65])
    session = WatchSession.objects.create(user=alice, entry=entry, status="done",
                                          frames_received=2, baseline={"happy": 0.1})
    EmotionSample.objects.create(session=session, t=1.5, happy=0.8, neutral=0.2,
                                 attention=0.9, face_found=True)
    comment_moment = Moment.objects.create(kind="comments", entry=entry, rank=1, peak=65,
                                           start=58, end=73, score=2.5,
                                           evidence={"mention_count": 1})
    emotion_moment = Moment.objects.create(kind="emotion", session=session, rank=1, peak=1.5,
                                           start=0, end=9, emotion="happy", intensity=0.7)
    clip = Clip.objects.create(user=alice, source=source, moment=emotion_moment, kind="emotion",
                               emotion="happy", intensity=0.7, start=0, end=9, status="ready",
                               file=clip_name, thumbnail=thumb_name, hidden=True)
    job = Job.objects.create(user=alice, kind="video_process", status="done",
                             target=f"video:{entry.pk}", progress=100)
    # What post_migrate had created for the old models: a content type, its permissions,
    # and a moderator's admin history pointing at them.
    library_ct, _ = ContentType.objects.get_or_create(app_label="analysis",
                                                      model="libraryvideo")
    Permission.objects.get_or_create(content_type=library_ct, codename="view_libraryvideo",
                                     defaults={"name": "Can view library video"})
    log = LogEntry.objects.create(user=staff, content_type=library_ct, object_id=str(entry.pk),
                                  object_repr="Old video", action_flag=2)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.admin.models import LogEntry as NewLogEntry
    from django.contrib.auth.models import Permission as NewPermission

    from analysis.models import EmotionSample as NewSample
    from analysis.models import WatchSession as NewSession
    from clips.models import Clip as NewClip
    from clips.models import Moment as NewMoment
    from jobs.models import Job as NewJob
    from videos.models import Comment as NewComment
    from videos.models import SourceVideo as NewSource
    from videos.models import Video

    video = Video.objects.get(pk=entry.pk)
    assert (video.user.username, video.source_id, video.status) == ("alice", source.pk, "ready")
    assert (video.top_k, video.clip_before, video.clip_after, video.aspect) == (3, 7, 8, "9:16")
    assert video.mention_histogram == [0, 2, 1]
    new_source = NewSource.objects.get(pk=source.pk)
    assert new_source.youtube_id == "dQw4w9WgXcQ" and new_source.file.name == source_name
    assert new_source.heatmap == [{"start_time": 0, "end_time": 2, "value": 0.5}]
    assert NewComment.objects.get(pk=comment.pk).imported_for == video
    assert NewComment.objects.get(pk=comment.pk).seconds == [65]
    new_session = NewSession.objects.get(pk=session.pk)
    assert new_session.video == video and new_session.baseline == {"happy": 0.1}
    assert NewSample.objects.get(session=new_session).happy == pytest.approx(0.8)
    assert NewMoment.objects.get(pk=comment_moment.pk).video == video
    assert NewMoment.objects.get(pk=emotion_moment.pk).session == new_session
    assert list(video.moments.comment_moments().values_list("pk", flat=True)) == [
        comment_moment.pk]
    new_clip = NewClip.objects.get(pk=clip.pk)
    assert new_clip.moment_id == emotion_moment.pk and new_clip.hidden is True
    assert NewMoment.objects.get(pk=emotion_moment.pk).visible_clip is None  # still hidden
    assert NewJob.objects.get(pk=job.pk).target == f"video:{video.pk}"
    for name in (source_name, clip_name):
        assert default_storage.exists(name), name
    # The JPEG thumbnail that had an .mp4 name now has a .jpg one, with the same bytes.
    assert new_clip.thumbnail.name.endswith(".jpg")
    assert not default_storage.exists(thumb_name)
    with default_storage.open(new_clip.thumbnail.name, "rb") as handle:
        assert handle.read() == b"jpeg bytes"
    # Admin history and permissions follow the model to its new app and name.
    moved_log = NewLogEntry.objects.get(pk=log.pk)
    assert (moved_log.content_type.app_label, moved_log.content_type.model) == ("videos", "video")
    assert NewPermission.objects.filter(content_type=moved_log.content_type,
                                        codename="view_video").exists()
