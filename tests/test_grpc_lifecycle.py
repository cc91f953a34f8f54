"""The server around the servicer: reflection, health, graceful shutdown (also on SIGTERM), binding."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from cockpit.errors import ConfigError
from cockpit.server.convert import proto_to_dict
from cockpit.server.runner import CockpitServer, serve
from cockpit.testing import FakeAssistant
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_support import TIMEOUT_S, channel, serving

REPO = Path(__file__).resolve().parent.parent
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def test_reflection_lists_the_services() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        stub = reflection_pb2_grpc.ServerReflectionStub(chan)
        call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        reply = await asyncio.wait_for(call.read(), TIMEOUT_S)
        call.cancel()
    names = {s.name for s in reply.list_services_response.service}
    assert {"cockpit.v1.Cockpit", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names
    assert "cockpit.v1.Bench" not in names  # not registered until its servicer exists


async def test_reflection_describes_the_cockpit_service() -> None:
    async with serving(FakeAssistant()) as server, channel(server.target) as chan:
        stub = reflection_pb2_grpc.ServerReflectionStub(chan)
        request = reflection_pb2.ServerReflectionRequest(file_containing_symbol="cockpit.v1.Cockpit")
        call = stub.ServerReflectionInfo(iter([request]))
        reply = await asyncio.wait_for(call.read(), TIMEOUT_S)
        call.cancel()
    assert reply.file_descriptor_response.file_descriptor_proto  # grpcurl can describe it


async def test_health_is_serving_then_not_serving_once_shutdown_begins() -> None:
    fake = FakeAssistant()
    server = CockpitServer(fake, "127.0.0.1", 0)
    await server.start()
    try:
        async with channel(server.target) as chan:
            stub = health_pb2_grpc.HealthStub(chan)
            for name in ("", "cockpit.v1.Cockpit"):
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=TIMEOUT_S)
                assert reply.status == SERVING
            watch = stub.Watch(health_pb2.HealthCheckRequest(service="cockpit.v1.Cockpit"), timeout=TIMEOUT_S)
            assert (await asyncio.wait_for(watch.read(), TIMEOUT_S)).status == SERVING
            stopping = asyncio.create_task(server.stop(0.5))
            assert (await asyncio.wait_for(watch.read(), TIMEOUT_S)).status == NOT_SERVING
            await asyncio.wait_for(stopping, TIMEOUT_S)
    finally:
        await asyncio.wait_for(server.stop(0), TIMEOUT_S)


async def test_shutdown_lets_a_turn_in_flight_finish_and_refuses_new_ones() -> None:
    fake = FakeAssistant()
    server = CockpitServer(fake, "127.0.0.1", 0)
    await server.start()
    async with channel(server.target) as chan:
        stub = pb_grpc.CockpitStub(chan)
        call = stub.SendText(pb.TextTurnRequest(text="slow"), timeout=TIMEOUT_S)
        assert proto_to_dict(await asyncio.wait_for(call.read(), TIMEOUT_S))["type"] == "intent"
        stopping = asyncio.create_task(server.stop(TIMEOUT_S))
        await asyncio.sleep(0.1)
        assert not stopping.done()  # waiting for the turn
        fake.release.set()
        assert proto_to_dict(await asyncio.wait_for(call.read(), TIMEOUT_S))["text"] == "Done waiting."
        assert await asyncio.wait_for(call.code(), TIMEOUT_S) is grpc.StatusCode.OK
        await asyncio.wait_for(stopping, TIMEOUT_S)
        assert not fake.cancelled.is_set()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE


async def test_a_turn_that_outlives_the_grace_period_is_cancelled() -> None:
    fake = FakeAssistant()
    server = CockpitServer(fake, "127.0.0.1", 0)
    await server.start()
    async with channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).SendText(pb.TextTurnRequest(text="slow"), timeout=TIMEOUT_S)
        await asyncio.wait_for(call.read(), TIMEOUT_S)
        await asyncio.wait_for(server.stop(0.2), TIMEOUT_S)
        await asyncio.wait_for(fake.cancelled.wait(), TIMEOUT_S)
        assert await asyncio.wait_for(call.code(), TIMEOUT_S) is not grpc.StatusCode.UNKNOWN


async def test_watch_streams_end_unavailable_on_shutdown_without_holding_it_up() -> None:
    fake = FakeAssistant()
    server = CockpitServer(fake, "127.0.0.1", 0)
    await server.start()
    async with channel(server.target) as chan:
        call = pb_grpc.CockpitStub(chan).WatchVehicleState(pb.WatchVehicleStateRequest(), timeout=TIMEOUT_S)
        await asyncio.wait_for(call.read(), TIMEOUT_S)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await asyncio.wait_for(server.stop(TIMEOUT_S), TIMEOUT_S + 1)
        assert loop.time() - began < TIMEOUT_S / 2
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            while await asyncio.wait_for(call.read(), TIMEOUT_S) is not grpc.aio.EOF:
                pass  # the rest of the first snapshot
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
        assert (caught.value.details() or "").startswith("server-shutting-down: ")
        assert fake.watchers == 0


async def test_serve_stops_gracefully_when_asked() -> None:
    stop = asyncio.Event()
    started: list[CockpitServer] = []
    task = asyncio.create_task(serve(FakeAssistant(), "127.0.0.1", 0, 1.0, ready=started.append, stop=stop))
    for _ in range(200):
        if started or task.done():
            break
        await asyncio.sleep(0.01)
    assert started and started[0].port > 0
    async with channel(started[0].target) as chan:
        reply = await pb_grpc.CockpitStub(chan).ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
        assert reply.skills
    stop.set()
    await asyncio.wait_for(task, TIMEOUT_S)


async def test_a_busy_port_is_a_config_error() -> None:
    async with serving(FakeAssistant()) as first:
        with pytest.raises(ConfigError) as caught:
            await CockpitServer(FakeAssistant(), "127.0.0.1", first.port).start()
    assert caught.value.code == "listen-failed"


_SERVE = (
    "import sys\n"
    "from cockpit.cli.main import main\n"
    "from tests.test_grpc_support import make_fake\n"
    "sys.exit(main(['serve', '--port', '0', '--insecure'], service_factory=make_fake))\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_cockpit_serve_finishes_the_turn_in_flight_on_sigterm() -> None:
    env = {**os.environ, "COCKPIT_SERVER_GRACE_S": "5", "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVE, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line.startswith("cockpit: serving on 127.0.0.1:"), line
        target = line.rsplit(" ", 1)[1].strip()
        async with channel(target) as chan:
            call = pb_grpc.CockpitStub(chan).SendText(pb.TextTurnRequest(text="sleep 0.5"), timeout=TIMEOUT_S)
            assert proto_to_dict(await asyncio.wait_for(call.read(), TIMEOUT_S))["type"] == "intent"
            proc.send_signal(signal.SIGTERM)
            reply = await asyncio.wait_for(call.read(), TIMEOUT_S)
            assert proto_to_dict(reply) | {"t_ms": 0} == {"type": "reply", "turn": 0, "t_ms": 0, "text": "Slept."}
            assert await asyncio.wait_for(call.code(), TIMEOUT_S) is grpc.StatusCode.OK
        assert await asyncio.wait_for(proc.wait(), TIMEOUT_S) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_serve_on_a_busy_port_fails_instead_of_hanging() -> None:
    async with serving(FakeAssistant()) as first:
        with pytest.raises(ConfigError):
            await asyncio.wait_for(serve(FakeAssistant(), "127.0.0.1", first.port, handle_signals=False), TIMEOUT_S)
