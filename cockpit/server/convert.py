"""Events, signal values and skills between cockpit's dataclasses and ``cockpit.v1`` messages.

The rule: for every event the pipeline produces, ``proto_to_event(event_to_proto(e)).to_dict()``
equals ``e.to_dict()``, key order and ``50`` versus ``50.0`` included, so ``cockpit ask --json``
prints the same lines embedded and over gRPC. Each payload field is ``optional`` in the proto, so
a key the producer left out stays out. A key the contract does not name is a ``ValueError``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from cockpit.events import PAYLOADS, ActionStatus, Event, EventType, PolicyDecision
from cockpit.service_api import SessionInfo
from cockpit.skill_api import ExamplePhrase, IntentInfo, SignalValue, SkillInfo, SlotInfo
from cockpit.v1 import cockpit_pb2 as pb

_INT64 = (-(2**63), 2**63 - 1)


# -- scalar values --------------------------------------------------------------------------------


def signal_value_to_proto(value: SignalValue) -> pb.SignalValue:
    """A VSS value as a typed ``SignalValue``; bool is checked before int (bool is an int)."""
    if isinstance(value, bool):
        return pb.SignalValue(bool_value=value)
    if isinstance(value, int):
        return pb.SignalValue(int_value=value)
    if isinstance(value, float):
        return pb.SignalValue(double_value=value)
    if isinstance(value, str):
        return pb.SignalValue(string_value=value)
    raise ValueError(f"not a signal value: {value!r} ({type(value).__name__})")


def signal_value_from_proto(msg: pb.SignalValue) -> SignalValue:
    """Inverse of :func:`signal_value_to_proto`; an empty message is a ``ValueError``."""
    kind = msg.WhichOneof("kind")
    if kind is None:
        raise ValueError("signal value has no kind set")
    value: SignalValue = getattr(msg, kind)
    return value


def _slot_value_to_proto(value: Any) -> pb.SlotValue:
    if isinstance(value, bool):
        return pb.SlotValue(bool_value=value)
    if isinstance(value, int) and _INT64[0] <= value <= _INT64[1]:
        return pb.SlotValue(int_value=value)
    if isinstance(value, float):
        return pb.SlotValue(double_value=value)
    if isinstance(value, str):
        return pb.SlotValue(string_value=value)
    return pb.SlotValue(json_value=json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _slot_value_from_proto(msg: pb.SlotValue) -> Any:
    kind = msg.WhichOneof("kind")
    if kind is None:
        raise ValueError("slot value has no kind set")
    if kind == "json_value":
        return json.loads(msg.json_value)
    return getattr(msg, kind)


# -- event payloads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One key of an event's JSON object and how it sits in the payload message."""

    key: str
    encode: Callable[[Message, str, Any], None]
    decode: Callable[[Message, str], Any]
    field: str = ""
    """The payload's field, when its name differs from the JSON key."""

    @property
    def name(self) -> str:
        """The payload field this key sits in."""
        return self.field or self.key


def _set_plain(payload: Message, key: str, value: Any) -> None:
    setattr(payload, key, value)


def _get_plain(payload: Message, key: str) -> Any:
    return getattr(payload, key)


def _set_float(payload: Message, key: str, value: Any) -> None:
    setattr(payload, key, float(value))


def _set_signal_value(payload: Message, key: str, value: Any) -> None:
    getattr(payload, key).CopyFrom(signal_value_to_proto(value))


def _get_signal_value(payload: Message, key: str) -> Any:
    return signal_value_from_proto(getattr(payload, key))


def _set_slots(payload: Message, key: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"slots must be an object, not {value!r}")
    slots = getattr(payload, key)
    slots.SetInParent()
    for name, item in value.items():
        slots.entries.add(name=str(name), value=_slot_value_to_proto(item))


def _get_slots(payload: Message, key: str) -> Any:
    return {slot.name: _slot_value_from_proto(slot.value) for slot in getattr(payload, key).entries}


def _enum_field(enum: Any, prefix: str, python_enum: Any) -> tuple[Callable[..., None], Callable[..., Any]]:
    """Encoder and decoder of an enum field whose JSON form is the Python enum's value."""

    def encode(payload: Message, key: str, value: Any) -> None:
        setattr(payload, key, enum.Value(prefix + python_enum(value).name))

    def decode(payload: Message, key: str) -> Any:
        name = enum.Name(getattr(payload, key))
        return python_enum[name.removeprefix(prefix)].value

    return encode, decode


def _set_b64(payload: Message, key: str, value: Any) -> None:
    setattr(payload, key, base64.b64decode(value, validate=True))


def _get_b64(payload: Message, key: str) -> Any:
    return base64.b64encode(getattr(payload, key)).decode("ascii")


_PLAIN = (_set_plain, _get_plain)
_FLOAT = (_set_float, _get_plain)
_VALUE = (_set_signal_value, _get_signal_value)
_DECISION = _enum_field(pb.PolicyDecision, "POLICY_DECISION_", PolicyDecision)
_STATUS = _enum_field(pb.ActionStatus, "ACTION_STATUS_", ActionStatus)


_CODECS: Mapping[str, tuple[Callable[..., None], Callable[..., Any]]] = {
    "score": _FLOAT,
    "confidence": _FLOAT,
    "slots": (_set_slots, _get_slots),
    "decision": _DECISION,
    "status": _STATUS,
    "value": _VALUE,
    "pcm_b64": (_set_b64, _get_b64),
}
"""How a payload field other than a plain scalar sits in its proto field (by field name)."""

_PROTO_NAMES: Mapping[str, str] = {"pcm_b64": "pcm", "sample_rate": "sample_rate_hz"}
"""Payload fields whose proto field has another name (``pcm_b64`` is the raw ``pcm``)."""


def _field(name: str) -> _Field:
    encode, decode = _CODECS.get(name, _PLAIN)
    return _Field(name, encode, decode, _PROTO_NAMES.get(name, ""))


_PAYLOADS: Mapping[EventType, tuple[_Field, ...]] = {
    type_: tuple(_field(f.name) for f in dataclasses.fields(cls)) for type_, cls in PAYLOADS.items()
}
"""Per event type, its payload dataclass's fields (the JSON keys, in contract order) and how each
sits in the proto payload message, which is the oneof field named as the type's value."""


# -- events ---------------------------------------------------------------------------------------


def event_to_proto(event: Event) -> pb.Event:
    """The event as a ``cockpit.v1.Event``; keys outside the contract are a ``ValueError``."""
    fields = _PAYLOADS[event.type]
    unknown = set(event.data) - {f.key for f in fields}
    if unknown:
        raise ValueError(f"{event.type.value} event has keys outside the contract: {sorted(unknown)}")
    msg = pb.Event(type=pb.EventType.Value("EVENT_TYPE_" + event.type.name), turn=event.turn, t_ms=event.t_ms)
    payload = getattr(msg, event.type.value)
    payload.SetInParent()
    for f in fields:
        if f.key in event.data:
            try:
                f.encode(payload, f.name, event.data[f.key])
            except (TypeError, ValueError) as err:
                raise ValueError(f"{event.type.value}.{f.key}: cannot encode {event.data[f.key]!r}: {err}") from err
    return msg


def proto_to_event(msg: pb.Event) -> Event:
    """Inverse of :func:`event_to_proto`; a type that does not match the payload is a ``ValueError``."""
    if msg.type == pb.EVENT_TYPE_UNSPECIFIED:
        raise ValueError("event type is unspecified")
    type_ = EventType[pb.EventType.Name(msg.type).removeprefix("EVENT_TYPE_")]
    which = msg.WhichOneof("payload")
    if which is not None and which != type_.value:
        raise ValueError(f"{type_.value} event carries a {which} payload")
    payload = getattr(msg, type_.value)
    data = {f.key: f.decode(payload, f.name) for f in _PAYLOADS[type_] if payload.HasField(f.name)}
    return Event(type_, msg.turn, msg.t_ms, data)


def proto_to_dict(msg: pb.Event) -> dict[str, Any]:
    """The JSON object of docs/events.md for a ``cockpit.v1.Event`` (what ``Event.to_dict`` gives)."""
    return proto_to_event(msg).to_dict()


# -- sessions, state and skills -------------------------------------------------------------------


def session_to_proto(info: SessionInfo) -> pb.Session:
    """A session as a ``cockpit.v1.Session``."""
    return pb.Session(session_id=info.session_id, language=info.language, speech=info.speech, zone=info.zone)


def signals_to_proto(state: Mapping[str, SignalValue], prefixes: list[str] | tuple[str, ...] = ()) -> list[pb.Signal]:
    """Signals of ``state`` that match any of ``prefixes`` (all when empty), ordered by path."""
    return [
        pb.Signal(path=path, value=signal_value_to_proto(value))
        for path, value in sorted(state.items())
        if matches(path, prefixes)
    ]


def matches(path: str, prefixes: list[str] | tuple[str, ...]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or lies under one (``Vehicle.Cabin`` matches
    ``Vehicle.Cabin.HVAC...`` but not ``Vehicle.CabinX``); everything matches no prefixes."""
    if not prefixes:
        return True
    return any(path == p or path.startswith(p if p.endswith(".") else p + ".") for p in prefixes)


_SLOT_TYPES: Mapping[str, pb.SlotType.ValueType] = {
    "number": pb.SLOT_TYPE_NUMBER,
    "integer": pb.SLOT_TYPE_INTEGER,
    "boolean": pb.SLOT_TYPE_BOOLEAN,
    "text": pb.SLOT_TYPE_TEXT,
    "enum": pb.SLOT_TYPE_ENUM,
}
_SLOT_KINDS = {number: kind for kind, number in _SLOT_TYPES.items()}


def _slot_to_proto(slot: SlotInfo) -> pb.SlotInfo:
    msg = pb.SlotInfo(
        name=slot.name,
        type=_SLOT_TYPES.get(slot.kind, pb.SLOT_TYPE_UNSPECIFIED),
        required=slot.required,
        unit=slot.unit,
        allowed_values=list(slot.choices),
        description=slot.description,
    )
    for key in ("minimum", "maximum", "step"):
        value = getattr(slot, key)
        if value is not None:
            setattr(msg, key, float(value))
    return msg


def _slot_from_proto(msg: pb.SlotInfo) -> SlotInfo:
    bound = {key: getattr(msg, key) if msg.HasField(key) else None for key in ("minimum", "maximum", "step")}
    return SlotInfo(
        msg.name,
        _SLOT_KINDS.get(msg.type, ""),
        msg.required,
        unit=msg.unit,
        choices=tuple(msg.allowed_values),
        description=msg.description,
        **bound,
    )


def skill_to_proto(info: SkillInfo) -> pb.Skill:
    """A skill listing entry, with each intent's slots and example phrases."""
    return pb.Skill(
        name=info.name,
        description=info.description,
        intents=list(info.intents),
        intent_details=[
            pb.IntentInfo(
                name=intent.name,
                description=intent.description,
                slots=[_slot_to_proto(slot) for slot in intent.slots],
                examples=[pb.ExamplePhrase(text=e.text, language=e.language) for e in intent.examples],
                actuates=intent.actuates,
            )
            for intent in info.intent_details
        ],
    )


def skill_from_proto(msg: pb.Skill) -> SkillInfo:
    """Inverse of :func:`skill_to_proto`."""
    details = tuple(
        IntentInfo(
            intent.name,
            intent.description,
            tuple(_slot_from_proto(slot) for slot in intent.slots),
            tuple(ExamplePhrase(e.text, e.language) for e in intent.examples),
            intent.actuates,
        )
        for intent in msg.intent_details
    )
    return SkillInfo(msg.name, msg.description, tuple(msg.intents), details)
