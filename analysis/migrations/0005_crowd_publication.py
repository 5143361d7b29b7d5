"""Crowd timelines are published per second once k viewers changed it (issue 12's privacy
audit). Existing timelines keep what they showed: their counts become the published copy."""

from django.db import migrations, models


def publish_existing(apps, schema_editor):
    CrowdAggregate = apps.get_model("analysis", "CrowdAggregate")
    for aggregate in CrowdAggregate.objects.all().iterator():
        # emotion.crowd.Release.as_json(), written out: migrations do not import app code.
        n = len((aggregate.data or {}).get("viewers", []))
        aggregate.published = {"counts": aggregate.data or {}, "fresh": [0] * n,
                               "epoch": [0] * n}
        aggregate.save(update_fields=["published"])


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0004_crowd"),
    ]

    operations = [
        migrations.AddField(
            model_name="crowdaggregate",
            name="published",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="crowdcontribution",
            name="counted",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
