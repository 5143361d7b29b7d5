from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(schedule_sweep, sender=self, dispatch_uid="jobs_schedule_sweep")
        from django.conf import settings
        from django.db.models.signals import post_delete, pre_delete

        pre_delete.connect(remember_user_tasks, sender=settings.AUTH_USER_MODEL,
                           dispatch_uid="jobs_remember_user_tasks")
        post_delete.connect(delete_user_tasks, sender=settings.AUTH_USER_MODEL,
                            dispatch_uid="jobs_delete_user_tasks")


def schedule_sweep(sender, **kwargs) -> None:
    """Every minute in the django-q2 cluster: dead workers' temp folders are removed and their
    jobs swept (a backstop: `manage.py worker` sweeps every JOB_SWEEP_SECONDS)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="shortory-sweep-stale-jobs",
        defaults={"func": "jobs.tasks.sweep_stale_jobs", "schedule_type": Schedule.MINUTES,
                  "minutes": 1, "repeats": -1},
    )


def remember_user_tasks(sender, instance, **kwargs) -> None:
    from .models import Job

    instance._job_task_names = {f"job-{pk}" for pk in
                                Job.objects.filter(user=instance).values_list("pk", flat=True)}


def delete_user_tasks(sender, instance, **kwargs) -> None:
    """A deleted account's django-q2 rows (results, and tasks still queued) go with it: they
    hold the task's arguments, and a queued one would run for a job that no longer exists."""
    from django_q.models import OrmQ, Task

    names = getattr(instance, "_job_task_names", set())
    if not names:
        return
    Task.objects.filter(name__in=names).delete()
    for queued in OrmQ.objects.all():
        # (an unreadable payload decodes to {"id": "*Error"}: no name, left alone)
        if queued.task.get("name") in names:
            queued.delete()
