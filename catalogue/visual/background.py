"""Browsers that stay open across tests: an event loop in a thread, and a reorderable job queue.

The pytest plugin captures shots while tests already compare the first ones, and under
``pytest-xdist`` (where a worker does not know in advance which tests it will get) captures each
shot when its test asks for it, first in line.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

__all__ = ["BrowserLoop", "JobQueue"]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BrowserLoop:
    """An asyncio loop running in a daemon thread; :meth:`run` blocks on a coroutine there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and return its result (re-raising its exception)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        """Stop the loop and join the thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class JobQueue(Generic[K, V]):
    """``job(key, worker)`` run by ``workers`` coroutines on a :class:`BrowserLoop`, once per key.

    :meth:`prefetch` queues keys in order; :meth:`get` moves its key to the front (or queues it)
    and waits for the result. Results are kept, so a key is never run twice.
    """

    def __init__(
        self, loop: BrowserLoop, job: Callable[[K, int], Awaitable[V]], workers: int
    ) -> None:
        self._loop = loop
        self._job = job
        self._workers = max(1, workers)
        self._pending: deque[K] = deque()
        self._futures: dict[K, Future[V]] = {}
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def _worker(self, number: int) -> None:
        assert self._wake is not None
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            key = self._pending.popleft()
            future = self._futures[key]
            if future.done():
                continue
            try:
                future.set_result(await self._job(key, number))
            except Exception as exc:  # delivered to the test that asks for this key
                future.set_exception(exc)

    async def _enqueue(self, keys: list[K], front: bool) -> list[Future[V]]:
        if self._wake is None:
            self._wake = asyncio.Event()
            self._tasks = [asyncio.create_task(self._worker(n)) for n in range(self._workers)]
        for key in reversed(keys) if front else keys:
            if key not in self._futures:
                self._futures[key] = Future()
            elif not front or self._futures[key].done() or key not in self._pending:
                continue
            else:
                self._pending.remove(key)
            if front:
                self._pending.appendleft(key)
            else:
                self._pending.append(key)
        self._wake.set()
        return [self._futures[k] for k in keys]

    def prefetch(self, keys: Iterable[K]) -> None:
        """Queue ``keys`` (in this order) behind what is already queued."""
        self._loop.run(self._enqueue(list(keys), front=False))

    def get(self, key: K) -> V:
        """The result for ``key``: computed first in line unless already done or running."""
        (future,) = self._loop.run(self._enqueue([key], front=True))
        return future.result()

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def stop(self) -> None:
        """Cancel the workers (pending keys are dropped)."""
        self._loop.run(self._stop())
