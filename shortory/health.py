"""``/healthz``: is this process able to serve? For load balancers and the scaled deployment.

200 when every check passes, 503 otherwise; the body names each check and, on failure, the
kind of error (never its message: it may name hosts or credentials). Checks, each bounded by a
short timeout:

* ``database``: a ``SELECT 1`` on the default connection;
* ``redis``: a PING (only when ``REDIS_URL`` is set);
* ``storage``: the media storage answers (S3: a HEAD on a probe key; local: MEDIA_ROOT is a
  writable folder);
* ``workers``: with the Redis broker, at least one django-q2 cluster has reported in the last
  seconds; with the ORM broker (the embedded default, where clusters report into a
  per-process cache), no task has waited more than ``HEALTH_QUEUE_MAX_WAIT`` seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

HEALTH_QUEUE_MAX_WAIT = 120


class Unhealthy(Exception):
    """A check ran and found a problem worth a 503 (as opposed to crashing)."""


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "pong"


def check_storage() -> str:
    from django.core.files.storage import default_storage

    try:
        root = default_storage.path("")
    except NotImplementedError:
        default_storage.exists("healthz-probe")  # a HEAD: reachable, credentials accepted
        return type(default_storage).__name__
    # Django creates MEDIA_ROOT on the first save: the nearest existing folder must be writable.
    folder = root
    while not os.path.exists(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
        raise Unhealthy("the media folder is not writable")
    return "local"


def check_workers() -> str:
    from django_q.brokers import get_broker
    from django_q.status import Stat

    if settings.REDIS_URL:
        clusters = [stat for stat in Stat.get_all(get_broker()) if stat.status != "Stopped"]
        if not clusters:
            raise Unhealthy("no task worker (qcluster) has reported")
        return f"{len(clusters)} cluster(s)"
    from django_q.models import OrmQ

    oldest = (OrmQ.objects.filter(lock__lte=timezone.now()).order_by("lock")
              .values_list("lock", flat=True).first())
    if oldest is not None and timezone.now() - oldest > timedelta(seconds=HEALTH_QUEUE_MAX_WAIT):
        raise Unhealthy("queued tasks are not being picked up")
    return "queue drains"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "storage": check_storage,
    "workers": check_workers,
}


@never_cache
@require_safe
def healthz(request):
    results: dict[str, dict] = {}
    healthy = True
    for name, check in CHECKS.items():
        if name == "redis" and not settings.REDIS_URL:
            continue
        started = time.monotonic()
        try:
            detail = check()
        except Unhealthy as exc:
            results[name] = {"ok": False, "error": str(exc)}
            healthy = False
        except Exception as exc:  # any failure of a dependency is a failed check, not a 500
            results[name] = {"ok": False, "error": type(exc).__name__}
            healthy = False
        else:
            results[name] = {"ok": True, "detail": detail}
        results[name]["ms"] = round(1000 * (time.monotonic() - started), 1)
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results},
                        status=200 if healthy else 503)
