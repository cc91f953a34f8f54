"""CanVehicle against the simulated car on a real python-can virtual bus (no mocks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator

import can
import pytest
from can.interfaces.virtual import VirtualBus

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from can_sim.profiles import DriveProfile
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.errors import ConfigError, TransmitNotAllowed
from cockpit.events import ActionStatus
from cockpit.skill_api import SignalWrite
from cockpit.vehicle.api import WriteOutcome
from cockpit.vehicle.gateway import CanVehicle
from tests.support import eventually
from vehicle_contract import e2e
from vehicle_contract.bus import open_bus
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
HVAC_CMD, HVAC_STATUS = CODEC.frame_id("HVAC_CMD"), CODEC.frame_id("HVAC_STATUS")
TIMEOUT_S = 0.4  # a short confirmation bound keeps the timeout tests quick
MakeVehicle = Callable[..., CanVehicle]


@pytest.fixture
def tap(bus_config: BusConfig) -> Iterator[BusTap]:
    with BusTap(bus_config) as listening:
        yield listening


@pytest.fixture
async def make_vehicle(bus_config: BusConfig) -> AsyncIterator[MakeVehicle]:
    made: list[tuple[CanVehicle, can.BusABC]] = []

    def make(**kwargs: object) -> CanVehicle:
        bus = open_bus("virtual", bus_config.channel)
        vehicle = CanVehicle(bus, **{"confirm_timeout_s": TIMEOUT_S, **kwargs})  # type: ignore[arg-type]
        made.append((vehicle, bus))
        return vehicle

    yield make
    for vehicle, bus in made:
        vehicle.close()
        bus.shutdown()


def status(msg: can.Message) -> dict[str, object]:
    return CODEC.decode(msg.arbitration_id, msg.data)


async def test_write_is_confirmed_by_the_hvac_status_frame(
    car: SimulatedCar, tap: BusTap, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle()
    sent: list[SignalWrite] = []
    [outcome] = await vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 21.0)], on_sent=sent.append)

    assert outcome.status is ActionStatus.CONFIRMED and outcome.value == 21.0
    assert [w.signal for w in sent] == [vss.DRIVER_TEMPERATURE]
    await eventually(lambda: len(tap.frames(HVAC_CMD)) == 1)
    [command] = tap.frames(HVAC_CMD)

    def answers() -> list[can.Message]:  # the tap's thread may hear the answer after the cockpit did
        acked = e2e.counter_of(command.data)
        return [
            m for m in tap.frames(HVAC_STATUS) if status(m)["ACK_COUNTER"] == acked and m.timestamp >= command.timestamp
        ]

    await eventually(lambda: bool(answers()))
    answer = answers()[0]
    assert status(answer)["DRIVER_TEMP"] == 21.0
    assert str(status(answer)["CMD_RESULT"]) == "APPLIED"
    assert car.hvac.state.driver_temp_c == 21.0
    assert vehicle.snapshot()[vss.DRIVER_TEMPERATURE] == 21.0


async def test_ecu_refuses_a_temperature_beyond_its_limits(
    car: SimulatedCar, tap: BusTap, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle()
    [outcome] = await vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 35.0)])

    assert outcome.status is ActionStatus.REJECTED
    assert "HVAC ECU" in outcome.reason and "outside" in outcome.reason
    assert car.hvac.state.driver_temp_c == 22.0
    await eventually(lambda: any(str(status(m)["CMD_RESULT"]) == "REJECTED_LIMIT" for m in tap.frames(HVAC_STATUS)))


async def test_stopped_ecu_gives_a_timeout_within_the_bound(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    vehicle = make_vehicle()
    car.hvac.stop()
    started = time.monotonic()
    [outcome] = await vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 23.0)])
    elapsed = time.monotonic() - started

    assert outcome.status is ActionStatus.TIMEOUT
    assert "HVAC ECU" in outcome.reason and f"{TIMEOUT_S:g} s" in outcome.reason
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 0.5

    car.hvac.start()  # back on the bus, the next command goes through
    [again] = await vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 23.0)])
    assert again.status is ActionStatus.CONFIRMED


async def test_corrupted_and_stale_status_frames_are_rejected_and_counted(
    tap: BusTap, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle()  # no HVAC ECU on this bus: the tap plays it

    def hvac_status(temp: float, counter: int) -> bytes:
        return CODEC.encode("HVAC_STATUS", {"DRIVER_TEMP": temp, "ACK_COUNTER": 15}, counter)

    good = hvac_status(20.0, 3)
    tap.send(HVAC_STATUS, good)
    await eventually(lambda: vehicle.snapshot().get(vss.DRIVER_TEMPERATURE) == 20.0)

    corrupted = bytearray(hvac_status(29.5, 4))
    corrupted[0] ^= 0xFF
    tap.send(HVAC_STATUS, bytes(corrupted))
    tap.send(HVAC_STATUS, hvac_status(28.0, 3))  # the counter of the frame before: stale
    tap.send(HVAC_STATUS, hvac_status(27.0, 12))  # nine steps on: frames went missing
    await eventually(lambda: sum(vehicle.stats().rejected.values()) == 3)

    stats = vehicle.stats()
    assert stats.rejected == {"crc": 1, "counter-repeated": 1, "counter-jump": 1}
    assert stats.rx[HVAC_STATUS] == 4
    assert vehicle.snapshot()[vss.DRIVER_TEMPERATURE] == 20.0


async def test_transmit_allow_list_raises_and_sends_nothing(
    car: SimulatedCar, tap: BusTap, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle(transmit_allow={CODEC.frame_id("SEAT_CMD")})
    writes = [SignalWrite(vss.DRIVER_SEAT_HEATING, 30), SignalWrite(vss.DRIVER_TEMPERATURE, 21.0)]
    with pytest.raises(TransmitNotAllowed) as raised:
        await vehicle.write(writes)

    assert raised.value.code == "transmit-not-allowed"
    await asyncio.sleep(0.1)
    assert not tap.frames(HVAC_CMD) and not tap.frames(CODEC.frame_id("SEAT_CMD"))
    assert vehicle.stats().tx == {}
    with pytest.raises(ConfigError):
        make_vehicle(transmit_allow={0x122})  # a BYD id can never be allowed


async def test_subscribers_hear_confirmed_changes_and_can_leave(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    vehicle = make_vehicle()
    heard: list[tuple[str, object]] = []
    unsubscribe = vehicle.subscribe(lambda path, value: heard.append((path, value)))
    await vehicle.write([SignalWrite(vss.AC_ACTIVE, True), SignalWrite(vss.DRIVER_FAN_SPEED, 70)])
    await eventually(lambda: (vss.AC_ACTIVE, True) in heard and (vss.DRIVER_FAN_SPEED, 70) in heard)
    unsubscribe()
    heard.clear()
    await vehicle.write([SignalWrite(vss.AC_ACTIVE, False)])
    await asyncio.sleep(0.05)
    assert (vss.AC_ACTIVE, False) not in heard


async def test_many_commands_in_a_row_all_confirm_across_counter_wraps(
    car: SimulatedCar, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle()
    for volume in range(0, 40, 2):  # 20 commands: the 0..14 counter wraps
        [outcome] = await vehicle.write([SignalWrite(vss.MEDIA_VOLUME, volume)])
        assert (outcome.status, outcome.value) == (ActionStatus.CONFIRMED, volume)
    assert car.media.stats().dropped == {}


async def test_media_selection_skip_and_labels(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    titles = {"media:station:7": {vss.MEDIA_TRACK: "Morning Show", vss.MEDIA_ARTIST: "Radio 7"}}
    vehicle = make_vehicle(labels=lambda uri: titles.get(uri, {}))
    [selected] = await vehicle.write([SignalWrite(vss.MEDIA_SELECTED_URI, "media:station:7")])
    assert (selected.status, selected.value) == (ActionStatus.CONFIRMED, "media:station:7")
    state = vehicle.snapshot()
    assert state[vss.MEDIA_SOURCE] == "station" and state[vss.MEDIA_TRACK] == "Morning Show"

    [skipped] = await vehicle.write([SignalWrite(vss.MEDIA_ACTION, "SKIP-FORWARD")])
    assert (skipped.status, skipped.value) == (ActionStatus.CONFIRMED, "SKIP-FORWARD")
    assert vehicle.snapshot()[vss.MEDIA_PLAYED_URI] == "media:station:8"
    assert vehicle.snapshot()[vss.MEDIA_TRACK] == ""  # no stale title for the next station


async def test_destination_set_then_guidance_cancelled(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    vehicle = make_vehicle()
    outcomes = await vehicle.write([SignalWrite(vss.NAV_LATITUDE, 48.13743), SignalWrite(vss.NAV_LONGITUDE, 11.57549)])
    assert [(o.status, o.value) for o in outcomes] == [
        (ActionStatus.CONFIRMED, 48.1374),
        (ActionStatus.CONFIRMED, 11.5755),
    ]
    assert vehicle.snapshot()[vss.NAV_GUIDANCE_ACTIVE] is True
    [cancel] = await vehicle.write([SignalWrite(vss.NAV_GUIDANCE_ACTIVE, False)])
    assert (cancel.status, cancel.value) == (ActionStatus.CONFIRMED, False)
    assert car.navigation.state.guidance is False


async def test_seat_cooling_on_a_seat_without_ventilation_is_not_available(
    bus_config: BusConfig, make_vehicle: MakeVehicle
) -> None:
    with SimulatedCar(bus_config, seats_ventilated=False):
        vehicle = make_vehicle()
        [outcome] = await vehicle.write([SignalWrite(vss.PASSENGER_SEAT_HEATING, -40)])
    assert outcome.status is ActionStatus.REJECTED and "does not have" in outcome.reason


async def test_speed_and_gear_follow_the_drive_profile(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    vehicle = make_vehicle()
    await eventually(lambda: vehicle.snapshot().get(vss.SELECTED_GEAR) == 126)
    assert vehicle.snapshot()[vss.SPEED] == 0.0 and vehicle.snapshot()[vss.IS_MOVING] is False

    car.powertrain.set_profile(DriveProfile.of("cruise", (0, 30, "D")))
    await eventually(lambda: vehicle.snapshot().get(vss.SPEED) == 30.0)
    assert vehicle.snapshot()[vss.SELECTED_GEAR] == 127 and vehicle.snapshot()[vss.IS_MOVING] is True

    car.powertrain.set_profile(DriveProfile.of("ramp", (0, 0, "R"), (0.4, 4, "R")))
    await eventually(lambda: 1.0 < float(vehicle.snapshot().get(vss.SPEED, 0)) < 4.0)
    assert vehicle.snapshot()[vss.SELECTED_GEAR] == -1


async def test_stale_speed_means_moving_until_fresh_frames_return(car: SimulatedCar, make_vehicle: MakeVehicle) -> None:
    vehicle = make_vehicle()
    moving: list[object] = []
    vehicle.subscribe(lambda path, value: moving.append(value) if path == vss.IS_MOVING else None)
    await eventually(lambda: vehicle.snapshot().get(vss.IS_MOVING) is False)

    car.powertrain.stop()
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is True, timeout=1.0)
    assert vehicle.snapshot()[vss.SPEED] == 0.0  # the last speed, stale
    await eventually(lambda: True in moving, timeout=1.0)  # subscribers hear it without a frame

    car.powertrain.start()
    await eventually(lambda: vehicle.snapshot()[vss.IS_MOVING] is False, timeout=1.0)


async def test_concurrent_writes_to_one_ecu_each_get_their_own_answer(
    car: SimulatedCar, make_vehicle: MakeVehicle
) -> None:
    vehicle = make_vehicle()
    first, second = await asyncio.gather(
        vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 19.0)]),
        vehicle.write([SignalWrite(vss.PASSENGER_TEMPERATURE, 24.5), SignalWrite(vss.DRIVER_TEMPERATURE, 35.0)]),
    )
    assert [(o.status, o.value) for o in first] == [(ActionStatus.CONFIRMED, 19.0)]
    assert [o.status for o in second] == [ActionStatus.REJECTED, ActionStatus.REJECTED]  # all or nothing
    assert car.hvac.state.driver_temp_c == 19.0 and car.hvac.state.passenger_temp_c == 22.0


def test_vehicle_built_before_the_event_loop_works_inside_it(car: SimulatedCar, bus_config: BusConfig) -> None:
    bus = open_bus("virtual", bus_config.channel)
    vehicle = CanVehicle(bus, confirm_timeout_s=TIMEOUT_S)  # as a composition root does, before asyncio.run
    try:
        time.sleep(0.3)  # frames handled on the reader thread meanwhile
        assert vehicle.snapshot()[vss.DRIVER_TEMPERATURE] == 22.0

        async def turn() -> list[WriteOutcome]:
            return await vehicle.write([SignalWrite(vss.REAR_DEFROSTER_ACTIVE, True)])

        [outcome] = asyncio.run(turn())
        assert (outcome.status, outcome.value) == (ActionStatus.CONFIRMED, True)
        time.sleep(0.05)  # the loop is closed now: frames fall back to the reader thread
        assert vehicle.snapshot()[vss.REAR_DEFROSTER_ACTIVE] is True
    finally:
        vehicle.close()
        bus.shutdown()


class RefusingBus(VirtualBus):
    """A virtual bus whose transmit buffer is always full (a fake, not a mock)."""

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        raise can.CanOperationError("transmit buffer full")


async def test_a_frame_the_bus_refuses_is_rejected_not_sent(car: SimulatedCar, bus_config: BusConfig) -> None:
    bus = RefusingBus(channel=bus_config.channel)
    vehicle = CanVehicle(bus, confirm_timeout_s=TIMEOUT_S)
    sent: list[SignalWrite] = []
    try:
        [outcome] = await vehicle.write([SignalWrite(vss.MEDIA_MUTED, True)], on_sent=sent.append)
    finally:
        vehicle.close()
        bus.shutdown()
    assert outcome.status is ActionStatus.REJECTED and "transmit buffer full" in outcome.reason
    assert sent == [] and vehicle.stats().tx == {}


def test_open_bus_refuses_udp_multicast() -> None:
    with pytest.raises(ConfigError):
        open_bus("udp_multicast", "239.0.0.1")
