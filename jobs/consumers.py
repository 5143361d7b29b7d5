"""`ws/jobs/`: live progress of the signed-in user's jobs.

Workers publish each change to the owner's group on the channel layer. With Redis that
reaches every daphne process. The in-memory layer cannot cross processes, so on the embedded
default (daphne + a separate qcluster) the consumer also watches the job table itself: one
cheap indexed query per second per open page, pushed as the same events.
"""

from __future__ import annotations

import asyncio
import contextlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from common.socket_quota import socket_quota
from common.ws_auth import (
    RIGHTS_RECHECK_SECONDS,
    revocation_applies,
    rights_still_hold,
    sockets_group,
)

from . import selectors
from .models import Job
from .services import user_group

RELAY_INTERVAL = 1.0


def scope_language(scope) -> str:
    """The page's language: the switcher's cookie, else the browser's Accept-Language."""
    candidates = [scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")]
    for key, value in scope.get("headers", []):
        if key == b"accept-language":
            candidates += [lang for lang, _q in parse_accept_lang_header(value.decode("latin1"))]
    for candidate in candidates:
        if not candidate or candidate == "*":
            continue
        try:
            return get_supported_language_variant(candidate)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def localized(event: dict, language: str) -> dict:
    """Labels in the viewer's language (events may have been built in another one)."""
    texts = event.get("i18n", {}).get(language) or event.get("i18n", {}).get(
        language.split("-")[0]) or {}
    with translation.override(language):
        return {**event, "kind_display": str(Job.Kind(event["kind"]).label),
                "status_display": str(Job.Status(event["status"]).label),
                "message": texts.get("message", event.get("message", "")),
                "error": texts.get("error", event.get("error", ""))}


def needs_db_relay() -> bool:
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return backend.endswith("InMemoryChannelLayer")


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    relay_task: asyncio.Task | None = None
    quota_user: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await socket_quota().claim("jobs", user.pk, settings.MAX_JOB_SOCKETS_PER_USER,
                                          self.channel_name, self.channel_name):
            await self.close(code=4429)
            return
        self.quota_user = user.pk
        self.user = user
        self.language = scope_language(self.scope)
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.rights_group = sockets_group(user.pk)
        await self.channel_layer.group_add(self.rights_group, self.channel_name)
        await self.accept()
        # A snapshot first, so a page that reconnects catches up on what it missed.
        jobs, self.seen = await database_sync_to_async(selectors.job_events_changed_since)(
            user=user, since=None
        )
        await self.send_json({"type": "snapshot",
                              "jobs": [localized(job, self.language) for job in jobs]})
        if needs_db_relay():
            self.relay_task = asyncio.ensure_future(self.relay_from_database())

    async def disconnect(self, code: int) -> None:
        if self.quota_user is not None:
            await socket_quota().release("jobs", self.quota_user, self.channel_name,
                                         self.channel_name)
            self.quota_user = None
        if self.relay_task is not None:
            self.relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.relay_task
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(self.rights_group, self.channel_name)

    async def rights_revoked(self, event: dict) -> None:
        if revocation_applies(self.scope, event):
            await self.close(code=4401)

    async def relay_from_database(self) -> None:
        checked = 0.0
        while True:
            await asyncio.sleep(RELAY_INTERVAL)
            checked += RELAY_INTERVAL
            if checked >= RIGHTS_RECHECK_SECONDS:
                checked = 0.0
                if not await rights_still_hold(self.scope):
                    await self.close(code=4401)
                    return
            jobs, self.seen = await database_sync_to_async(
                selectors.job_events_changed_since
            )(user=self.user, since=self.seen)
            for job in jobs:
                await self.send_json({"type": "job", "job": localized(job, self.language)})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Only JSON text is spoken here: a binary frame or text that is not JSON gets an
        error message and the socket stays open (Channels' default raises, closing it 1011)."""
        if text_data is None:
            await self.send_json({"type": "error", "code": "bad_message",
                                  "message": "Send JSON text messages only."})
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_message",
                                  "message": "That message is not JSON."})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def job_update(self, event: dict) -> None:
        await self.send_json({"type": "job", "job": localized(event["job"], self.language)})
