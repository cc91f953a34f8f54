"""Callbacks that other threads subscribe and unsubscribe while they are being called."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

L = TypeVar("L")


class Listeners(Generic[L]):
    """Subscribed callbacks, safe to change from any thread: a caller takes :meth:`current` and
    calls them outside the lock, so a listener may unsubscribe itself or subscribe another."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[L] = []

    def subscribe(self, listener: L) -> Callable[[], None]:
        """Add ``listener``; returns the function that removes it again (safe to call twice)."""
        with self._lock:
            self._items.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._items:
                    self._items.remove(listener)

        return unsubscribe

    def current(self) -> list[L]:
        """The listeners now, in the order they subscribed."""
        with self._lock:
            return list(self._items)
