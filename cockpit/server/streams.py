"""Bridges from the service's callbacks to the response streams of the servicer.

The service reports through plain callbacks (an :data:`~cockpit.events.EventSink`, a state
listener). These feeds turn them into something an RPC can ``await``, from the loop's thread or
any other (the CAN reader, an inference thread). Both are bounded (:class:`StreamLimits`): a client
that stops reading cannot make the server hold an unbounded backlog.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cockpit.errors import ConfigError, ResourceExhaustedError
from cockpit.skill_api import SignalValue

T = TypeVar("T")

CLIENT_TOO_SLOW = "client-too-slow"
"""Error code of a stream ended because its client left :attr:`StreamLimits.event_buffer` events unread."""


@dataclass(frozen=True)
class StreamLimits:
    """Bounds of the server's streams (settings ``server.converse_idle_s``, ``server.event_buffer``,
    ``server.watch_buffer``)."""

    converse_idle_s: float = 300.0
    """A ``Converse`` stream with no text and no event (no wake word, no turn) for this long ends
    (RESOURCE_EXHAUSTED, ``converse-idle``); streamed silence does not count."""
    event_buffer: int = 1024
    """Events held for a client that reads too slowly; one more ends its stream (``client-too-slow``)."""
    watch_buffer: int = 256
    """Pending signal changes held for one state watch; past it the oldest is dropped."""

    def __post_init__(self) -> None:
        if not self.converse_idle_s > 0 or self.event_buffer < 1 or self.watch_buffer < 1:
            raise ConfigError(
                "bad-setting", "server.converse_idle_s, server.event_buffer and server.watch_buffer must be positive"
            )


def _on_loop(loop: asyncio.AbstractEventLoop, thread: int, fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` now when on the loop's thread, else hand it to the loop."""
    if threading.get_ident() == thread:
        fn(*args)
    else:
        loop.call_soon_threadsafe(fn, *args)


class EventFeed(Generic[T]):
    """A bounded FIFO the producer fills through :meth:`put` and ends with :meth:`close`.

    The producer is a synchronous sink that must never block a stage, so a full feed does not
    wait: it ends. Iterating yields every item put before :meth:`close`, then stops; a feed that
    overflowed (its reader fell ``max_items`` behind) yields what it holds, then raises
    :class:`ResourceExhaustedError` (``client-too-slow``): a stream that skipped events would
    mislead (a lost ``confirmed``), one that ends says so. :attr:`last_put` is when the
    latest item came (monotonic seconds), for idle timeouts.
    """

    _END: Any = object()
    _OVERFLOW: Any = object()

    def __init__(self, max_items: int = StreamLimits.event_buffer) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._max_items = max_items
        self._ended = False
        self.last_put = time.monotonic()
        """When the latest item was put."""

    def put(self, item: T) -> None:
        """Add one item (from any thread)."""
        _on_loop(self._loop, self._thread, self._add, item)

    def _add(self, item: Any) -> None:
        if self._ended:
            return
        self.last_put = time.monotonic()
        if item is not self._END and self._queue.qsize() >= self._max_items:
            item = self._OVERFLOW
        if item is self._END or item is self._OVERFLOW:
            self._ended = True
        self._queue.put_nowait(item)

    def close(self) -> None:
        """No more items (from any thread)."""
        _on_loop(self._loop, self._thread, self._add, self._END)

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            item = await self._queue.get()
            if item is self._END:
                return
            if item is self._OVERFLOW:
                raise ResourceExhaustedError(
                    CLIENT_TOO_SLOW,
                    f"the client left {self._max_items} events unread; the stream ends (read the state to catch up)",
                )
            yield item


class StateFeed:
    """Confirmed signal changes for one watcher, coalesced by path.

    A watcher that reads slower than the car changes sees the latest value of each signal, never
    an unbounded backlog: at most ``max_pending`` signals wait, and past that the one changed
    longest ago is dropped (:attr:`dropped` counts them). Values equal to the last one delivered
    (same type and value) are skipped, so a change reported both in the first snapshot and by the
    listener arrives once.
    """

    def __init__(self, accept: Callable[[str], bool], max_pending: int = StreamLimits.watch_buffer) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._accept = accept
        self._pending: dict[str, SignalValue] = {}
        self._sent: dict[str, tuple[type, SignalValue]] = {}
        self._ready = asyncio.Event()
        self._max_pending = max_pending
        self.dropped = 0
        """Pending changes dropped because the reader fell behind."""

    def listener(self, path: str, value: SignalValue) -> None:
        """The state listener to subscribe with (any thread)."""
        if self._accept(path):
            _on_loop(self._loop, self._thread, self._add, path, value)

    def _add(self, path: str, value: SignalValue) -> None:
        self._pending.pop(path, None)  # re-insert so the order is that of the latest changes
        self._pending[path] = value
        while len(self._pending) > self._max_pending:  # drop the oldest pending change
            del self._pending[next(iter(self._pending))]
            self.dropped += 1
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
