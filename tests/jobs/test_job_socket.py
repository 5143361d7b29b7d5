"""ws/jobs/ through the real ASGI application (auth middleware, routing, channel layer)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from rest_framework.authtoken.models import Token

from jobs import services
from jobs.models import Job
from shortory.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _headers(cookie: str | None = None, origin: str | None = "http://testserver"):
    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


async def test_anonymous_socket_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=_headers())
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_owner_receives_snapshot_and_live_progress(alice, bob):
    cookie = await _session_cookie(alice)
    mine = await database_sync_to_async(services.job_create)(user=alice, kind=Job.Kind.DEMO)
    theirs = await database_sync_to_async(services.job_create)(user=bob, kind=Job.Kind.DEMO)
    communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=_headers(cookie))
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert [job["id"] for job in snapshot["jobs"]] == [mine.pk]

    def advance():
        reporter = services.ProgressReporter(Job.objects.get(pk=theirs.pk), min_interval=0)
        reporter(50, "bob's work")  # must never reach alice
        reporter = services.ProgressReporter(Job.objects.get(pk=mine.pk), min_interval=0)
        reporter(60, "Working")

    await database_sync_to_async(advance)()
    event = await communicator.receive_json_from(timeout=5)
    assert event["type"] == "job"
    assert event["job"]["id"] == mine.pk
    assert event["job"]["progress"] == 60
    assert event["job"]["message"] == "Working"
    await communicator.disconnect()


async def test_foreign_origin_cookie_is_not_trusted(alice):
    cookie = await _session_cookie(alice)
    communicator = WebsocketCommunicator(
        application, "/ws/jobs/", headers=_headers(cookie, origin="https://evil.example")
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_token_auth_without_origin(alice):
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    communicator = WebsocketCommunicator(
        application,
        "/ws/jobs/",
        headers=[(b"host", b"testserver"), (b"authorization", f"Token {token.key}".encode())],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "snapshot"
    await communicator.disconnect()


async def test_bad_token_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/jobs/?token=not-a-token", headers=[(b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_labels_follow_the_page_language(alice):
    cookie = await _session_cookie(alice)
    await database_sync_to_async(services.job_create)(user=alice, kind=Job.Kind.DEMO)
    headers = _headers(cookie) + [(b"accept-language", b"ko-KR,ko;q=0.9,en;q=0.5")]
    communicator = WebsocketCommunicator(application, "/ws/jobs/", headers=headers)
    assert (await communicator.connect())[0]
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["jobs"][0]["status_display"] == "대기 중"
    assert snapshot["jobs"][0]["kind_display"] == "데모"
    await communicator.disconnect()


async def test_binary_and_non_json_messages_get_an_error_and_the_socket_stays_open(alice):
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    communicator = WebsocketCommunicator(
        application,
        "/ws/jobs/",
        headers=[(b"host", b"testserver"), (b"authorization", f"Token {token.key}".encode())],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "snapshot"
    await communicator.send_to(bytes_data=b"\x00\x01binary")
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "bad_message")
    await communicator.send_to(text_data="{not json")
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "bad_message")
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong"}
    await communicator.disconnect()
