"""Brute force (issue 13, item 7): failed sign-ins are limited per account and per client
address on the login page, the admin's login and the API token endpoint; the client is told
it is locked and for how long; X-Forwarded-For does not reset the count; the configured
per-user API throttle applies; password reset is limited too."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _web_login(client, password, username="alice", url="/accounts/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def test_web_login_locks_the_account_and_says_for_how_long(alice, limit):
    client = Client()
    codes = [_web_login(client, f"wrong-{i}").status_code for i in range(limit)]
    assert codes == [200] * (limit - 1) + [429]  # the form again, then the lock
    locked = _web_login(client, PASSWORD)  # even the right password now
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_from_another_address_for_that_account(alice, limit):
    for i in range(limit):
        _web_login(Client(REMOTE_ADDR=f"10.0.0.{i}"), "wrong")
    assert _web_login(Client(REMOTE_ADDR="10.9.9.9"), PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_locked(alice, bob, limit):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(limit):
        _web_login(client, "wrong", username=f"user{i}")
    assert _web_login(client, PASSWORD, username="bob").status_code == 429
    assert _web_login(Client(REMOTE_ADDR="10.2.2.2"), PASSWORD,
                      username="bob").status_code == 302  # bob elsewhere is fine


def test_the_admin_login_is_limited_too(staff, limit):
    client = Client()
    for _ in range(limit):
        _web_login(client, "wrong", username="staff", url="/admin/login/")
    assert _web_login(client, PASSWORD, username="staff",
                      url="/admin/login/").status_code == 429


def test_the_token_endpoint_locks_and_forged_forwarded_for_does_not_help(alice, limit):
    api = APIClient()
    codes = [api.post("/api/v1/auth/token/", {"username": "alice", "password": "x"},
                      HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(limit)]
    assert codes == [400] * (limit - 1) + [429]
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD},
                        HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.json()["message"]
    assert response.json()["extra"] == {"retry_after": 900}


def test_anonymous_throttle_ignores_a_forged_forwarded_for(settings):
    settings.AXES_ENABLED = False  # the throttle alone (axes would lock this address first)
    api = APIClient()
    codes = [api.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"},
                      HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code for i in range(61)]
    assert codes[-1] == 429 and codes.count(429) == 1


def test_the_per_user_throttle_applies(alice, settings):
    from rest_framework.settings import api_settings

    assert "rest_framework.throttling.UserRateThrottle" in [
        f"{c.__module__}.{c.__name__}" for c in api_settings.DEFAULT_THROTTLE_CLASSES]
    api = APIClient()
    api.force_authenticate(alice)
    codes = [api.get("/api/v1/me/").status_code for _ in range(601)]
    assert codes[:600] == [200] * 600 and codes[600] == 429


def test_password_reset_is_limited_per_address(alice):
    client = Client(REMOTE_ADDR="10.3.3.3")
    codes = [client.post("/accounts/password_reset/",
                         {"email": "alice@example.com"}).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert len(mail.outbox) == 5
