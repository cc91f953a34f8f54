"""Event <-> cockpit.v1.Event: the proto's JSON is exactly ``Event.to_dict()`` / ``to_json()``."""

from __future__ import annotations

import base64
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.events import ActionStatus, Event, EventType, PolicyDecision
from cockpit.server.convert import (
    event_to_proto,
    proto_to_dict,
    proto_to_event,
    signal_value_from_proto,
    signal_value_to_proto,
)
from cockpit.v1 import cockpit_pb2 as pb

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False)
SIGNAL_VALUES = st.one_of(st.booleans(), INT64, FLOATS, st.text())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FLOATS | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
FIELDS: dict[EventType, dict[str, st.SearchStrategy[Any]]] = {
    EventType.WAKE: {"model": st.text(), "score": FLOATS},
    EventType.SPEECH_START: {},
    EventType.SPEECH_END: {},
    EventType.TRANSCRIPT: {"text": st.text(), "final": st.booleans()},
    EventType.INTENT: {
        "intent": st.text(),
        "slots": st.dictionaries(st.text(max_size=10), JSON, max_size=5),
        "source": st.sampled_from(["rules", "llm"]),
        "confidence": FLOATS,
    },
    EventType.LLM_TOKEN: {"text": st.text()},
    EventType.POLICY: {"decision": st.sampled_from([d.value for d in PolicyDecision]), "reason": st.text()},
    EventType.ACTION: {
        "signal": st.text(),
        "value": SIGNAL_VALUES,
        "status": st.sampled_from([s.value for s in ActionStatus]),
        "reason": st.text(),
    },
    EventType.STATE: {"signal": st.text(), "value": SIGNAL_VALUES},
    EventType.REPLY: {"text": st.text()},
    EventType.TTS_AUDIO: {
        "pcm_b64": st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
        "sample_rate": st.integers(0, 2**32 - 1),
        "seq": st.integers(0, 2**32 - 1),
        "last": st.booleans(),
    },
    EventType.ERROR: {"code": st.text(), "message": st.text()},
}


@st.composite
def events(draw: st.DrawFn) -> Event:
    """Any event the contract allows: each of its type's fields present or not, in contract order."""
    type_ = draw(st.sampled_from(list(EventType)))
    data = {key: draw(strategy) for key, strategy in FIELDS[type_].items() if draw(st.booleans())}
    turn = draw(st.integers(0, 2**32 - 1))
    t_ms = draw(st.floats(0, 1e9, allow_nan=False))
    return Event(type_, turn, t_ms, data)


def test_every_event_type_has_a_payload_and_a_strategy() -> None:
    payloads = {f.name for f in pb.Event.DESCRIPTOR.oneofs_by_name["payload"].fields}
    assert payloads == {t.value for t in EventType} == {t.value for t in FIELDS}


@given(events())
def test_round_trip_through_the_wire_gives_the_same_json(event: Event) -> None:
    wire = event_to_proto(event).SerializeToString()
    back = proto_to_event(pb.Event.FromString(wire))
    assert back.to_json() == event.to_json()  # key order, 50 vs 50.0 and all
    assert proto_to_dict(pb.Event.FromString(wire)) == event.to_dict()


@given(SIGNAL_VALUES)
def test_signal_values_keep_their_type(value: Any) -> None:
    back = signal_value_from_proto(pb.SignalValue.FromString(signal_value_to_proto(value).SerializeToString()))
    assert type(back) is type(value) and back == value


TABLE = [
    Event(EventType.WAKE, 0, 1.0, {"model": "hey_jarvis_v0.1", "score": 0.93}),
    Event(EventType.SPEECH_START, 0, 2.0),
    Event(EventType.SPEECH_END, 0, 900.5),
    Event(EventType.TRANSCRIPT, 0, 950.25, {"text": "set the temperature to twenty one", "final": True}),
    Event(
        EventType.INTENT,
        0,
        3.2,
        {
            "intent": "climate.set_temperature",
            "slots": {"celsius": 21.0, "zone": "driver"},
            "source": "rules",
            "confidence": 1.0,
        },
    ),
    Event(
        EventType.INTENT,
        1,
        3.2,
        {"intent": "media.set_volume", "slots": {"percent": 50}, "source": "llm", "confidence": 0.71},
    ),
    Event(EventType.LLM_TOKEN, 1, 40.0, {"text": " Paris"}),
    Event(EventType.POLICY, 0, 3.5, {"decision": "needs_confirmation", "reason": "The car is moving."}),
    Event(
        EventType.ACTION,
        0,
        4.0,
        {"signal": "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", "value": 21.0, "status": "sent", "reason": ""},
    ),
    Event(
        EventType.ACTION,
        0,
        16.0,
        {
            "signal": "Vehicle.Cabin.Infotainment.Media.Volume",
            "value": 50,
            "status": "timeout",
            "reason": "no status frame in 1.0 s",
        },
    ),
    Event(EventType.STATE, 0, 16.5, {"signal": "Vehicle.Cabin.HVAC.IsAirConditioningActive", "value": True}),
    Event(EventType.STATE, 0, 16.6, {"signal": "Vehicle.Cabin.Infotainment.Media.Action", "value": "PLAY"}),
    Event(EventType.REPLY, 0, 17.0, {"text": "Driver temperature set to 21 degrees."}),
    Event(EventType.TTS_AUDIO, 0, 30.0, {"pcm_b64": "AAABAAIA", "sample_rate": 22050, "seq": 0, "last": False}),
    Event(EventType.ERROR, 0, 5.0, {"code": "vehicle-timeout", "message": "The climate ECU did not answer."}),
]


@pytest.mark.parametrize("event", TABLE, ids=lambda e: f"{e.type.value}-{e.turn}")
def test_table_of_every_event_type(event: Event) -> None:
    msg = event_to_proto(event)
    assert msg.WhichOneof("payload") == event.type.value
    assert msg.type == pb.EventType.Value("EVENT_TYPE_" + event.type.name)
    assert proto_to_event(msg).to_json() == event.to_json()


def test_typed_fields_in_the_proto() -> None:
    intent = event_to_proto(TABLE[5]).intent
    assert [(s.name, s.value.WhichOneof("kind")) for s in intent.slots.entries] == [("percent", "int_value")]
    action = event_to_proto(TABLE[9]).action
    assert action.status == pb.ACTION_STATUS_TIMEOUT and action.value.int_value == 50
    assert event_to_proto(TABLE[7]).policy.decision == pb.POLICY_DECISION_NEEDS_CONFIRMATION
    assert event_to_proto(TABLE[13]).tts_audio.pcm == b"\0\0\1\0\2\0"


def test_keys_outside_the_contract_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the contract"):
        event_to_proto(Event(EventType.REPLY, 0, 1.0, {"text": "hi", "mood": "cheerful"}))


@pytest.mark.parametrize(
    "event",
    [
        Event(EventType.ACTION, 0, 1.0, {"status": "exploded"}),
        Event(EventType.STATE, 0, 1.0, {"value": None}),
        Event(EventType.REPLY, 0, 1.0, {"text": 42}),
        Event(EventType.INTENT, 0, 1.0, {"slots": ["not", "an", "object"]}),
        Event(EventType.TTS_AUDIO, 0, 1.0, {"pcm_b64": "not base64!"}),
    ],
)
def test_badly_typed_values_are_value_errors(event: Event) -> None:
    with pytest.raises(ValueError):
        event_to_proto(event)


def test_a_payload_that_does_not_match_the_type_is_refused() -> None:
    msg = pb.Event(type=pb.EVENT_TYPE_REPLY, turn=0, t_ms=1.0, error=pb.Error(code="x"))
    with pytest.raises(ValueError, match="carries a error payload"):
        proto_to_event(msg)
    with pytest.raises(ValueError, match="unspecified"):
        proto_to_event(pb.Event())


def test_t_ms_is_rounded_as_to_dict_rounds_it() -> None:
    event = Event(EventType.SPEECH_START, 3, math.pi)
    assert proto_to_dict(event_to_proto(event)) == {"type": "speech_start", "turn": 3, "t_ms": 3.142}
