"""Bridges from the service's callbacks to the response streams of the servicer.

The service reports through plain callbacks (an :data:`~cockpit.events.EventSink`, a state
listener). These feeds turn them into something an RPC can ``await``, from the loop's thread or
any other (the CAN reader, an inference thread).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

from cockpit.skill_api import SignalValue

T = TypeVar("T")


def _on_loop(loop: asyncio.AbstractEventLoop, thread: int, fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` now when on the loop's thread, else hand it to the loop."""
    if threading.get_ident() == thread:
        fn(*args)
    else:
        loop.call_soon_threadsafe(fn, *args)


class EventFeed(Generic[T]):
    """An unbounded FIFO the producer fills through :meth:`put` and ends with :meth:`close`.

    Unbounded because the producer is a synchronous sink that must never block a stage; one
    turn's events are few. Iterating yields every item put before :meth:`close`, then stops.
    """

    _END: Any = object()

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def put(self, item: T) -> None:
        """Add one item (from any thread)."""
        _on_loop(self._loop, self._thread, self._queue.put_nowait, item)

    def close(self) -> None:
        """No more items (from any thread)."""
        _on_loop(self._loop, self._thread, self._queue.put_nowait, self._END)

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            item = await self._queue.get()
            if item is self._END:
                return
            yield item


class StateFeed:
    """Confirmed signal changes for one watcher, coalesced by path.

    A watcher that reads slower than the car changes sees the latest value of each signal, never
    an unbounded backlog. Values equal to the last one delivered (same type and value) are
    skipped, so a change reported both in the first snapshot and by the listener arrives once.
    """

    def __init__(self, accept: Callable[[str], bool]) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._accept = accept
        self._pending: dict[str, SignalValue] = {}
        self._sent: dict[str, tuple[type, SignalValue]] = {}
        self._ready = asyncio.Event()

    def listener(self, path: str, value: SignalValue) -> None:
        """The state listener to subscribe with (any thread)."""
        if self._accept(path):
            _on_loop(self._loop, self._thread, self._add, path, value)

    def _add(self, path: str, value: SignalValue) -> None:
        self._pending.pop(path, None)  # re-insert so the order is that of the latest changes
        self._pending[path] = value
        self._ready.set()

    def seed(self, items: list[tuple[str, SignalValue]]) -> list[tuple[str, SignalValue]]:
        """Record the first snapshot as delivered; returns it."""
        for path, value in items:
            self._sent[path] = (type(value), value)
        return items

    async def next_batch(self) -> list[tuple[str, SignalValue]]:
        """Wait for changes; returns them (never empty), oldest first."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            batch, self._pending = self._pending, {}
            fresh = [(p, v) for p, v in batch.items() if self._sent.get(p) != (type(v), v)]
            for path, value in fresh:
                self._sent[path] = (type(value), value)
            if fresh:
                return fresh
