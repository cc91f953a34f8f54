"""Two defects of issue 13, on the real stack: a ``corrupt-crc`` fault on the cockpit's own command
frames corrupts them on the bus, and ``Media.SelectedURI`` is in ``GetVehicleState`` once confirmed.
(The third, SIGTERM, is in tests/test_chaos.py.)"""

from __future__ import annotations

import time

import grpc

from can_sim.decode import DbcSet, FrameDecoder
from can_sim.faults import Fault, FaultKind
from cockpit import vss
from cockpit.server.convert import signal_value_from_proto
from cockpit.server.runner import start_server
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack
from tests.support import (  # noqa: F401 (fixtures)
    FAULT_CONFIRM_TIMEOUT_S,
    car_of,
    clear_faults,
    fault_stack,
    final_action,
)
from tests.test_grpc_support import TIMEOUT_S

DBCS = DbcSet.load()
HVAC_CMD = DBCS.named("HVAC_CMD").frame_id


async def test_corrupt_crc_on_the_cockpits_command_frames_reaches_the_bus_and_the_ecu_drops_them(
    stack: Stack,
) -> None:
    car = car_of(stack)
    fault = car.faults.inject(Fault(FaultKind.CORRUPT_CRC, can_id=HVAC_CMD))
    dropped_before = car.hvac.stats().dropped.get("crc", 0)
    t0 = time.time()
    action, _ = await final_action(stack, "set the temperature to 24.5 degrees")
    frames = [m for m in stack.tap.frames(HVAC_CMD) if m.timestamp > t0]
    assert frames and all(FrameDecoder(DBCS).decode(m).verdict.reason == "crc" for m in frames)
    assert car.hvac.stats().dropped.get("crc", 0) > dropped_before  # the ECU refused it, as it must
    assert action["status"] == "timeout"  # so the cockpit never claims it
    assert car.faults.applied(fault.fault_id) >= 1
    car.faults.clear(fault.fault_id)
    action, _ = await final_action(stack, "set the temperature to 24.5 degrees")
    assert action["status"] == "confirmed"


async def test_the_selected_media_uri_is_in_the_vehicle_state_once_confirmed(stack: Stack) -> None:
    server, _ = await start_server(stack.parts.service, "127.0.0.1", 0)
    try:
        async with grpc.aio.insecure_channel(server.target) as channel:
            stub = pb_grpc.CockpitStub(channel)
            call = stub.SendText(pb.TextTurnRequest(text="play some jazz"), timeout=TIMEOUT_S)
            events = [e async for e in call]
            selected = [
                e.action
                for e in events
                if e.WhichOneof("payload") == "action"
                and e.action.signal == vss.MEDIA_SELECTED_URI
                and e.action.status == pb.ACTION_STATUS_CONFIRMED
            ]
            assert selected, [e.WhichOneof("payload") for e in events]
            state = await stub.GetVehicleState(
                pb.GetVehicleStateRequest(signals=[vss.MEDIA_SELECTED_URI]), timeout=TIMEOUT_S
            )
    finally:
        await server.stop(0)
    values = {s.path: signal_value_from_proto(s.value) for s in state.signals}
    uri = values.get(vss.MEDIA_SELECTED_URI)
    assert isinstance(uri, str) and uri.startswith("media:")
    played = stack.parts.service.vehicle_state()[vss.MEDIA_PLAYED_URI]
    assert uri == played == signal_value_from_proto(selected[-1].value)  # the state says what the action said
