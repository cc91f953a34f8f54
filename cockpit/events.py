"""The event stream: every pipeline stage reports through it.

One turn produces an ordered list of :class:`Event` values. The gRPC API, the CLI's JSON output
and the tests all read the same stream. An event is an envelope (type, turn, milliseconds since
the turn began) around its type's own fields, one frozen dataclass per type (:class:`Wake`,
:class:`Transcript`, :class:`Intent`, ...). A payload reads as the mapping of its JSON fields, so
the JSON shape (docs/events.md) is written in one place, :meth:`Event.to_dict`::

    {"type": "intent", "turn": 0, "t_ms": 3.2, "intent": "...", "slots": {...}, ...}
"""

from __future__ import annotations

import dataclasses
import enum
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vehicle_contract.vss import SignalValue


class EventType(enum.StrEnum):
    """Every event type of the public stream (docs/events.md, "Event types")."""

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


# -- payloads: one frozen dataclass per event type --------------------------------------------------


@dataclass(frozen=True, eq=False)
class Payload(Mapping[str, Any]):
    """The fields of one event type, in contract order.

    It reads as the JSON object's fields (a read-only mapping): an enum gives its string value,
    and an optional field that is None is left out. Equality is the mapping's, so a payload equals
    the dict of its JSON fields. Subclasses are ``@dataclass(frozen=True, eq=False)``.
    """

    TYPE: ClassVar[EventType]
    """The event type this payload belongs to."""
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()
    """Fields left out of the JSON object when they are None."""

    def __iter__(self) -> Iterator[str]:
        for f in dataclasses.fields(self):
            if not (f.name in self.OPTIONAL and getattr(self, f.name) is None):
                yield f.name

    def __getitem__(self, key: str) -> Any:
        if key not in _field_names(type(self)) or (key in self.OPTIONAL and getattr(self, key) is None):
            raise KeyError(key)
        value = getattr(self, key)
        return value.value if isinstance(value, enum.Enum) else value

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _field_names(cls: type[Payload]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@dataclass(frozen=True, eq=False)
class Wake(Payload):
    """A wake word was heard."""

    TYPE = EventType.WAKE
    model: str
    """The wake-word model that fired, e.g. ``hey_jarvis_v0.1``."""
    score: float
    """Its score, 0..1, 4 decimals."""


@dataclass(frozen=True, eq=False)
class SpeechStart(Payload):
    """The speaker started talking."""

    TYPE = EventType.SPEECH_START


@dataclass(frozen=True, eq=False)
class SpeechEnd(Payload):
    """The speaker stopped (end of speech, the length limit, or nothing said in time)."""

    TYPE = EventType.SPEECH_END


@dataclass(frozen=True, eq=False)
class Transcript(Payload):
    """Recognised words: partials while the driver speaks, then one final transcript."""

    TYPE = EventType.TRANSCRIPT
    OPTIONAL = frozenset({"confidence"})
    text: str
    final: bool
    confidence: float | None = None
    """The recogniser's calibrated confidence, 0..1, 3 decimals; final transcripts only."""


@dataclass(frozen=True, eq=False)
class Intent(Payload):
    """What the utterance was understood to ask for."""

    TYPE = EventType.INTENT
    intent: str
    """A catalogue intent name."""
    slots: Mapping[str, Any]
    source: str
    """``rules``, ``classifier`` or ``llm``."""
    confidence: float


@dataclass(frozen=True, eq=False)
class LlmToken(Payload):
    """A piece of the language model's answer."""

    TYPE = EventType.LLM_TOKEN
    text: str


@dataclass(frozen=True, eq=False)
class Policy(Payload):
    """Whether the request may go ahead, and a sentence a driver can hear saying why."""

    TYPE = EventType.POLICY
    decision: PolicyDecision
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "decision", PolicyDecision(self.decision))


@dataclass(frozen=True, eq=False)
class Action(Payload):
    """One signal write to the car: ``sent``, then confirmed, rejected or timed out."""

    TYPE = EventType.ACTION
    OPTIONAL = frozenset({"source"})
    signal: str
    """A VSS path."""
    value: SignalValue
    status: ActionStatus
    reason: str
    """Why, for ``rejected`` and ``timeout``; empty otherwise."""
    source: str | None = None
    """Who asked for the write when it was not a turn: ``bench`` (a frame the Bench service
    injected); left out of the JSON for the turns' own writes."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ActionStatus(self.status))


@dataclass(frozen=True, eq=False)
class State(Payload):
    """A confirmed change of the car's state."""

    TYPE = EventType.STATE
    signal: str
    value: SignalValue


@dataclass(frozen=True, eq=False)
class Reply(Payload):
    """What the assistant says; every turn that runs ends with exactly one."""

    TYPE = EventType.REPLY
    text: str


@dataclass(frozen=True, eq=False)
class TtsAudio(Payload):
    """A chunk of the spoken reply."""

    TYPE = EventType.TTS_AUDIO
    pcm_b64: str
    """Base64 of signed 16-bit little-endian mono PCM; empty on the closing chunk."""
    sample_rate: int
    seq: int
    """0, 1, 2, ... within one reply."""
    last: bool


@dataclass(frozen=True, eq=False)
class Error(Payload):
    """Something failed inside the turn (the turn still ends with a reply)."""

    TYPE = EventType.ERROR
    code: str
    """A stable kebab-case code (docs/events.md, "Error codes")."""
    message: str


PAYLOADS: Mapping[EventType, type[Payload]] = {
    cls.TYPE: cls
    for cls in (
        Wake,
        SpeechStart,
        SpeechEnd,
        Transcript,
        Intent,
        LlmToken,
        Policy,
        Action,
        State,
        Reply,
        TtsAudio,
        Error,
    )
}
"""The payload class of every event type."""


def payload_of(type_: EventType, fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """``fields`` as the type's payload; kept as a plain dict when they are not exactly its
    fields (a peer that left some out, or sent others): that can be carried and refused, not read."""
    cls = PAYLOADS[type_]
    if isinstance(fields, Payload):
        if not isinstance(fields, cls):
            raise ValueError(f"a {type(fields).__name__} payload cannot make a {type_.value} event")
        return fields
    names = _field_names(cls)
    if set(fields) <= set(names) and set(names) - cls.OPTIONAL <= set(fields):
        return cls(**fields)
    return dict(fields)


# -- the envelope ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing that happened during a turn."""

    type: EventType
    """Which kind of event this is."""
    turn: int
    """Index of the input utterance this event belongs to, from 0."""
    t_ms: float
    """Milliseconds since the turn began."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The type's :class:`Payload`; given as a mapping of its fields, it is made one. Only fields
    that are not exactly the type's (from a faulty peer) stay a plain dict."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", payload_of(self.type, self.data))

    @classmethod
    def of(cls, payload: Payload, turn: int, t_ms: float) -> Event:
        """The event carrying ``payload``."""
        return cls(payload.TYPE, turn, t_ms, payload)

    def to_dict(self) -> dict[str, Any]:
        """The event as the JSON object docs/events.md defines: type, turn, t_ms, then the fields."""
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

    def event(self, payload: Payload) -> Event:
        """The event of this turn carrying ``payload``, stamped now."""
        return Event.of(payload, self.turn, self.elapsed_ms())


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
