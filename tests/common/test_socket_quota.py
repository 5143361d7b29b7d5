"""Sockets per user are counted for the whole deployment: in this process for the embedded
default, in Redis when several server processes share it (``REDIS_URL``), with leases that
lapse so a crashed process's sockets stop counting."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from analysis.models import WatchSession
from common.socket_quota import (
    REDIS_CACHE_BACKEND,
    LocalSocketQuota,
    RedisSocketQuota,
    socket_quota,
)
from tests.security.ws import open_socket, receive_until, session_cookie
from videos.models import SourceVideo, Video

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")


async def test_local_quota_counts_distinct_things_per_user():
    quota = LocalSocketQuota()
    assert await quota.claim("sessions", 1, 2, 10, "a")
    assert await quota.claim("sessions", 1, 2, 11, "b")
    assert not await quota.claim("sessions", 1, 2, 12, "c")  # a third session
    assert await quota.claim("sessions", 1, 2, 10, "d")  # another socket on a held one
    assert await quota.claim("sessions", 2, 2, 12, "e")  # another user has their own
    assert await quota.held("sessions", 1) == 2
    await quota.release("sessions", 1, 10, "a")
    assert not await quota.claim("sessions", 1, 2, 12, "c")  # "d" still holds session 10
    await quota.release("sessions", 1, 10, "d")
    assert await quota.claim("sessions", 1, 2, 12, "c")


def test_the_embedded_default_counts_in_process(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(socket_quota(), LocalSocketQuota)
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND,
                                   "LOCATION": "redis://127.0.0.1:6379/0"}}
    shared = socket_quota()
    assert isinstance(shared, RedisSocketQuota) and shared.url == "redis://127.0.0.1:6379/0"


def test_redis_url_makes_the_cache_shared():
    """Scaled out, the cache (API throttles, password-reset limit) is Redis too."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; import django; "
         "django.setup(); c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**env, "DJANGO_SETTINGS_MODULE": "shortory.settings", "DEBUG": "1",
             "SHORTORY_ENV_FILE": os.devnull, "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [REDIS_CACHE_BACKEND, "redis://127.0.0.1:6379/3"]


@pytest.fixture
def prefix():
    """Keys of this test only (and removed after it)."""
    name = f"shortory:test-sockets:{uuid.uuid4().hex}"
    yield name
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


@needs_redis
async def test_two_processes_share_one_count(prefix):
    # Two quotas on one Redis stand for two daphne processes behind nginx.
    first = RedisSocketQuota(REDIS_URL, prefix=prefix)
    second = RedisSocketQuota(REDIS_URL, prefix=prefix)
    assert await first.claim("jobs", 7, 3, "p1.a", "p1.a")
    assert await first.claim("jobs", 7, 3, "p1.b", "p1.b")
    assert await second.claim("jobs", 7, 3, "p2.a", "p2.a")
    assert not await second.claim("jobs", 7, 3, "p2.b", "p2.b")  # 3 in all, not 3 each
    assert not await first.claim("jobs", 7, 3, "p1.c", "p1.c")
    assert await second.claim("jobs", 8, 3, "p2.c", "p2.c")  # another user
    assert await first.held("jobs", 7) == 3 and await second.held("jobs", 7) == 3
    await first.release("jobs", 7, "p1.a", "p1.a")
    assert await second.claim("jobs", 7, 3, "p2.b", "p2.b")  # a place freed anywhere
    # A replacement socket on a session another process holds takes no new place.
    assert await first.claim("sessions", 7, 1, 42, "p1.s")
    assert await second.claim("sessions", 7, 1, 42, "p2.s")
    assert not await second.claim("sessions", 7, 1, 43, "p2.t")


@needs_redis
async def test_a_crashed_process_does_not_lock_the_user_out(prefix):
    crashed = RedisSocketQuota(REDIS_URL, prefix=prefix, lease=1, renew_every=3600)
    alive = RedisSocketQuota(REDIS_URL, prefix=prefix, lease=1, renew_every=3600)
    assert await crashed.claim("sessions", 7, 1, 1, "dead.a")
    assert not await alive.claim("sessions", 7, 1, 2, "live.a")
    # The crashed process never releases nor renews: its lease lapses.
    await asyncio.sleep(1.5)
    assert await alive.held("sessions", 7) == 0
    assert await alive.claim("sessions", 7, 1, 2, "live.a")


@needs_redis
async def test_a_live_process_keeps_its_places_by_renewing(prefix):
    live = RedisSocketQuota(REDIS_URL, prefix=prefix, lease=2, renew_every=3600)
    other = RedisSocketQuota(REDIS_URL, prefix=prefix, lease=2, renew_every=3600)
    assert await live.claim("sessions", 7, 1, 1, "live.a")
    await asyncio.sleep(1.2)
    await live.renew()
    await asyncio.sleep(1.2)  # past the first lease, inside the renewed one
    assert await other.held("sessions", 7) == 1
    assert not await other.claim("sessions", 7, 1, 2, "other.a")
    await live.release("sessions", 7, 1, "live.a")
    assert await other.claim("sessions", 7, 1, 2, "other.a")


def _session(user) -> WatchSession:
    source = SourceVideo.objects.create(kind="upload", uploaded_by=user, title="clip",
                                        duration=120, file_status="ready")
    video = Video.objects.create(user=user, source=source)
    return WatchSession.objects.create(user=user, video=video, capture_fps=4)


@needs_redis
@pytest.mark.django_db(transaction=True)
async def test_the_watch_socket_counts_sessions_held_by_other_processes(alice, settings):
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": REDIS_URL}}
    settings.MAX_SESSION_SOCKETS_PER_USER = 2
    settings.EMOTION_RECOGNIZER = "emotion.FakeRecognizer"
    quota = socket_quota()
    assert isinstance(quota, RedisSocketQuota)
    sessions = [await database_sync_to_async(_session)(alice) for _ in range(3)]
    elsewhere = RedisSocketQuota(REDIS_URL, prefix=quota.prefix)  # another daphne process
    try:
        assert await elsewhere.claim("sessions", alice.pk, 2, sessions[0].pk, "other.a")
        cookie = await session_cookie(alice)
        ws, connected, _ = await open_socket(f"/ws/sessions/{sessions[1].pk}/", cookie=cookie,
                                             origin="http://testserver")
        assert connected
        assert (await receive_until(ws, "hello"))["session"] == sessions[1].pk
        refused, _, _ = await open_socket(f"/ws/sessions/{sessions[2].pk}/", cookie=cookie,
                                          origin="http://testserver")
        assert (await receive_until(refused, "error"))["code"] == "too_many_sockets"
        assert await elsewhere.held("sessions", alice.pk) == 2
        await ws.disconnect()
        assert await elsewhere.held("sessions", alice.pk) == 1  # released in Redis
    finally:
        await elsewhere.release("sessions", alice.pk, sessions[0].pk, "other.a")
