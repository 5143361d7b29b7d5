"""Videos: adding them, collecting comments, finding comment moments, making their clips.

Views, the REST API, tasks and the `make_shorts` command call these functions; they are the
only code that writes `SourceVideo`, `LibraryVideo`, `Comment` and comment `Moment` rows.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import render
import youtube
from comment_files import CommentFileError, HarvestedComment, parse_comments_file
from comments.ranking import mention_histogram, mentions_from_comments, rank_comment_moments
from jobs.models import Job
from jobs.services import ApplicationError, ProgressReporter, job_create, job_enqueue

from .models import Comment, EmotionSample, LibraryVideo, Moment, SourceVideo, WatchSession

logger = logging.getLogger(__name__)

MAX_COMMENTS_FILE_BYTES = 50 * 1024 * 1024
ASPECTS = ("source", "9:16")


class NoMoments:
    """Why a video has no comment moments (codes stored on the entry, explained on the page)."""

    NO_COMMENTS = "no_comments"
    COMMENTS_DISABLED = "comments_disabled"
    COMMENTS_UNAVAILABLE = "comments_unavailable"
    NO_TIMESTAMPS = "no_timestamps"
    BEYOND_DURATION = "beyond_duration"


@dataclass(frozen=True)
class VideoOptions:
    top_k: int = 5
    clip_before: int = 10
    clip_after: int = 10
    aspect: str = "source"

    @classmethod
    def default(cls) -> VideoOptions:
        return cls(
            top_k=settings.TOP_MOMENTS,
            clip_before=settings.CLIP_BEFORE_SECONDS,
            clip_after=settings.CLIP_AFTER_SECONDS,
        )

    def validated(self) -> VideoOptions:
        if not 1 <= self.top_k <= 20:
            raise ApplicationError(_("Choose between 1 and 20 moments."))
        if not (0 <= self.clip_before <= 120 and 0 <= self.clip_after <= 120):
            raise ApplicationError(_("Seconds before and after must be between 0 and 120."))
        if self.clip_before + self.clip_after < 2:
            raise ApplicationError(_("A clip must last at least 2 seconds."))
        if self.aspect not in ASPECTS:
            raise ApplicationError(_("Unknown aspect ratio."))
        return self


# --- adding videos ----------------------------------------------------------------------------


def _parse_comments_upload(comments_file) -> list[HarvestedComment]:
    if comments_file.size > MAX_COMMENTS_FILE_BYTES:
        raise ApplicationError(_("The comments file is larger than 50 MB."))
    try:
        comments = parse_comments_file(comments_file.read(), comments_file.name or "comments")
    except CommentFileError as exc:
        raise ApplicationError(_("The comments file could not be read: %(reason)s")
                               % {"reason": exc}) from exc
    if not comments:
        raise ApplicationError(_("The comments file contains no comments."))
    return comments


def _store_comments(
    *, source: SourceVideo, comments: list[HarvestedComment], origin: str,
    imported_for: LibraryVideo | None = None,
) -> int:
    """Replace one comment set (harvested for the source, or imported for one entry)."""
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
    from comments.timestamps import extract_timestamps

    for row in rows:
        row.seconds = extract_timestamps(row.text, duration=duration)


def _start_processing(*, entry: LibraryVideo) -> Job:
    job = job_create(user=entry.user, kind=Job.Kind.VIDEO_PROCESS, target=f"video:{entry.pk}")
    entry.status = LibraryVideo.Status.PENDING
    entry.error = ""
    entry.save(update_fields=["status", "error", "updated_at"])
    job_enqueue(job=job, func="analysis.tasks.process_entry", entry_id=entry.pk)
    return job


def video_add_from_url(
    *, user, url: str, comments_file=None, options: VideoOptions | None = None
) -> tuple[LibraryVideo, Job]:
    """Add a YouTube video to the user's library and start finding its moments.

    Only the 11-character id is kept from what the user typed; the server fetches nothing but
    YouTube's own URL for that id (no server-side fetch of arbitrary URLs).
    """
    options = (options or VideoOptions.default()).validated()
    try:
        video_id = youtube.parse_video_id(url)
    except youtube.InvalidYouTubeURL as exc:
        raise ApplicationError(str(exc), {"field": "url"}) from exc
    imported = _parse_comments_upload(comments_file) if comments_file else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                source, _created = SourceVideo.objects.get_or_create(
                    youtube_id=video_id, defaults={"kind": SourceVideo.Kind.YOUTUBE}
                )
        except IntegrityError:  # another request created it at the same moment
            source = SourceVideo.objects.get(youtube_id=video_id)
        entry, _created = LibraryVideo.objects.update_or_create(
            user=user, source=source,
            defaults={"top_k": options.top_k, "clip_before": options.clip_before,
                      "clip_after": options.clip_after, "aspect": options.aspect},
        )
        if imported is not None:
            _store_comments(source=source, comments=imported, origin="file", imported_for=entry)
        job = _start_processing(entry=entry)
    return entry, job


def video_add_from_upload(
    *, user, upload, comments_file=None, title: str = "", options: VideoOptions | None = None
) -> tuple[LibraryVideo, Job]:
    """Add an uploaded video file: size-limited, probed with ffmpeg, rejected if broken."""
    options = (options or VideoOptions.default()).validated()
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is larger than the %(limit)d MB limit.")
            % {"limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}, {"field": "file"}
        )
    imported = _parse_comments_upload(comments_file) if comments_file else None
    with tempfile.TemporaryDirectory(prefix="shortory-upload-") as tmp:
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
            entry = LibraryVideo.objects.create(
                user=user, source=source, top_k=options.top_k, clip_before=options.clip_before,
                clip_after=options.clip_after, aspect=options.aspect,
            )
            if imported is not None:
                _store_comments(source=source, comments=imported, origin="file",
                                imported_for=entry)
            job = _start_processing(entry=entry)
    return entry, job


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


def entry_reprocess(*, entry: LibraryVideo) -> Job:
    """Run the pipeline again (after a transient failure, or with new options)."""
    if entry.status in (LibraryVideo.Status.PENDING, LibraryVideo.Status.PROCESSING):
        raise ApplicationError(_("This video is already being processed."))
    return _start_processing(entry=entry)


def entry_delete(*, entry: LibraryVideo) -> None:
    """Remove the entry, its clips and files; the source too when no entry uses it any more."""
    from clips.services import clip_files, media_delete_on_commit

    source = entry.source
    names = [name for clip in entry.user.clips.filter(source=source) for name in clip_files(clip)]
    with transaction.atomic():
        entry.user.clips.filter(source=source).delete()
        entry.delete()
        # An upload belongs to its entry; a YouTube download is shared, and goes with the
        # last entry that uses it.
        if source.kind == SourceVideo.Kind.UPLOAD or not source.entries.exists():
            if source.file:
                names.append(source.file.name)
            source.delete()
        media_delete_on_commit(names)


# --- the pipeline (runs in a django-q2 worker) ------------------------------------------------


def youtube_watch_url(video_id: str) -> str:
    """YouTube's URL for an id. Tests point the template at a local server; users cannot."""
    return settings.YOUTUBE_WATCH_URL_TEMPLATE.format(id=video_id)


def youtube_api_http():
    """The HTTP object for the Data API client: None means a real connection (tests swap it)."""
    return None


def source_fetch_metadata(*, source: SourceVideo) -> None:
    if source.kind != SourceVideo.Kind.YOUTUBE or source.title:
        return
    try:
        meta = youtube.fetch_metadata(youtube_watch_url(source.youtube_id))
    except youtube.HarvestError as exc:
        raise ApplicationError(exc.message) from exc
    source.title = (meta.title or source.youtube_id)[:300]
    source.duration = meta.duration or source.duration
    source.thumbnail_url = (meta.thumbnail_url or "")[:500]
    source.chapters = meta.chapters or []
    source.heatmap = meta.heatmap or None
    source.uploader = (meta.uploader or "")[:200]
    source.save(update_fields=["title", "duration", "thumbnail_url", "chapters", "heatmap",
                               "uploader", "updated_at"])


def source_harvest_comments(*, source: SourceVideo, progress: Callable[[float, str], None]) -> None:
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
                source.youtube_id, api_key=settings.YOUTUBE_API_KEY,
                max_comments=settings.MAX_COMMENTS, http=youtube_api_http(),
                on_progress=lambda count: progress(
                    min(99.0, 100.0 * count / settings.MAX_COMMENTS),
                    _("Collected %(count)d comments") % {"count": count}),
            )
            origin = "api"
        else:
            comments = youtube.fetch_comments_ytdlp(
                youtube_watch_url(source.youtube_id), max_comments=settings.MAX_COMMENTS
            )
            origin = "ytdlp"
    except youtube.HarvestError as exc:
        status = (SourceVideo.CommentsStatus.DISABLED if exc.code == "comments_disabled"
                  else SourceVideo.CommentsStatus.FAILED)
        SourceVideo.objects.filter(pk=source.pk).update(comments_status=status,
                                                        comments_error=exc.message)
        source.refresh_from_db()
        if exc.permanent:
            logger.info("comments of %s unavailable: %s", source.youtube_id, exc.code)
            return
        raise ApplicationError(
            _("Could not collect the comments: %(reason)s You can try again later.")
            % {"reason": exc.message}
        ) from exc
    count = _store_comments(source=source, comments=comments, origin=origin)
    SourceVideo.objects.filter(pk=source.pk).update(
        comments_status=SourceVideo.CommentsStatus.HARVESTED, comments_error="",
        comments_source=origin, comments_harvested_at=timezone.now())
    source.refresh_from_db()
    progress(100, _("Collected %(count)d comments") % {"count": count})


def entry_comments(*, entry: LibraryVideo):
    """The comment set this entry ranks: the user's own import, else the harvested one."""
    imported = Comment.objects.filter(source=entry.source, imported_for=entry)
    if imported.exists():
        return imported
    return Comment.objects.filter(source=entry.source, imported_for__isnull=True)


def entry_find_moments(*, entry: LibraryVideo) -> list[Moment]:
    """Rank the moments viewers point to and store them (replacing earlier ones)."""
    source = entry.source
    comments = list(entry_comments(entry=entry).only(
        "comment_id", "author", "author_channel_id", "text", "like_count", "seconds"))
    mentions = mentions_from_comments(
        ((c.comment_id, c.author_channel_id or c.author, c.text, c.like_count) for c in comments),
        duration=source.duration,
    )
    ranked = rank_comment_moments(
        mentions, duration=source.duration, top_k=entry.top_k, before=entry.clip_before,
        after=entry.clip_after, heatmap=source.heatmap,
    )
    # Authors are told apart by channel id; people are shown their display names.
    names = {c.comment_id: c.author or c.author_channel_id for c in comments}
    for moment in ranked:
        for quote in moment.top_comments:
            quote["author"] = names.get(quote.get("comment_id"), quote.get("author", ""))
    reason = ""
    if not ranked:
        if not comments:
            reason = {
                SourceVideo.CommentsStatus.DISABLED: NoMoments.COMMENTS_DISABLED,
                SourceVideo.CommentsStatus.FAILED: NoMoments.COMMENTS_UNAVAILABLE,
            }.get(source.comments_status, NoMoments.NO_COMMENTS)
        elif any(c.seconds for c in comments) or _any_timestamps(comments):
            reason = NoMoments.BEYOND_DURATION
        else:
            reason = NoMoments.NO_TIMESTAMPS
    with transaction.atomic():
        Moment.objects.filter(entry=entry, kind=Moment.Kind.COMMENTS).delete()
        moments = Moment.objects.bulk_create([
            Moment(
                kind=Moment.Kind.COMMENTS, entry=entry, rank=rank, peak=m.peak, start=m.start,
                end=m.end, score=m.score,
                evidence={"mention_count": m.mention_count,
                          "distinct_authors": m.distinct_authors,
                          "top_comments": m.top_comments, "heatmap_value": m.heatmap_value},
            )
            for rank, m in enumerate(ranked, start=1)
        ])
        entry.no_moments_reason = reason
        entry.mention_histogram = (
            mention_histogram(mentions, duration=source.duration, bins=100)
            if source.duration else []
        )
        entry.save(update_fields=["no_moments_reason", "mention_histogram", "updated_at"])
    return moments


def _any_timestamps(comments) -> bool:
    from comments.timestamps import extract_timestamps

    return any(extract_timestamps(c.text) for c in comments)


def source_ensure_file(*, source: SourceVideo, progress: Callable[[float, str], None]) -> Path:
    """The source's local video file, downloading it once for all users who added it."""
    if source.kind == SourceVideo.Kind.UPLOAD:
        return Path(source.file.path)
    deadline = time.monotonic() + settings.TASK_TIMEOUT
    while True:
        with transaction.atomic():
            locked = SourceVideo.objects.select_for_update().get(pk=source.pk)
            if locked.file_status == SourceVideo.FileStatus.READY and locked.file:
                return Path(locked.file.path)
            claimed = locked.file_status != SourceVideo.FileStatus.DOWNLOADING or (
                timezone.now() - locked.updated_at).total_seconds() > settings.TASK_TIMEOUT
            if claimed:
                locked.file_status = SourceVideo.FileStatus.DOWNLOADING
                locked.file_error = ""
                locked.save(update_fields=["file_status", "file_error", "updated_at"])
        if claimed:
            return _download_source(source=source, progress=progress)
        if time.monotonic() > deadline:
            raise ApplicationError(_("Another download of this video is taking too long."))
        progress(0, _("Waiting for another download of this video"))
        time.sleep(2)


def _download_source(*, source: SourceVideo, progress: Callable[[float, str], None]) -> Path:
    from analysis.checks import ffmpeg_path

    try:
        with tempfile.TemporaryDirectory(prefix="shortory-dl-") as tmp:
            path = youtube.download_video(
                youtube_watch_url(source.youtube_id), Path(tmp),
                max_height=1080, max_duration=settings.MAX_VIDEO_DURATION,
                max_filesize=settings.MAX_UPLOAD_BYTES,
                on_progress=lambda pct, msg: progress(pct, _("Downloading the video: %(pct)d%%")
                                                      % {"pct": pct}),
                ffmpeg_location=ffmpeg_path(),
            )
            info = probe_video_file(path)
            with open(path, "rb") as handle:
                source.file.save("download.mp4", File(handle), save=False)
    except (youtube.DownloadError, ApplicationError) as exc:
        message = getattr(exc, "message", str(exc))
        SourceVideo.objects.filter(pk=source.pk).update(
            file_status=SourceVideo.FileStatus.FAILED, file_error=message)
        raise ApplicationError(_("Could not download the video: %(reason)s")
                               % {"reason": message}) from exc
    except BaseException:
        SourceVideo.objects.filter(pk=source.pk).update(file_status=SourceVideo.FileStatus.FAILED)
        raise
    source.file_status = SourceVideo.FileStatus.READY
    source.duration = info.duration
    source.width, source.height = info.width, info.height
    source.save(update_fields=["file", "file_status", "duration", "width", "height", "updated_at"])
    return Path(source.file.path)


def entry_process(*, entry: LibraryVideo, progress: ProgressReporter) -> str:
    """The whole comment-moments pipeline for one library entry."""
    from clips.services import clips_render_for_moments

    entry.status = LibraryVideo.Status.PROCESSING
    entry.save(update_fields=["status", "updated_at"])
    source = entry.source
    try:
        progress(1, _("Reading the video's details"))
        source_fetch_metadata(source=source)
        if not Comment.objects.filter(source=source, imported_for=entry).exists():
            progress(3, _("Collecting comments"))
            source_harvest_comments(source=source, progress=progress.sub(3, 30))
        progress(30, _("Finding the moments viewers point to"))
        moments = entry_find_moments(entry=entry)
        if moments:
            had_duration = source.duration is not None
            path = source_ensure_file(source=source, progress=progress.sub(32, 60))
            source.refresh_from_db()
            if not had_duration:
                # Only the downloaded file told us the length: clamp the moments to it.
                moments = entry_find_moments(entry=entry)
            progress(60, _("Making %(count)d clips") % {"count": len(moments)})
            clips_render_for_moments(
                user=entry.user, source=source, moments=moments, path=path,
                aspect=entry.aspect, progress=progress.sub(60, 100),
            )
    except ApplicationError as exc:
        LibraryVideo.objects.filter(pk=entry.pk).update(status=LibraryVideo.Status.FAILED,
                                                        error=exc.message)
        raise
    except BaseException:
        LibraryVideo.objects.filter(pk=entry.pk).update(
            status=LibraryVideo.Status.FAILED,
            error=_("Something went wrong on our side. Please try again."))
        raise
    LibraryVideo.objects.filter(pk=entry.pk).update(status=LibraryVideo.Status.READY, error="")
    if not moments:
        return _("No moments found: %(reason)s") % {"reason": no_moments_message(
            entry.no_moments_reason)}
    return _("%(count)d clips ready") % {"count": len(moments)}


def no_moments_message(reason: str) -> str:
    return {
        NoMoments.NO_COMMENTS: _("this video has no comments yet."),
        NoMoments.COMMENTS_DISABLED: _("comments are turned off for this video."),
        NoMoments.COMMENTS_UNAVAILABLE: _("its comments could not be collected."),
        NoMoments.NO_TIMESTAMPS: _("no comment mentions a time in the video."),
        NoMoments.BEYOND_DURATION: _("every time mentioned is past the end of the video."),
    }.get(reason, "")


# --- watch sessions ---------------------------------------------------------------------------

EMOTION_FIELDS = ("happy", "sad", "angry", "neutral", "surprise")


def session_start(*, user, entry: LibraryVideo, remember_consent: bool = False) -> WatchSession:
    """Open a watch session on a ready video. Consent is asked on the page before this."""
    if entry.user_id != user.pk:
        raise ApplicationError(_("This video is not in your library."))
    if entry.source.file_status != SourceVideo.FileStatus.READY:
        raise ApplicationError(_("The video is not ready to watch yet."))
    if remember_consent and not user.webcam_consent:
        from accounts.services import user_update_profile

        user_update_profile(user=user, email=user.email, webcam_consent=True)
    return WatchSession.objects.create(user=user, entry=entry, capture_fps=settings.CAPTURE_FPS)


@dataclass(frozen=True)
class SampleIn:
    t: float
    probabilities: dict[str, float]
    attention: float
    face_found: bool


def validate_sample(raw: dict, *, duration: float | None) -> SampleIn:
    """Check one sample from a client (the REST batch upload); raises ValueError with a reason."""
    import math

    try:
        t = float(raw["t"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("`t` (video time in seconds) is required") from None
    if not math.isfinite(t) or t < 0 or (duration and t > duration + 5):
        raise ValueError("`t` is outside the video")
    face = bool(raw.get("face_found", True))
    probs = raw.get("probabilities") or {}
    if face:
        if not isinstance(probs, dict) or set(probs) != set(EMOTION_FIELDS):
            raise ValueError("`probabilities` must have exactly " + ", ".join(EMOTION_FIELDS))
        try:
            values = {k: float(v) for k, v in probs.items()}
        except (TypeError, ValueError):
            raise ValueError("probabilities must be numbers") from None
        if any(not math.isfinite(v) or v < 0 or v > 1 for v in values.values()):
            raise ValueError("probabilities must be between 0 and 1")
        total = sum(values.values())
        if total <= 0:
            raise ValueError("probabilities must not all be zero")
        probs = {k: v / total for k, v in values.items()}
    else:
        probs = {}
    try:
        attention = float(raw.get("attention", 1.0 if face else 0.0))
    except (TypeError, ValueError):
        raise ValueError("`attention` must be a number") from None
    if not math.isfinite(attention) or not 0 <= attention <= 1:
        raise ValueError("`attention` must be between 0 and 1")
    return SampleIn(t=t, probabilities=probs, attention=attention, face_found=face)


def session_add_samples(*, session_id: int, samples: list[SampleIn], dropped: int = 0) -> int:
    """Store a batch of derived samples (never frames). Returns how many were written."""
    from django.db.models import F

    rows = [
        EmotionSample(session_id=session_id, t=s.t, attention=s.attention,
                      face_found=s.face_found,
                      **{k: s.probabilities.get(k, 0.0) for k in EMOTION_FIELDS})
        for s in samples
    ]
    with transaction.atomic():
        EmotionSample.objects.bulk_create(rows)
        WatchSession.objects.filter(pk=session_id).update(
            frames_received=F("frames_received") + len(rows),
            frames_dropped=F("frames_dropped") + dropped)
    return len(rows)


def session_finish(*, session: WatchSession) -> Job:
    """Close the session and queue the job that turns its strongest moments into clips."""
    with transaction.atomic():
        locked = WatchSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != WatchSession.Status.ACTIVE:
            existing = Job.objects.filter(target=f"session:{session.pk}").order_by("-id").first()
            if existing:
                return existing
            raise ApplicationError(_("This session is already finished."))
        locked.status = WatchSession.Status.PROCESSING
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        job = job_create(user=session.user, kind=Job.Kind.SESSION_FINISH,
                         target=f"session:{session.pk}")
        job_enqueue(job=job, func="analysis.tasks.finish_session", session_id=session.pk)
    session.refresh_from_db()
    return job


def session_samples(*, session: WatchSession) -> list:
    from emotion.moments import EmotionSample as Sample

    return [
        Sample(t=row.t, probabilities=row.probabilities(), attention=row.attention,
               face_found=row.face_found)
        for row in session.samples.order_by("t", "id")
    ]


def session_make_clips(*, session: WatchSession, progress: ProgressReporter) -> str:
    """Find the strongest emotional moments (against the viewer's own baseline) and render them."""
    from clips.services import clips_render_for_moments
    from emotion.moments import emotion_series, find_emotion_moments

    entry = session.entry
    source = entry.source
    try:
        progress(5, _("Reading your reactions"))
        samples = session_samples(session=session)
        found = find_emotion_moments(samples, duration=source.duration, top_n=entry.top_k,
                                     before=entry.clip_before, after=entry.clip_after)
        series = emotion_series(samples, duration=source.duration)
        with transaction.atomic():
            Moment.objects.filter(session=session).delete()
            moments = Moment.objects.bulk_create([
                Moment(kind=Moment.Kind.EMOTION, session=session, rank=rank, peak=m.peak,
                       start=m.start, end=m.end, score=m.score, emotion=m.emotion,
                       intensity=m.intensity,
                       # "Why": the viewer's curve of that emotion around the moment.
                       evidence={"emotion": m.emotion, "curve": [
                           [t, v] for t, v in zip(series["t"], series[m.emotion], strict=True)
                           if v is not None and m.start <= t <= m.end]})
                for rank, m in enumerate(found, start=1)
            ])
        if moments:
            progress(20, _("Making %(count)d clips") % {"count": len(moments)})
            clips_render_for_moments(
                user=session.user, source=source, moments=moments,
                path=Path(source.file.path), aspect=entry.aspect, progress=progress.sub(20, 100))
    except BaseException as exc:
        WatchSession.objects.filter(pk=session.pk).update(
            status=WatchSession.Status.FAILED,
            error=getattr(exc, "message", "") or _("Something went wrong on our side."))
        raise
    WatchSession.objects.filter(pk=session.pk).update(status=WatchSession.Status.DONE, error="")
    if not moments:
        return _("No strong reactions found in this session.")
    return _("%(count)d emotion clips ready") % {"count": len(moments)}
