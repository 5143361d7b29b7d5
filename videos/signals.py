"""A source video goes with the last video that uses it: an upload with its only video, a
shared YouTube download with the last library that holds it, also when a whole account is
deleted. Its file then goes with django-cleanup."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from jobs.models import Job
from jobs.signals import job_abandoned

from .models import SourceVideo, Video


@receiver(post_delete, sender=Video, dispatch_uid="videos_delete_orphaned_source")
def delete_orphaned_source(sender, instance: Video, **kwargs) -> None:
    SourceVideo.objects.filter(pk=instance.source_id, videos__isnull=True).delete()


@receiver(job_abandoned, dispatch_uid="videos_fail_abandoned_processing")
def fail_abandoned_processing(sender, job: Job, **kwargs) -> None:
    """A dead worker's video job: the video is failed with the job's reason (Retry works)."""
    if job.kind != Job.Kind.VIDEO_PROCESS or not job.target.startswith("video:"):
        return
    Video.objects.filter(
        pk=int(job.target.split(":", 1)[1]), user_id=job.user_id,
        status__in=[Video.Status.PENDING, Video.Status.PROCESSING],
    ).update(status=Video.Status.FAILED, error=job.error)
