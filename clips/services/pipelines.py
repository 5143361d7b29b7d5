"""The two pipelines that end in clips, each run as one background job.

* a video: details → comments → comment moments → the file → clips;
* a finished watch session: its samples → emotion moments → clips.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from analysis.models import WatchSession
from analysis.services import session_set_status
from common.errors import ApplicationError
from common.files import local_copy
from jobs.services import ProgressReporter
from videos.models import Video
from videos.services import (
    source_ensure_file,
    source_fetch_metadata,
    source_harvest_comments,
    video_has_imported_comments,
    video_set_status,
)

from .moments import moments_find_for_session, moments_find_for_video
from .rendering import clips_render_for_moments

SOMETHING_WRONG = gettext_lazy("Something went wrong on our side. Please try again.")


def video_process(*, video: Video, progress: ProgressReporter) -> str:
    """The whole comment-moments pipeline for one user's video."""
    video_set_status(video=video, status=Video.Status.PROCESSING)
    source = video.source
    try:
        progress(1, _("Reading the video's details"))
        source_fetch_metadata(source=source)
        if not video_has_imported_comments(video=video):
            progress(3, _("Collecting comments"))
            source_harvest_comments(source=source, progress=progress.sub(3, 30))
        progress(30, _("Finding the moments viewers point to"))
        moments = moments_find_for_video(video=video)
        if moments:
            had_duration = source.duration is not None
            file = source_ensure_file(source=source, progress=progress.sub(32, 60))
            source.refresh_from_db()
            if not had_duration:
                # Only the downloaded file told us the length: clamp the moments to it.
                moments = moments_find_for_video(video=video)
            progress(60, ngettext("Making %(count)d clip", "Making %(count)d clips",
                                  len(moments)) % {"count": len(moments)})
            with local_copy(file) as path:
                clips_render_for_moments(
                    user=video.user, source=source, moments=moments, path=path,
                    aspect=video.aspect, progress=progress.sub(60, 100),
                )
    except ApplicationError as exc:
        video_set_status(video=video, status=Video.Status.FAILED, error=exc.message)
        raise
    except BaseException:
        video_set_status(video=video, status=Video.Status.FAILED, error=str(SOMETHING_WRONG))
        raise
    video_set_status(video=video, status=Video.Status.READY, error="")
    if not moments:
        return _("No moments found: %(reason)s") % {
            "reason": Video.NoMoments(video.no_moments_reason).label
            if video.no_moments_reason else ""}
    return ngettext("%(count)d clip ready", "%(count)d clips ready",
                    len(moments)) % {"count": len(moments)}


def session_make_clips(*, session: WatchSession, progress: ProgressReporter) -> str:
    """Find the strongest emotional moments of a finished session and render them."""
    source = session.video.source
    try:
        progress(5, _("Reading your reactions"))
        moments = moments_find_for_session(session=session)
        if moments:
            progress(20, ngettext("Making %(count)d clip", "Making %(count)d clips",
                                  len(moments)) % {"count": len(moments)})
            with local_copy(source.file) as path:
                clips_render_for_moments(
                    user=session.user, source=source, moments=moments,
                    path=path, aspect=session.video.aspect,
                    progress=progress.sub(20, 100))
    except BaseException as exc:
        session_set_status(session=session, status=WatchSession.Status.FAILED,
                           error=getattr(exc, "message", "") or str(SOMETHING_WRONG))
        raise
    session_set_status(session=session, status=WatchSession.Status.DONE)
    if not moments:
        return _("No strong reactions found in this session.")
    return ngettext("%(count)d emotion clip ready", "%(count)d emotion clips ready",
                    len(moments)) % {"count": len(moments)}
