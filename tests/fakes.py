"""Small fakes that implement the real interfaces (no mocks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cockpit.catalogue import IntentMatch
from cockpit.events import ActionStatus
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan
from cockpit.vehicle.api import StateListener, Vehicle, WriteOutcome


class FakeVehicle(Vehicle):
    """A car that applies writes in memory. ``fail`` maps a signal to a terminal status to return instead."""

    def __init__(self, state: Mapping[str, SignalValue] | None = None) -> None:
        self.state: dict[str, SignalValue] = dict(state or {})
        self.sent: list[SignalWrite] = []
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


class ScriptedRecognizer:
    """Returns what the script says for each text (None when absent)."""

    def __init__(self, script: Mapping[str, Any]) -> None:
        self.script = dict(script)

    def recognize(self, text: str, language: str = "en") -> Any:
        return self.script.get(text)


class SlotToSignalSkill(Skill):
    """A skill that writes one slot of an intent to one signal; ``boom`` intents raise."""

    def __init__(self, name: str, routes: Mapping[str, tuple[str, str]], boom: Sequence[str] = ()) -> None:
        self.name = name
        self.description = f"fake {name}"
        self.routes = dict(routes)
        self.boom = tuple(boom)
        self.intents = tuple(self.routes) + self.boom

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        if match.intent in self.boom:
            raise RuntimeError("boom")
        signal, slot = self.routes[match.intent]
        return SkillPlan((SignalWrite(signal, match.slots[slot]),), done="Done.")
