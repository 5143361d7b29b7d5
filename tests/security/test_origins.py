"""Cross-site WebSocket hijacking (issue 13, item 6): a session cookie is trusted only when the
handshake's Origin is exactly this site's (scheme, host and port), never via a wildcard."""

from __future__ import annotations

import pytest

from .ws import open_socket, receive_until, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _opens_as_user(user, origin, *, host=b"testserver", scheme="ws") -> bool:
    ws, connected, code = await open_socket("/ws/jobs/", cookie=await session_cookie(user),
                                            origin=origin, host=host, scheme=scheme)
    if connected:
        await receive_until(ws, "snapshot")
        await ws.disconnect()
    return connected


@pytest.mark.parametrize("origin, host, scheme, allowed, trusted, ok", [
    ("http://testserver", b"testserver", "ws", ["testserver"], [], True),
    ("https://testserver", b"testserver", "wss", ["testserver"], [], True),
    ("http://TestServer:80", b"testserver", "ws", ["testserver"], [], True),
    # scheme or port differ: another origin (another app on the host, or a downgrade)
    ("https://testserver", b"testserver", "ws", ["testserver"], [], False),
    ("http://testserver", b"testserver", "wss", ["testserver"], [], False),
    ("http://testserver:8080", b"testserver", "ws", ["testserver"], [], False),
    # any site, with a wildcard ALLOWED_HOSTS or a subdomain pattern
    ("https://evil.example", b"testserver", "wss", ["*"], [], False),
    ("http://evil.testserver", b"testserver", "ws", [".testserver"], [], False),
    ("null", b"testserver", "ws", ["*"], [], False),
    ("http://testserver/path", b"testserver", "ws", ["testserver"], [], False),
    # the host itself must be one of ours (DNS rebinding)
    ("http://rebound.example", b"rebound.example", "ws", ["testserver"], [], False),
    # the public origins behind a proxy
    ("https://app.example", b"internal:8000", "ws", ["app.example"], ["https://app.example"],
     True),
    ("https://app.example:8443", b"internal:8000", "ws", ["app.example"],
     ["https://app.example"], False),
    ("https://evil.example", b"internal:8000", "ws", ["*"], ["https://*.example"], False),
])
async def test_origin_variants(alice, settings, origin, host, scheme, allowed, trusted, ok):
    settings.ALLOWED_HOSTS = allowed
    settings.CSRF_TRUSTED_ORIGINS = trusted
    assert await _opens_as_user(alice, origin, host=host, scheme=scheme) is ok


async def test_no_origin_means_no_cookie_identity(alice):
    ws, connected, code = await open_socket("/ws/jobs/", cookie=await session_cookie(alice))
    assert not connected and code == 4401
