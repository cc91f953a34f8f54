"""The simulated car on a real python-can virtual bus: ECUs, BYD powertrain frames, profiles, CLI."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from can_sim import cli
from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from can_sim.ecus import HvacEcu
from can_sim.powertrain import PowertrainSimulator
from can_sim.profiles import PROFILES, DriveProfile, profile_named
from can_sim.tap import BusTap
from cockpit.errors import ConfigError
from vehicle_contract import e2e
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
HVAC_CMD, HVAC_STATUS = CODEC.frame_id("HVAC_CMD"), CODEC.frame_id("HVAC_STATUS")
WHEEL_SPEED, DRIVE_STATE, WHEELSPEED_CLEAN = 0x122, 0x242, 0x1F0


@pytest.fixture
def bus_config(request: pytest.FixtureRequest) -> BusConfig:
    return BusConfig(channel=f"{request.node.name}-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def hvac(bus_config: BusConfig) -> Iterator[HvacEcu]:
    ecu = HvacEcu(bus_config, CODEC)
    ecu.start()
    yield ecu
    ecu.stop()


def answer_to(tap: BusTap, counter: int, timeout: float = 1.0) -> dict[str, object]:
    msg = tap.wait_for(
        lambda m: m.arbitration_id == HVAC_STATUS and CODEC.decode(HVAC_STATUS, m.data)["ACK_COUNTER"] == counter,
        timeout,
    )
    assert msg is not None, f"no HVAC_STATUS acknowledging counter {counter}"
    return CODEC.decode(HVAC_STATUS, msg.data)


def test_hvac_ecu_rejects_an_out_of_limit_raw_command(hvac: HvacEcu, bus_config: BusConfig) -> None:
    with BusTap(bus_config) as tap:
        tap.send(HVAC_CMD, CODEC.encode("HVAC_CMD", {"DRIVER_TEMP_REQ": 40.0, "AC_REQ": "ON"}, counter=0))
        answer = answer_to(tap, 0)
    assert str(answer["CMD_RESULT"]) == "REJECTED_LIMIT"
    assert answer["DRIVER_TEMP"] == 22.0 and answer["AC_ACTIVE"] == 0  # all or nothing
    assert hvac.stats().results == {"REJECTED_LIMIT": 1}


def test_hvac_ecu_applies_only_the_fields_a_command_names(hvac: HvacEcu, bus_config: BusConfig) -> None:
    with BusTap(bus_config) as tap:
        tap.send(HVAC_CMD, CODEC.encode("HVAC_CMD", {"PASSENGER_TEMP_REQ": 19.5}, counter=0))
        answer = answer_to(tap, 0)
    assert str(answer["CMD_RESULT"]) == "APPLIED"
    assert (answer["PASSENGER_TEMP"], answer["DRIVER_TEMP"], answer["FAN_SPEED"]) == (19.5, 22.0, 30)


def test_ecu_drops_commands_that_fail_e2e_and_does_not_answer_them(hvac: HvacEcu, bus_config: BusConfig) -> None:
    with BusTap(bus_config) as tap:
        good = CODEC.encode("HVAC_CMD", {"FAN_SPEED_REQ": 60}, counter=5)
        bad_crc = bytearray(CODEC.encode("HVAC_CMD", {"FAN_SPEED_REQ": 90}, counter=6))
        bad_crc[0] ^= 0x01
        tap.send(HVAC_CMD, good)
        answer_to(tap, 5)
        tap.send(HVAC_CMD, bytes(bad_crc))
        tap.send(HVAC_CMD, good)  # replayed: the same counter again
        time.sleep(0.25)
        acks = {CODEC.decode(HVAC_STATUS, m.data)["ACK_COUNTER"] for m in tap.frames(HVAC_STATUS)}
    assert hvac.state.fan_percent == 60
    assert 6 not in acks
    assert hvac.stats().dropped == {"crc": 1, "counter-repeated": 1}


def test_status_is_cyclic_at_the_dbc_cycle_time(hvac: HvacEcu, bus_config: BusConfig) -> None:
    with BusTap(bus_config, ids=[HVAC_STATUS]) as tap:
        time.sleep(0.55)
        frames = tap.frames(HVAC_STATUS)
    assert 4 <= len(frames) <= 7  # 100 ms cycle
    counters = [e2e.counter_of(m.data) for m in frames]
    assert all(e2e.next_counter(a) == b for a, b in itertools.pairwise(counters))


def reference_byd_checksum(data: bytes) -> int:
    """Written again from DESIGN.md's words, independently of vehicle_contract.byd."""
    high = sum(b >> 4 for b in data[:-1]) + (0xAF & 0xF)
    low_plain = sum(b & 0xF for b in data[:-1])
    remainder = low_plain >> 4
    low = low_plain + (0xAF >> 4)
    return ((((9 - high) + 5 - remainder) % 16) << 4) | ((9 - low) % 16)


def test_byd_frames_carry_valid_checksums_at_50_hz(bus_config: BusConfig) -> None:
    powertrain = PowertrainSimulator(bus_config, DriveProfile.of("cruise", (0, 42.3, "D")))
    with BusTap(bus_config, ids=[WHEEL_SPEED, DRIVE_STATE, WHEELSPEED_CLEAN]) as tap:
        powertrain.start()
        time.sleep(1.1)
        powertrain.stop()
        frames = {i: tap.frames(i) for i in (WHEEL_SPEED, DRIVE_STATE, WHEELSPEED_CLEAN)}

    clean = frames[WHEELSPEED_CLEAN]
    assert all(m.data[7] == reference_byd_checksum(bytes(m.data)) for m in clean)
    counters = [m.data[6] >> 4 for m in clean]
    assert all((a + 1) % 16 == b for a, b in itertools.pairwise(counters))
    assert int.from_bytes(clean[-1].data[0:2], "little") == 423  # 42.3 km/h in 0.1 km/h
    assert frames[DRIVE_STATE][-1].data[5] & 0x07 == 4  # GEAR D
    for frame_id, got in frames.items():
        # A rate check, not a latency assertion: count frames over the span they cover.
        span = got[-1].timestamp - got[0].timestamp
        rate = (len(got) - 1) / span
        assert 50 * 0.95 <= rate <= 50 * 1.05, f"0x{frame_id:X} at {rate:.1f} Hz"


def test_profiles_interpolate_speed_and_hold_gear() -> None:
    city = profile_named("city")
    assert city.at(0.0) == (0.0, "P")
    assert city.at(7.0) == (25.0, "D")
    assert city.at(100.0) == (0.0, "P")
    assert PROFILES["parked"].at(5.0) == (0.0, "P")
    with pytest.raises(ConfigError, match="parked"):
        profile_named("rally")
    with pytest.raises(ConfigError):
        DriveProfile.of("bad", (0, 0, "X"))
    with pytest.raises(ConfigError):
        DriveProfile.of("bad", (1, 0, "P"), (1, 5, "D"))


def test_car_starts_and_stops_every_box_and_each_one_alone(bus_config: BusConfig) -> None:
    car = SimulatedCar(bus_config).start()
    try:
        assert all(box.running for box in car.boxes().values())
        car.media.stop()
        assert not car.media.running and car.hvac.running
        car.media.start()
        assert car.media.running
    finally:
        car.stop()
    assert not any(box.running for box in car.boxes().values())
    assert not [t.name for t in threading.enumerate() if t.name.startswith("sim-")]


def test_cli_runs_the_car_for_a_duration(bus_config: BusConfig, capsys: pytest.CaptureFixture[str]) -> None:
    with BusTap(bus_config, ids=[HVAC_STATUS]) as tap:
        code = cli.main(["run", "--channel", bus_config.channel, "--profile", "city", "--duration", "0.3"])
        heard = tap.frames(HVAC_STATUS)
    assert code == 0 and heard
    assert "profile city" in capsys.readouterr().out
    assert cli.main(["profiles"]) == 0
    assert "highway" in capsys.readouterr().out


def test_cli_refuses_udp_multicast(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--interface", "udp_multicast", "--duration", "0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_virtual_bus_sees_nothing_from_other_channels(bus_config: BusConfig) -> None:
    other = BusConfig(channel=bus_config.channel + "-other")
    with SimulatedCar(other), BusTap(bus_config) as tap:
        time.sleep(0.1)
        assert tap.frames() == []
