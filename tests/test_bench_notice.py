"""A command frame the Bench injects never changes the car silently (issue 13).

Through a real loopback server with tokens: the fake assistant, a real Bench on a private virtual
bus. A head unit holds a ``Converse`` open; a bench tool injects ``HVAC_CMD`` (as a signal, and as
raw frames on an ``InjectFrames`` stream). The conversation hears one ``action`` per requested
write, status ``sent``, its reason naming the bench and the token, and the log has a WARNING.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import grpc
import pytest

from can_sim.decode import DbcSet
from cockpit.server.bench_notice import BENCH_REASON
from cockpit.server.convert import signal_value_from_proto
from cockpit.server.runner import CockpitServer
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_auth import BENCH, HMI, auth, guarded
from tests.test_grpc_support import DRIVER_TEMP, TIMEOUT_S

FAN = "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed"


async def _conversation(
    stub: pb_grpc.CockpitStub, session_id: str, got: asyncio.Queue[pb.Event], hold: asyncio.Event
) -> None:
    async def requests() -> AsyncIterator[pb.ConverseRequest]:
        yield pb.ConverseRequest(config=pb.ConverseConfig(session_id=session_id))
        await hold.wait()

    call = stub.Converse(requests(), metadata=auth(HMI))
    try:
        async for event in call:
            await got.put(event)
    except grpc.aio.AioRpcError as err:
        if err.code() is not grpc.StatusCode.CANCELLED:
            raise


async def _actions(got: asyncio.Queue[pb.Event], count: int) -> list[pb.Action]:
    out = []
    while len(out) < count:
        event = await asyncio.wait_for(got.get(), TIMEOUT_S)
        if event.WhichOneof("payload") == "action":
            out.append(event.action)
    return out


async def _listening(server: CockpitServer) -> tuple[pb_grpc.CockpitStub, asyncio.Queue[pb.Event], asyncio.Task[None]]:
    channel = grpc.aio.insecure_channel(server.target)
    stub = pb_grpc.CockpitStub(channel)
    session = await stub.CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S, metadata=auth(HMI))
    got: asyncio.Queue[pb.Event] = asyncio.Queue()
    hold = asyncio.Event()
    task = asyncio.create_task(_conversation(stub, session.session_id, got, hold))
    task.add_done_callback(lambda _t: asyncio.ensure_future(channel.close()))
    # The conversation must be open before the frame goes out: wait until the server counts it.
    for _ in range(200):
        if server._servicer is not None and server._servicer._conversations:
            break
        await asyncio.sleep(0.01)
    return stub, got, task


async def test_an_injected_signal_of_a_command_message_reaches_the_conversation_and_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "cockpit.server.bench_notice")
    async with guarded() as (server, _fake):
        _stub, got, task = await _listening(server)
        async with grpc.aio.insecure_channel(server.target) as channel:
            bench = bpb_grpc.BenchStub(channel)
            request = bpb.InjectSignalRequest(message="HVAC_CMD")
            request.signals["DRIVER_TEMP_REQ"].double_value = 28.0
            request.signals["FAN_SPEED_REQ"].int_value = 90
            await bench.InjectSignal(request, timeout=TIMEOUT_S, metadata=auth(BENCH))
            actions = await _actions(got, 2)
        task.cancel()
    by_signal = {a.signal: a for a in actions}
    assert by_signal[DRIVER_TEMP].value.double_value == 28.0
    assert signal_value_from_proto(by_signal[FAN].value) == 90 and by_signal[FAN].status == pb.ACTION_STATUS_SENT
    for action in actions:
        assert action.source == "bench"
        assert (
            action.reason.startswith(BENCH_REASON) and "'bench-tool'" in action.reason and "HVAC_CMD" in action.reason
        )
    warning = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("HVAC_CMD" in m and "bench-tool" in m and DRIVER_TEMP in m for m in warning), warning
    assert all(BENCH not in m for m in warning)  # never the secret


async def test_raw_command_frames_on_an_inject_stream_are_told_too_and_status_frames_are_not() -> None:
    dbcs = DbcSet.load()
    hvac_cmd = dbcs.named("HVAC_CMD")
    _, command = dbcs.encode("HVAC_CMD", {"DRIVER_TEMP_REQ": 25.0}, None, 3)
    status_info = dbcs.named("HVAC_STATUS")
    _, status = dbcs.encode("HVAC_STATUS", {"DRIVER_TEMP": 19.0}, None, 3)
    async with guarded() as (server, _fake):
        _stub, got, task = await _listening(server)
        async with grpc.aio.insecure_channel(server.target) as channel:
            bench = bpb_grpc.BenchStub(channel)

            async def frames() -> AsyncIterator[bpb.InjectFrameRequest]:
                yield bpb.InjectFrameRequest(frame=bpb.Frame(can_id=status_info.frame_id, data=status))
                yield bpb.InjectFrameRequest(frame=bpb.Frame(can_id=hvac_cmd.frame_id, data=command))

            sent = await bench.InjectFrames(frames(), timeout=TIMEOUT_S, metadata=auth(BENCH))
            assert sent.sent == 2
            (action,) = await _actions(got, 1)
            await asyncio.sleep(0.2)  # nothing else follows: the status frame is not a command
            assert got.empty()
        task.cancel()
    assert action.signal == DRIVER_TEMP and action.value.double_value == 25.0
