"""The stream limits, through a real loopback server with small settings: a session's turn rate,
the ``Converse`` idle timeout, and bounded buffers (events end the stream, watches drop the oldest).

Every wait is bounded by ``TIMEOUT_S``; nothing asserts how fast anything was.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import grpc
import pytest

from cockpit.audio.format import AudioFormat
from cockpit.errors import ResourceExhaustedError
from cockpit.events import Event, EventSink, EventType
from cockpit.server.owners import SessionLedger, SessionLimits
from cockpit.server.runner import CockpitServer, start_server
from cockpit.server.streams import EventFeed, StateFeed, StreamLimits
from cockpit.service_api import AudioStream
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_support import TIMEOUT_S, FakeAssistant, trailing_code

FLOOD = 100
"""Events the ``flood`` turn reports at once."""


class _Fake(FakeAssistant):
    """The fake assistant, plus a ``flood`` turn and an audio stream that hears nothing."""

    async def text_turn(self, session_id: str, text: str, sink: EventSink) -> None:
        if text != "flood":
            await super().text_turn(session_id, text, sink)
            return
        for n in range(FLOOD):
            sink(Event(EventType.LLM_TOKEN, 0, float(n), {"text": f"token {n} "}))
        sink(Event(EventType.REPLY, 0, float(FLOOD), {"text": "flooded"}))

    async def open_audio(self, session_id: str, fmt: AudioFormat, sink: EventSink, wake: bool = True) -> AudioStream:
        return _Silence()


class _Silence:
    """Listens to every chunk and hears nothing in it (no wake word): no events."""

    async def feed(self, pcm: bytes) -> object:
        return None

    async def idle(self) -> None:
        return None

    async def finish(self) -> object:
        return None

    async def aclose(self) -> None:
        return None


@contextlib.asynccontextmanager
async def _server(
    limits: SessionLimits | None = None, streams: StreamLimits | None = None
) -> AsyncIterator[tuple[CockpitServer, _Fake, pb_grpc.CockpitStub]]:
    fake = _Fake()
    server, _ = await start_server(fake, "127.0.0.1", 0, limits=limits, streams=streams)
    channel = grpc.aio.insecure_channel(server.target)
    try:
        yield server, fake, pb_grpc.CockpitStub(channel)
    finally:
        await channel.close()
        await server.stop(0)


async def _turn(stub: pb_grpc.CockpitStub, session_id: str, text: str) -> list[pb.Event]:
    call = stub.SendText(pb.TextTurnRequest(session_id=session_id, text=text), timeout=TIMEOUT_S)
    return [event async for event in call]


async def _failure(call: object) -> tuple[grpc.StatusCode, str | None, list[pb.Event]]:
    got: list[pb.Event] = []
    try:
        async for event in call:  # type: ignore[attr-defined]
            got.append(event)
    except grpc.aio.AioRpcError as err:
        return err.code(), trailing_code(err), got
    return grpc.StatusCode.OK, None, got


# -- turn rate -------------------------------------------------------------------------------------


async def test_a_turn_past_the_sessions_rate_is_refused_before_it_runs() -> None:
    async with _server(SessionLimits(turns_per_minute=0.01, turn_burst=2)) as (_, fake, stub):
        session = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)
        other = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)
        for _ in range(2):
            assert (await _turn(stub, session.session_id, "set 21"))[-1].reply.text
        call = stub.SendText(pb.TextTurnRequest(session_id=session.session_id, text="set 25"), timeout=TIMEOUT_S)
        code, error_code, events = await _failure(call)
        assert (code, error_code, events) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "turn-rate", [])
        assert [t for _, t in fake.turn_texts] == ["set 21", "set 21"]  # the third never reached the service
        assert fake.state["Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"] == 21.0
        assert (await _turn(stub, other.session_id, "hello"))[-1].reply.text == "echo: hello"  # per session


async def test_a_typed_turn_past_the_rate_ends_a_conversation_after_the_earlier_turns() -> None:
    async with _server(SessionLimits(turns_per_minute=0.01, turn_burst=1)) as (_, fake, stub):
        session = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)

        async def requests() -> AsyncIterator[pb.ConverseRequest]:
            yield pb.ConverseRequest(config=pb.ConverseConfig(session_id=session.session_id))
            yield pb.ConverseRequest(text="hello")
            yield pb.ConverseRequest(text="set 25")

        code, error_code, events = await _failure(stub.Converse(requests(), timeout=TIMEOUT_S))
        assert (code, error_code) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "turn-rate")
        assert events[-1].reply.text == "echo: hello"
        assert [t for _, t in fake.turn_texts] == ["hello"]


def test_the_turn_bucket_refills_at_the_set_rate() -> None:
    now = [0.0]
    ledger = SessionLedger(SessionLimits(turns_per_minute=6, turn_burst=2), per_owner=False, clock=lambda: now[0])
    ledger.add("s1", "")
    ledger.take_turn("s1")
    ledger.take_turn("s1")
    with pytest.raises(ResourceExhaustedError) as caught:
        ledger.take_turn("s1")
    assert caught.value.code == "turn-rate" and "10.0 s" in caught.value.message
    now[0] = 9.9
    with pytest.raises(ResourceExhaustedError):
        ledger.take_turn("s1")
    now[0] = 20.0  # one turn earned every 10 s
    ledger.take_turn("s1")
    now[0] = 1000.0  # never more than the burst
    ledger.take_turn("s1")
    ledger.take_turn("s1")
    with pytest.raises(ResourceExhaustedError):
        ledger.take_turn("s1")


# -- Converse idle timeout -------------------------------------------------------------------------


async def _conversation(stub: pb_grpc.CockpitStub, messages: AsyncIterator[pb.ConverseRequest]) -> tuple[object, ...]:
    return await asyncio.wait_for(_failure(stub.Converse(messages)), TIMEOUT_S * 2)


@pytest.mark.parametrize("sends", ["nothing", "silence"])
async def test_a_conversation_in_which_nothing_is_said_ends_converse_idle(sends: str) -> None:
    stop = asyncio.Event()

    async def requests() -> AsyncIterator[pb.ConverseRequest]:
        fmt = pb.AudioFormat(sample_rate_hz=16000, channels=1, encoding=pb.AUDIO_ENCODING_LINEAR16)
        yield pb.ConverseRequest(config=pb.ConverseConfig(audio_format=fmt))
        while not stop.is_set():  # until the server ends the stream (bounded by the wait above)
            if sends == "silence":
                yield pb.ConverseRequest(audio_chunk=bytes(2560))  # 80 ms of silence
            await asyncio.sleep(0.02)

    async with _server(streams=StreamLimits(converse_idle_s=0.3)) as (_, _fake, stub):
        try:
            code, error_code, _events = await _conversation(stub, requests())
        finally:
            stop.set()
    assert (code, error_code) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "converse-idle")


async def test_typed_turns_keep_a_conversation_open_past_the_idle_time() -> None:
    async def requests() -> AsyncIterator[pb.ConverseRequest]:
        yield pb.ConverseRequest(config=pb.ConverseConfig())
        for n in range(20):  # 20 x 0.1 s: longer than the idle limit, never idle for as long
            yield pb.ConverseRequest(text=f"turn {n}")
            await asyncio.sleep(0.1)

    streams = StreamLimits(converse_idle_s=1.5)
    async with _server(SessionLimits(turns_per_minute=6000, turn_burst=100), streams) as (_, _fake, stub):
        code, _error_code, events = await _conversation(stub, requests())
    assert code is grpc.StatusCode.OK
    assert [e.reply.text for e in events if e.WhichOneof("payload") == "reply"][-1] == "echo: turn 19"


# -- bounded buffers -------------------------------------------------------------------------------


async def test_a_stream_whose_buffer_overflows_ends_client_too_slow_after_what_it_holds() -> None:
    async with _server(streams=StreamLimits(event_buffer=16)) as (_, _fake, stub):
        call = stub.SendText(pb.TextTurnRequest(text="flood"), timeout=TIMEOUT_S)
        code, error_code, events = await _failure(call)
        assert (code, error_code) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "client-too-slow")
        assert [e.llm_token.text for e in events] == [f"token {n} " for n in range(16)]  # none skipped
        # The default buffer holds the same turn.
    async with _server() as (_, _fake, stub):
        events = await _turn(stub, "", "flood")
        assert len(events) == FLOOD + 1 and events[-1].reply.text == "flooded"


async def test_the_event_feed_yields_what_it_holds_then_ends() -> None:
    feed: EventFeed[int] = EventFeed(3)
    for n in range(5):
        feed.put(n)
    got: list[int] = []
    with pytest.raises(ResourceExhaustedError) as caught:
        async for item in feed:
            got.append(item)
    assert got == [0, 1, 2] and caught.value.code == "client-too-slow"


async def test_a_state_watch_drops_the_oldest_pending_change() -> None:
    feed = StateFeed(lambda _path: True, max_pending=2)
    for n, path in enumerate(("a", "b", "c", "b", "d")):
        feed.listener(path, n)
    assert await asyncio.wait_for(feed.next_batch(), TIMEOUT_S) == [("b", 3), ("d", 4)]
    assert feed.dropped == 2


async def test_a_slow_watcher_gets_the_latest_changes_and_the_server_holds_no_more() -> None:
    paths: Sequence[str] = [f"Vehicle.Test.Signal{n}" for n in range(6)]
    async with _server(streams=StreamLimits(watch_buffer=2)) as (_, fake, stub):
        for path in paths:
            fake.state[path] = 0
        call = stub.WatchVehicleState(pb.WatchVehicleStateRequest(signals=["Vehicle.Test"]), timeout=TIMEOUT_S)
        seen = [await asyncio.wait_for(call.read(), TIMEOUT_S) for _ in paths]  # the first snapshot
        assert sorted(s.path for s in seen) == sorted(paths)
        for n, path in enumerate(paths):  # six changes while the watcher is not reading
            fake.set_signal(path, n + 1)
        changed = [await asyncio.wait_for(call.read(), TIMEOUT_S) for _ in range(2)]
        call.cancel()
    assert [(s.path, s.value.int_value) for s in changed] == [(paths[4], 5), (paths[5], 6)]
