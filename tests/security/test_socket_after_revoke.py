"""An open socket does not outlive its user's rights (issue 13, item 5): revoking the token,
signing out, deactivating or deleting the account closes ws/sessions/ and ws/jobs/ at once,
and nothing sent afterwards is analysed or stored."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from analysis import inference
from analysis.models import EmotionSample, WatchSession
from videos.models import SourceVideo, Video

from .ws import frame, open_socket, receive_until

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fake_recognizer(settings):
    settings.EMOTION_RECOGNIZER = "emotion.FakeRecognizer"
    inference.reset_inference_worker()
    yield
    inference.reset_inference_worker()


@pytest.fixture
def session(alice):
    source = SourceVideo.objects.create(kind="upload", uploaded_by=alice, title="clip",
                                        duration=120, file_status="ready")
    video = Video.objects.create(user=alice, source=source)
    return WatchSession.objects.create(user=alice, video=video, capture_fps=4)


async def _stored(session) -> list[float]:
    return await database_sync_to_async(lambda: sorted(
        EmotionSample.objects.filter(session=session).values_list("t", flat=True)))()


async def _one_answered_frame(ws) -> None:
    await receive_until(ws, "hello")
    await ws.send_to(bytes_data=frame(1.0))
    assert (await receive_until(ws, "analysis"))["t"] == 1.0


async def _assert_closed_4401(ws) -> None:
    while True:
        output = await ws.receive_output(5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            return


async def _after_close_nothing_is_stored(ws, session) -> None:
    await _assert_closed_4401(ws)
    await ws.send_to(bytes_data=frame(2.0))  # a client that ignores the close
    await ws.wait(0.3)
    assert await _stored(session) == [1.0]  # the answered frame is kept, no more


async def test_revoking_the_token_closes_the_apps_socket(alice, session):
    key = (await database_sync_to_async(Token.objects.create)(user=alice)).key
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", token=key)
    assert connected
    await _one_answered_frame(ws)

    def revoke():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client.delete("/api/v1/auth/token/").status_code

    assert await database_sync_to_async(revoke)() == 204
    await _after_close_nothing_is_stored(ws, session)


async def test_deactivating_the_account_closes_every_socket(alice, session):
    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", cookie=cookie,
                                         origin="http://testserver")
    jobs, jobs_connected, _ = await open_socket("/ws/jobs/", cookie=cookie,
                                                origin="http://testserver")
    assert connected and jobs_connected
    await _one_answered_frame(ws)

    def deactivate():
        user = User.objects.get(pk=alice.pk)
        user.is_active = False
        user.save()

    await database_sync_to_async(deactivate)()
    await _after_close_nothing_is_stored(ws, session)
    await _assert_closed_4401(jobs)


async def test_signing_out_closes_the_sockets_of_that_browser_session(alice, session):
    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", cookie=cookie,
                                         origin="http://testserver")
    assert connected
    await _one_answered_frame(ws)
    response = await database_sync_to_async(client.post)("/accounts/logout/")
    assert response.status_code == 302
    await _after_close_nothing_is_stored(ws, session)


async def test_rights_are_rechecked_when_no_signal_fires(alice, session, monkeypatch):
    import analysis.consumers

    key = (await database_sync_to_async(Token.objects.create)(user=alice)).key
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", token=key)
    assert connected
    await _one_answered_frame(ws)
    # A raw UPDATE (another tool, a database console) sends no signal.
    await database_sync_to_async(
        lambda: User.objects.filter(pk=alice.pk).update(is_active=False))()
    monkeypatch.setattr(analysis.consumers, "RIGHTS_RECHECK_SECONDS", 0.0)
    await ws.send_to(bytes_data=frame(2.0))
    await _assert_closed_4401(ws)
    assert await _stored(session) == [1.0]


async def test_a_browser_socket_whose_rights_hold_survives_the_recheck(alice, session,
                                                                       monkeypatch):
    import analysis.consumers

    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    ws, connected, _ = await open_socket(f"/ws/sessions/{session.pk}/", cookie=cookie,
                                         origin="http://testserver")
    assert connected
    await _one_answered_frame(ws)
    monkeypatch.setattr(analysis.consumers, "RIGHTS_RECHECK_SECONDS", 0.0)
    await ws.send_to(bytes_data=frame(2.0))
    assert (await receive_until(ws, "analysis"))["t"] == 2.0  # checked, still allowed
    await database_sync_to_async(client.logout)()  # the session row goes
    await ws.send_to(bytes_data=frame(3.0))
    await _assert_closed_4401(ws)
    assert await _stored(session) == [1.0, 2.0]
