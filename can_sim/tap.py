"""A bench tap: listen to the bus, keep what is heard, inject frames. Tests use it too."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Collection
from types import TracebackType

import can

from can_sim.bus import BusConfig

TAP_MAXLEN = 20_000
"""Frames kept; older ones fall off (about two minutes of a busy simulated car)."""


class BusTap:
    """Its own bus on the configuration: records frames (optionally only ``ids``) and sends frames."""

    def __init__(self, bus: BusConfig, ids: Collection[int] | None = None, maxlen: int = TAP_MAXLEN) -> None:
        self._bus = bus.open()
        if ids is not None:
            self._bus.set_filters([{"can_id": i, "can_mask": 0x7FF, "extended": False} for i in ids])
        self._frames: collections.deque[can.Message] = collections.deque(maxlen=maxlen)
        self._arrived = threading.Condition()
        self._total = 0  # frames ever heard; the deque forgets, this does not
        self._cleared_at = 0.0
        self._notifier = can.Notifier(self._bus, [self._on_frame], timeout=0.1)

    def _on_frame(self, msg: can.Message) -> None:
        with self._arrived:
            if msg.timestamp < self._cleared_at:
                return  # sent before clear(), delivered late by a busy machine
            self._frames.append(msg)
            self._total += 1
            self._arrived.notify_all()

    def frames(self, frame_id: int | None = None) -> list[can.Message]:
        """Frames heard so far, oldest first (only ``frame_id``'s if given)."""
        with self._arrived:
            return [m for m in self._frames if frame_id is None or m.arbitration_id == frame_id]

    def clear(self) -> None:
        """Forget what was heard, and what was sent before now but is still on its way."""
        with self._arrived:
            self._frames.clear()
            self._cleared_at = time.time()  # python-can stamps a frame when it is sent

    def wait_for(self, predicate: Callable[[can.Message], bool], timeout: float) -> can.Message | None:
        """The first frame, heard from now on, for which ``predicate`` holds; ``None`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            seen = self._total
            while True:
                new = min(self._total - seen, len(self._frames))
                seen = self._total
                for msg in list(self._frames)[len(self._frames) - new :]:
                    if predicate(msg):
                        return msg
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._arrived.wait(remaining)

    def send(self, frame_id: int, data: bytes) -> None:
        """Put one classic frame on the bus."""
        self._bus.send(can.Message(arbitration_id=frame_id, data=data, is_extended_id=False))

    def close(self) -> None:
        """Stop listening and leave the bus."""
        self._notifier.stop(timeout=1.0)
        self._bus.shutdown()

    def __enter__(self) -> BusTap:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
