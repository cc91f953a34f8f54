"""The body ECU (windows, sunroof, child locks) on a real virtual bus, the driving state, and the
interlock table the policy applies to body writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from can_sim.profiles import profile_named
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.errors import ConfigError
from cockpit.events import ActionStatus, PolicyDecision
from cockpit.interlocks import INTERLOCKS, DrivingState, driving_state
from cockpit.policy import Policy
from cockpit.skill_api import SignalValue, SignalWrite
from cockpit.vehicle.gateway import CanVehicle
from tests.support import eventually
from vehicle_contract.bus import open_bus
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
BODY_CMD = CODEC.frame_id("BODY_CMD")
PARK, DRIVE = 126, 127


def car_at(speed: float | None, gear: int = DRIVE, **more: SignalValue) -> dict[str, SignalValue]:
    """A confirmed state: ``speed`` None means the cockpit has not heard the powertrain yet."""
    state: dict[str, SignalValue] = {vss.SELECTED_GEAR: gear, **more}
    if speed is None:
        state[vss.IS_MOVING] = True
    else:
        state.update({vss.SPEED: speed, vss.IS_MOVING: speed >= 0.5})
    return state


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (car_at(0.0, PARK), DrivingState.PARKED),
        (car_at(0.0, DRIVE), DrivingState.IDLING),
        (car_at(0.2, DRIVE), DrivingState.IDLING),
        (car_at(50.0, DRIVE), DrivingState.MOVING),
        (car_at(None, PARK), DrivingState.MOVING),  # no speed heard: the safe side
        ({}, DrivingState.MOVING),
    ],
)
def test_driving_state_comes_from_speed_and_gear(state: dict[str, SignalValue], expected: DrivingState) -> None:
    assert driving_state(state) is expected


POLICY = Policy()


def verdict(write: SignalWrite, state: dict[str, SignalValue], speaker: str = "driver") -> tuple[PolicyDecision, str]:
    result = POLICY.check_plan([write], state, speaker)
    return result.decision, result.reason


def test_the_sunroof_does_not_open_above_the_speed_limit_and_says_why() -> None:
    decision, reason = verdict(SignalWrite(vss.SUNROOF_POSITION, 100), car_at(120.0))
    assert decision is PolicyDecision.REFUSED
    assert reason == "I can't open the sunroof above 80 km/h; the car is at 120 km/h."
    assert verdict(SignalWrite(vss.SUNROOF_POSITION, 100), car_at(0.0, PARK))[0] is PolicyDecision.ALLOWED
    assert verdict(SignalWrite(vss.SUNROOF_POSITION, 100), car_at(60.0))[0] is PolicyDecision.ALLOWED


def test_closing_the_sunroof_is_always_allowed_and_an_unknown_speed_counts_as_too_fast() -> None:
    open_roof = car_at(120.0, **{vss.SUNROOF_POSITION: 100})
    assert verdict(SignalWrite(vss.SUNROOF_POSITION, 0), open_roof)[0] is PolicyDecision.ALLOWED
    decision, reason = verdict(SignalWrite(vss.SUNROOF_POSITION, 50), car_at(None))
    assert decision is PolicyDecision.REFUSED and "an unknown speed" in reason


def test_a_window_fully_open_at_speed_needs_a_yes_but_partly_open_does_not() -> None:
    decision, reason = verdict(SignalWrite(vss.DRIVER_WINDOW, 100), car_at(110.0))
    assert decision is PolicyDecision.NEEDS_CONFIRMATION and "110 km/h" in reason and reason.endswith("?")
    assert verdict(SignalWrite(vss.DRIVER_WINDOW, 30), car_at(110.0))[0] is PolicyDecision.ALLOWED
    assert verdict(SignalWrite(vss.DRIVER_WINDOW, 100), car_at(30.0))[0] is PolicyDecision.ALLOWED


def test_rear_windows_obey_the_child_lock_for_the_rear_seats_only() -> None:
    locked = car_at(30.0, **{vss.REAR_DRIVER_SIDE_CHILD_LOCK: True, vss.REAR_PASSENGER_SIDE_CHILD_LOCK: False})
    rear_left = SignalWrite(vss.REAR_DRIVER_SIDE_WINDOW, 50)
    decision, reason = verdict(rear_left, locked, speaker="rear-left")
    assert decision is PolicyDecision.REFUSED and "child lock" in reason
    assert verdict(rear_left, locked, speaker="driver")[0] is PolicyDecision.ALLOWED  # the driver's master switch
    rear_right = SignalWrite(vss.REAR_PASSENGER_SIDE_WINDOW, 50)
    assert verdict(rear_right, locked, speaker="rear-right")[0] is PolicyDecision.ALLOWED  # that side is unlocked
    closing = SignalWrite(vss.REAR_DRIVER_SIDE_WINDOW, 0)
    assert verdict(closing, {**locked, vss.REAR_DRIVER_SIDE_WINDOW: 50}, "rear-left")[0] is PolicyDecision.ALLOWED
    unlock = SignalWrite(vss.REAR_DRIVER_SIDE_CHILD_LOCK, False)
    assert verdict(unlock, locked, speaker="rear-left") == (
        PolicyDecision.REFUSED,
        "Only the front seats can change the child lock.",
    )


def test_range_refusals_come_before_interlocks_and_every_row_has_a_reason() -> None:
    decision, reason = verdict(SignalWrite(vss.SUNROOF_POSITION, 150), car_at(120.0))
    assert decision is PolicyDecision.REFUSED and "between 0 and 100 percent" in reason
    for row in INTERLOCKS:
        assert row.reason and row.signals <= set(vss.SIGNALS)


def test_steady_profiles_drive_in_d_at_the_speed_asked() -> None:
    assert profile_named("steady:120").at(5.0) == (120.0, "D")
    assert profile_named("steady:0").at(0.0) == (0.0, "D")
    for bad in ("steady:fast", "steady:-5", "steady:900"):
        with pytest.raises(ConfigError):
            profile_named(bad)


@pytest.fixture
async def vehicle(bus_config: BusConfig) -> AsyncIterator[CanVehicle]:
    bus = open_bus("virtual", bus_config.channel)
    made = CanVehicle(bus, confirm_timeout_s=2.0)
    yield made
    made.close()
    bus.shutdown()


async def test_the_body_ecu_confirms_a_sunroof_and_window_command_in_one_frame(
    car: SimulatedCar, vehicle: CanVehicle, bus_config: BusConfig
) -> None:
    with BusTap(bus_config) as tap:
        outcomes = await vehicle.write([SignalWrite(vss.SUNROOF_POSITION, 40), SignalWrite(vss.DRIVER_WINDOW, 100)])
        assert [o.status for o in outcomes] == [ActionStatus.CONFIRMED, ActionStatus.CONFIRMED]
        await eventually(lambda: len(tap.frames(BODY_CMD)) == 1)  # the tap's thread may lag the cockpit's
        [frame] = tap.frames(BODY_CMD)
        sent = CODEC.decode(frame.arbitration_id, frame.data)
        assert sent["SUNROOF_REQ"] == 40 and sent["WINDOW_FL_REQ"] == 100
        assert all(str(sent[f"WINDOW_{w}_REQ"]) == "NO_REQUEST" for w in ("FR", "RL", "RR"))
    assert car.body.state.sunroof == 40 and car.body.state.windows == (100, 0, 0, 0)
    await eventually(lambda: vehicle.snapshot().get(vss.SUNROOF_POSITION) == 40)
    assert vehicle.snapshot()[vss.REAR_DRIVER_SIDE_CHILD_LOCK] is False


async def test_the_body_ecu_refuses_a_position_beyond_fully_open(car: SimulatedCar, vehicle: CanVehicle) -> None:
    [outcome] = await vehicle.write([SignalWrite(vss.PASSENGER_WINDOW, 120)])
    assert outcome.status is ActionStatus.REJECTED and "body ECU" in outcome.reason
    assert car.body.state.windows == (0, 0, 0, 0)
    [locked] = await vehicle.write([SignalWrite(vss.REAR_PASSENGER_SIDE_CHILD_LOCK, True)])
    assert locked.status is ActionStatus.CONFIRMED and car.body.state.child_lock_right is True
