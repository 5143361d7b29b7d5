# Moment moves from `analysis` to `clips` (table kept), and Clip's foreign keys follow the
# models that moved. State only: no table or row changes.

import common.files
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clips', '0001_initial'),
        ('videos', '0001_initial'),
        ('analysis', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Moment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('comments', 'Comments'), ('emotion', 'Emotion')], max_length=16)),
                        ('rank', models.PositiveSmallIntegerField()),
                        ('peak', models.FloatField()),
                        ('start', models.FloatField()),
                        ('end', models.FloatField()),
                        ('score', models.FloatField(default=0)),
                        ('emotion', models.CharField(blank=True, max_length=16)),
                        ('intensity', models.FloatField(blank=True, null=True)),
                        ('evidence', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('video', models.ForeignKey(blank=True, db_column='entry_id', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='moments', to='videos.video')),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='moments', to='analysis.watchsession')),
                    ],
                    options={
                        'ordering': ['rank'],
                        'db_table': 'analysis_moment',
                    },
                ),
                migrations.AlterField(
                    model_name='clip',
                    name='source',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clips', to='videos.sourcevideo'),
                ),
                migrations.AlterField(
                    model_name='clip',
                    name='moment',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='clip', to='clips.moment'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='clip',
            name='kind',
            field=models.CharField(choices=[('comments', 'Comments'), ('emotion', 'Emotion')], max_length=16),
        ),
        migrations.AlterField(
            model_name='clip',
            name='thumbnail',
            field=models.FileField(blank=True, max_length=300, upload_to=common.files.RandomName('clips', '.jpg')),
        ),
    ]
