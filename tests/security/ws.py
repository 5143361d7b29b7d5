"""Opening ws/sessions/ and ws/jobs/ through the real ASGI stack in the attack tests."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from PIL import Image


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (320, 240)) -> bytes:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def frame(t: float, image: bytes | None = None) -> bytes:
    return struct.pack("<d", t) + (image if image is not None else jpeg_bytes())


async def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(path: str, *, cookie: str | None = None, origin: str | None = None,
                      token: str | None = None, host: bytes = b"testserver",
                      scheme: str = "ws"):
    from shortory.asgi import application

    headers = [(b"host", host)]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if origin:
        headers.append((b"origin", origin.encode()))
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["scheme"] = scheme
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def receive_until(communicator, kind: str, timeout: float = 5) -> dict:
    while True:
        message = json.loads(await communicator.receive_from(timeout=timeout))
        if message["type"] == kind:
            return message
