"""A database from before batched publication (analysis 0004) migrates forward: a crowd
timeline that was shown stays shown, from its counts, and a new session of a viewer who
contributed before the upgrade counts as a change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("analysis", "0004_crowd")]


@pytest.mark.django_db(transaction=True)
def test_an_existing_crowd_timeline_stays_shown():
    executor = MigrationExecutor(connection)
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "analysis"]
    executor.migrate(BEFORE + others)
    old = executor.loader.project_state(BEFORE + others).apps
    SourceVideo = old.get_model("videos", "SourceVideo")
    CrowdAggregate = old.get_model("analysis", "CrowdAggregate")
    source = SourceVideo.objects.create(kind="upload", title="old", duration=3)
    data = {"viewers": [6, 6, 2], "reacted": {"happy": [3, 0, 1]}, "attention": [4.8, 4.8, 1.0]}
    CrowdAggregate.objects.create(source=source, data=data, contributors=6)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from analysis.models import CrowdAggregate as NewAggregate

    aggregate = NewAggregate.objects.get(source_id=source.pk)
    assert aggregate.data == data
    shown = aggregate.timeline()
    assert shown.viewers == [6, 6, None]
    assert shown.shares["happy"][:2] == [0.5, 0.0] and shown.attention[0] == 0.8
    assert aggregate.published["fresh"] == [0, 0, 0]
