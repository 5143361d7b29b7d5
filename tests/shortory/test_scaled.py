"""The scaled-out mode: PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).

Runs when both variables are set (`.ci/run` points them at the local services) and is
skipped with a reason otherwise. `make test` runs this group in a second pytest pass.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
needs_services = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="DATABASE_URL and REDIS_URL are not set (the scaled-out group needs both)",
)
pytestmark = [pytest.mark.scaled, needs_services]


@pytest.mark.django_db
def test_runs_on_postgresql_with_all_migrations_applied():
    from django.db.migrations.executor import MigrationExecutor

    assert connection.vendor == "postgresql"
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    with connection.cursor() as cursor:
        cursor.execute("select count(*) from information_schema.tables where table_name = %s",
                       ["analysis_emotionsample"])
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_signup_login_and_token_on_postgresql(client, api_client, django_user_model):
    response = client.post(reverse("signup"), {
        "username": "pguser", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    user = django_user_model.objects.get(username="pguser")
    client.post(reverse("logout"))
    assert client.post(reverse("login"), {"username": "pguser", "password": PASSWORD}).status_code == 302
    token = api_client.post("/api/v1/auth/token/", {"username": "pguser", "password": PASSWORD},
                            format="json").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["id"] == user.pk


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_daphne(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "shortory.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("daphne did not start")


@pytest.mark.django_db(transaction=True)
def test_job_progress_fans_out_over_redis_to_two_daphne_instances(alice):
    """A worker's progress reaches sockets held by two separate daphne processes."""
    import websockets
    from rest_framework.authtoken.models import Token

    from jobs import services
    from jobs.models import Job

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer")
    token = Token.objects.create(user=alice).key
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortory.settings",
        "SHORTORY_ENV_FILE": os.devnull,
        "DEBUG": "1",
        # The servers must see the rows this test writes: the test database.
        "DB_CONN_MAX_AGE": "0",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    ports = [_free_port(), _free_port()]
    servers = [_start_daphne(port, env) for port in ports]
    job = services.job_create(user=alice, kind=Job.Kind.DEMO)

    async def scenario() -> list[dict]:
        sockets = [
            await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/jobs/",
                additional_headers={"Authorization": f"Token {token}"},
            )
            for port in ports
        ]
        for ws in sockets:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "snapshot"
        # Idle longer than redis-py's default 5 s socket timeout: the consumers must survive
        # it (they used to die with TimeoutError in channels-redis's blocking read).
        await asyncio.sleep(7)

        def report():
            from django.db import connections

            try:
                reporter = services.ProgressReporter(Job.objects.get(pk=job.pk), min_interval=0)
                reporter(42, "Halfway")
            finally:
                connections.close_all()  # this thread's connection would block DB teardown

        await asyncio.to_thread(report)
        events = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for ws in sockets]
        for ws in sockets:
            await ws.close()
        return events

    try:
        events = asyncio.run(scenario())
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
    for event in events:
        assert event["type"] == "job"
        assert event["job"]["id"] == job.pk
        assert event["job"]["progress"] == 42
        assert event["job"]["message"] == "Halfway"
