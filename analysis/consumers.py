"""`ws/sessions/<id>/`: a viewer's webcam frames in, emotion and attention out.

Protocol (see README): binary messages are 8 bytes of little-endian float64 video time followed
by a JPEG; text messages are JSON control messages (`pause`, `resume`, `finish`, `ping`). The
server announces its capture rate on connect and answers every accepted frame with an
`analysis` message. Frames are decoded and analysed in the shared batching inference worker,
never on the event loop, and only the derived scores are kept: samples are written in batches
(every SAMPLE_FLUSH_EVERY samples, every 2 s, and when the socket closes), and the batches of
all the sockets of this process that are due together go in one transaction (`SampleWriter`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
import time
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404

from common.socket_quota import socket_quota
from common.ws_auth import (
    RIGHTS_RECHECK_SECONDS,
    revocation_applies,
    rights_still_hold,
    sockets_group,
)
from emotion.capture import CAPTURE_LONG_SIDE, CAPTURE_SHORT_SIDE
from emotion.moments import EmotionSample as Sample
from emotion.samples import time_is_valid

from . import selectors, services
from .inference import Overloaded, get_inference_worker
from .models import WatchSession

logger = logging.getLogger(__name__)

FLUSH_INTERVAL = 2.0
HEADER = struct.Struct("<d")


class RateLimiter:
    """Token bucket: `rate` frames a second with a small burst, so jitter is not punished."""

    def __init__(self, rate: float, burst: float):
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@database_sync_to_async
def _load_session(user, pk: int) -> tuple[WatchSession, float | None] | None:
    try:
        session = selectors.get_session_for_user(user, pk)
    except Http404:
        return None
    return session, session.video.source.duration


def session_group(session_id: int) -> str:
    return f"watch.session.{session_id}"


class SampleWriter:
    """Writes the sample batches of every live socket on one event loop, coalesced: while one
    transaction is being written, the batches that come due wait and then go together in the
    next one. Each ``write`` returns once its samples are committed (or raises), so a socket
    that closes still knows its samples are stored. At 50 viewers that is one commit (and
    one trip to the database thread) where there were 25 a second."""

    _by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SampleWriter] = (
        weakref.WeakKeyDictionary())

    def __init__(self) -> None:
        self._waiting: list[tuple[int, list[Sample], int, asyncio.Future]] = []
        self._writing: asyncio.Task | None = None

    @classmethod
    def for_loop(cls) -> SampleWriter:
        loop = asyncio.get_running_loop()
        writer = cls._by_loop.get(loop)
        if writer is None:
            writer = cls._by_loop[loop] = cls()
        return writer

    async def write(self, session_id: int, samples: list[Sample], dropped: int) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((session_id, samples, dropped, future))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.ensure_future(self._drain())
        await asyncio.shield(future)  # a cancelled socket does not cancel the others' write

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await database_sync_to_async(services.sessions_add_samples)(
                    batches=[(session_id, samples, dropped)
                             for session_id, samples, dropped, _ in batch])
            except Exception as exc:
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for *_, future in batch:
                    if not future.done():
                        future.set_result(None)


class WatchSessionConsumer(AsyncWebsocketConsumer):
    session: WatchSession | None = None
    quota_user: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        loaded = await _load_session(user, int(self.scope["url_route"]["kwargs"]["pk"]))
        if loaded is None:  # someone else's session looks exactly like a missing one
            await self.close(code=4404)
            return
        self.session, self.duration = loaded
        if not await socket_quota().claim("sessions", user.pk,
                                          settings.MAX_SESSION_SOCKETS_PER_USER,
                                          self.session.pk, self.channel_name):
            self.session = None
            await self.accept()
            await self.send_error("too_many_sockets", "Too many watch sessions are open for "
                                  "this account; close one first.")
            await self.close(code=4429)
            return
        self.quota_user, self.quota_thing = user.pk, self.session.pk
        if self.session.status != WatchSession.Status.ACTIVE:
            await self.accept()
            await self.send_error("finished", "This session is already finished.")
            await self.close(code=4409)
            return
        fps = self.session.capture_fps or settings.CAPTURE_FPS
        # 50 % headroom and a 2-second burst absorb timer jitter and reconnect catch-up.
        self.limiter = RateLimiter(rate=fps * 1.5, burst=fps * 2)
        self.pending: list[Sample] = []
        self.dropped = 0  # since the last flush (stored on the session)
        self.dropped_total = 0
        self.dropped_reported_at = 0.0
        self.paused = False
        self.last_flush = time.monotonic()
        self.flush_lock = asyncio.Lock()
        self.tracker, self.face_track = self.new_trackers()
        self.worker = get_inference_worker()
        self.in_flight: set[asyncio.Task] = set()
        self.rights_checked = time.monotonic()
        self.group = sockets_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # One live socket per session: a new one (a reconnect, another tab) replaces the
        # older, so opening six does not buy six times the analysis.
        self.session_group = session_group(self.session.pk)
        await self.channel_layer.group_send(self.session_group, {
            "type": "session.replaced", "by": self.channel_name})
        await self.channel_layer.group_add(self.session_group, self.channel_name)
        await self.accept()
        await self.send_json({
            "type": "hello", "session": self.session.pk, "capture_fps": fps,
            "max_frame_bytes": settings.MAX_FRAME_BYTES,
            # The client keeps its camera's aspect ratio and scales to fit these (any aspect
            # is analysed; the byte and pixel limits still hold).
            "frame_short_side": CAPTURE_SHORT_SIDE, "frame_long_side": CAPTURE_LONG_SIDE,
        })

    @staticmethod
    def new_trackers():
        """Per-viewer state: attention history, and the face followed between frames (so the
        detector runs only every few frames)."""
        from emotion import AttentionTracker, FaceTrack

        return AttentionTracker(), FaceTrack()

    async def dispatch(self, message: dict) -> None:
        # Channels runs close_old_connections() in the one thread-sensitive database thread
        # before every message: for frames that was a thread hop each, queued behind any sample
        # write in progress. A frame touches the database only through database_sync_to_async
        # (rights re-check, sample writes), which closes old connections itself.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the consumer dies from an exception (disconnect() is then skipped):
            # samples already answered must be stored.
            if self.session is not None and getattr(self, "pending", None):
                await self.flush(force=True)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "quota_user", None) is not None:
            await socket_quota().release("sessions", self.quota_user, self.quota_thing,
                                         self.channel_name)
            self.quota_user = None
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if hasattr(self, "session_group"):
            await self.channel_layer.group_discard(self.session_group, self.channel_name)
        if self.session is None:
            return
        # Frames already accepted finish their analysis and are stored before we go.
        if getattr(self, "in_flight", None):
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        if hasattr(self, "pending"):
            await self.flush(force=True)

    async def rights_revoked(self, event: dict) -> None:
        """The user's token was revoked, they signed out, or the account was deactivated."""
        if self.session is not None and revocation_applies(self.scope, event):
            await self.revoke()

    async def session_replaced(self, event: dict) -> None:
        if event.get("by") != self.channel_name and self.session is not None:
            await self.stop("replaced", "This session was opened in another window.", 4409)

    async def revoke(self) -> None:
        await self.stop("revoked", "Your access has ended; sign in again.", 4401)

    async def stop(self, code: str, message: str, close_code: int) -> None:
        """Stop here: what was already answered is stored, nothing more is analysed."""
        session, self.session = self.session, None
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        self.session = session
        await self.flush(force=True)
        self.session = None
        with contextlib.suppress(Exception):
            await self.send_error(code, message)
        await self.close(code=close_code)

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.session is None:
            return
        if bytes_data is not None:
            await self.receive_frame(bytes_data)
        elif text_data is not None:
            await self.receive_control(text_data)

    async def receive_control(self, text: str) -> None:
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, TypeError, KeyError):
            await self.send_error("bad_message", "Expected JSON like {\"type\": \"pause\"}.")
            return
        if kind == "pause":
            self.paused = True
            self.face_track.reset()  # the viewer may move while paused
            await self.flush(force=True)
            await self.send_json({"type": "paused"})
        elif kind == "resume":
            self.paused = False
            await self.send_json({"type": "resumed"})
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "finish":
            await self.finish()
        else:
            await self.send_error("bad_message", f"Unknown message type {kind!r}.")

    async def finish(self) -> None:
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        await self.flush(force=True)
        job = await database_sync_to_async(services.session_finish)(session=self.session)
        await self.send_json({"type": "finished", "job": job.pk,
                              "url": f"/sessions/{self.session.pk}/"})
        self.session = None  # no more frames on this socket
        await self.close(code=1000)

    async def receive_frame(self, data: bytes) -> None:
        if time.monotonic() - self.rights_checked > RIGHTS_RECHECK_SECONDS:
            self.rights_checked = time.monotonic()
            if not await rights_still_hold(self.scope):
                await self.revoke()
                return
        if len(data) > settings.MAX_FRAME_BYTES:
            await self.send_error("too_large",
                                  f"A frame may be at most {settings.MAX_FRAME_BYTES} bytes.")
            return
        if len(data) <= HEADER.size:
            await self.send_error("bad_frame", "A frame is 8 bytes of video time, then a JPEG.")
            return
        (t,) = HEADER.unpack_from(data)
        if not time_is_valid(t, self.duration):
            await self.send_error("bad_time", "The frame's video time is outside the video.")
            return
        if self.paused:
            return
        if not self.limiter.allow():
            self.dropped += 1
            self.dropped_total += 1
            now = time.monotonic()
            if now - self.dropped_reported_at > 1.0:  # report, but do not flood back
                self.dropped_reported_at = now
                await self.send_error("rate_limited", f"Too many frames: {self.dropped_total} dropped "
                                      f"so far (send at most {self.session.capture_fps} a second).")
            return
        task = asyncio.ensure_future(self.analyse(t, data[HEADER.size:]))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def analyse(self, t: float, jpeg: bytes) -> None:
        from emotion import FrameDecodeError

        try:
            result = await self.worker.submit(jpeg, self.face_track)
        except FrameDecodeError:
            await self.send_error("bad_image", "That frame is not a readable JPEG image.")
            return
        except Overloaded:
            self.dropped += 1
            await self.send_error("overloaded", "The server is busy; this frame was skipped.")
            return
        except Exception:
            logger.exception("analysis failed in session %s", getattr(self.session, "pk", None))
            await self.send_error("analysis_failed", "This frame could not be analysed.")
            return
        # Attention stability is about the last seconds of real time, not video time (seeks).
        attention = float(self.tracker.update(result, time.monotonic()))
        probabilities = {k: round(float(v), 4) for k, v in result.probabilities.items()}
        self.pending.append(Sample(
            t=t, probabilities=dict(result.probabilities), attention=attention,
            face_found=bool(result.face_found)))
        with contextlib.suppress(Exception):  # the socket may be closing; the sample is kept
            await self.send_json({
                "type": "analysis", "t": t, "face_found": bool(result.face_found),
                "emotion": result.emotion, "probabilities": probabilities,
                "attention": round(attention, 3),
            })
        await self.flush()

    async def flush(self, force: bool = False) -> None:
        due = (len(self.pending) >= settings.SAMPLE_FLUSH_EVERY
               or time.monotonic() - self.last_flush >= FLUSH_INTERVAL)
        if not self.pending and not (force and self.dropped):
            return
        if not (force or due):
            return
        async with self.flush_lock:
            batch, self.pending = self.pending, []
            dropped, self.dropped = self.dropped, 0
            self.last_flush = time.monotonic()
            if batch or dropped:
                session_id = self.session.pk if self.session else self.scope["url_route"][
                    "kwargs"]["pk"]
                await SampleWriter.for_loop().write(int(session_id), batch, dropped)
