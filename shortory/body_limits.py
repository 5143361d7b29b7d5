"""Request bodies are capped before they are read, and never held in memory whole.

Two layers use one policy (``body_limit``): ``shortory.server`` (the daphne we serve with)
refuses an oversize ``Content-Length`` as soon as the headers arrive and stops reading a body
that streams past its cap, and hands bodies to Django chunk by chunk from disk; and
``BodyLimitMiddleware`` enforces the same caps inside the ASGI app, whatever server runs it.
Only the two upload endpoints may carry a video; every other URL gets a small cap.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Multipart boundaries and the other form fields around an upload.
_FORM_OVERHEAD = 1024 * 1024


def body_limit(path: str) -> int:
    """The largest request body (bytes) accepted for ``path``."""
    if path in settings.UPLOAD_PATHS:
        return settings.MAX_UPLOAD_BYTES + settings.MAX_COMMENTS_FILE_BYTES + _FORM_OVERHEAD
    return settings.MAX_REQUEST_BYTES


def too_large_response(path: str, limit: int) -> tuple[str, bytes]:
    """(content type, body) of the 413 answer: the API's error shape under /api/."""
    message = _("The request is larger than the %(limit)s limit.") % {
        "limit": filesizeformat(limit)}
    if path.startswith("/api/"):
        return "application/json", json.dumps(
            {"message": message, "extra": {"limit_bytes": limit}}).encode()
    return "text/plain; charset=utf-8", message.encode()


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """ASGI middleware: 413 for a declared or streamed body above ``body_limit``."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "/")
        limit = body_limit(path)
        length = declared_length(scope.get("headers", []))
        if length is not None and length > limit:
            await self._refuse(send, path, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, path, limit)

    @staticmethod
    async def _refuse(send: Any, path: str, limit: int) -> None:
        content_type, body = too_large_response(path, limit)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
