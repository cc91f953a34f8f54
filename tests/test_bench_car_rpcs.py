"""The Bench RPCs a remote tool drives the server's car with: streamed frames, drive profile, ECUs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import can
import grpc
import pytest

from can_sim.profiles import DriveProfile
from cockpit.errors import InputError, RemoteError
from cockpit.server import bench_convert as bc
from cockpit.server.bench_client import BenchClient
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from tests.test_bench_grpc import Served, eventually, serve_stack, shut


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    s = await serve_stack()
    yield s
    await shut(s)


def _requests(frames: list[can.Message]) -> Iterator[bpb.InjectFrameRequest]:
    for msg in frames:
        yield bpb.InjectFrameRequest(frame=bc.message_to_proto(msg))


async def test_streamed_frames_reach_the_bus_in_order_and_a_bad_one_ends_the_call(served: Served) -> None:
    tap = served.stack.tap
    frames = [can.Message(arbitration_id=0x6F0, data=bytes([i, 0, 0]), is_extended_id=False) for i in range(200)]
    with BenchClient(served.target) as client:
        sent = await asyncio.to_thread(client.inject_frames, _requests(frames))
        assert sent == 200
        await eventually(lambda: len(tap.frames(0x6F0)) >= 200, timeout=5.0)
        assert [m.data[0] for m in tap.frames(0x6F0)] == list(range(200))
        bad = [frames[0], can.Message(arbitration_id=0x800, data=b"", is_extended_id=False)]
        with pytest.raises(InputError) as refused:
            await asyncio.to_thread(client.inject_frames, _requests(bad))
    assert refused.value.code == "bad-frame"


async def test_a_profile_set_remotely_is_driven_and_the_old_one_comes_back(served: Served) -> None:
    car: Any = served.stack.parts.car
    steady = DriveProfile.of("steady", (0, 20, "D"))
    with BenchClient(served.target) as client:
        previous = await asyncio.to_thread(client.set_profile, steady)
        assert previous.name == "parked" and car.powertrain.profile == steady
        assert (await asyncio.to_thread(client.set_profile, previous)).name == "steady"
    with grpc.insecure_channel(served.target) as channel:
        request = bpb.SetDriveProfileRequest(profile=bpb.DriveProfile(name="nowhere"))
        with pytest.raises(grpc.RpcError) as unknown:
            await asyncio.to_thread(bpb_grpc.BenchStub(channel).SetDriveProfile, request)
    failure: Any = unknown.value
    assert failure.code() is grpc.StatusCode.INVALID_ARGUMENT and "unknown-profile" in failure.details()
    assert car.powertrain.profile.name == "parked"


async def test_an_ecu_stopped_remotely_falls_silent_and_starts_again(served: Served) -> None:
    car: Any = served.stack.parts.car
    with BenchClient(served.target) as client:
        assert await asyncio.to_thread(client.set_ecu_running, "media", False) is True
        assert not car.media.running
        assert await asyncio.to_thread(client.set_ecu_running, "media", True) is False
        assert car.media.running
        with pytest.raises(InputError):
            await asyncio.to_thread(client.set_ecu_running, "radar", False)


async def test_without_a_car_the_car_rpcs_fail_precondition() -> None:
    served = await serve_stack(**{"can.simulate": False})
    try:
        with BenchClient(served.target) as client, pytest.raises(RemoteError) as failed:
            await asyncio.to_thread(client.set_profile, DriveProfile.of("p", (0, 0, "P")))
        assert failed.value.code == "no-simulated-car"
    finally:
        await shut(served)
