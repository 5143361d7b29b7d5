"""/healthz: each dependency checked, 503 naming the failed one (never a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shortory import health


@pytest.mark.django_db
def test_healthz_ok_names_every_check(client, settings):
    response = client.get("/healthz")
    body = response.json()
    expected = {"database", "storage", "workers"} | ({"redis"} if settings.REDIS_URL else set())
    assert set(body["checks"]) == expected
    assert response["Cache-Control"].startswith("max-age=0")
    if settings.REDIS_URL:
        # No qcluster runs beside this test: the Redis broker has no cluster to report
        # (test_scaled checks the healthy case with real workers).
        assert response.status_code == 503
        assert body["checks"]["workers"]["error"] == "no task worker (qcluster) has reported"
        assert all(body["checks"][name]["ok"] for name in expected - {"workers"})
        return
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_reports_a_stuck_queue_as_503(client, settings):
    if settings.REDIS_URL:
        pytest.skip("the ORM broker's queue check (the Redis broker is checked in test_scaled)")
    from django_q.models import OrmQ

    OrmQ.objects.create(key="shortory", payload="x",
                        lock=timezone.now() - timedelta(seconds=health.HEALTH_QUEUE_MAX_WAIT + 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["workers"] == {"ok": False, "error": "queued tasks are not being picked up",
                                         "ms": body["checks"]["workers"]["ms"]}
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_turns_a_crashing_dependency_into_a_named_503(client, monkeypatch):
    def broken() -> str:
        raise ConnectionError("secret-host:5432 refused")

    monkeypatch.setitem(health.CHECKS, "storage", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["error"] == "ConnectionError"
    assert "secret-host" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_media_root_that_is_not_a_folder_fails(client, settings, tmp_path):
    if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
        pytest.skip("local media only")
    (tmp_path / "not-a-folder").write_text("x")
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["storage"]["error"] == "the media folder is not writable"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
