"""The Cockpit servicer through a real grpc.aio channel on loopback, with the fake service."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from cockpit.server.convert import proto_to_dict, signal_value_from_proto
from cockpit.service_api import MAX_TEXT_BYTES
from cockpit.testing import FakeAssistant
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_support import DRIVER_TEMP, TIMEOUT_S, channel, serving, trailing_code


async def _send_text(stub: pb_grpc.CockpitStub, text: str, session_id: str = "") -> list[pb.Event]:
    call = stub.SendText(pb.TextTurnRequest(session_id=session_id, text=text), timeout=TIMEOUT_S)
    return [event async for event in call]


async def _rpc_error(stub: pb_grpc.CockpitStub, text: str, session_id: str = "") -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _send_text(stub, text, session_id)
    return caught.value


async def test_text_turn_streams_the_turns_events_in_order() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        events = await _send_text(pb_grpc.CockpitStub(chan), "set 21")
    dicts = [proto_to_dict(e) for e in events]
    assert [d["type"] for d in dicts] == ["intent", "policy", "action", "action", "state", "reply"]
    assert dicts == [e.to_dict() for e in fake.emitted]  # exactly what the service reported
    assert [d["status"] for d in dicts if d["type"] == "action"] == ["sent", "confirmed"]
    assert dicts[-1]["text"] == "Driver temperature set to 21 degrees."
    assert {d["turn"] for d in dicts} == {0}
    assert fake.sessions == {}  # the one-shot session was closed


async def test_tokens_reach_the_client_while_the_turn_is_still_running() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).SendText(pb.TextTurnRequest(text="stream"), timeout=TIMEOUT_S)
        first = await asyncio.wait_for(call.read(), TIMEOUT_S)
        assert proto_to_dict(first)["text"] == "Hello"
        assert not fake.gate.is_set()  # the service is still blocked mid-turn
        fake.gate.set()
        rest = []
        while (event := await asyncio.wait_for(call.read(), TIMEOUT_S)) is not grpc.aio.EOF:
            rest.append(proto_to_dict(event)["type"])
    assert rest == ["llm_token", "llm_token", "reply"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "text-empty"),
        ("   \n\t", "text-empty"),
        ("x" * 10_000, "text-too-long"),
        ("é" * (MAX_TEXT_BYTES // 2 + 1), "text-too-long"),
    ],
)
async def test_bad_text_is_invalid_argument_before_the_service_sees_it(text: str, code: str) -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        err = await _rpc_error(pb_grpc.CockpitStub(chan), text)
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert (err.details() or "").startswith(f"{code}: ")
    assert trailing_code(err) == code
    assert fake.turn_texts == []


async def test_unknown_session_is_invalid_argument() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        err = await _rpc_error(pb_grpc.CockpitStub(chan), "hello", session_id="nope")
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert trailing_code(err) == "unknown-session"
    assert "nope" in (err.details() or "")


async def test_an_unexpected_exception_is_internal_never_unknown() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        err = await _rpc_error(pb_grpc.CockpitStub(chan), "boom")
    assert err.code() is grpc.StatusCode.INTERNAL
    assert trailing_code(err) == "internal"
    assert "RuntimeError" in (err.details() or "") and "kaboom" in (err.details() or "")


async def test_a_cockpit_error_keeps_its_code() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        err = await _rpc_error(pb_grpc.CockpitStub(chan), "bus down")
    assert err.code() is grpc.StatusCode.UNAVAILABLE
    assert err.details() == "bus-down: the CAN bus is not open"
    assert trailing_code(err) == "bus-down"


async def test_a_message_over_the_limit_is_resource_exhausted() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        err = await _rpc_error(pb_grpc.CockpitStub(chan), "x" * (5 * 1024 * 1024))
    assert err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert fake.turn_texts == []


async def test_sessions_keep_their_turn_counter_and_close() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        session = await stub.CreateSession(pb.CreateSessionRequest(language="ko"), timeout=TIMEOUT_S)
        assert session.language == "ko" and session.session_id in fake.sessions
        first = await _send_text(stub, "hello", session.session_id)
        second = await _send_text(stub, "again", session.session_id)
        assert {e.turn for e in first} == {0} and {e.turn for e in second} == {1}
        await stub.CloseSession(pb.CloseSessionRequest(session_id=session.session_id), timeout=TIMEOUT_S)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.CloseSession(pb.CloseSessionRequest(session_id=session.session_id), timeout=TIMEOUT_S)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert trailing_code(caught.value) == "unknown-session"


async def test_client_cancellation_cancels_the_turn() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).SendText(pb.TextTurnRequest(text="slow"), timeout=TIMEOUT_S)
        assert proto_to_dict(await asyncio.wait_for(call.read(), TIMEOUT_S))["type"] == "intent"
        call.cancel()
        await asyncio.wait_for(fake.cancelled.wait(), TIMEOUT_S)
        assert fake.sessions == {}  # the one-shot session went with it


async def test_get_vehicle_state_filters_by_path_prefix() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        everything = await stub.GetVehicleState(pb.GetVehicleStateRequest(), timeout=TIMEOUT_S)
        cabin = await stub.GetVehicleState(pb.GetVehicleStateRequest(signals=["Vehicle.Cabin.HVAC"]), timeout=TIMEOUT_S)
        none = await stub.GetVehicleState(pb.GetVehicleStateRequest(signals=["Vehicle.Cab"]), timeout=TIMEOUT_S)
    assert [s.path for s in everything.signals] == sorted(FakeAssistant().state)
    assert {s.path: signal_value_from_proto(s.value) for s in cabin.signals} == {DRIVER_TEMP: 22.0}
    volume = next(s for s in everything.signals if s.path.endswith("Volume"))
    assert volume.value.WhichOneof("kind") == "int_value"  # 30 stays an integer
    assert list(none.signals) == []


async def test_watch_vehicle_state_sends_current_values_then_changes() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).WatchVehicleState(
            pb.WatchVehicleStateRequest(signals=["Vehicle.Cabin.HVAC"]), timeout=TIMEOUT_S
        )
        first = await asyncio.wait_for(call.read(), TIMEOUT_S)
        assert (first.path, signal_value_from_proto(first.value)) == (DRIVER_TEMP, 22.0)
        fake.set_signal("Vehicle.Speed", 50.0)  # filtered out
        fake.set_signal(DRIVER_TEMP, 22.0)  # not a change
        fake.set_signal(DRIVER_TEMP, 19.5)
        change = await asyncio.wait_for(call.read(), TIMEOUT_S)
        assert (change.path, signal_value_from_proto(change.value)) == (DRIVER_TEMP, 19.5)
        call.cancel()
        for _ in range(100):  # the watcher unsubscribes once the cancellation reaches the server
            if fake.watchers == 0:
                break
            await asyncio.sleep(0.01)
        assert fake.watchers == 0


async def test_list_skills() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        reply = await pb_grpc.CockpitStub(chan).ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
    assert [(s.name, list(s.intents)) for s in reply.skills] == [
        ("climate", ["climate.set_temperature", "climate.set_ac"]),
        ("media", ["media.play"]),
    ]
    assert reply.skills[0].description


# -- Converse ---------------------------------------------------------------------------------------


def _config(session_id: str = "", audio: pb.AudioFormat | None = None) -> pb.ConverseRequest:
    return pb.ConverseRequest(config=pb.ConverseConfig(session_id=session_id, audio_format=audio))


async def _converse(chan: grpc.aio.Channel, *requests: pb.ConverseRequest) -> list[pb.Event]:
    call = pb_grpc.CockpitStub(chan).Converse(iter(requests), timeout=TIMEOUT_S)
    return [event async for event in call]


async def test_converse_runs_each_text_as_a_turn() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, channel(server.target) as chan:
        events = await _converse(chan, _config(), pb.ConverseRequest(text="hi"), pb.ConverseRequest(text="set 20"))
    dicts = [proto_to_dict(e) for e in events]
    assert [(d["turn"], d["type"]) for d in dicts][:2] == [(0, "intent"), (0, "reply")]
    assert [d["type"] for d in dicts if d["turn"] == 1] == ["intent", "policy", "action", "action", "state", "reply"]
    assert len({session for session, _ in fake.turn_texts}) == 1 and fake.sessions == {}


async def test_converse_audio_without_a_voice_front_end_is_a_failed_precondition() -> None:
    linear16 = pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _converse(chan, _config(audio=linear16), pb.ConverseRequest(audio_chunk=b"\0\0" * 1280))
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert trailing_code(caught.value) == "voice-disabled"


@pytest.mark.parametrize(
    ("requests", "code"),
    [
        ((pb.ConverseRequest(text="hi"),), "config-first"),
        (
            (_config(audio=pb.AudioFormat(sample_rate_hz=44000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)),),
            "audio-format-unsupported",
        ),
        (
            (_config(audio=pb.AudioFormat(sample_rate_hz=16000, channels=6, encoding=pb.AUDIO_ENCODING_LINEAR16)),),
            "audio-format-unsupported",
        ),
        ((_config(audio=pb.AudioFormat(sample_rate_hz=16000, channels=1)),), "audio-format-unsupported"),
        ((_config(), pb.ConverseRequest(audio_chunk=b"\0\0" * 1280)), "audio-format-missing"),
        ((_config(), _config()), "config-repeated"),
        ((_config(), pb.ConverseRequest()), "request-empty"),
        ((_config(), pb.ConverseRequest(text=" ")), "text-empty"),
        ((_config(session_id="nope"), pb.ConverseRequest(text="hi")), "unknown-session"),
    ],
)
async def test_converse_rejects_bad_streams(requests: tuple[pb.ConverseRequest, ...], code: str) -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _converse(chan, *requests)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert trailing_code(caught.value) == code
