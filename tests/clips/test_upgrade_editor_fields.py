"""A database from before the clip editor (clips 0002, jobs 0002) migrates forward: existing
clips get their current window as their original one, so "reset" works for them too."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The whole project as it was before the editor (every app of ours, so the historical models
# match the tables they write to).
BEFORE = [("clips", "0002_moment_moves_here"), ("jobs", "0002_job_language"),
          ("videos", "0002_comment_origin_choices"), ("analysis", "0002_videos_and_moments_move_out"),
          ("accounts", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_clips_remember_their_window():
    executor = MigrationExecutor(connection)
    ours = {app for app, _ in BEFORE}
    executor.migrate(BEFORE + [n for n in executor.loader.graph.leaf_nodes() if n[0] not in ours])
    old = executor.loader.project_state(
        BEFORE + [n for n in executor.loader.graph.leaf_nodes() if n[0] not in ours]).apps
    User = old.get_model("accounts", "User")
    SourceVideo = old.get_model("videos", "SourceVideo")
    Clip = old.get_model("clips", "Clip")
    alice = User.objects.create(username="alice")
    source = SourceVideo.objects.create(kind="upload", title="old", duration=60)
    clip = Clip.objects.create(user=alice, source=source, kind="comments", start=12.5, end=30,
                               status="ready", hidden=True)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from clips.models import Clip as NewClip

    new = NewClip.objects.get(pk=clip.pk)
    assert (new.original_start, new.original_end) == (12.5, 30)
    assert (new.start, new.end, new.hidden, new.status) == (12.5, 30, True, "ready")
    assert new.pending_start is None and not new.share_links.exists()
