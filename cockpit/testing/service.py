"""An in-memory :class:`~cockpit.service_api.AssistantService`, for the gRPC and CLI tests and
for HMI developers who want a server that answers without a car or models.

Its turns are scripted by their text:

- ``set 21``: the golden climate turn (intent, policy, action sent/confirmed, state, reply);
- ``stream``: one token, then waits for :attr:`FakeAssistant.gate`, then two more and a reply;
- ``slow``: intent, then waits for :attr:`FakeAssistant.release` (records a cancellation);
- ``sleep S``: intent, sleeps S seconds, reply;
- ``boom`` raises ``RuntimeError``; ``bus down`` raises ``VehicleError``; ``fail`` reports an error event;
- anything else: a ``dialogue.chat`` intent and an echoing reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cockpit.errors import InputError, VehicleError
from cockpit.events import (
    Action,
    ActionStatus,
    Error,
    Event,
    EventSink,
    Intent,
    LlmToken,
    Payload,
    Policy,
    PolicyDecision,
    Reply,
    State,
    TurnClock,
)
from cockpit.service import validate_text
from cockpit.service_api import AssistantService, HealthReport, SessionInfo
from cockpit.sessions import validate_zone
from cockpit.skill_api import SignalValue, SkillInfo

DRIVER_TEMP = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
WAIT_S = 5.0
"""Bound on the ``stream`` turn's wait for :attr:`FakeAssistant.gate`."""

Emit = Callable[[Payload], None]


@dataclass
class FakeSession:
    """A session of the fake: its language and how many turns it ran."""

    language: str
    turns: int = 0


@dataclass
class FakeAssistant(AssistantService):
    """An in-memory assistant that follows the service contract; see the module docstring."""

    state: dict[str, SignalValue] = field(
        default_factory=lambda: {DRIVER_TEMP: 22.0, "Vehicle.Speed": 0.0, "Vehicle.Cabin.Infotainment.Media.Volume": 30}
    )
    sessions: dict[str, FakeSession] = field(default_factory=dict)
    emitted: list[Event] = field(default_factory=list)
    """Every event any turn reported, in order."""
    turn_texts: list[tuple[str, str]] = field(default_factory=list)
    """(session id, text) of every turn the service was asked to run."""
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    _listeners: list[Callable[[str, SignalValue], None]] = field(default_factory=list)
    _next_id: int = 0

    def create_session(self, language: str = "en", speech: bool = False, zone: str = "") -> SessionInfo:
        self._next_id += 1
        session_id = f"s{self._next_id}"
        self.sessions[session_id] = FakeSession(language or "en")
        return SessionInfo(session_id, language or "en", speech, validate_zone(zone))

    def close_session(self, session_id: str) -> None:
        if self.sessions.pop(session_id, None) is None:
            raise InputError("unknown-session", f"no open session {session_id!r}")

    async def text_turn(self, session_id: str, text: str, sink: EventSink) -> None:
        self.turn_texts.append((session_id, text))
        utterance = validate_text(text)
        session = self.sessions.get(session_id)
        if session is None:
            raise InputError("unknown-session", f"no open session {session_id!r}; create one first")
        if utterance == "boom":
            raise RuntimeError("kaboom")
        if utterance == "bus down":
            raise VehicleError("bus-down", "the CAN bus is not open")
        await self._script(utterance, self.emitter(session, sink))

    def emitter(self, session: FakeSession, sink: EventSink) -> Emit:
        """An ``emit`` for the session's next turn: stamps, records in :attr:`emitted`, passes to ``sink``."""
        clock = TurnClock(session.turns)
        session.turns += 1

        def emit(payload: Payload) -> None:
            event = clock.event(payload)
            self.emitted.append(event)
            sink(event)

        return emit

    async def _script(self, text: str, emit: Emit) -> None:
        if text.startswith("set "):
            celsius = float(text.split()[1])
            emit(Intent("climate.set_temperature", {"celsius": celsius, "zone": "driver"}, "rules", 1.0))
            emit(Policy(PolicyDecision.ALLOWED, ""))
            emit(Action(DRIVER_TEMP, celsius, ActionStatus.SENT, ""))
            await asyncio.sleep(0.005)
            emit(Action(DRIVER_TEMP, celsius, ActionStatus.CONFIRMED, ""))
            self.set_signal(DRIVER_TEMP, celsius)
            emit(State(DRIVER_TEMP, celsius))
            emit(Reply(f"Driver temperature set to {celsius:g} degrees."))
        elif text == "stream":
            emit(LlmToken("Hello"))
            await asyncio.wait_for(self.gate.wait(), WAIT_S)
            emit(LlmToken(", "))
            emit(LlmToken("driver."))
            emit(Reply("Hello, driver."))
        elif text == "slow":
            emit(_chat())
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
            emit(Reply("Done waiting."))
        elif text.startswith("sleep "):
            emit(_chat())
            await asyncio.sleep(float(text.split()[1]))
            emit(Reply("Slept."))
        elif text == "fail":
            emit(Error("skill-failed", "the climate skill failed"))
            emit(Reply("Sorry, something went wrong on my side. Please try again."))
        else:
            emit(_chat())
            emit(Reply(f"echo: {text}"))

    def set_signal(self, path: str, value: SignalValue) -> None:
        """Change the car's confirmed state and tell the watchers."""
        self.state[path] = value
        for listener in list(self._listeners):
            listener(path, value)

    def vehicle_state(self) -> Mapping[str, SignalValue]:
        return dict(self.state)

    def watch_state(self, listener: Callable[[str, SignalValue], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @property
    def watchers(self) -> int:
        """Listeners subscribed now."""
        return len(self._listeners)

    def skills(self) -> list[SkillInfo]:
        return [
            SkillInfo("climate", "Cabin temperature, fan and seats.", ("climate.set_temperature", "climate.set_ac")),
            SkillInfo("media", "Music and volume.", ("media.play",)),
        ]

    def health(self) -> HealthReport:
        return HealthReport(not self.closed)

    async def aclose(self) -> None:
        self.closed = True


def _chat() -> Intent:
    return Intent("dialogue.chat", {}, "rules", 0.0)
