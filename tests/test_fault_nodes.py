"""Node faults (stopped ECU, rejecting ECU, error frames, bus-off): the bus, the cockpit, the recovery."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from can_sim.decode import DbcSet
from can_sim.fault_control import BUS_OFF_ERROR_FRAMES
from can_sim.faults import Fault, FaultKind
from cockpit import vss
from cockpit.errors import InputError
from tests.conftest import Stack
from tests.support import FAULT_CONFIRM_TIMEOUT_S, car_of, clear_faults, eventually, fault_stack, final_action  # noqa: F401 (fixtures)

DBCS = DbcSet.load()
HVAC_STATUS, MEDIA_STATUS = DBCS.named("HVAC_STATUS").frame_id, DBCS.named("MEDIA_STATUS").frame_id
POWERTRAIN_IDS = [DBCS.named(n).frame_id for n in ("WHEEL_SPEED", "DRIVE_STATE", "WHEELSPEED_CLEAN")]
_temps = itertools.cycle([19.0, 20.5, 23.0, 24.5, 26.0, 21.5])
_volumes = itertools.cycle([20, 35, 50, 25])


def since(stack: Stack, t0: float, frame_id: int | None = None) -> list[Any]:
    return [m for m in stack.tap.frames(frame_id) if m.timestamp > t0]


async def test_a_stopped_ecu_falls_silent_and_actions_time_out_with_a_reason(stack: Stack) -> None:
    car = car_of(stack)
    active = car.faults.inject(Fault(FaultKind.STOP_ECU, ecu="hvac"))
    t0 = time.time()
    assert not car.hvac.running
    action = (await final_action(stack, f"set the temperature to {next(_temps):g} degrees"))[0]
    assert action["status"] == "timeout"
    assert action["reason"] == f"no answer from the HVAC ECU within {FAULT_CONFIRM_TIMEOUT_S:g} s"
    assert not since(stack, t0, HVAC_STATUS)  # silence on the bus
    car.faults.clear(active.fault_id)
    assert car.hvac.running
    await asyncio.sleep(0.2)
    action = (await final_action(stack, f"set the temperature to {next(_temps):g} degrees"))[0]
    assert action["status"] == "confirmed"


async def test_an_ecu_that_rejects_commands_gives_rejected_actions(stack: Stack) -> None:
    car = car_of(stack)
    car.faults.inject(Fault(FaultKind.REJECT_COMMANDS, ecu="media"))
    t0 = time.time()
    volume = next(_volumes)
    action = (await final_action(stack, f"set the volume to {volume} percent"))[0]
    assert action["status"] == "rejected"
    assert action["reason"] == "the media unit refused the request: this car does not have that function"

    def refusal_on_the_bus() -> bool:
        answers = [DBCS.decode(DBCS.named("MEDIA_STATUS"), m.data) for m in since(stack, t0, MEDIA_STATUS)]
        return any(a["CMD_RESULT"] == "REJECTED_UNAVAILABLE" for a in answers)

    await eventually(refusal_on_the_bus)  # the tap hears it on its own thread, maybe after the gateway
    assert car.media.state.volume != volume
    car.faults.clear()
    action = (await final_action(stack, f"set the volume to {next(_volumes)} percent"))[0]
    assert action["status"] == "confirmed"


async def test_error_frames_are_seen_and_counted_but_do_not_stop_the_cockpit(stack: Stack) -> None:
    car, vehicle = car_of(stack), stack.parts.vehicle
    before = vehicle.stats().error_frames
    active = car.faults.inject(Fault(FaultKind.ERROR_FRAMES, rate_hz=200))
    t0 = time.time()
    action = (await final_action(stack, f"set the temperature to {next(_temps):g} degrees"))[0]
    assert action["status"] == "confirmed"  # the cockpit rides through a disturbed bus
    await asyncio.sleep(0.3)
    errors = [m for m in since(stack, t0) if m.is_error_frame]
    assert len(errors) >= 30  # about 200 a second on the bus
    assert vehicle.stats().error_frames - before >= 30  # counted
    car.faults.clear(active.fault_id)
    t1 = time.time() + 0.05
    await asyncio.sleep(0.2)
    assert not [m for m in since(stack, t1) if m.is_error_frame]


async def test_a_bus_off_powertrain_goes_silent_and_the_car_counts_as_moving(stack: Stack) -> None:
    car, vehicle = car_of(stack), stack.parts.vehicle
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is False)
    t0 = time.time()
    active = car.faults.inject(Fault(FaultKind.BUS_OFF, ecu="powertrain"))
    t_off = time.time()
    assert car.faults.layer.is_bus_off("powertrain")
    await asyncio.sleep(0.3)
    errors = [m for m in since(stack, t0) if m.is_error_frame]
    assert len(errors) == BUS_OFF_ERROR_FRAMES  # its failed transmissions, then nothing
    assert not [m for m in since(stack, t_off + 0.05) if m.arbitration_id in POWERTRAIN_IDS]
    assert vehicle.snapshot()[vss.IS_MOVING] is True  # silence is the safe side
    car.faults.clear(active.fault_id)
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is False)


async def test_a_bus_off_ecu_neither_answers_nor_hears_until_it_recovers(stack: Stack) -> None:
    car = car_of(stack)
    car.faults.inject(Fault(FaultKind.BUS_OFF, ecu="hvac", duration_s=1.0))
    t_off = time.time() + 0.05
    before = car.hvac.state
    action = (await final_action(stack, f"set the temperature to {next(_temps):g} degrees"))[0]
    assert action["status"] == "timeout" and "HVAC ECU" in action["reason"]
    assert car.hvac.state == before  # the command never reached it
    assert not since(stack, t_off, HVAC_STATUS)
    await eventually(lambda: not car.faults.active(), timeout=2.0)  # the duration ran out: bus-off recovery
    await asyncio.sleep(0.2)
    action = (await final_action(stack, f"set the temperature to {next(_temps):g} degrees"))[0]
    assert action["status"] == "confirmed"


def test_faults_are_validated_and_unknown_ones_cannot_be_cleared(stack: Stack) -> None:
    car = car_of(stack)
    with pytest.raises(InputError, match="CAN id"):
        Fault(FaultKind.DROP)
    with pytest.raises(InputError, match="probability"):
        Fault(FaultKind.DROP, can_id=0x1F0, probability=1.5)
    with pytest.raises(InputError, match="take commands"):
        Fault(FaultKind.REJECT_COMMANDS, ecu="powertrain")
    with pytest.raises(InputError, match="unknown fault kind"):
        Fault("melt")  # type: ignore[arg-type]
    with pytest.raises(InputError) as err:
        car.faults.inject(Fault(FaultKind.STOP_ECU, ecu="radio"))
    assert err.value.code == "unknown-ecu" and "hvac" in err.value.message
    with pytest.raises(InputError) as err:
        car.faults.clear("f999")
    assert err.value.code == "unknown-fault"
    assert car.faults.clear() == 0
