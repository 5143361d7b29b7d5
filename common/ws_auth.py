"""WebSocket authentication: the session cookie for browsers, a DRF token for mobile apps;
and taking an open socket away when its rights go (``close_user_sockets``).

A cookie is only trusted when the handshake's Origin is this site (otherwise any page on the
web could open a socket with the visitor's cookie: cross-site WebSocket hijacking). Apps send
`Authorization: Token <key>` (or `?token=<key>` where a client cannot set headers) and need
no Origin.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

Scope = dict[str, Any]
logger = logging.getLogger(__name__)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalise_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case, default port dropped; None if not an origin."""
    parsed = urlparse(origin.strip())
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.hostname or parsed.path not in ("", "/"):
        return None
    try:
        port = parsed.port
    except ValueError:
        return None
    host = parsed.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and str(port) != _DEFAULT_PORTS[parsed.scheme]:
        host = f"{host}:{port}"
    return f"{parsed.scheme}://{host}"


def _request_scheme(scope: Scope) -> str:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, value = proxy
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode()
        if _header(scope, name) == value:
            return "https"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def site_origins(scope: Scope) -> set[str]:
    """This site's own origins for a handshake: ``CSRF_TRUSTED_ORIGINS`` (wildcards ignored)
    and the scheme, host and port the request itself came to, when the host is allowed."""
    origins = {o for o in (normalise_origin(t) for t in settings.CSRF_TRUSTED_ORIGINS
                           if "*" not in t) if o}
    host = _header(scope, b"host")
    allowed = settings.ALLOWED_HOSTS or (
        [".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if host:
        own = normalise_origin(f"{_request_scheme(scope)}://{host}")
        if own and validate_host(urlparse(own).hostname or "", allowed):
            origins.add(own)
    return origins


def origin_is_ours(scope: Scope) -> bool:
    """Whether the handshake's Origin is exactly one of this site's origins: scheme, host and
    port compared whole, never against a wildcard (``ALLOWED_HOSTS='*'`` would otherwise let
    any page open a visitor's socket with their cookie)."""
    origin = _header(scope, b"origin")
    normalised = normalise_origin(origin) if origin else None
    return normalised is not None and normalised in site_origins(scope)


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
    """Runs inside Channels' AuthMiddlewareStack and decides which identity to trust. The
    credential used is kept in ``scope["credential"]`` so that revoking it can close the
    socket: ``("token", key)`` or ``("session", session key)``."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token = token_from_scope(scope)
        if token:
            scope["user"] = await user_for_token(token)
            scope["credential"] = ("token", token)
        elif not origin_is_ours(scope):
            scope["user"] = AnonymousUser()
        else:
            session = scope.get("session")
            scope["credential"] = ("session", getattr(session, "session_key", None) or "")
        return await super().__call__(scope, receive, send)


# --- Rights that go while a socket is open ------------------------------------------------
# Every authenticated socket joins its user's group; revoking a token, signing out,
# deactivating or deleting the account sends `rights.revoked` there and the sockets close
# (code 4401). Consumers also re-check every RIGHTS_RECHECK_SECONDS, for changes made where no
# signal fires (a raw UPDATE, another database client).
RIGHTS_RECHECK_SECONDS = 30.0


def sockets_group(user_id: int) -> str:
    return f"sockets.user.{user_id}"


def close_user_sockets(user_id: int, *, credential: tuple[str, str] | None = None) -> None:
    """Close the user's open sockets (only those opened with ``credential`` when given), once
    the current transaction commits. Never fails the caller."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import transaction

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        event = {"type": "rights.revoked", "credential": list(credential) if credential else None}
        try:
            async_to_sync(layer.group_send)(sockets_group(user_id), event)
        except Exception:  # the periodic re-check still closes them
            logger.exception("could not reach the sockets of user %s", user_id)

    transaction.on_commit(send)


def revocation_applies(scope: Scope, event: dict) -> bool:
    wanted = event.get("credential")
    return wanted is None or list(scope.get("credential") or ()) == list(wanted)


@database_sync_to_async
def rights_still_hold(scope: Scope) -> bool:
    """Whether the socket's user is still active and its credential still valid."""
    from django.contrib.sessions.backends.base import SessionBase
    from rest_framework.authtoken.models import Token

    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return False
    kind, key = (scope.get("credential") or ("", ""))[:2]
    if kind == "token":
        return Token.objects.filter(key=key, user_id=user.pk, user__is_active=True).exists()
    # (scope["user"] is Channels' lazy wrapper: type(user) is not the model)
    if not get_user_model().objects.filter(pk=user.pk, is_active=True).exists():
        return False
    session = scope.get("session")
    if kind == "session" and isinstance(session, SessionBase) and key:
        return session.exists(key)
    return True
