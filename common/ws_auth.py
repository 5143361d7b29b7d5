"""WebSocket authentication: the session cookie for browsers, a DRF token for mobile apps.

A cookie is only trusted when the handshake's Origin is this site (otherwise any page on the
web could open a socket with the visitor's cookie: cross-site WebSocket hijacking). Apps send
`Authorization: Token <key>` (or `?token=<key>` where a client cannot set headers) and need
no Origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def origin_is_ours(scope: Scope) -> bool:
    origin = _header(scope, b"origin")
    if not origin:
        return False
    parsed = urlparse(origin)
    if not parsed.netloc:
        return False
    host = _header(scope, b"host")
    if host and parsed.netloc == host:
        return True
    allowed = settings.ALLOWED_HOSTS or (
        [".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []
    )
    return validate_host(parsed.hostname or "", allowed)


def token_from_scope(scope: Scope) -> str | None:
    header = _header(scope, b"authorization")
    if header and header.lower().startswith("token "):
        return header[6:].strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    values = query.get("token")
    return values[0] if values else None


@database_sync_to_async
def user_for_token(key: str) -> AbstractBaseUser | AnonymousUser:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenOrSameOriginAuthMiddleware(BaseMiddleware):
    """Runs inside Channels' AuthMiddlewareStack and decides which identity to trust."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token = token_from_scope(scope)
        if token:
            scope["user"] = await user_for_token(token)
        elif not origin_is_ours(scope):
            scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)
