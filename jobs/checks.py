"""System checks for the task queue and the WebSocket fan-out."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def check_task_queue(app_configs, **kwargs):
    cluster = getattr(settings, "Q_CLUSTER", {})
    timeout = cluster.get("timeout")
    retry = cluster.get("retry", 60)
    if timeout is not None and retry <= timeout:
        return [
            Error(
                f"Q_CLUSTER['retry'] ({retry}s) must be larger than Q_CLUSTER['timeout'] "
                f"({timeout}s).",
                hint="Otherwise a task still running is handed to a second worker and runs twice.",
                id="shortory.E003",
            )
        ]
    return []


@register(Tags.compatibility)
def check_channel_layer(app_configs, **kwargs):
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    if not settings.DEBUG and backend.endswith("InMemoryChannelLayer"):
        return [
            Warning(
                "The in-memory channel layer is in use with DEBUG off.",
                hint="Job progress from the task workers cannot reach browsers through it; set "
                "REDIS_URL to use the Redis channel layer.",
                id="shortory.W004",
            )
        ]
    return []


@register(Tags.compatibility)
def check_job_heartbeat(app_configs, **kwargs):
    beat, stale = settings.JOB_HEARTBEAT_SECONDS, settings.JOB_STALE_AFTER
    if stale < 2 * beat:
        return [
            Error(
                f"JOB_STALE_AFTER ({stale}s) must be at least twice JOB_HEARTBEAT_SECONDS "
                f"({beat}s).",
                hint="Otherwise one late heartbeat makes a live job look dead, and the sweep "
                "starts it again while it still runs.",
                id="shortory.E005",
            )
        ]
    return []
