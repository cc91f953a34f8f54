"""A car that applies writes in memory: the :class:`~cockpit.vehicle.api.Vehicle` seam without a bus."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cockpit.events import ActionStatus
from cockpit.skill_api import SignalValue, SignalWrite
from cockpit.vehicle.api import StateListener, Vehicle, WriteOutcome


class FakeVehicle(Vehicle):
    """A car that applies writes in memory. ``fail`` maps a signal to a terminal status to return instead."""

    def __init__(self, state: Mapping[str, SignalValue] | None = None) -> None:
        self.state: dict[str, SignalValue] = dict(state or {})
        self.sent: list[SignalWrite] = []
        """Every write asked for, in order."""
        self.fail: dict[str, ActionStatus] = {}
        self._listeners: list[StateListener] = []

    def snapshot(self) -> Mapping[str, SignalValue]:
        return dict(self.state)

    async def write(
        self, writes: Sequence[SignalWrite], on_sent: Callable[[SignalWrite], None] | None = None
    ) -> list[WriteOutcome]:
        outcomes = []
        for w in writes:
            self.sent.append(w)
            if on_sent:
                on_sent(w)
        for w in writes:
            status = self.fail.get(w.signal, ActionStatus.CONFIRMED)
            if status is ActionStatus.CONFIRMED:
                self.state[w.signal] = w.value
                for listener in list(self._listeners):
                    listener(w.signal, w.value)
                outcomes.append(WriteOutcome(w.signal, w.value, status))
            else:
                outcomes.append(WriteOutcome(w.signal, w.value, status, f"fake {status.value}"))
        return outcomes

    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
