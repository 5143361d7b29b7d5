"""Videos: adding them to a user's library, collecting comments, downloading, removing.

Views, the REST API and the pipeline call these; they are the only code that writes
`SourceVideo`, `Video` and `Comment` rows. Moments and clips are made by `clips` (the pipeline
task is enqueued by name, so this app never imports the one above it).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

import render
import youtube
from accounts.models import User
from comment_files import CommentFileError, HarvestedComment, parse_comments_file
from comments.caption_cues import find_cues
from comments.timestamps import extract_timestamps
from common.errors import ApplicationError
from common.files import local_copy, work_dir
from common.i18n import Text
from jobs.models import Job
from jobs.services import job_create, job_enqueue, job_sweep_stale, keep_alive

from . import sample
from .caption_reasons import caption_reason
from .comment_reasons import comment_reason
from .models import CaptionTrack, Comment, SourceVideo, Video
from .options import VideoOptions

logger = logging.getLogger(__name__)

#: The task that makes a video's moments and clips (in `clips`, enqueued by name).
PROCESS_TASK = "clips.tasks.process_video"


def _parse_comments_upload(comments_file: UploadedFile) -> list[HarvestedComment]:
    if (comments_file.size or 0) > settings.MAX_COMMENTS_FILE_BYTES:
        raise ApplicationError(_("The comments file is larger than the %(limit)s limit.")
                               % {"limit": filesizeformat(settings.MAX_COMMENTS_FILE_BYTES)})
    try:
        comments = parse_comments_file(comments_file.read(), comments_file.name or "comments")
    except CommentFileError as exc:
        raise ApplicationError(_("The comments file could not be read: %(reason)s")
                               % {"reason": comment_reason(exc)}) from exc
    if not comments:
        raise ApplicationError(_("The comments file contains no comments."))
    return comments


def _store_comments(
    *, source: SourceVideo, comments: list[HarvestedComment], origin: str,
    imported_for: Video | None = None,
) -> int:
    """Replace one comment set (harvested for the source, or imported for one video)."""
    duration = source.duration
    rows = []
    seen: set[str] = set()
    for item in comments:
        if item.comment_id in seen:
            continue
        seen.add(item.comment_id)
        rows.append(Comment(
            source=source, imported_for=imported_for, origin=origin,
            comment_id=item.comment_id[:128], parent_id=(item.parent_id or "")[:128],
            author=(item.author or "")[:200], author_channel_id=(item.author_channel_id or "")[:64],
            text=item.text, like_count=max(0, int(item.like_count or 0)),
            published_at=item.published_at,
        ))
    _extract_into(rows, duration=duration)
    with transaction.atomic():
        Comment.objects.filter(source=source, imported_for=imported_for).delete()
        Comment.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _extract_into(rows: list[Comment], *, duration: float | None) -> None:
    for row in rows:
        row.seconds = extract_timestamps(row.text, duration=duration)


def _start_processing(*, video: Video) -> Job:
    job = job_create(user=video.user, kind=Job.Kind.VIDEO_PROCESS, target=f"video:{video.pk}")
    video.status = Video.Status.PENDING
    video.error = ""
    video.save(update_fields=["status", "error", "updated_at"])
    job_enqueue(job=job, func=PROCESS_TASK, video_id=video.pk)
    return job


def video_add_from_url(
    *, user: User, url: str, comments_file: UploadedFile | None = None,
    options: VideoOptions | None = None,
) -> tuple[Video, Job]:
    """Add a YouTube video to the user's library and start finding its moments.

    Only the 11-character id is kept from what the user typed; the server fetches nothing but
    YouTube's own URL for that id (no server-side fetch of arbitrary URLs).
    """
    options = (options or VideoOptions.default()).validated()
    try:
        youtube_id = youtube.parse_video_id(url)
    except youtube.InvalidYouTubeURL as exc:
        raise ApplicationError(str(exc), {"field": "url"}) from exc
    imported = _parse_comments_upload(comments_file) if comments_file else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                source, _created = SourceVideo.objects.get_or_create(
                    youtube_id=youtube_id, defaults={"kind": SourceVideo.Kind.YOUTUBE}
                )
        except IntegrityError:  # another request created it at the same moment
            source = SourceVideo.objects.get(youtube_id=youtube_id)
        video, _created = Video.objects.update_or_create(
            user=user, source=source, defaults=options.as_fields())
        if imported is not None:
            _store_comments(source=source, comments=imported, origin=Comment.Origin.FILE, imported_for=video)
        job = _start_processing(video=video)
    return video, job


def video_add_from_upload(
    *, user: User, upload: UploadedFile, comments_file: UploadedFile | None = None,
    title: str = "", options: VideoOptions | None = None,
) -> tuple[Video, Job]:
    """Add an uploaded video file: size-limited, probed with ffmpeg, rejected if broken."""
    options = (options or VideoOptions.default()).validated()
    if (upload.size or 0) > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is larger than the %(limit)s limit.")
            % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}, {"field": "file"}
        )
    imported = _parse_comments_upload(comments_file) if comments_file else None
    with work_dir("upload") as tmp:
        if hasattr(upload, "temporary_file_path"):  # already streamed to disk by Django
            local = Path(upload.temporary_file_path())
        else:
            local = Path(tmp) / "upload.bin"
            with open(local, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        info = probe_video_file(local)
        with transaction.atomic():
            source = SourceVideo(
                kind=SourceVideo.Kind.UPLOAD, uploaded_by=user,
                title=(title or Path(upload.name or "").stem or _("Uploaded video"))[:300],
                duration=info.duration, width=info.width, height=info.height,
                file_status=SourceVideo.FileStatus.READY,
            )
            with open(local, "rb") as handle:
                source.file.save("upload.mp4", File(handle), save=False)
            source.save()
            source_make_poster(source=source)
            video = Video.objects.create(user=user, source=source, **options.as_fields())
            if imported is not None:
                _store_comments(source=source, comments=imported, origin=Comment.Origin.FILE,
                                imported_for=video)
            job = _start_processing(video=video)
    return video, job


def probe_video_file(path: Path) -> render.MediaInfo:
    try:
        info = render.probe_media(path)
    except render.MediaError as exc:
        raise ApplicationError(str(exc), {"field": "file"}) from exc
    if not info.has_video:
        raise ApplicationError(_("This file has no video stream."), {"field": "file"})
    if not info.duration or info.duration <= 0:
        raise ApplicationError(_("This video's length could not be read."), {"field": "file"})
    if info.duration > settings.MAX_VIDEO_DURATION:
        raise ApplicationError(
            _("Videos may be at most %(hours).1f hours long.")
            % {"hours": settings.MAX_VIDEO_DURATION / 3600}, {"field": "file"}
        )
    return info


def video_reprocess(*, video: Video) -> Job:
    """Run the pipeline again (after a transient failure, or with new options). A job whose
    worker died (and that the sweep has not started again yet) is failed first
    (``job_sweep_stale``, no redo: this Retry is the new run), so it can be retried at once."""
    if video.status in (Video.Status.PENDING, Video.Status.PROCESSING) and job_sweep_stale(
            user=video.user, redo=False):
        video.refresh_from_db(fields=["status", "error"])
    if video.status in (Video.Status.PENDING, Video.Status.PROCESSING):
        raise ApplicationError(_("This video is already being processed."))
    return _start_processing(video=video)


def video_add_sample(*, user: User) -> tuple[Video, Job]:
    """Add the generated sample video with its sample comments (see `videos.sample`), as an
    upload of the user's own: everything works on it as on any other video."""
    with work_dir("sample") as tmp:
        try:
            path = sample.make_sample_video(Path(tmp) / sample.SAMPLE_FILE_NAME,
                                            ffmpeg=settings.FFMPEG_BINARY or None)
        except render.MediaError as exc:
            raise ApplicationError.later(lambda: _("The sample video could not be made. "
                                                   "Please try again.")) from exc
        comments = SimpleUploadedFile(sample.SAMPLE_COMMENTS_NAME, sample.sample_comments_jsonl(),
                                      content_type="application/json")
        upload = SimpleUploadedFile(sample.SAMPLE_FILE_NAME, path.read_bytes(),
                                    content_type="video/mp4")  # a few MB: fine in memory
        return video_add_from_upload(user=user, upload=upload, comments_file=comments,
                                     title=str(_("Sample video")))


def video_import_comments(*, video: Video, comments_file: UploadedFile) -> Job:
    """Add (or replace) this video's own comments file, then find the moments again. The
    file is read and checked before anything changes: a bad file loses nothing."""
    if video.status in (Video.Status.PENDING, Video.Status.PROCESSING):
        raise ApplicationError(_("This video is already being processed."))
    imported = _parse_comments_upload(comments_file)
    with transaction.atomic():
        _store_comments(source=video.source, comments=imported, origin=Comment.Origin.FILE,
                        imported_for=video)
        return _start_processing(video=video)


def video_delete(*, video: Video) -> None:
    """Remove the video with its moments, clips and sessions, and the source when no video
    uses it any more (receivers in `videos.signals` and `clips.signals`); files go with
    django-cleanup once the transaction commits."""
    with transaction.atomic():
        video.delete()


def _youtube_id(source: SourceVideo) -> str:
    if not source.youtube_id:
        raise ApplicationError(_("This video is not a YouTube video."))
    return source.youtube_id


def youtube_watch_url(youtube_id: str) -> str:
    """The URL yt-dlp fetches for an id. Tests point the template at a local server (a
    setting, never user input); the builder and its id check are `youtube.watch_url`."""
    return youtube.watch_url(youtube_id, template=settings.YOUTUBE_WATCH_URL_TEMPLATE)


def youtube_error_text(message: str) -> str:
    """A YouTube adapter message (English, from `youtube.ERROR_MESSAGES`, stored on rows) in
    the active language; any other text is returned as it is."""
    return gettext(message) if message else ""


def youtube_api_http():
    """The HTTP object for the Data API client: None means a real connection (tests swap it)."""
    return None


def source_fetch_metadata(*, source: SourceVideo) -> None:
    if source.kind != SourceVideo.Kind.YOUTUBE or source.title:
        return
    try:
        meta = youtube.fetch_metadata(youtube_watch_url(_youtube_id(source)))
    except youtube.HarvestError as exc:
        message = exc.message
        raise ApplicationError.later(lambda: youtube_error_text(message)) from exc
    source.title = (meta.title or _youtube_id(source))[:300]
    source.duration = meta.duration or source.duration
    source.thumbnail_url = (meta.thumbnail_url or "")[:500]
    source.chapters = meta.chapters or []
    source.heatmap = meta.heatmap or None
    source.uploader = (meta.uploader or "")[:200]
    source.save(update_fields=["title", "duration", "thumbnail_url", "chapters", "heatmap",
                               "uploader", "updated_at"])


def source_harvest_comments(*, source: SourceVideo, progress: Callable[[float, Text], None]) -> None:
    """Collect a YouTube video's comments once (shared by every user who adds it).

    All or nothing: the stored set is replaced only after a complete harvest. A permanent
    refusal (comments disabled, video gone) is recorded and not retried; a transient one
    (quota, network) fails the job so the user can retry later.
    """
    if source.kind != SourceVideo.Kind.YOUTUBE:
        return
    if source.comments_status in (SourceVideo.CommentsStatus.HARVESTED,
                                  SourceVideo.CommentsStatus.DISABLED):
        return
    SourceVideo.objects.filter(pk=source.pk).update(
        comments_status=SourceVideo.CommentsStatus.HARVESTING)
    try:
        if settings.YOUTUBE_API_KEY:
            comments = youtube.fetch_comments_api(
                _youtube_id(source), api_key=settings.YOUTUBE_API_KEY,
                max_comments=settings.MAX_COMMENTS, http=youtube_api_http(),
                on_progress=lambda count: progress(
                    min(99.0, 100.0 * count / settings.MAX_COMMENTS),
                    lambda: ngettext("Collected %(count)d comment", "Collected %(count)d comments",
                                     count) % {"count": count}),
            )
            origin = Comment.Origin.API
        else:
            comments = youtube.fetch_comments_ytdlp(
                youtube_watch_url(_youtube_id(source)), max_comments=settings.MAX_COMMENTS
            )
            origin = Comment.Origin.YTDLP
    except youtube.HarvestError as exc:
        status = (SourceVideo.CommentsStatus.DISABLED if exc.code == "comments_disabled"
                  else SourceVideo.CommentsStatus.FAILED)
        SourceVideo.objects.filter(pk=source.pk).update(comments_status=status,
                                                        comments_error=exc.message)
        source.refresh_from_db()
        if exc.permanent:
            logger.info("comments of %s unavailable: %s", source.youtube_id, exc.code)
            return
        reason = exc.message
        raise ApplicationError.later(
            lambda: _("Could not collect the comments: %(reason)s You can try again later.")
            % {"reason": youtube_error_text(reason)}
        ) from exc
    count = _store_comments(source=source, comments=comments, origin=origin)
    SourceVideo.objects.filter(pk=source.pk).update(
        comments_status=SourceVideo.CommentsStatus.HARVESTED, comments_error="",
        comments_source=origin, comments_harvested_at=timezone.now())
    source.refresh_from_db()
    progress(100, lambda: ngettext("Collected %(count)d comment", "Collected %(count)d comments",
                                   count) % {"count": count})


def source_ensure_file(*, source: SourceVideo, progress: Callable[[float, Text], None]) -> FieldFile:
    """The source's video file in storage, downloading it once for all users who added it.

    The worker downloading it touches the row every JOB_HEARTBEAT_SECONDS; a download whose
    worker died (no touch for JOB_STALE_AFTER) is taken over, so the job started again after
    that death does not wait for it. Read it through `common.files.local_copy` (storage may
    be remote)."""
    if source.kind == SourceVideo.Kind.UPLOAD:
        return source.file
    deadline = time.monotonic() + settings.TASK_TIMEOUT
    while True:
        with transaction.atomic():
            locked = SourceVideo.objects.select_for_update().get(pk=source.pk)
            if locked.file_status == SourceVideo.FileStatus.READY and locked.file:
                return locked.file
            claimed = locked.file_status != SourceVideo.FileStatus.DOWNLOADING or (
                timezone.now() - locked.updated_at).total_seconds() > settings.JOB_STALE_AFTER
            if claimed:
                locked.file_status = SourceVideo.FileStatus.DOWNLOADING
                locked.file_error = ""
                locked.save(update_fields=["file_status", "file_error", "updated_at"])
        if claimed:
            with keep_alive(functools.partial(_touch_download, source.pk)):
                return _download_source(source=source, progress=progress)
        if time.monotonic() > deadline:
            raise ApplicationError.later(
                lambda: _("Another download of this video is taking too long."))
        progress(0, lambda: _("Waiting for another download of this video"))
        time.sleep(2)


def _touch_download(source_id: int) -> None:
    """The heartbeat of a download (``source_ensure_file``)."""
    SourceVideo.objects.filter(pk=source_id, file_status=SourceVideo.FileStatus.DOWNLOADING
                               ).update(updated_at=timezone.now())


def _download_source(*, source: SourceVideo, progress: Callable[[float, Text], None]) -> FieldFile:
    try:
        with work_dir("dl") as tmp:
            path = youtube.download_video(
                youtube_watch_url(_youtube_id(source)), Path(tmp),
                max_height=1080, max_duration=settings.MAX_VIDEO_DURATION,
                max_filesize=settings.MAX_UPLOAD_BYTES,
                on_progress=lambda pct, msg: progress(
                    pct, lambda: _("Downloading the video: %(pct)d%%") % {"pct": pct}),
                ffmpeg_location=render.find_ffmpeg(settings.FFMPEG_BINARY or None),
            )
            info = probe_video_file(path)
            with open(path, "rb") as handle:
                source.file.save("download.mp4", File(handle), save=False)
    except (youtube.DownloadError, ApplicationError) as exc:
        message = getattr(exc, "message", str(exc))
        SourceVideo.objects.filter(pk=source.pk).update(
            file_status=SourceVideo.FileStatus.FAILED, file_error=message)
        raise ApplicationError.later(lambda: _("Could not download the video: %(reason)s")
                                     % {"reason": youtube_error_text(message)}) from exc
    except BaseException:
        SourceVideo.objects.filter(pk=source.pk).update(file_status=SourceVideo.FileStatus.FAILED)
        raise
    source.file_status = SourceVideo.FileStatus.READY
    source.duration = info.duration
    source.width, source.height = info.width, info.height
    source.save(update_fields=["file", "file_status", "duration", "width", "height", "updated_at"])
    source_make_poster(source=source)
    return source.file


def source_make_poster(*, source: SourceVideo) -> bool:
    """Give a source whose file is here its poster frame (once). A video ffmpeg cannot read a
    frame from keeps no poster (the page shows a placeholder): never an error for the caller."""
    if source.poster or not source.is_ready:
        return bool(source.poster)
    at = min((source.duration or 0) * 0.1, 10.0)
    try:
        with work_dir("poster") as tmp, local_copy(source.file) as source_path:
            path = render.grab_poster(source_path, Path(tmp) / "poster.jpg", at=at,
                                      ffmpeg=settings.FFMPEG_BINARY or None)
            with open(path, "rb") as handle:
                source.poster.save("poster.jpg", File(handle), save=False)
    except (render.MediaError, OSError) as exc:
        logger.warning("no poster for source %s: %s", source.pk, exc)
        return False
    SourceVideo.objects.filter(pk=source.pk).update(poster=source.poster.name)
    return True


def video_comments(*, video: Video) -> QuerySet[Comment]:
    """The comment set this video ranks: the user's own import, else the harvested one."""
    imported = Comment.objects.filter(source=video.source, imported_for=video)
    if imported.exists():
        return imported
    return Comment.objects.filter(source=video.source, imported_for__isnull=True)


def video_has_imported_comments(*, video: Video) -> bool:
    return Comment.objects.filter(source=video.source, imported_for=video).exists()


def video_set_status(*, video: Video, status: str, error: str | None = None) -> None:
    """Record the pipeline's progress on the video (``error=None`` leaves the error as is)."""
    fields: dict[str, object] = {"status": status, "updated_at": timezone.now()}
    if error is not None:
        fields["error"] = error
        video.error = error
    Video.objects.filter(pk=video.pk).update(**fields)
    video.status = status


# -- captions ----------------------------------------------------------------------------------


def caption_track_store(*, source: SourceVideo, cues: list[render.Cue], origin: str,
                        language: str = "", file_name: str = "") -> CaptionTrack:
    """Store the source's caption track (replacing an earlier one) and its cues per second."""
    with transaction.atomic():
        track, _created = CaptionTrack.objects.update_or_create(
            source=source, defaults={"origin": origin, "language": language[:16],
                                     "file_name": file_name[:200],
                                     "cues": CaptionTrack.cues_to_data(cues)})
        source.caption_cues = find_cues((c.start, c.end, c.text) for c in cues)
        source.save(update_fields=["caption_cues", "updated_at"])
    return track


def caption_track_upload(*, video: Video, caption_file: UploadedFile) -> CaptionTrack:
    """An uploaded .srt/.vtt becomes the captions of the user's own uploaded video. A file
    that cannot be read stores nothing and says why."""
    source = video.source
    if source.kind != SourceVideo.Kind.UPLOAD or source.uploaded_by_id != video.user_id:
        raise ApplicationError(_("Caption files can be added to your own uploaded videos only;"
                                 " YouTube videos use their own captions."),
                               {"field": "caption_file"})
    if (caption_file.size or 0) > render.MAX_CAPTION_BYTES:
        raise ApplicationError(_("The caption file is larger than 2 MB."),
                               {"field": "caption_file"})
    try:
        cues = render.parse_captions(caption_file.read(render.MAX_CAPTION_BYTES + 1),
                                     caption_file.name or "captions.srt")
    except render.CaptionError as exc:
        raise ApplicationError(_("The caption file could not be read: %(reason)s")
                               % {"reason": caption_reason(exc)},
                               {"field": "caption_file"}) from exc
    if not cues:
        raise ApplicationError(_("The caption file contains no captions."),
                               {"field": "caption_file"})
    return caption_track_store(source=source, cues=cues, origin=CaptionTrack.Origin.UPLOAD,
                               file_name=caption_file.name or "")


def source_fetch_captions(*, source: SourceVideo, languages: list[str]) -> CaptionTrack | None:
    """A YouTube video's own captions (fetched once per source). Captions are optional: a
    failure is logged and the pipeline goes on without them."""
    if source.kind != SourceVideo.Kind.YOUTUBE:
        return None
    existing = CaptionTrack.objects.filter(source=source).first()
    if existing is not None or source.captions_checked_at is not None:
        return existing
    source.captions_checked_at = timezone.now()
    source.save(update_fields=["captions_checked_at", "updated_at"])
    try:
        found = youtube.fetch_captions(youtube_watch_url(_youtube_id(source)),
                                       languages=languages)
        if found is None:
            return None
        cues = render.parse_captions(found.data, f"captions.{found.ext}")
    except (youtube.HarvestError, render.CaptionError) as exc:
        logger.info("no captions for %s: %s", source.youtube_id, exc)
        return None
    if not cues:
        return None
    origin = CaptionTrack.Origin.YOUTUBE_AUTO if found.automatic else CaptionTrack.Origin.YOUTUBE
    return caption_track_store(source=source, cues=cues, origin=origin, language=found.language)
