"""``can-sim`` tools attached to a running cockpit drive *its* car, over the Bench service on loopback.

A scenario with ``--server`` must not add a second car: two powertrains flip the cockpit's gear
and speed between their profiles, and two ECUs of a kind interleave their alive counters until
the cockpit rejects their status frames as counter jumps. ``send --server`` idles every request
signal it does not name, as standalone ``send`` does.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from can_sim import cli
from can_sim.decode import DbcSet, FrameDecoder
from can_sim.recorder import decode_log
from cockpit import vss
from tests.test_bench_grpc import Served, serve_stack, shut

DBCS = DbcSet.load()
PARK, DRIVE = 126, 127
"""VSS SelectedGear of P and D."""
REJECTIONS = ("counter-jump", "counter-repeated", "crc", "byd-checksum")
"""What a second car on the bus makes the cockpit reject."""
SCENARIO = """
name = "steady-thirty"
description = "pull away to 30 km/h in D and hold it, with one climate request"
duration_s = 3.5
profile = [[0, 0, "D"], [1.0, 30, "D"]]

[[events]]
at_s = 0.5
send = "HVAC_CMD"
signals = { FAN_SPEED_REQ = 35 }
"""
SHORT_SCENARIO = """
name = "short-hop"
duration_s = 1.6
profile = [[0, 0, "D"], [0.5, 30, "D"]]

[[events]]
at_s = 0.6
stop = "media"

[[events]]
at_s = 0.9
start = "media"
"""


@dataclass
class Attached:
    served: Served
    argv: list[str]

    @property
    def vehicle(self) -> Any:
        return self.served.stack.parts.vehicle

    @property
    def car(self) -> Any:
        return self.served.stack.parts.car

    def rejected(self) -> dict[str, int]:
        return {k: v for k, v in self.vehicle.stats().rejected.items() if k in REJECTIONS}


async def attach(**overrides: object) -> Attached:
    # Through the Bench service frames are RPCs: generous answer timeouts on a busy machine.
    served = await serve_stack(**{"can.confirm_timeout_s": 3.0, **overrides})
    return Attached(served, ["--server", served.target])


async def detach(attached: Attached) -> None:
    await shut(attached.served)


@pytest.fixture
async def attached() -> AsyncIterator[Attached]:
    a = await attach()
    try:
        yield a
    finally:
        await detach(a)


async def can_sim(capsys: pytest.CaptureFixture[str], *argv: str, stop: threading.Event | None = None) -> str:
    assert await asyncio.to_thread(cli.main, list(argv), stop) == 0
    return capsys.readouterr().out


async def test_a_scenario_with_server_drives_the_cockpits_own_car_and_nothing_is_rejected(
    attached: Attached, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "steady.toml"
    path.write_text(SCENARIO)
    await asyncio.sleep(0.5)  # the server's own car (parked) is heard
    assert attached.vehicle.snapshot()[vss.SELECTED_GEAR] == PARK
    before = attached.rejected()
    running = asyncio.ensure_future(can_sim(capsys, "scenario", str(path), *attached.argv))
    deadline = time.monotonic() + 10.0
    while attached.car.powertrain.profile.name != "steady-thirty":
        assert time.monotonic() < deadline and not running.done(), "the scenario never reached the server's car"
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.6)  # at 30 km/h in D from 1.0 s on
    samples = []
    for _ in range(40):  # 0.8 s of the cockpit's view, while the scenario holds 30 km/h
        snap = attached.vehicle.snapshot()
        samples.append((snap[vss.SELECTED_GEAR], round(float(snap[vss.SPEED]))))
        await asyncio.sleep(0.02)
    out = await running
    assert set(samples) == {(DRIVE, 30)}, f"gear/speed did not follow the scenario alone: {sorted(set(samples))}"
    assert "scenario steady-thirty on the cockpit's car" in out and "send HVAC_CMD FAN_SPEED_REQ=35" in out
    assert attached.vehicle.snapshot()[vss.DRIVER_FAN_SPEED] == 35  # the server's ECU took the request
    assert attached.rejected() == before, "the cockpit rejected frames: a second car was on the bus"
    assert len(attached.car.boxes()) == 6 and attached.car.powertrain.profile.name == "parked"  # put back


async def test_send_with_server_idles_the_signals_it_does_not_name(
    attached: Attached, capsys: pytest.CaptureFixture[str]
) -> None:
    out = await can_sim(capsys, "send", "HVAC_CMD", "AC_REQ=ON", *attached.argv)
    assert "AC_REQ=ON" in out and "answer 0x3A1 HVAC_STATUS" in out
    out = await can_sim(capsys, "send", "HVAC_CMD", "PASSENGER_TEMP_REQ=22.5", *attached.argv)
    sent = next(line for line in out.splitlines() if line.startswith("sent"))
    assert "PASSENGER_TEMP_REQ=22.5" in sent and "AC_REQ=NO_REQUEST" in sent and "DRIVER_TEMP_REQ=NO_REQUEST" in sent
    assert "FAN_SPEED_REQ=NO_REQUEST" in sent and "CMD_RESULT=APPLIED" in out


async def test_run_with_server_drives_the_cockpits_car_and_puts_its_profile_back(
    attached: Attached, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    running = asyncio.ensure_future(can_sim(capsys, "run", "--profile", "highway", *attached.argv, stop=stop))
    deadline = time.monotonic() + 10.0
    while attached.car.powertrain.profile.name != "highway":
        assert time.monotonic() < deadline and not running.done()
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)
    assert attached.vehicle.snapshot()[vss.SELECTED_GEAR] == DRIVE
    stop.set()
    out = await running
    assert "driving the simulated car of the cockpit at 127.0.0.1" in out and "hvac:" in out
    assert attached.car.powertrain.profile.name == "parked"
    assert attached.rejected() == {}


async def test_replay_refuses_a_bus_the_cockpits_car_is_on_unless_it_stops_that_car(
    attached: Attached, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "drive.log"
    out = await can_sim(capsys, "log", str(path), "--scenario", "city-errands", "--duration", "1.5", *attached.argv)
    assert "wrote" in out and len(decode_log(path, FrameDecoder(DBCS))) >= 30
    assert await asyncio.to_thread(cli.main, ["replay", str(path), *attached.argv]) == 2
    err = capsys.readouterr().err
    assert "bus-in-use" in err and "--stop-car" in err
    out = await can_sim(capsys, "replay", str(path), "--stop-car", *attached.argv)
    assert (
        "stopped the cockpit's simulated hvac, seats, media, navigation, body, powertrain" in out and "replayed" in out
    )
    assert all(box.running for box in attached.car.boxes().values())  # started again after


async def test_fault_list_says_when_there_is_none_and_a_node_fault_names_its_option(
    attached: Attached, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no active faults" in await can_sim(capsys, "fault", "list", *attached.argv)
    assert await asyncio.to_thread(cli.main, ["fault", "bus-off", *attached.argv]) == 2
    assert "bus-off needs --ecu" in capsys.readouterr().err


async def test_a_scenario_against_a_cockpit_without_a_car_attaches_the_only_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short.toml"
    path.write_text(SHORT_SCENARIO)
    bare = await attach(**{"can.simulate": False})
    try:
        out = await can_sim(capsys, "scenario", str(path), *bare.argv)
        assert "runs no simulated car: attaching one from here" in out and "stop media" in out and "start media" in out
        assert round(float(bare.vehicle.snapshot()[vss.SPEED])) == 30  # the attached car's powertrain was heard
    finally:
        await detach(bare)
