"""A video leaving a library takes that user's clips of it along (the clips' files then go
with django-cleanup). A signal, so that `videos` needs no knowledge of clips."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from analysis.models import WatchSession
from jobs.models import Job
from jobs.signals import job_abandoned
from videos.models import Video

from .models import Clip


@receiver(pre_delete, sender=Video, dispatch_uid="clips_delete_with_video")
def delete_clips_of_video(sender, instance: Video, **kwargs) -> None:
    Clip.objects.filter(user_id=instance.user_id, source_id=instance.source_id).delete()


@receiver(job_abandoned, dispatch_uid="clips_fail_abandoned_renders")
def fail_abandoned_renders(sender, job: Job, **kwargs) -> None:
    """A dead worker's clips left "rendering" are failed with the job's reason."""
    kind, _, pk = job.target.partition(":")
    if not pk.isdigit():
        return
    source_id = None
    if kind == "video":
        source_id = Video.objects.filter(pk=int(pk)).values_list("source_id", flat=True).first()
    elif kind == "session":
        source_id = WatchSession.objects.filter(pk=int(pk)).values_list(
            "video__source_id", flat=True).first()
    if source_id is not None:
        Clip.objects.filter(user_id=job.user_id, source_id=source_id,
                            status=Clip.Status.RENDERING).update(
            status=Clip.Status.FAILED, error=job.error)
