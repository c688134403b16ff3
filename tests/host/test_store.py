"""Session stores: load / save / delete with compare-and-set, in memory and on a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ai_credits.host import MemoryStore, RedisStore, SessionStore, open_store


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SessionStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    redis = RedisStore(request.getfixturevalue("redis_url"), namespace=f"t{id(request)}")
    assert await redis.ping()
    yield redis
    await redis.aclose()


async def test_save_is_compare_and_set(store: SessionStore) -> None:
    assert await store.load("v") is None
    assert await store.save("v", '{"n": 1}', expected_version=1) is None  # nothing there yet
    assert await store.save("v", '{"n": 1}', expected_version=0) == 1
    assert await store.save("v", '{"n": 2}', expected_version=0) is None  # already exists
    assert await store.save("v", '{"n": 2}', expected_version=1) == 2
    assert await store.save("v", '{"n": 3}', expected_version=1) is None  # stale: nothing written
    found = await store.load("v")
    assert found is not None and (found.version, found.data) == (2, '{"n": 2}')
    await store.delete("v")
    assert await store.load("v") is None


async def test_of_many_writers_on_one_version_exactly_one_wins(store: SessionStore) -> None:
    assert await store.save("race", "0", expected_version=0) == 1
    results = await asyncio.gather(*(store.save("race", f"w{i}", expected_version=1)
                                     for i in range(20)))  # fmt: skip
    assert sorted(r for r in results if r is not None) == [2]
    found = await store.load("race")
    assert found is not None and found.version == 2


def test_open_store_by_url() -> None:
    assert isinstance(open_store(None), MemoryStore)
    assert isinstance(open_store("memory://"), MemoryStore)
    with pytest.raises(ValueError, match="unknown session store"):
        open_store("postgres://x")


async def test_the_memory_store_forgets_the_least_recent_visitor() -> None:
    store = MemoryStore(max_visitors=2)
    for name in ("a", "b", "c"):
        await store.save(name, "{}", expected_version=0)
    assert await store.load("a") is None and len(store) == 2
