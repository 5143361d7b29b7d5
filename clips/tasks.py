"""django-q2 entry points that end in clips: thin, take ids, safe to deliver twice.

Lower apps enqueue these by dotted name (`videos.services.PROCESS_TASK`,
`analysis.services.FINISH_TASK`), so they never import this app.
"""

from analysis.models import WatchSession
from jobs.services import job_run
from videos.models import Video

from .services import pipelines


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
