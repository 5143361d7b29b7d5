"""django-q2 entry points: thin, take ids, safe to deliver twice."""

from . import services


def demo_count(*, job_id: int, steps: int = 10, delay: float = 0.4) -> None:
    services.job_run(
        job_id=job_id,
        work=lambda job, progress: services.demo_count(
            job=job, progress=progress, steps=steps, delay=delay
        ),
    )


def sweep_stale_jobs() -> int:
    """Scheduled every minute (see jobs.apps): remove dead workers' temp folders, and sweep
    their jobs (the backstop of the sweep every worker process runs, `manage.py worker`)."""
    from common.files import remove_orphaned_temp_dirs

    remove_orphaned_temp_dirs()
    return len(services.job_sweep_stale()) + len(services.job_resend_waiting())
