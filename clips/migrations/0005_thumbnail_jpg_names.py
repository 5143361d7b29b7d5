"""Thumbnails made before 0002 were JPEG files stored under ``.mp4`` names: give them ``.jpg``
names (file and row), so anything that goes by the name (a browser, a backup, a CDN) sees a
picture. A missing file is left as it is; the row keeps pointing where it pointed."""

from django.core.files.storage import default_storage
from django.db import migrations


def rename_thumbnails(apps, schema_editor):
    Clip = apps.get_model("clips", "Clip")
    for clip in Clip.objects.filter(thumbnail__endswith=".mp4").iterator():
        old = clip.thumbnail.name
        if not default_storage.exists(old):
            continue
        with default_storage.open(old, "rb") as handle:
            new = default_storage.save(old[: -len(".mp4")] + ".jpg", handle)
        Clip.objects.filter(pk=clip.pk).update(thumbnail=new)
        default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("clips", "0004_share_links_reports_reels")]

    operations = [migrations.RunPython(rename_thumbnails, migrations.RunPython.noop)]
