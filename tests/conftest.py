"""Shared fixtures: the three base users and clients signed in as each."""

from __future__ import annotations

import pytest
from django.test import Client

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", PASSWORD)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.com", PASSWORD)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "staff", "staff@example.com", PASSWORD, is_staff=True, is_superuser=True
    )


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def staff_client(staff) -> Client:
    return _client_for(staff)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes media into its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and rate-limit counters live in the cache: every test starts from zero."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # clear() would FLUSHDB, taking the channel layer's and the task queue's keys too.
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter("shortory:*"):
            client.delete(key)
    else:
        cache.clear()
    yield


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory):
    """60 s, 320×240, H.264/AAC, made once per test run."""
    from tests.media import make_video

    return make_video(tmp_path_factory.mktemp("media") / "sample.mp4", seconds=60)


def pytest_collection_modifyitems(session, config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread until the session ends, and asyncio tests collected after it could not start."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))
