"""django-q2 entry points that end in clips: thin, take ids, safe to deliver twice.

Lower apps enqueue these by dotted name (`videos.services.PROCESS_TASK`,
`analysis.services.FINISH_TASK`), so they never import this app.
"""

from django.utils.translation import gettext as _

from analysis.models import WatchSession
from common.errors import ApplicationError
from common.files import local_copy
from jobs.services import job_run
from videos.models import Video
from videos.services import source_ensure_file

from .models import Clip, Reel
from .services import editing, pipelines, reels, rendering


def process_video(*, job_id: int, video_id: int) -> None:
    def work(job, progress):
        video = Video.objects.select_related("source", "user").get(pk=video_id)
        return pipelines.video_process(video=video, progress=progress)

    job_run(job_id=job_id, work=work)


def finish_session(*, job_id: int, session_id: int) -> None:
    def work(job, progress):
        session = WatchSession.objects.select_related("video__source", "user").get(pk=session_id)
        return pipelines.session_make_clips(session=session, progress=progress)

    job_run(job_id=job_id, work=work)


def render_clip(*, job_id: int, clip_id: int) -> None:
    """Render one clip again (its options changed); a clip already ready is left alone."""
    def work(job, progress):
        clip = Clip.objects.select_related("source").get(pk=clip_id)
        if clip.status == Clip.Status.READY:
            return _("Clip ready")
        file = source_ensure_file(source=clip.source, progress=progress.sub(0, 20))
        progress(20, _("Rendering the clip"))
        with local_copy(file) as path:
            rendering.clip_render(clip=clip, path=path)
        if clip.status == Clip.Status.FAILED:
            raise ApplicationError(clip.error)
        return _("Clip ready")

    job_run(job_id=job_id, work=work)


def rerender_clip(*, job_id: int, clip_id: int) -> None:
    def work(job, progress):
        clip = Clip.objects.select_related("source", "moment").filter(pk=clip_id).first()
        if clip is None:
            return None  # deleted meanwhile: nothing to do
        return editing.clip_rerender(clip=clip, progress=progress)

    job_run(job_id=job_id, work=work)


def render_reel(*, job_id: int, reel_id: int) -> None:
    def work(job, progress):
        reel = Reel.objects.filter(pk=reel_id).first()
        if reel is None:
            return None
        return reels.reel_render(reel=reel, progress=progress)

    job_run(job_id=job_id, work=work)
