"""`manage.py worker`: a django-q2 cluster (what `manage.py qcluster` starts) with the sweep
of dead workers' jobs running beside it (jobs.services.Sweeper).

Every worker process sweeps, so a job whose worker died is queued again within
JOB_STALE_AFTER + JOB_SWEEP_SECONDS for as long as any worker lives, also the one restarted
in the dead one's place. The sweeper thread starts after the cluster has forked its
processes, so none of them inherits it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.services import Sweeper


class Command(BaseCommand):
    help = ("Starts a django-q2 cluster and, beside it, the sweep that starts dead workers' "
            "jobs again (every JOB_SWEEP_SECONDS).")

    def handle(self, *args, **options) -> None:
        from django_q.cluster import Cluster

        settings.SECRET_KEY  # noqa: B018  (the cluster signs tasks with it: fail early)
        cluster = Cluster()  # SIGTERM/SIGINT stop it (its handlers, in this main thread)
        cluster.start()
        sweeper = Sweeper().start()
        self.stdout.write(f"Sweeping stale jobs every {sweeper.interval} s "
                          f"(stale after {settings.JOB_STALE_AFTER} s)")
        try:
            while cluster.sentinel is not None and cluster.sentinel.is_alive():
                time.sleep(0.5)
        finally:
            sweeper.stop()
