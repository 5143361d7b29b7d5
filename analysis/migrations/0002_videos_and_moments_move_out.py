# The video models and Moment now live in `videos` and `clips` (see their migrations); this
# removes them from this app's state, points WatchSession at videos.Video under its new name
# `video` (column `entry_id` kept), and moves content types and permissions along so that
# admin history and granted permissions survive.

import django.db.models.deletion
from django.db import migrations, models

MOVED = [
    # (old app, old model, new app, new model)
    ("analysis", "sourcevideo", "videos", "sourcevideo"),
    ("analysis", "libraryvideo", "videos", "video"),
    ("analysis", "comment", "videos", "comment"),
    ("analysis", "moment", "clips", "moment"),
]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for old_app, old_model, new_app, new_model in MOVED:
        old = ContentType.objects.filter(app_label=old_app, model=old_model).first()
        if old is None or ContentType.objects.filter(app_label=new_app, model=new_model).exists():
            continue
        old.app_label, old.model = new_app, new_model
        old.save(update_fields=["app_label", "model"])
        if old_model != new_model:
            for perm in Permission.objects.filter(content_type=old):
                perm.codename = perm.codename.replace(f"_{old_model}", f"_{new_model}")
                perm.save(update_fields=["codename"])


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for old_app, old_model, new_app, new_model in MOVED:
        new = ContentType.objects.filter(app_label=new_app, model=new_model).first()
        if new is None or ContentType.objects.filter(app_label=old_app, model=old_model).exists():
            continue
        new.app_label, new.model = old_app, old_model
        new.save(update_fields=["app_label", "model"])
        if old_model != new_model:
            for perm in Permission.objects.filter(content_type=new):
                perm.codename = perm.codename.replace(f"_{new_model}", f"_{old_model}")
                perm.save(update_fields=["codename"])


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0001_initial'),
        ('videos', '0001_initial'),
        ('clips', '0002_moment_moves_here'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name='watchsession', name='entry'),
                migrations.AddField(
                    model_name='watchsession',
                    name='video',
                    field=models.ForeignKey(db_column='entry_id', default=0, on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='videos.video'),
                    preserve_default=False,
                ),
                migrations.DeleteModel(name='Moment'),
                migrations.DeleteModel(name='Comment'),
                migrations.DeleteModel(name='LibraryVideo'),
                migrations.DeleteModel(name='SourceVideo'),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
