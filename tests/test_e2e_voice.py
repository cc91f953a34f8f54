"""Issue 3 acceptance: spoken turns over a real gRPC channel on 127.0.0.1, against the real
service, the real voice models and the simulated car on a virtual CAN bus.

Audio is streamed as a head unit would: 80 ms chunks of 16 kHz mono LINEAR16, paced in real
time for the acceptance test. Bad audio gets its documented status, the server stays healthy,
the car does not move and another session carries on meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from can_sim.decode import DbcSet
from cockpit import vss
from cockpit.audio import FRAME_BYTES, read_wav
from cockpit.audio.format import AudioFormat
from cockpit.errors import CockpitError
from cockpit.server import start_server
from cockpit.server.convert import proto_to_dict
from cockpit.server.runner import VOICE_HEALTH
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from models.store import ModelStore
from tests.conftest import Stack, assert_set_temperature_turn, close_stack, make_stack

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
LINEAR16 = pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
COMMAND_IDS = {DbcSet.load().named(n).frame_id for n in ("HVAC_CMD", "SEAT_CMD", "MEDIA_CMD", "NAV_CMD")}
TIMEOUT_S = 60.0


def _pcm(name: str) -> bytes:
    return read_wav(FIXTURES / f"{name}.wav").astype("<i2").tobytes()


def _chunks(pcm: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


@pytest.fixture(scope="module")
def voice_stack() -> Iterator[Stack]:
    """The real stack with its voice front end loaded (skips when the voice models are missing)."""
    store = ModelStore()
    missing = [n for n in ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us") if not store.verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")
    stack = make_stack()
    yield stack
    asyncio.run(close_stack(stack))


async def _requests(
    chunks: Iterable[bytes], pace_s: float = 0.0, session_id: str = "", fmt: pb.AudioFormat = LINEAR16
) -> AsyncIterator[pb.ConverseRequest]:
    yield pb.ConverseRequest(config=pb.ConverseConfig(session_id=session_id, audio_format=fmt))
    for chunk in chunks:
        yield pb.ConverseRequest(audio_chunk=chunk)
        if pace_s:
            await asyncio.sleep(pace_s)


async def _converse(stub: pb_grpc.CockpitStub, requests: AsyncIterator[pb.ConverseRequest]) -> list[dict[str, object]]:
    call = stub.Converse(requests, timeout=TIMEOUT_S)
    return [proto_to_dict(event) async for event in call]


async def _failure(
    stub: pb_grpc.CockpitStub, requests: AsyncIterator[pb.ConverseRequest]
) -> tuple[grpc.StatusCode, str, list[dict[str, object]]]:
    events: list[dict[str, object]] = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for event in stub.Converse(requests, timeout=TIMEOUT_S):
            events.append(proto_to_dict(event))
    code = dict(caught.value.trailing_metadata() or ()).get("cockpit-error-code", "")
    return caught.value.code(), str(code), events


def _commands_sent(stack: Stack) -> list[int]:
    return [m.arbitration_id for m in stack.tap.frames() if m.arbitration_id in COMMAND_IDS]


async def test_one_spoken_command_over_grpc_in_real_time(voice_stack: Stack) -> None:
    server, port = await start_server(voice_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            chunks = _chunks(_pcm("wake_set_temperature_piper") + bytes(16000))  # and half a second of quiet
            events = await _converse(stub, _requests(chunks, pace_s=0.08))
    finally:
        await server.stop(1.0)
    assert_set_temperature_turn(events, 0)
    # One turn, one clock: every event of the spoken turn is stamped from its wake word.
    assert {e["turn"] for e in events} == {0}
    finals = [e for e in events if e["type"] != "transcript" or e["final"]]
    stamps = [float(e["t_ms"]) for e in finals]  # type: ignore[arg-type]
    assert stamps == sorted(stamps)
    assert voice_stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == 21.0


async def test_the_same_speech_without_the_wake_word_does_nothing(voice_stack: Stack) -> None:
    voice_stack.tap.clear()
    server, port = await start_server(voice_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            events = await _converse(stub, _requests(_chunks(_pcm("nowake_set_temperature_piper") + bytes(16000))))
    finally:
        await server.stop(1.0)
    assert events == []
    await asyncio.sleep(0.2)
    assert _commands_sent(voice_stack) == []


async def test_push_to_talk_needs_no_wake_word(voice_stack: Stack) -> None:
    voice_stack.tap.clear()
    server, port = await start_server(voice_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)

            async def pressed() -> AsyncIterator[pb.ConverseRequest]:  # the talk button held down
                yield pb.ConverseRequest(config=pb.ConverseConfig(audio_format=LINEAR16, push_to_talk=True))
                for chunk in _chunks(_pcm("nowake_set_temperature_piper") + bytes(16000)):
                    yield pb.ConverseRequest(audio_chunk=chunk)

            events = await _converse(stub, pressed())
    finally:
        await server.stop(1.0)
    kinds = [e["type"] for e in events]
    assert "wake" not in kinds and kinds[0] == "speech_start", kinds
    intent = next(e for e in events if e["type"] == "intent")
    assert (intent["intent"], intent["slots"]) == ("climate.set_temperature", {"celsius": 21})
    assert [e["status"] for e in events if e["type"] == "action"] == ["sent", "confirmed"]
    assert kinds[-1] == "reply"


async def test_a_spoken_follow_up_and_a_typed_turn_share_the_session(voice_stack: Stack) -> None:
    server, port = await start_server(voice_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            session = await stub.CreateSession(pb.CreateSessionRequest(), timeout=5)

            async def mixed() -> AsyncIterator[pb.ConverseRequest]:
                async for request in _requests(
                    _chunks(_pcm("wake_ac_on_runon_piper") + bytes(16000)), 0.0, session.session_id
                ):
                    yield request
                yield pb.ConverseRequest(text="turn off the air conditioning")

            events = await _converse(stub, mixed())
    finally:
        await server.stop(1.0)
    replies = [(e["turn"], e["text"]) for e in events if e["type"] == "reply"]
    assert [turn for turn, _ in replies] == [0, 1]
    intents = [(e["intent"], e["slots"]) for e in events if e["type"] == "intent"]
    assert intents == [("climate.set_ac", {"on": True}), ("climate.set_ac", {"on": False})]
    assert voice_stack.parts.service.vehicle_state()[vss.AC_ACTIVE] is False


def _bad_audio() -> list[tuple[str, pb.AudioFormat, list[bytes], grpc.StatusCode | None, str]]:
    rng = np.random.default_rng(7)
    noise = rng.integers(-20000, 20000, 16000 * 10).astype("<i2").tobytes()
    loud = read_wav(FIXTURES / "nowake_radio_espeak.wav").astype(np.int32) * 20
    clipped = np.clip(loud, -32768, 32767).astype("<i2").tobytes()
    speech = _pcm("wake_set_temperature_piper")
    at_8k = pb.AudioFormat(sample_rate_hz=8000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
    at_44k = pb.AudioFormat(sample_rate_hz=44000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
    invalid, exhausted = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED
    return [
        ("odd byte count", LINEAR16, [bytes(FRAME_BYTES), b"\x01\x02\x03"], invalid, "audio-odd-bytes"),
        ("unsupported declared rate", at_44k, [bytes(FRAME_BYTES)], invalid, "audio-format-unsupported"),
        # 16 kHz speech declared as 8 kHz plays at half speed: listened to, no wake word, ignored.
        ("wrong declared rate", at_8k, _chunks(speech, FRAME_BYTES // 2), None, ""),
        ("10 MB chunk", LINEAR16, [bytes(10 * 1024 * 1024)], exhausted, ""),
        ("two-second chunk", LINEAR16, [bytes(64000)], exhausted, "audio-chunk-too-large"),
        ("60 s of silence", LINEAR16, _chunks(bytes(16000 * 2 * 60), 16000), None, ""),
        ("white noise", LINEAR16, _chunks(noise, 16000), None, ""),
        ("clipping", LINEAR16, _chunks(clipped, 16000), None, ""),
    ]


@pytest.mark.parametrize(("case", "fmt", "chunks", "status", "code"), _bad_audio(), ids=[c[0] for c in _bad_audio()])
async def test_bad_audio_gets_its_status_and_moves_nothing(
    voice_stack: Stack, case: str, fmt: pb.AudioFormat, chunks: list[bytes], status: grpc.StatusCode | None, code: str
) -> None:
    service = voice_stack.parts.service
    before = dict(service.vehicle_state())
    voice_stack.tap.clear()
    server, port = await start_server(service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            # Another session's typed turn runs while the bad stream is being handled.
            other = asyncio.create_task(_converse(stub, _text_requests("what is the temperature")))
            if status is None:
                events = await _converse(stub, _requests(chunks, fmt=fmt))
                assert events == [], case
            else:
                got, got_code, events = await _failure(stub, _requests(chunks, fmt=fmt))
                assert got is status, case
                assert events == []
                if code:
                    assert got_code == code
            replies = [e for e in await other if e["type"] == "reply"]
            assert len(replies) == 1
            health = health_pb2_grpc.HealthStub(channel)
            for name in ("cockpit.v1.Cockpit", VOICE_HEALTH):
                reply = await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
                assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
            # The voice path still works after the bad stream.
            events = await _converse(stub, _requests(_chunks(_pcm("wake_only_piper"))))
            assert [e["type"] for e in events][:1] == ["wake"]
    finally:
        await server.stop(1.0)
    await asyncio.sleep(0.2)
    assert _commands_sent(voice_stack) == [], case
    assert dict(service.vehicle_state()) == before


async def _text_requests(*texts: str) -> AsyncIterator[pb.ConverseRequest]:
    yield pb.ConverseRequest(config=pb.ConverseConfig())
    for text in texts:
        yield pb.ConverseRequest(text=text)


async def test_a_language_without_a_recogniser_is_refused(voice_stack: Stack) -> None:
    server, port = await start_server(voice_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as refused:  # the server takes only languages it serves
                await stub.CreateSession(pb.CreateSessionRequest(language="sw"), timeout=5)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        await server.stop(1.0)
    # A session the service itself opened in such a language (in-process) still gets a clear answer.
    service = voice_stack.parts.service
    session = service.create_session("sw")
    with pytest.raises(CockpitError) as no_asr:
        stream = await service.open_audio(session.session_id, AudioFormat(), lambda event: None)
        await stream.feed(bytes(FRAME_BYTES))
        await stream.finish()
    assert no_asr.value.code == "no-asr-for-language"


async def test_voice_disabled_is_refused_but_text_works() -> None:
    stack = make_stack(**{"voice.enabled": False})
    try:
        server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = pb_grpc.CockpitStub(channel)
                got, code, _ = await _failure(stub, _requests([bytes(FRAME_BYTES)]))
                assert (got, code) == (grpc.StatusCode.FAILED_PRECONDITION, "voice-disabled")
                events = await _converse(stub, _text_requests("turn on the ac"))
                assert [e["status"] for e in events if e["type"] == "action"] == ["sent", "confirmed"]
        finally:
            await server.stop(1.0)
    finally:
        await close_stack(stack)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
