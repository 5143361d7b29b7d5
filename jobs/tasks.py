"""django-q2 entry points: thin, take ids, safe to deliver twice."""

from . import services


def demo_count(*, job_id: int, steps: int = 10, delay: float = 0.4) -> None:
    services.job_run(
        job_id=job_id,
        work=lambda job, progress: services.demo_count(
            job=job, progress=progress, steps=steps, delay=delay
        ),
    )
