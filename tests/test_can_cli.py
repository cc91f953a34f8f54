"""The ``can-sim`` subcommands, standalone (an in-process car on a private virtual channel) and
attached to a running cockpit over the Bench gRPC service on loopback."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from can_sim import cli
from can_sim.bus import BusConfig
from can_sim.decode import DbcSet, FrameDecoder
from can_sim.recorder import decode_log
from cockpit import vss
from cockpit.events import EventType
from cockpit.server.bench import BenchServicer, bench_registrar
from cockpit.server.runner import start_server
from tests.conftest import close_stack, make_stack
from tests.support import settle_warmups

DBCS = DbcSet.load()


@pytest.fixture
def channel(request: pytest.FixtureRequest) -> list[str]:
    return ["--channel", f"cli-{request.node.name[:20]}-{uuid.uuid4().hex[:8]}"]


def test_monitor_shows_decoded_frames_with_integrity(channel: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["monitor", *channel, "--duration", "0.6", "--interval", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "bus load" in out and "WHEELSPEED_CLEAN" in out and "byd ok" in out and "e2e ok" in out
    assert "GEAR=P" in out


def test_send_by_name_prints_the_ecu_answer_and_a_raw_bad_frame_gets_none(
    channel: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["send", *channel, "HVAC_CMD", "DRIVER_TEMP_REQ=21.5", "AC_REQ=ON"]) == 0
    out = capsys.readouterr().out
    assert "sent   0x3A0 HVAC_CMD" in out and "DRIVER_TEMP_REQ=21.5" in out
    assert "answer 0x3A1 HVAC_STATUS" in out and "CMD_RESULT=APPLIED" in out and "(e2e ok)" in out
    assert cli.main(["send", *channel, "3A0#0011223344556677"]) == 0
    assert "answer none" in capsys.readouterr().out  # a wrong CRC: the ECU drops it and does not answer
    assert cli.main(["send", *channel, "WARP_CMD", "X=1"]) == 2
    assert "unknown-message" in capsys.readouterr().err


def test_log_then_replay(channel: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bus.asc"
    assert cli.main(["log", *channel, "--duration", "0.5", "--profile", "city", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"to {path}" in out and "integrity failures: none" in out
    frames = decode_log(path, FrameDecoder(DBCS))
    assert len(frames) >= 50 and {"WHEELSPEED_CLEAN", "HVAC_STATUS"} <= {name for _, name, _ in frames}
    assert cli.main(["replay", *channel, str(path), "--speed", "4", "--print"]) == 0
    out = capsys.readouterr().out
    assert f"replayed {len(frames)} frames (0 refused)" in out and "WHEELSPEED_CLEAN" in out


def test_scenarios_list_and_a_scenario_file_runs_and_is_logged(
    channel: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["scenario", "--list"]) == 0
    out = capsys.readouterr().out
    assert "city-errands" in out and "ecu-outage" in out and "bad-speed" in out
    script = tmp_path / "short.toml"
    script.write_text(
        'name = "short"\nduration_s = 0.8\nprofile = [[0, 0, "D"], [0.5, 20, "D"]]\n'
        '[[events]]\nat_s = 0.1\nsend = "SEAT_CMD"\nsignals = { DRIVER_HEAT_COOL_REQ = 33 }\n'
        '[[events]]\nat_s = 0.2\nfault = { kind = "corrupt-crc", message = "WHEELSPEED_CLEAN", duration_s = 0.2 }\n',
        encoding="utf-8",
    )
    log = tmp_path / "short.blf"
    assert cli.main(["scenario", *channel, str(script), "--log", str(log)]) == 0
    out = capsys.readouterr().out
    assert "send SEAT_CMD DRIVER_HEAT_COOL_REQ=33" in out and "fault corrupt-crc 0x1F0 for 0.2 s" in out
    seats = [s for _, name, s in decode_log(log, FrameDecoder(DBCS)) if name == "SEAT_STATUS"]
    assert seats[-1]["DRIVER_HEAT_COOL"] == 33
    bad = tmp_path / "bad.toml"
    bad.write_text('[[events]]\nat_s = 1\nstop = "radio"\n', encoding="utf-8")
    assert cli.main(["scenario", *channel, str(bad)]) == 2
    assert "no node 'radio'" in capsys.readouterr().err


def test_fault_standalone_shows_its_effect_and_stats_measure_the_bus(
    channel: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fault", "corrupt-crc", *channel, "--message", "HVAC_STATUS", "--watch", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "f1: corrupt-crc 0x3A1" in out and "e2e BAD CRC!" in out and "cleared" in out
    assert cli.main(["fault", "error-frames", *channel, "--rate-hz", "100", "--watch", "0.4"]) == 0
    assert "error frames" in capsys.readouterr().out
    assert cli.main(["fault", "list", *channel]) == 2
    assert "--server" in capsys.readouterr().err
    assert cli.main(["stats", *channel, "--duration", "0.6"]) == 0
    out = capsys.readouterr().out
    assert "bus load" in out and "0x1F0  WHEELSPEED_CLEAN" in out and "kbit/s" in out


async def test_the_tools_work_against_a_running_cockpit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = make_stack(**{"can.confirm_timeout_s": 0.5})
    bench = BenchServicer(BusConfig("virtual", stack.parts.settings.can.channel), stack.parts.car, stack.parts.vehicle)
    server, port = await start_server(stack.parts.service, registrars=[bench_registrar(bench)])
    target = ["--server", f"127.0.0.1:{port}"]
    vehicle: Any = stack.parts.vehicle

    async def can_sim(*argv: str) -> str:
        assert await asyncio.to_thread(cli.main, list(argv)) == 0
        return capsys.readouterr().out

    try:
        out = await can_sim("fault", "drop", "--message", "WHEELSPEED_CLEAN", *target)
        out += await can_sim("fault", "drop", "--id", "0x122", *target)
        assert "f1: drop 0x1F0" in out and "f2: drop 0x122" in out
        await asyncio.sleep(0.3)
        assert vehicle.snapshot()[vss.IS_MOVING] is True  # the cockpit's reaction to the stale speed
        assert "f1: drop 0x1F0" in await can_sim("fault", "list", *target)
        assert "cleared 2 fault(s)" in await can_sim("fault", "clear", *target)
        out = await can_sim("send", "HVAC_CMD", "FAN_SPEED_REQ=45", *target)
        assert "answer 0x3A1 HVAC_STATUS" in out and "FAN_SPEED=45" in out
        out = await can_sim("monitor", "--duration", "0.6", "--interval", "0.5", *target)
        assert "HVAC_STATUS" in out and "e2e ok" in out
        path = tmp_path / "remote.log"
        out = await can_sim("log", "--duration", "0.8", str(path), *target)
        assert "wrote" in out and len(decode_log(path, FrameDecoder(DBCS))) >= 30
        out = await can_sim("stats", *target)
        assert "ecu hvac" in out and "cockpit rejected" in out
    finally:
        await server.stop(0)
        bench.close()
        await close_stack(stack)
        await asyncio.to_thread(settle_warmups)


async def test_run_attaches_a_simulated_car_to_a_cockpit_that_has_none(capsys: pytest.CaptureFixture[str]) -> None:
    # Through the Bench service the remote car's frames are one RPC each: generous on a busy machine.
    stack = make_stack(**{"can.simulate": False, "can.confirm_timeout_s": 3.0})
    bench = BenchServicer(BusConfig("virtual", stack.parts.settings.can.channel), None, stack.parts.vehicle)
    server, port = await start_server(stack.parts.service, registrars=[bench_registrar(bench)])
    stop = threading.Event()
    runner = asyncio.ensure_future(
        asyncio.to_thread(cli.main, ["run", "--server", f"127.0.0.1:{port}", "--profile", "parked"], stop)
    )
    try:
        vehicle: Any = stack.parts.vehicle
        for _ in range(300):
            if vehicle.snapshot().get(vss.IS_MOVING) is False:
                break
            await asyncio.sleep(0.01)
        rec = await stack.turn("set the temperature to 23.5 degrees")
        final = [e.data for e in rec.of_type(EventType.ACTION) if e.data["status"] != "sent"]
        assert final[0]["status"] == "confirmed"
    finally:
        stop.set()
        assert await runner == 0
        await server.stop(0)
        bench.close()
        await close_stack(stack)
        await asyncio.to_thread(settle_warmups)
    out = capsys.readouterr().out
    assert "attached to the cockpit at 127.0.0.1" in out and "hvac: 1 commands" in out
