"""A fake :class:`AssistantService` and a real loopback server around it, for the gRPC and CLI tests.

No tests here: the other ``test_grpc_*`` and ``test_cli_*`` modules import these helpers.
The fake's turns are scripted by their text:

- ``set 21``: the golden climate turn (intent, policy, action sent/confirmed, state, reply);
- ``stream``: one token, then waits for :attr:`FakeAssistant.gate`, then two more and a reply;
- ``slow``: intent, then waits for :attr:`FakeAssistant.release` (records a cancellation);
- ``sleep S``: intent, sleeps S seconds, reply;
- ``boom`` raises ``RuntimeError``; ``bus down`` raises ``VehicleError``; ``fail`` reports an error event;
- anything else: a ``dialogue.chat`` intent and an echoing reply.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc

from cockpit.errors import InputError, VehicleError
from cockpit.events import Event, EventSink, EventType, TurnClock
from cockpit.server.runner import CockpitServer, start_server
from cockpit.service import validate_text
from cockpit.service_api import AssistantService, HealthReport, SessionInfo
from cockpit.skill_api import SignalValue, SkillInfo

DRIVER_TEMP = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
TIMEOUT_S = 5.0
"""Bound on every await of these tests."""


@dataclass
class _Session:
    language: str
    turns: int = 0


@dataclass
class FakeAssistant(AssistantService):
    """An in-memory assistant that follows the service contract; see the module docstring."""

    state: dict[str, SignalValue] = field(
        default_factory=lambda: {DRIVER_TEMP: 22.0, "Vehicle.Speed": 0.0, "Vehicle.Cabin.Infotainment.Media.Volume": 30}
    )
    sessions: dict[str, _Session] = field(default_factory=dict)
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

    def create_session(self, language: str = "en", speech: bool = False) -> SessionInfo:
        self._next_id += 1
        session_id = f"s{self._next_id}"
        self.sessions[session_id] = _Session(language or "en")
        return SessionInfo(session_id, language or "en", speech)

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
        clock = TurnClock(session.turns)
        session.turns += 1

        def emit(type_: EventType, **data: Any) -> None:
            event = clock.event(type_, **data)
            self.emitted.append(event)
            sink(event)

        await self._script(utterance, emit)

    async def _script(self, text: str, emit: Callable[..., None]) -> None:
        if text.startswith("set "):
            celsius = float(text.split()[1])
            emit(EventType.INTENT, intent="climate.set_temperature", slots={"celsius": celsius, "zone": "driver"},
                 source="rules", confidence=1.0)  # fmt: skip
            emit(EventType.POLICY, decision="allowed", reason="")
            emit(EventType.ACTION, signal=DRIVER_TEMP, value=celsius, status="sent", reason="")
            await asyncio.sleep(0.005)
            emit(EventType.ACTION, signal=DRIVER_TEMP, value=celsius, status="confirmed", reason="")
            self.set_signal(DRIVER_TEMP, celsius)
            emit(EventType.STATE, signal=DRIVER_TEMP, value=celsius)
            emit(EventType.REPLY, text=f"Driver temperature set to {celsius:g} degrees.")
        elif text == "stream":
            emit(EventType.LLM_TOKEN, text="Hello")
            await asyncio.wait_for(self.gate.wait(), TIMEOUT_S)
            emit(EventType.LLM_TOKEN, text=", ")
            emit(EventType.LLM_TOKEN, text="driver.")
            emit(EventType.REPLY, text="Hello, driver.")
        elif text == "slow":
            emit(EventType.INTENT, intent="dialogue.chat", slots={}, source="rules", confidence=0.0)
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
            emit(EventType.REPLY, text="Done waiting.")
        elif text.startswith("sleep "):
            emit(EventType.INTENT, intent="dialogue.chat", slots={}, source="rules", confidence=0.0)
            await asyncio.sleep(float(text.split()[1]))
            emit(EventType.REPLY, text="Slept.")
        elif text == "fail":
            emit(EventType.ERROR, code="skill-failed", message="the climate skill failed")
            emit(EventType.REPLY, text="Sorry, something went wrong on my side. Please try again.")
        else:
            emit(EventType.INTENT, intent="dialogue.chat", slots={}, source="rules", confidence=0.0)
            emit(EventType.REPLY, text=f"echo: {text}")

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


def make_fake(settings: object = None) -> FakeAssistant:
    """A service factory for the CLI (``settings`` is ignored)."""
    return FakeAssistant()


@contextlib.asynccontextmanager
async def serving(service: AssistantService, grace_s: float = 0.0) -> AsyncIterator[CockpitServer]:
    """A real server for ``service`` on 127.0.0.1 and a free port; stopped on exit."""
    server, port = await asyncio.wait_for(start_server(service, "127.0.0.1", 0), TIMEOUT_S)
    assert port == server.port > 0
    try:
        yield server
    finally:
        await asyncio.wait_for(server.stop(grace_s), TIMEOUT_S + grace_s)


@contextlib.asynccontextmanager
async def channel(target: str) -> AsyncIterator[grpc.aio.Channel]:
    """A client channel to ``target``, closed on exit."""
    chan = grpc.aio.insecure_channel(target)
    try:
        yield chan
    finally:
        await chan.close()


def trailing_code(err: grpc.aio.AioRpcError) -> str | None:
    """The ``cockpit-error-code`` trailing metadata of a failed call."""
    for key, value in err.trailing_metadata() or ():
        if key == "cockpit-error-code":
            return str(value)
    return None
