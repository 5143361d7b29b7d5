"""How many sockets one user may hold open, per kind ("sessions", "jobs"): beyond ``limit``
distinct things a new socket is refused, so one account cannot hold hundreds. ``thing`` is
what a socket is about (a session id; for job pages each socket is its own): a second socket
on a thing already held is a replacement and takes no new place. ``holder`` names the socket
(its channel name).

The embedded default is one server process, and counts in its memory. Scaled out, several
daphne processes sit behind nginx and a per-process count would give a user N times the
limit: when the Django cache is Redis (``REDIS_URL``), the count lives there, shared. Each
socket's place is then a lease its process renews every ``LEASE_RENEW_SECONDS`` and that
lapses after ``LEASE_SECONDS``: the sockets of a process that crashed (and so never released
them) stop counting within that time instead of locking the user out for good.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

LEASE_SECONDS = 90
LEASE_RENEW_SECONDS = 30
REDIS_CACHE_BACKEND = "django.core.cache.backends.redis.RedisCache"


class SocketQuota(Protocol):
    async def claim(self, kind: str, user_id: int, limit: int, thing: object,
                    holder: str) -> bool: ...

    async def release(self, kind: str, user_id: int, thing: object, holder: str) -> None: ...

    async def held(self, kind: str, user_id: int) -> int: ...


class LocalSocketQuota:
    """This process's sockets only (the embedded default: one server process). Consumers
    run on the server's one event loop: no lock needed."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, int], dict[object, set[str]]] = {}

    async def claim(self, kind: str, user_id: int, limit: int, thing: object,
                    holder: str) -> bool:
        held = self._open.setdefault((kind, user_id), {})
        if thing not in held and len(held) >= limit:
            if not held:
                del self._open[(kind, user_id)]
            return False
        held.setdefault(thing, set()).add(holder)
        return True

    async def release(self, kind: str, user_id: int, thing: object, holder: str) -> None:
        held = self._open.get((kind, user_id), {})
        holders = held.get(thing, set())
        holders.discard(holder)
        if not holders:
            held.pop(thing, None)
        if not held:
            self._open.pop((kind, user_id), None)

    async def held(self, kind: str, user_id: int) -> int:
        return len(self._open.get((kind, user_id), {}))


# One sorted set per (kind, user): members "thing|holder", scored by when the lease lapses
# (Redis's own clock, so the processes' clocks need not agree). Claiming is one script, so
# two processes cannot both take the last place.
_CLAIM = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local lease, limit, thing = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local things, count, held = {}, 0, false
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local t = string.match(member, '^(.*)|')
  if t == thing then held = true end
  if not things[t] then things[t] = true; count = count + 1 end
end
if not held and count >= limit then return 0 end
redis.call('ZADD', KEYS[1], now + lease, thing .. '|' .. ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(lease))
return 1
"""
_RENEW = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
redis.call('EXPIRE', KEYS[1], math.ceil(lease))
return 1
"""
_HELD = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local things, count = {}, 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  local t = string.match(member, '^(.*)|')
  if not things[t] then things[t] = true; count = count + 1 end
end
return count
"""


class RedisSocketQuota:
    """Every server process's sockets, counted in Redis with expiring leases."""

    def __init__(self, url: str, *, prefix: str = "shortory:sockets",
                 lease: float = LEASE_SECONDS, renew_every: float = LEASE_RENEW_SECONDS):
        self.url = url
        self.prefix = prefix
        self.lease = lease
        self.renew_every = renew_every
        self._clients: dict[int, Any] = {}  # per event loop (a client is bound to one)
        self._mine: dict[str, set[str]] = {}  # key -> members this process holds
        self._renewer: asyncio.Task | None = None

    def key(self, kind: str, user_id: int) -> str:
        return f"{self.prefix}:{kind}:{user_id}"

    def _client(self) -> Any:
        import redis.asyncio as redis

        loop = asyncio.get_running_loop()
        client = self._clients.get(id(loop))
        if client is None:
            self._clients = {id(loop): redis.Redis.from_url(self.url)}
            client = self._clients[id(loop)]
        return client

    async def claim(self, kind: str, user_id: int, limit: int, thing: object,
                    holder: str) -> bool:
        key, member = self.key(kind, user_id), f"{thing}|{holder}"
        try:
            allowed = await self._client().eval(
                _CLAIM, 1, key, self.lease, limit, str(thing), holder)
        except Exception:  # without Redis the channel layer is down too; do not lock out
            logger.exception("could not count the sockets of user %s in Redis", user_id)
            return True
        if not allowed:
            return False
        self._mine.setdefault(key, set()).add(member)
        if (self._renewer is None or self._renewer.done()
                or self._renewer.get_loop() is not asyncio.get_running_loop()):
            self._renewer = asyncio.ensure_future(self._renew_leases())
        return True

    async def release(self, kind: str, user_id: int, thing: object, holder: str) -> None:
        key, member = self.key(kind, user_id), f"{thing}|{holder}"
        members = self._mine.get(key, set())
        members.discard(member)
        if not members:
            self._mine.pop(key, None)
        try:
            await self._client().zrem(key, member)
        except Exception:  # its lease lapses on its own
            logger.exception("could not release a socket of user %s in Redis", user_id)

    async def held(self, kind: str, user_id: int) -> int:
        return int(await self._client().eval(_HELD, 1, self.key(kind, user_id)))

    async def renew(self) -> None:
        """Extend the leases of every socket this process holds."""
        client = self._client()
        for key, members in list(self._mine.items()):
            if members:
                await client.eval(_RENEW, 1, key, self.lease, *sorted(members))

    async def _renew_leases(self) -> None:
        while self._mine:
            await asyncio.sleep(self.renew_every)
            try:
                await self.renew()
            except Exception:
                logger.exception("could not renew this process's socket leases in Redis")


_local = LocalSocketQuota()
_shared: dict[str, RedisSocketQuota] = {}


def socket_quota() -> SocketQuota:
    """The quota for this deployment: shared in Redis when the Django cache is Redis (the
    scaled-out mode), else this process's own."""
    cache = settings.CACHES.get("default", {})
    if cache.get("BACKEND") != REDIS_CACHE_BACKEND:
        return _local
    location = cache["LOCATION"]
    url = location[0] if isinstance(location, (list, tuple)) else location
    if url not in _shared:
        _shared[url] = RedisSocketQuota(url)
    return _shared[url]
