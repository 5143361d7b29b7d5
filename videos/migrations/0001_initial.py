# The video models move from `analysis` to `videos` with their tables and rows untouched:
# only Django's model state changes (SeparateDatabaseAndState); `analysis.0002` removes them
# from the old app's state afterwards.

import common.files
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analysis', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='SourceVideo',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('youtube', 'YouTube'), ('upload', 'Upload')], max_length=16, verbose_name='kind')),
                        ('youtube_id', models.CharField(blank=True, max_length=11, null=True, unique=True, verbose_name='YouTube id')),
                        ('title', models.CharField(blank=True, max_length=300, verbose_name='title')),
                        ('duration', models.FloatField(blank=True, null=True, verbose_name='duration (s)')),
                        ('thumbnail_url', models.URLField(blank=True, max_length=500, verbose_name='thumbnail URL')),
                        ('chapters', models.JSONField(blank=True, default=list, verbose_name='chapters')),
                        ('heatmap', models.JSONField(blank=True, null=True, verbose_name='most replayed')),
                        ('uploader', models.CharField(blank=True, max_length=200, verbose_name='channel')),
                        ('file', models.FileField(blank=True, max_length=300, upload_to=common.files.RandomName("sources", ".mp4"), verbose_name='file')),
                        ('file_status', models.CharField(choices=[('none', 'Not downloaded'), ('downloading', 'Downloading'), ('ready', 'Ready'), ('failed', 'Failed')], default='none', max_length=16, verbose_name='file status')),
                        ('file_error', models.TextField(blank=True, verbose_name='file error')),
                        ('width', models.PositiveIntegerField(blank=True, null=True)),
                        ('height', models.PositiveIntegerField(blank=True, null=True)),
                        ('comments_status', models.CharField(choices=[('not_harvested', 'Not collected yet'), ('harvesting', 'Collecting'), ('harvested', 'Collected'), ('disabled', 'Comments are disabled'), ('failed', 'Could not collect')], default='not_harvested', max_length=16, verbose_name='comments status')),
                        ('comments_error', models.TextField(blank=True, verbose_name='comments error')),
                        ('comments_source', models.CharField(blank=True, max_length=16, verbose_name='comments source')),
                        ('comments_harvested_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='uploaded_sources', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'source video',
                        'verbose_name_plural': 'source videos',
                        'ordering': ['-created_at'],
                        'db_table': 'analysis_sourcevideo',
                    },
                ),
                migrations.CreateModel(
                    name='Video',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('processing', 'Processing'), ('ready', 'Ready'), ('failed', 'Failed')], default='pending', max_length=16, verbose_name='status')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('no_moments_reason', models.CharField(blank=True, choices=[('no_comments', 'this video has no comments yet.'), ('comments_disabled', 'comments are turned off for this video.'), ('comments_unavailable', 'its comments could not be collected.'), ('no_timestamps', 'no comment mentions a time in the video.'), ('beyond_duration', 'every time mentioned is past the end of the video.')], max_length=32)),
                        ('top_k', models.PositiveSmallIntegerField(default=5)),
                        ('clip_before', models.PositiveSmallIntegerField(default=10)),
                        ('clip_after', models.PositiveSmallIntegerField(default=10)),
                        ('aspect', models.CharField(default='source', max_length=8)),
                        ('mention_histogram', models.JSONField(blank=True, default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='videos', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='videos', to='videos.sourcevideo')),
                    ],
                    options={
                        'verbose_name': 'video',
                        'verbose_name_plural': 'videos',
                        'ordering': ['-created_at'],
                        'db_table': 'analysis_libraryvideo',
                    },
                ),
                migrations.CreateModel(
                    name='Comment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('origin', models.CharField(max_length=16)),
                        ('comment_id', models.CharField(max_length=128)),
                        ('parent_id', models.CharField(blank=True, max_length=128)),
                        ('author', models.CharField(blank=True, max_length=200)),
                        ('author_channel_id', models.CharField(blank=True, max_length=64)),
                        ('text', models.TextField()),
                        ('like_count', models.PositiveIntegerField(default=0)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('seconds', models.JSONField(blank=True, default=list)),
                        ('imported_for', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='imported', to='videos.video')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='videos.sourcevideo')),
                    ],
                    options={
                        'db_table': 'analysis_comment',
                    },
                ),
                migrations.AddConstraint(
                    model_name='video',
                    constraint=models.UniqueConstraint(fields=('user', 'source'), name='one_entry_per_user_source'),
                ),
                migrations.AddIndex(
                    model_name='comment',
                    index=models.Index(fields=['source', 'imported_for'], name='analysis_co_source__ee07f6_idx'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.UniqueConstraint(fields=('source', 'imported_for', 'comment_id'), name='unique_comment_per_set'),
                ),
            ],
        ),
    ]
