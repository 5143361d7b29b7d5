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

from . import selectors
from .services import user_group

RELAY_INTERVAL = 1.0


def needs_db_relay() -> bool:
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return backend.endswith("InMemoryChannelLayer")


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    relay_task: asyncio.Task | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # A snapshot first, so a page that reconnects catches up on what it missed.
        jobs, self.seen = await database_sync_to_async(selectors.job_events_changed_since)(
            user=user, since=None
        )
        await self.send_json({"type": "snapshot", "jobs": jobs})
        if needs_db_relay():
            self.relay_task = asyncio.ensure_future(self.relay_from_database())

    async def disconnect(self, code: int) -> None:
        if self.relay_task is not None:
            self.relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.relay_task
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def relay_from_database(self) -> None:
        while True:
            await asyncio.sleep(RELAY_INTERVAL)
            jobs, self.seen = await database_sync_to_async(
                selectors.job_events_changed_since
            )(user=self.user, since=self.seen)
            for job in jobs:
                await self.send_json({"type": "job", "job": job})

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def job_update(self, event: dict) -> None:
        await self.send_json({"type": "job", "job": event["job"]})
