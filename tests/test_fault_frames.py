"""Frame faults (drop, delay, corrupt CRC, freeze counter): what the bus shows, how the cockpit reacts.

Each test injects a fault on the real stack's simulated car (a private virtual channel), checks
the frames on the bus with a tap, checks the cockpit's reaction through a typed turn or the
vehicle state, clears the fault and checks that the cockpit recovers. No mocks.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping
from typing import Any

from can_sim.decode import DbcSet, FrameDecoder
from can_sim.faults import Fault, FaultKind
from cockpit import vss
from cockpit.events import EventRecorder, EventType
from tests.conftest import Stack
from tests.support import FAULT_CONFIRM_TIMEOUT_S, car_of, clear_faults, eventually, fault_stack, final_action  # noqa: F401 (fixtures)

DBCS = DbcSet.load()
HVAC_CMD, HVAC_STATUS = DBCS.named("HVAC_CMD").frame_id, DBCS.named("HVAC_STATUS").frame_id
WHEEL_SPEED, WHEELSPEED_CLEAN = DBCS.named("WHEEL_SPEED").frame_id, DBCS.named("WHEELSPEED_CLEAN").frame_id
DRIVE_STATE = DBCS.named("DRIVE_STATE").frame_id
RECOVERY_S = 0.3  # three HVAC status cycles: enough for the gateway's E2E receiver to resynchronise
_temps = itertools.cycle([19.0, 20.5, 23.0, 24.5, 26.0, 21.5])


def rejected(stack: Stack, reason: str) -> int:
    return int(stack.parts.vehicle.stats().rejected.get(reason, 0))


async def set_temperature(stack: Stack) -> tuple[Mapping[str, Any], EventRecorder]:
    """One climate turn; returns its final action event's data (not the ``sent`` one) and the events."""
    return await final_action(stack, f"set the temperature to {next(_temps):g} degrees")


def since(stack: Stack, frame_id: int, t0: float) -> list[Any]:
    """Frames of ``frame_id`` put on the bus after ``t0`` (``time.time()``, the virtual bus's clock)."""
    return [m for m in stack.tap.frames(frame_id) if m.timestamp > t0]


def verdicts(stack: Stack, frame_id: int, t0: float) -> list[str]:
    decoder = FrameDecoder(DBCS)
    return [decoder.decode(m).verdict.reason for m in since(stack, frame_id, t0)]


async def test_dropped_speed_frames_make_the_cockpit_treat_the_car_as_moving(stack: Stack) -> None:
    car, vehicle = car_of(stack), stack.parts.vehicle
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is False)
    ids = [car.faults.inject(Fault(FaultKind.DROP, can_id=i)).fault_id for i in (WHEELSPEED_CLEAN, WHEEL_SPEED)]
    t0 = time.time()
    await asyncio.sleep(0.3)
    assert not since(stack, WHEELSPEED_CLEAN, t0) and not since(stack, WHEEL_SPEED, t0)  # gone from the bus
    assert len(since(stack, DRIVE_STATE, t0)) >= 5  # the gear frame still comes
    assert vehicle.snapshot()[vss.IS_MOVING] is True  # the safe side
    assert vehicle.snapshot()[vss.SPEED] == 0.0  # the last speed, but stale
    for fault_id in ids:
        car.faults.clear(fault_id)
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is False)


async def test_a_partial_drop_loses_some_frames_and_the_cockpit_keeps_going(stack: Stack) -> None:
    car = car_of(stack)
    active = car.faults.inject(Fault(FaultKind.DROP, can_id=WHEELSPEED_CLEAN, probability=0.5))
    t0 = time.time()
    await eventually(lambda: car.faults.applied(active.fault_id) >= 8)  # about half are lost...
    # ... the rest get through, and the monitor sees the lost ones as gaps in the counter.
    await eventually(lambda: "counter-jump" in verdicts(stack, WHEELSPEED_CLEAN, t0))
    # WHEEL_SPEED still arrives, so the speed stays fresh: the car is not taken for moving.
    await eventually(lambda: stack.parts.vehicle.snapshot()[vss.IS_MOVING] is False)


async def test_delayed_status_frames_confirm_late_or_time_out(stack: Stack) -> None:
    car = car_of(stack)
    fault = car.faults.inject(Fault(FaultKind.DELAY, can_id=HVAC_STATUS, delay_s=0.15))
    action, rec = await set_temperature(stack)
    assert action["status"] == "confirmed"
    sent = next(e for e in rec.of_type(EventType.ACTION) if e.data["status"] == "sent")
    done = next(e for e in rec.of_type(EventType.ACTION) if e.data["status"] == "confirmed")
    assert done.t_ms - sent.t_ms >= 150  # the answer arrived, late
    car.faults.clear(fault.fault_id)

    car.faults.inject(Fault(FaultKind.DELAY, can_id=HVAC_STATUS, delay_s=0.8))
    action, _ = await set_temperature(stack)
    assert action["status"] == "timeout"
    assert action["reason"] == f"no answer from the HVAC ECU within {FAULT_CONFIRM_TIMEOUT_S:g} s"
    car.faults.clear()
    await asyncio.sleep(0.8 + RECOVERY_S)  # frames still in the delay line arrive first
    action, _ = await set_temperature(stack)
    assert action["status"] == "confirmed"


async def test_corrupted_status_frames_are_rejected_counted_and_time_out(stack: Stack) -> None:
    car = car_of(stack)
    before = rejected(stack, "crc")
    car.faults.inject(Fault(FaultKind.CORRUPT_CRC, can_id=HVAC_STATUS))
    t0 = time.time()
    action, _ = await set_temperature(stack)
    assert action["status"] == "timeout" and "no answer from the HVAC ECU" in action["reason"]
    assert set(verdicts(stack, HVAC_STATUS, t0)) == {"crc"}  # every status frame on the bus is bad
    assert rejected(stack, "crc") - before >= 5  # the gateway refused and counted each one
    car.faults.clear()
    await asyncio.sleep(RECOVERY_S)
    action, _ = await set_temperature(stack)
    assert action["status"] == "confirmed"


async def test_corrupted_byd_checksums_are_rejected_and_wheel_speeds_take_over(stack: Stack) -> None:
    car, vehicle = car_of(stack), stack.parts.vehicle
    before = rejected(stack, "byd-checksum")
    car.faults.inject(Fault(FaultKind.CORRUPT_CRC, can_id=WHEELSPEED_CLEAN))
    t0 = time.time()
    await asyncio.sleep(0.4)
    assert set(verdicts(stack, WHEELSPEED_CLEAN, t0)) == {"checksum"}
    assert rejected(stack, "byd-checksum") - before >= 10
    assert vehicle.snapshot()[vss.IS_MOVING] is False  # WHEEL_SPEED is still fresh
    car.faults.clear()
    t1 = time.time()
    await asyncio.sleep(0.2)
    assert set(verdicts(stack, WHEELSPEED_CLEAN, t1)) == {""}


async def test_a_frozen_status_counter_is_rejected_and_the_action_times_out(stack: Stack) -> None:
    car = car_of(stack)
    before = rejected(stack, "counter-repeated")
    car.faults.inject(Fault(FaultKind.FREEZE_COUNTER, can_id=HVAC_STATUS))
    t0 = time.time()
    action, _ = await set_temperature(stack)
    assert action["status"] == "timeout"
    assert action["reason"] == f"no answer from the HVAC ECU within {FAULT_CONFIRM_TIMEOUT_S:g} s"
    frames = since(stack, HVAC_STATUS, t0)
    assert len({m.data[1] & 0x0F for m in frames}) == 1 and len(frames) >= 5  # one counter, over and over
    # The CRCs are valid: only the counter is stale.
    assert set(verdicts(stack, HVAC_STATUS, t0)) <= {"", "counter-repeated"}
    assert rejected(stack, "counter-repeated") - before >= 5
    car.faults.clear()
    await asyncio.sleep(RECOVERY_S)
    action, _ = await set_temperature(stack)
    assert action["status"] == "confirmed"
