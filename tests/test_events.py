"""Typed events: one frozen dataclass per event type, whose fields are the JSON object's fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from cockpit.events import (
    PAYLOADS,
    Action,
    ActionStatus,
    Event,
    EventType,
    Intent,
    Policy,
    PolicyDecision,
    Reply,
    Transcript,
    TurnClock,
)
from cockpit.server import convert
from cockpit.v1 import cockpit_pb2 as pb


def test_every_event_type_has_one_payload_class_with_the_proto_payloads_fields() -> None:
    assert set(PAYLOADS) == set(EventType)
    for type_, cls in PAYLOADS.items():
        assert cls.TYPE is type_
        assert cls.__eq__ is Mapping.__eq__, f"{cls.__name__} must be @dataclass(frozen=True, eq=False)"
        proto = pb.Event.DESCRIPTOR.fields_by_name[type_.value].message_type
        assert [f.name for f in proto.fields] == [f.name for f in convert._PAYLOADS[type_]], type_
        assert [f.key for f in convert._PAYLOADS[type_]] == [f.name for f in dataclasses.fields(cls)], type_


def test_a_typed_event_prints_the_contracts_json_line() -> None:
    clock = TurnClock(0, clock=iter([0.0, 0.000158]).__next__)
    event = clock.event(Intent("climate.set_temperature", {"zone": "driver", "celsius": 21}, "rules", 1.0))
    assert event.type is EventType.INTENT
    assert event.to_json() == (
        '{"type":"intent","turn":0,"t_ms":0.158,"intent":"climate.set_temperature",'
        '"slots":{"zone":"driver","celsius":21},"source":"rules","confidence":1.0}'
    )


def test_enums_print_as_their_values_and_an_unset_optional_field_is_left_out() -> None:
    action = Action("Vehicle.Speed", 50, ActionStatus.TIMEOUT, "no answer")
    assert dict(action) == {"signal": "Vehicle.Speed", "value": 50, "status": "timeout", "reason": "no answer"}
    assert dict(Transcript("hi", final=False)) == {"text": "hi", "final": False}
    assert Transcript("hi", final=True, confidence=0.5)["confidence"] == 0.5
    assert Policy(PolicyDecision.REFUSED, "No.") == {"decision": "refused", "reason": "No."}


def test_fields_given_as_a_mapping_become_the_typed_payload() -> None:
    event = Event.from_dict({"type": "policy", "turn": 1, "t_ms": 2.0, "decision": "allowed", "reason": ""})
    assert isinstance(event.data, Policy) and event.data.decision is PolicyDecision.ALLOWED
    partial = Event(EventType.REPLY, 0, 1.0, {"mood": "cheerful"})  # a faulty peer's: carried, not typed
    assert not isinstance(partial.data, Reply) and partial.to_dict()["mood"] == "cheerful"


def test_a_payload_of_another_type_or_an_unknown_enum_value_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot make a reply event"):
        Event(EventType.REPLY, 0, 1.0, Transcript("hi", final=True))
    with pytest.raises(ValueError):
        Action("Vehicle.Speed", 50, "exploded", "")  # type: ignore[arg-type]
