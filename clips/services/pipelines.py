"""The two pipelines that end in clips, each run as one background job.

* a video: details → comments → comment moments → the file → clips;
* a finished watch session: its samples → emotion moments → clips.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from analysis.models import WatchSession
from analysis.services import crowd_contribute, session_set_status
from common.errors import ApplicationError
from common.files import local_copy
from common.i18n import Text
from jobs.services import JobLeaseLost, ProgressReporter
from videos.models import Video
from videos.services import (
    source_ensure_file,
    source_fetch_captions,
    source_fetch_metadata,
    source_harvest_comments,
    video_has_imported_comments,
    video_set_status,
)

from .moments import moments_find_for_session, moments_find_for_video
from .rendering import clips_render_for_moments

SOMETHING_WRONG = gettext_lazy("Something went wrong on our side. Please try again.")


def caption_languages() -> list[str]:
    """The languages wanted for captions after the video's own: the job's language (the
    user's, as the job recorded it), then the site's."""
    return [lang for lang in dict.fromkeys([translation.get_language() or "",
                                            settings.LANGUAGE_CODE]) if lang]


def video_process(*, video: Video, progress: ProgressReporter) -> Text:
    """The whole comment-moments pipeline for one user's video."""
    video_set_status(video=video, status=Video.Status.PROCESSING)
    source = video.source
    try:
        progress(1, lambda: _("Reading the video's details"))
        source_fetch_metadata(source=source)
        if not video_has_imported_comments(video=video):
            progress(3, lambda: _("Collecting comments"))
            source_harvest_comments(source=source, progress=progress.sub(3, 30))
        progress(29, lambda: _("Reading the video's captions"))
        source_fetch_captions(source=source, languages=caption_languages())
        progress(30, lambda: _("Finding the moments viewers point to"))
        moments = moments_find_for_video(video=video)
        if moments:
            had_duration = source.duration is not None
            file = source_ensure_file(source=source, progress=progress.sub(32, 60))
            source.refresh_from_db()
            if not had_duration:
                # Only the downloaded file told us the length: clamp the moments to it.
                moments = moments_find_for_video(video=video)
            count = len(moments)
            progress(60, lambda: ngettext("Making %(count)d clip", "Making %(count)d clips",
                                          count) % {"count": count})
            with local_copy(file) as path:
                clips_render_for_moments(
                    user=video.user, source=source, moments=moments, path=path,
                    aspect=video.aspect, progress=progress.sub(60, 100),
                    captions=video.captions,
                )
    except ApplicationError as exc:
        video_set_status(video=video, status=Video.Status.FAILED, error=exc.message)
        raise
    except JobLeaseLost:
        raise  # another worker does this job now: the video is its business
    except BaseException:
        video_set_status(video=video, status=Video.Status.FAILED, error=str(SOMETHING_WRONG))
        raise
    video_set_status(video=video, status=Video.Status.READY, error="")
    reason = video.no_moments_reason
    if not moments:
        return lambda: _("No moments found: %(reason)s") % {
            "reason": Video.NoMoments(reason).label if reason else ""}
    made = len(moments)
    return lambda: ngettext("%(count)d clip ready", "%(count)d clips ready",
                            made) % {"count": made}


def session_make_clips(*, session: WatchSession, progress: ProgressReporter) -> Text:
    """Find the strongest emotional moments of a finished session and render them."""
    source = session.video.source
    try:
        progress(5, lambda: _("Reading your reactions"))
        moments = moments_find_for_session(session=session)
        if moments:
            count = len(moments)
            progress(20, lambda: ngettext("Making %(count)d clip", "Making %(count)d clips",
                                          count) % {"count": count})
            with local_copy(source.file) as path:
                clips_render_for_moments(
                    user=session.user, source=source, moments=moments,
                    path=path, aspect=session.video.aspect,
                    progress=progress.sub(20, 100))
    except JobLeaseLost:
        raise  # another worker does this job now: the session is its business
    except BaseException as exc:
        session_set_status(session=session, status=WatchSession.Status.FAILED,
                           error=getattr(exc, "message", "") or str(SOMETHING_WRONG))
        raise
    # Counts only, and only from viewers who did not opt out (see analysis.services).
    crowd_contribute(session=session)
    session_set_status(session=session, status=WatchSession.Status.DONE)
    if not moments:
        if not session.frames_received:
            return lambda: _("No frames were received in this session, so there is nothing "
                             "to make clips from.")
        if not session.samples.filter(face_found=True).exists():
            return lambda: _("Your face was not found in any frame of this session, so there "
                             "is nothing to make clips from.")
        return lambda: _("No strong reactions found in this session.")
    made = len(moments)
    return lambda: ngettext("%(count)d emotion clip ready", "%(count)d emotion clips ready",
                            made) % {"count": made}
