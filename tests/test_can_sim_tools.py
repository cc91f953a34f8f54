"""``can-sim`` as a bench engineer meets it: every command's help, the monitor's trace and filters,
whole signal text, the hint on an empty private bus, and a bus served to another process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from can_sim import cli
from can_sim.busload import BusStatistics
from can_sim.decode import DbcSet
from can_sim.monitor import MonitorTable, fit
from can_sim.watch import frame_id_filter

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMANDS = ("run", "profiles", "scenario", "monitor", "stats", "send", "fault", "log", "replay")
DBCS = DbcSet.load()


def _can_sim(*argv: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "can_sim.cli", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture
def channel(request: pytest.FixtureRequest) -> list[str]:
    return ["--channel", f"tools-{request.node.name[:16]}-{uuid.uuid4().hex[:8]}"]


def test_every_subcommand_help_has_a_description_and_an_example() -> None:
    listed = _can_sim("--help")
    assert listed.returncode == 0 and all(name in listed.stdout for name in SUBCOMMANDS)
    for name in SUBCOMMANDS:
        shown = _can_sim(name, "--help")
        assert shown.returncode == 0, shown.stderr
        usage, _, rest = shown.stdout.partition("\n\n")
        description = rest.split("\n\n")[0]
        assert usage.startswith(f"usage: can-sim {name}") and len(description.split()) >= 5, f"{name}: no description"
        examples = shown.stdout.split("examples:\n", 1)[-1]
        assert "examples:" in shown.stdout and f"  can-sim {name}" in examples, f"{name}: no example"
    assert "no request" in _can_sim("send", "--help").stdout
    fault_help = _can_sim("fault", "--help").stdout
    assert "bus-off) need --ecu" in fault_help.replace("\n", " ") or "bus-off need --ecu" in fault_help


def test_trace_mode_prints_every_frame_of_the_ids_and_messages_asked_for(
    channel: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["monitor", *channel, "--trace", "--id", "1F0", "--id", "0x242", "--id", "hvac_status", "--duration", "0.8"]
    assert cli.main(argv) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    ids = {line.split()[1] for line in lines}
    assert ids == {"0x1F0", "0x242", "0x3A1"}, ids
    clean = [line for line in lines if " 0x1F0 " in line]
    assert len(clean) >= 10 and all("WHEELSPEED_CLEAN" in line and "byd ok" in line for line in clean)
    times = [float(line.split()[0]) for line in lines]
    assert times == sorted(times)  # scrolling in arrival order


@given(st.integers(min_value=0, max_value=0x1FFFFFFF))
def test_a_filter_takes_an_id_in_every_hex_form_candump_and_send_use(frame_id: int) -> None:
    for text in (f"{frame_id:X}", f"{frame_id:03x}", f"0x{frame_id:X}", f"0X{frame_id:x}", f"{frame_id:X}h"):
        assert frame_id_filter(text, DBCS) == frame_id


def test_a_filter_takes_a_message_name_in_any_case() -> None:
    assert frame_id_filter("HVAC_CMD", DBCS) == frame_id_filter("hvac_cmd", DBCS) == 0x3A0


def test_a_bad_filter_names_both_forms(channel: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["monitor", *channel, "--id", "WARP_DRIVE", "--duration", "0.2"]) == 2
    err = capsys.readouterr().err
    assert "bad-can-id" in err and "3A0" in err and "cockpit.dbc" in err


def test_signal_text_is_whole_when_piped_and_fills_a_terminal_row(
    channel: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["monitor", *channel, "--id", "NAV_STATUS", "--duration", "0.7", "--interval", "0.6"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "NAV_STATUS" in line)
    last_signal = DBCS.named("NAV_STATUS").message.signals[-1].name
    assert f"{last_signal}=" in row and not row.endswith("...")  # nothing cut at a fixed width
    assert len(row) > 120
    table = MonitorTable(BusStatistics())
    assert fit(row, 100) == row[:97] + "..." and fit(row, 1000) == row and table.render(80).count("\n") == 1


def test_monitor_on_an_empty_private_bus_says_why(channel: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["monitor", *channel, "--no-car", "--duration", "0.5", "--interval", "0.2"]) == 0
    err = capsys.readouterr().err
    assert "no frames on virtual" in err and "inside one process" in err and "--serve" in err


def test_run_serve_shares_its_bus_with_another_process(capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "can_sim.cli", "run", "--serve", "127.0.0.1:0", "--duration", "30"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"--server (127\.0\.0\.1:\d+)", first)
        assert found, first + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        assert cli.main(["monitor", "--server", found.group(1), "--duration", "0.8", "--interval", "0.7"]) == 0
        out = capsys.readouterr().out
        assert "WHEELSPEED_CLEAN" in out and "HVAC_STATUS" in out and "e2e ok" in out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serving_refuses_an_address_off_the_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--serve", "0.0.0.0:50061", "--duration", "0.1", "--channel", "serve-refused"]) == 2
    assert "loopback" in capsys.readouterr().err
