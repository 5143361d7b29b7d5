"""A source video goes with the last video that uses it: an upload with its only video, a
shared YouTube download with the last library that holds it, also when a whole account is
deleted. Its file then goes with django-cleanup."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import SourceVideo, Video


@receiver(post_delete, sender=Video, dispatch_uid="videos_delete_orphaned_source")
def delete_orphaned_source(sender, instance: Video, **kwargs) -> None:
    SourceVideo.objects.filter(pk=instance.source_id, videos__isnull=True).delete()
