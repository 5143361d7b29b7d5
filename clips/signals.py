"""A video leaving a library takes that user's clips of it along (the clips' files then go
with django-cleanup). A signal, so that `videos` needs no knowledge of clips."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from videos.models import Video

from .models import Clip


@receiver(pre_delete, sender=Video, dispatch_uid="clips_delete_with_video")
def delete_clips_of_video(sender, instance: Video, **kwargs) -> None:
    Clip.objects.filter(user_id=instance.user_id, source_id=instance.source_id).delete()
