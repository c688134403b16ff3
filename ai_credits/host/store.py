"""Where a host keeps its visitors between requests: a small protocol and two stores.

A store maps a visitor id to one JSON document and a version.  :meth:`SessionStore.save` is a
compare-and-set: it writes only when the stored version is still the one the caller loaded (0:
the visitor must not exist yet) and answers whether it did.  A host that loads, steps and saves
through it can run as many workers or machines as it likes: two requests acting on the same
snapshot (a double click, two tabs, two workers) cannot both win, so one intent hands one wallet
request out — one payment only.

:class:`MemoryStore` is one process's dictionary (tests, ``nox -s catalogue``, a single worker);
:class:`RedisStore` shares visitors between processes and machines through Redis (the ``redis``
client package: ``pip install ai-credits[redis]``).  :func:`open_store` picks one from a URL.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["MemoryStore", "RedisStore", "SessionStore", "Stored", "open_store"]

DEFAULT_TTL_S = 7 * 24 * 3600
"""A visitor untouched for a week is forgotten (Redis expiry; the memory store keeps a count)."""


@dataclass(frozen=True)
class Stored:
    """One visitor's document and the version it was saved with (1, 2, …)."""

    version: int
    data: str


@runtime_checkable
class SessionStore(Protocol):
    """Load / save / delete a visitor's JSON document by visitor id, with compare-and-set."""

    async def load(self, visitor_id: str) -> Stored | None:
        """The visitor's document, or ``None`` when there is none."""
        ...

    async def save(self, visitor_id: str, data: str, *, expected_version: int) -> int | None:
        """Write ``data`` if the stored version is ``expected_version`` (0: no document yet).

        Returns the new version, or ``None`` when another writer got there first (nothing
        written): reload, and act on what is there now.
        """
        ...

    async def delete(self, visitor_id: str) -> None:
        """Forget the visitor."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class MemoryStore:
    """:class:`SessionStore` in this process's memory, the least recently used dropped first."""

    def __init__(self, max_visitors: int = 10_000) -> None:
        self.max_visitors = max_visitors
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._lock = asyncio.Lock()

    async def load(self, visitor_id: str) -> Stored | None:
        """See :meth:`SessionStore.load`."""
        found = self._items.get(visitor_id)
        if found is not None:
            self._items.move_to_end(visitor_id)
        return found

    async def save(self, visitor_id: str, data: str, *, expected_version: int) -> int | None:
        """See :meth:`SessionStore.save`."""
        async with self._lock:
            current = self._items.get(visitor_id)
            if (current.version if current else 0) != expected_version:
                return None
            version = expected_version + 1
            self._items[visitor_id] = Stored(version, data)
            self._items.move_to_end(visitor_id)
            while len(self._items) > self.max_visitors:
                self._items.popitem(last=False)
            return version

    async def delete(self, visitor_id: str) -> None:
        """See :meth:`SessionStore.delete`."""
        self._items.pop(visitor_id, None)

    async def aclose(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._items)


_CAS = """
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '0') ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'v', tostring(n), 'd', ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return n
"""
"""Compare-and-set in one server-side step: a hash ``{v: version, d: document}`` per visitor."""


class RedisStore:
    """:class:`SessionStore` in Redis, shared by every worker and machine of a host.

    ``url`` is a Redis URL (``redis://host:6379/0``); keys are ``<namespace>:<visitor id>``
    and expire ``ttl_s`` after the last save.  The version check and the write run as one Lua
    script, atomically on the server.
    """

    def __init__(
        self, url: str, *, namespace: str = "ai-credits:visitor", ttl_s: int = DEFAULT_TTL_S
    ) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError as exc:  # pragma: no cover - the extra is missing
            raise RuntimeError(
                "RedisStore needs the redis client: pip install 'ai-credits[redis]'"
            ) from exc
        self.url = url
        self.namespace = namespace
        self.ttl_s = ttl_s
        self._redis: Any = aioredis.Redis.from_url(url, decode_responses=True)
        self._cas: Any = self._redis.register_script(_CAS)

    def _key(self, visitor_id: str) -> str:
        return f"{self.namespace}:{visitor_id}"

    async def load(self, visitor_id: str) -> Stored | None:
        """See :meth:`SessionStore.load`."""
        version, data = await self._redis.hmget(self._key(visitor_id), ["v", "d"])
        if version is None or data is None:
            return None
        return Stored(int(version), str(data))

    async def save(self, visitor_id: str, data: str, *, expected_version: int) -> int | None:
        """See :meth:`SessionStore.save`."""
        args = [str(expected_version), data, str(self.ttl_s)]
        written = int(await self._cas(keys=[self._key(visitor_id)], args=args))
        return written or None

    async def delete(self, visitor_id: str) -> None:
        """See :meth:`SessionStore.delete`."""
        await self._redis.delete(self._key(visitor_id))

    async def ping(self) -> bool:
        """Whether the server answers."""
        return bool(await self._redis.ping())

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def open_store(url: str | None) -> SessionStore:
    """A store from a URL: ``memory://`` (or nothing) or ``redis://…`` / ``rediss://…``."""
    if not url or url.startswith("memory:"):
        return MemoryStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    raise ValueError(f"unknown session store {url.split(':', 1)[0]!r}: use memory:// or redis://")
