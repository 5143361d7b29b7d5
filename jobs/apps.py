from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(schedule_sweep, sender=self, dispatch_uid="jobs_schedule_sweep")


def schedule_sweep(sender, **kwargs) -> None:
    """The sweep that fails dead workers' jobs runs every minute in the django-q2 cluster."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="shortory-sweep-stale-jobs",
        defaults={"func": "jobs.tasks.sweep_stale_jobs", "schedule_type": Schedule.MINUTES,
                  "minutes": 1, "repeats": -1},
    )
