"""django-q2 entry points of watch sessions: thin, take ids, safe to deliver twice."""

from __future__ import annotations

from jobs.services import job_run

from .models import WatchSession


def analyse_reaction(*, job_id: int, session_id: int) -> None:
    """Read an uploaded reaction video into samples, then finish the session (its clips)."""
    from .inference import default_recognizer
    from .services import session_read_reaction

    def work(job, progress):
        session = WatchSession.objects.select_related("video__source", "user").get(pk=session_id)
        if not session.reaction_video:  # delivered twice: the first delivery did the work
            return None
        stored = session_read_reaction(session=session, recognizer=default_recognizer(),
                                       progress=progress)
        return f"{stored} frames read"

    job_run(job_id=job_id, work=work)
