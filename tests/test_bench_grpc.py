"""The Bench gRPC service on loopback, against the real stack: frames, injection, faults, stats, codes.

The server runs on the test's event loop; the synchronous bench client runs in worker threads
(``asyncio.to_thread``), as the ``can-sim`` tools would in their own process.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from can_sim.bus import BENCH_INTERFACE, BusConfig
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet
from can_sim.faults import Fault, FaultKind
from cockpit import vss
from cockpit.errors import InputError, RemoteError
from cockpit.events import EventType
from cockpit.server.bench import BENCH_SERVICE, BenchServicer, bench_registrar
from cockpit.server.bench_client import BenchClient
from cockpit.server.runner import CockpitServer, start_server
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from tests.conftest import Stack, close_stack, make_stack
from tests.support import eventually, settle_warmups

TIMEOUT_S = 0.5
DBCS = DbcSet.load()
HVAC_CMD, HVAC_STATUS = DBCS.named("HVAC_CMD").frame_id, DBCS.named("HVAC_STATUS").frame_id
WHEELSPEED_CLEAN = DBCS.named("WHEELSPEED_CLEAN").frame_id
_temps = itertools.cycle([19.0, 20.5, 23.0, 24.5, 26.0, 21.5])


@dataclass
class Served:
    stack: Stack
    server: CockpitServer
    bench: BenchServicer
    target: str


async def serve_stack(**overrides: object) -> Served:
    stack = make_stack(**{"can.confirm_timeout_s": TIMEOUT_S, **overrides})
    bench = BenchServicer(
        BusConfig("virtual", stack.parts.settings.can.channel),
        car=stack.parts.car,
        vehicle=stack.parts.vehicle,
    )
    server, port = await start_server(stack.parts.service, registrars=[bench_registrar(bench)])
    return Served(stack, server, bench, f"127.0.0.1:{port}")


async def shut(served: Served) -> None:
    await served.server.stop(0)
    served.bench.close()
    await close_stack(served.stack)
    await asyncio.to_thread(settle_warmups)


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    s = await serve_stack()
    yield s
    await shut(s)


def collect(target: str, seconds: float, *, count: int | None = None, **kwargs: Any) -> list[tuple[Any, Any]]:
    """Frames streamed for ``seconds``, or until ``count`` of them arrived (in a worker thread).

    A count keeps a test independent of how fast a busy machine delivers frames; ``seconds``
    is then only the bound.
    """
    out = []
    with BenchClient(target) as client:
        deadline = time.monotonic() + seconds
        for item in client.frames(**kwargs):
            out.append(item)
            if time.monotonic() >= deadline or (count is not None and len(out) >= count):
                break
    return out


async def final_action(stack: Stack) -> Mapping[str, Any]:
    rec = await stack.turn(f"set the temperature to {next(_temps):g} degrees")
    return next(e.data for e in rec.of_type(EventType.ACTION) if e.data["status"] != "sent")


async def test_frames_stream_raw_and_decoded_with_their_integrity(served: Served) -> None:
    items = await asyncio.to_thread(collect, served.target, 2.0, decode=True)
    names = {d.name: d for _, d in items if d is not None}
    assert names["HVAC_STATUS"].verdict.scheme == "e2e" and names["HVAC_STATUS"].verdict.ok
    assert names["WHEELSPEED_CLEAN"].verdict.scheme == "byd" and names["WHEELSPEED_CLEAN"].verdict.ok
    assert names["DRIVE_STATE"].signals["GEAR"] == "P"
    only = await asyncio.to_thread(collect, served.target, 1.0, ids=[HVAC_STATUS])
    assert only and {m.arbitration_id for m, d in only} == {HVAC_STATUS} and all(d is None for _, d in only)


async def test_injected_frames_and_signals_reach_the_bus_and_the_ecu(served: Served) -> None:
    car: Any = served.stack.parts.car
    tap = served.stack.tap
    with BenchClient(served.target) as client:
        sent = await asyncio.to_thread(client.inject_signal, "HVAC_CMD", {"DRIVER_TEMP_REQ": 27.5, "AC_REQ": "ON"})
        await eventually(lambda: car.hvac.state.driver_temp_c == 27.5 and car.hvac.state.ac)  # applied by the ECU
        await eventually(lambda: any(bytes(m.data) == bytes(sent.data) for m in tap.frames(HVAC_CMD)))  # the tap lags
        raw = bytes([0x11, 0x22, 0x33])
        await asyncio.to_thread(client.inject_frame, _message(0x123, raw))
        await eventually(lambda: any(bytes(m.data) == raw for m in tap.frames(0x123)))
        # Load is a rate: over the first few ms, one 50 Hz burst of three frames reads as 13 %.
        await asyncio.sleep(max(0.0, 0.6 - served.bench.stats.snapshot().uptime_s))
        stats = await asyncio.to_thread(client.stats)
    assert stats.bus.by_id(HVAC_CMD) is not None and stats.bus.by_id(WHEELSPEED_CLEAN).name == "WHEELSPEED_CLEAN"  # type: ignore[union-attr]
    assert 0.5 < stats.bus.load_percent < 10.0 and stats.bitrate == 500_000
    hvac = next(e for e in stats.ecus if e.name == "hvac")
    assert hvac.running and hvac.results == {"APPLIED": 1}


def _message(frame_id: int, data: bytes) -> Any:
    import can

    return can.Message(arbitration_id=frame_id, data=data, is_extended_id=False)


async def test_faults_over_grpc_show_on_the_bus_and_in_the_cockpit_and_clear(served: Served) -> None:
    stack = served.stack
    with BenchClient(served.target) as client:
        fault_id, description = await asyncio.to_thread(
            client.inject_fault, Fault(FaultKind.FREEZE_COUNTER, can_id=HVAC_STATUS)
        )
        assert description == "freeze-counter 0x3A1"
        action = await final_action(stack)
        assert action["status"] == "timeout" and "HVAC ECU" in action["reason"]
        items = await asyncio.to_thread(collect, served.target, 10.0, count=4, ids=[HVAC_STATUS], decode=True)
        reasons = [d.verdict.reason for _, d in items]
        assert len(reasons) >= 3 and set(reasons[1:]) == {"counter-repeated"}  # what the bench sees
        stats = await asyncio.to_thread(client.stats)
        assert [f.fault_id for f in stats.faults] == [fault_id] and stats.faults[0].frames_affected >= 3
        assert stats.cockpit is not None and stats.cockpit.rejected.get("counter-repeated", 0) >= 3
        assert stats.bus.integrity_errors.get("counter-repeated", 0) >= 3
        assert await asyncio.to_thread(client.clear_fault, fault_id) == 1
        await asyncio.sleep(0.3)
        assert (await final_action(stack))["status"] == "confirmed"

        await asyncio.to_thread(client.inject_fault, Fault(FaultKind.DROP, can_id=WHEELSPEED_CLEAN, duration_s=2.0))
        await asyncio.to_thread(client.inject_fault, Fault(FaultKind.DROP, can_id=0x122, duration_s=2.0))
        await eventually(lambda: stack.parts.vehicle.snapshot()[vss.IS_MOVING] is True)
        assert await asyncio.to_thread(client.clear_fault) == 2
        await eventually(lambda: stack.parts.vehicle.snapshot()[vss.IS_MOVING] is False)


async def test_bad_requests_get_documented_status_codes(served: Served) -> None:
    with BenchClient(served.target) as client:
        with pytest.raises(InputError) as err:
            await asyncio.to_thread(client.inject_frame, _message(0x800, b""))
        assert err.value.code == "bad-frame"
        with pytest.raises(InputError) as err:
            await asyncio.to_thread(client.inject_signal, "WARP_DRIVE", {})
        assert err.value.code == "unknown-message"
        with pytest.raises(InputError) as err:
            await asyncio.to_thread(client.inject_signal, "HVAC_CMD", {"DRIVER_TEMP_REQ": 400})
        assert err.value.code == "signal-unencodable"
        with pytest.raises(InputError) as err:
            await asyncio.to_thread(client.clear_fault, "f404")
        assert err.value.code == "unknown-fault"
        with pytest.raises(InputError) as err:
            await asyncio.to_thread(client.inject_fault, Fault(FaultKind.STOP_ECU, ecu="radio"))
        assert err.value.code == "unknown-ecu"
    async with grpc.aio.insecure_channel(served.target) as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=BENCH_SERVICE))
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stub = bpb_grpc.BenchStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as rpc:
            await stub.InjectFault(bpb.InjectFaultRequest(fault=bpb.Fault(kind=bpb.FAULT_KIND_UNSPECIFIED)))
        assert rpc.value.code() is grpc.StatusCode.INVALID_ARGUMENT and "bad-fault" in (rpc.value.details() or "")
        reply = await stub.InjectFault(
            bpb.InjectFaultRequest(fault=bpb.Fault(kind=bpb.FAULT_KIND_DROP, message="NAV_STATUS", duration_ms=100))
        )
        assert reply.description == "drop 0x3AD for 0.1 s"
        with pytest.raises(grpc.aio.AioRpcError) as rpc:
            await anext(aiter(stub.StreamFrames(bpb.StreamFramesRequest(can_ids=[1 << 30]))))
        assert rpc.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_without_a_simulated_car_fault_rpcs_fail_precondition_and_a_car_can_attach() -> None:
    # The remote car's frames arrive one RPC each through the Bench service: a generous bound on a busy machine.
    served = await serve_stack(**{"can.simulate": False, "can.confirm_timeout_s": 3.0})
    car = SimulatedCar(BusConfig(BENCH_INTERFACE, served.target), "parked")
    try:
        with BenchClient(served.target) as client, pytest.raises(RemoteError) as err:
            await asyncio.to_thread(client.inject_fault, Fault(FaultKind.STOP_ECU, ecu="hvac"))
        assert err.value.status == "FAILED_PRECONDITION" and err.value.code == "no-simulated-car"
        # The car of another process, attached to this cockpit's bus through the Bench service.
        await asyncio.to_thread(car.start)
        vehicle: Any = served.stack.parts.vehicle
        await eventually(lambda: vehicle.snapshot().get(vss.IS_MOVING) is False)
        action = await final_action(served.stack)
        assert action["status"] == "confirmed"
        assert car.hvac.state.driver_temp_c == action["value"]
    finally:
        await asyncio.to_thread(car.stop)
        await shut(served)


async def test_shutdown_ends_open_streams_promptly(served: Served) -> None:
    def read_until_end() -> str:
        with BenchClient(served.target) as client:
            call = client.stream()
            try:
                for _ in call:
                    pass
            except grpc.RpcError as err:
                return err.code().name
            return "OK"

    reader = asyncio.ensure_future(asyncio.to_thread(read_until_end))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await served.server.stop(5.0)
    assert time.monotonic() - started < 2.0  # the stream did not hold up the 5 s grace
    assert await reader == "UNAVAILABLE"
