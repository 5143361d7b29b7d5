"""django-q2 entry points for analysis: thin, take ids, safe to deliver twice."""

from jobs.services import job_run

from . import services
from .models import LibraryVideo


def process_entry(*, job_id: int, entry_id: int) -> None:
    def work(job, progress):
        entry = LibraryVideo.objects.select_related("source", "user").get(pk=entry_id)
        return services.entry_process(entry=entry, progress=progress)

    job_run(job_id=job_id, work=work)


def finish_session(*, job_id: int, session_id: int) -> None:
    from .models import WatchSession

    def work(job, progress):
        session = WatchSession.objects.select_related("entry__source", "user").get(pk=session_id)
        return services.session_make_clips(session=session, progress=progress)

    job_run(job_id=job_id, work=work)
