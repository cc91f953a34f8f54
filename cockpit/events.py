"""The event stream: every pipeline stage reports through it.

One turn produces an ordered list of :class:`Event` values. The gRPC API, the CLI's JSON output
and the tests all read the same stream. The JSON shape of an event is fixed by DESIGN.md::

    {"type": "intent", "turn": 0, "t_ms": 3.2, "intent": "...", "slots": {...}, ...}
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Stage(enum.IntEnum):
    """Ordered stages of one turn, in the order data flows through them."""

    WAKE = 0
    ENDPOINT = 1
    ASR = 2
    INTENT = 3
    POLICY = 4
    SKILL = 5
    VEHICLE = 6
    REPLY = 7


class EventType(enum.StrEnum):
    """Every event type of the public stream (DESIGN.md, "Event stream")."""

    WAKE = "wake"
    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"
    TRANSCRIPT = "transcript"
    INTENT = "intent"
    LLM_TOKEN = "llm_token"
    POLICY = "policy"
    ACTION = "action"
    STATE = "state"
    REPLY = "reply"
    TTS_AUDIO = "tts_audio"
    ERROR = "error"


class ActionStatus(enum.StrEnum):
    """Life cycle of one vehicle action: ``sent`` then exactly one terminal status."""

    SENT = "sent"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    TIMEOUT = "timeout"


class PolicyDecision(enum.StrEnum):
    """What the policy says about an intent before any skill runs."""

    ALLOWED = "allowed"
    NEEDS_CONFIRMATION = "needs_confirmation"
    REFUSED = "refused"


@dataclass(frozen=True)
class Event:
    """One thing that happened during a turn."""

    type: EventType
    """Which kind of event this is; decides which keys ``data`` carries."""
    turn: int
    """Index of the input utterance this event belongs to, from 0."""
    t_ms: float
    """Milliseconds since the turn began."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The type's own fields, exactly as DESIGN.md names them."""

    def to_dict(self) -> dict[str, Any]:
        """The event as the JSON object DESIGN.md defines: type, turn, t_ms, then the fields."""
        out: dict[str, Any] = {"type": self.type.value, "turn": self.turn, "t_ms": round(self.t_ms, 3)}
        out.update(self.data)
        return out

    def to_json(self) -> str:
        """One JSON line, as ``cockpit ask --json`` prints it."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Event:
        """Inverse of :meth:`to_dict`."""
        data = {k: v for k, v in obj.items() if k not in ("type", "turn", "t_ms")}
        return cls(EventType(obj["type"]), int(obj["turn"]), float(obj["t_ms"]), data)


EventSink = Callable[[Event], None]
"""The one callback through which every stage reports."""


class TurnClock:
    """Stamps events of one turn with milliseconds since the turn began."""

    def __init__(self, turn: int, clock: Callable[[], float] = time.perf_counter) -> None:
        self.turn = turn
        self._clock = clock
        self._start = clock()

    def elapsed_ms(self) -> float:
        """Milliseconds since this turn began."""
        return (self._clock() - self._start) * 1000.0

    def event(self, type_: EventType, **data: Any) -> Event:
        """Build an event of this turn, stamped now."""
        return Event(type_, self.turn, self.elapsed_ms(), data)


class EventRecorder:
    """An :data:`EventSink` that keeps what it is given, in order (tests, CLI, benchmarks)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, type_: EventType) -> list[Event]:
        """The recorded events of one type, in order."""
        return [e for e in self.events if e.type is type_]

    def types(self) -> list[str]:
        """The recorded event types in order, as strings (for golden sequences)."""
        return [e.type.value for e in self.events]
