"""``cockpit ask``: embedded with the fake service, and ``--server`` against a real loopback server."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cockpit.cli.main import amain, main
from cockpit.events import EventType
from cockpit.settings import Settings
from cockpit.testing import FakeAssistant
from tests.test_grpc_support import serving

GOLDEN = ["intent", "policy", "action", "action", "state", "reply"]


def _lines(text: str) -> list[dict[str, Any]]:
    objs = [json.loads(line) for line in text.splitlines()]
    for obj in objs:  # the contract: type, turn, t_ms first, then the type's fields
        assert list(obj)[:3] == ["type", "turn", "t_ms"]
        assert obj["type"] in {t.value for t in EventType}
        assert isinstance(obj["turn"], int) and isinstance(obj["t_ms"], float)
    return objs


def _without_time(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in obj.items() if k != "t_ms"} for obj in objs]


class _Factory:
    """Builds one fake and keeps it for the test to inspect."""

    def __init__(self) -> None:
        self.service = FakeAssistant()
        self.settings: Settings | None = None

    def __call__(self, settings: Settings) -> FakeAssistant:
        self.settings = settings
        return self.service


def test_ask_json_embedded_prints_the_event_stream(capsys: pytest.CaptureFixture[str]) -> None:
    factory = _Factory()
    assert main(["ask", "--json", "set 21", "hello"], service_factory=factory) == 0
    out = capsys.readouterr().out
    objs = _lines(out)
    assert [(o["turn"], o["type"]) for o in objs] == [(0, t) for t in GOLDEN] + [(1, "intent"), (1, "reply")]
    # Exactly Event.to_json() of what the service reported, with the turn index of the input line
    # (each utterance ran in a fresh session, where the service counts from 0 again).
    turns = [0] * len(GOLDEN) + [1, 1]
    assert out.splitlines() == [
        replace(e, turn=t).to_json() for e, t in zip(factory.service.emitted, turns, strict=True)
    ]
    assert objs[0]["slots"] == {"celsius": 21.0, "zone": "driver"}
    assert isinstance(factory.settings, Settings)
    assert factory.service.closed and factory.service.sessions == {}  # aclose() ran, sessions closed


def test_each_utterance_is_a_fresh_session_unless_same_session(capsys: pytest.CaptureFixture[str]) -> None:
    fresh, same = _Factory(), _Factory()
    assert main(["ask", "--json", "a", "b"], service_factory=fresh) == 0
    assert main(["ask", "--json", "--same-session", "a", "b"], service_factory=same) == 0
    assert len({sid for sid, _ in fresh.service.turn_texts}) == 2
    assert len({sid for sid, _ in same.service.turn_texts}) == 1
    assert same.service.sessions == {}
    objs = _lines(capsys.readouterr().out)
    assert [o["turn"] for o in objs] == [0, 0, 1, 1] * 2  # turn = input index either way


def test_dash_reads_one_utterance_per_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    factory = _Factory()
    monkeypatch.setattr(sys, "stdin", io.StringIO("set 19.5\n\n  \nwhat time is it\n"))
    assert main(["ask", "--json", "-"], service_factory=factory) == 0
    assert [text for _, text in factory.service.turn_texts] == ["set 19.5", "what time is it"]
    assert {o["turn"] for o in _lines(capsys.readouterr().out)} == {0, 1}


def test_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "set 21", "hello"], service_factory=_Factory()) == 0
    out = capsys.readouterr().out
    assert "you> set 21\n" in out
    assert "intent climate.set_temperature celsius=21.0 zone=driver\n" in out
    assert "→ Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature = 21.0 sent\n" in out
    assert "✓ Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature confirmed (" in out
    assert "car> Driver temperature set to 21 degrees.\n" in out
    assert "car> echo: hello\n" in out
    assert "{" not in out


def test_streamed_tokens_share_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    factory = _Factory()
    factory.service.gate.set()
    assert main(["ask", "stream"], service_factory=factory) == 0
    assert "llm> Hello, driver.\ncar> Hello, driver.\n" in capsys.readouterr().out


def test_bad_utterance_fails_the_run_but_not_the_other_turns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "x" * 10_000, "hello"], service_factory=_Factory()) == 1
    captured = capsys.readouterr()
    assert "turn 0: text-too-long" in captured.err
    assert [o["turn"] for o in _lines(captured.out)] == [1, 1]


def test_an_error_event_fails_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "fail"], service_factory=_Factory()) == 1
    captured = capsys.readouterr()
    assert [o["type"] for o in _lines(captured.out)] == ["error", "reply"]
    assert "turn 0 failed: skill-failed" in captured.err


def test_unreadable_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["ask", "--config", str(missing), "hi"], service_factory=_Factory()) == 2
    assert "config-unreadable" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["ask"]) == 2
    assert main(["ask", "-", "hello"], service_factory=_Factory()) == 2
    assert "cannot be mixed" in capsys.readouterr().err


# -- --server ---------------------------------------------------------------------------------------


async def _ask(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await amain(["ask", *argv], service_factory=lambda _s: FakeAssistant(), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


async def test_ask_json_over_grpc_prints_what_embedded_prints() -> None:
    utterances = ["set 21", "hello", "set 17.5"]
    async with serving(FakeAssistant()) as server:
        status, remote, _ = await _ask("--json", "--server", server.target, *utterances)
    assert status == 0
    embedded_status, embedded, _ = await _ask("--json", *utterances)
    assert embedded_status == 0
    assert _without_time(_lines(remote)) == _without_time(_lines(embedded))
    assert [o["turn"] for o in _lines(remote) if o["type"] == "reply"] == [0, 1, 2]


async def test_same_session_over_grpc_keeps_one_session_and_closes_it() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server:
        status, out, _ = await _ask("--json", "--same-session", "--server", server.target, "a", "b")
    assert status == 0
    assert len({sid for sid, _ in fake.turn_texts}) == 1 and fake.sessions == {}
    assert [o["turn"] for o in _lines(out)] == [0, 0, 1, 1]


async def test_bad_utterance_over_grpc_reports_the_code() -> None:
    async with serving(FakeAssistant()) as server:
        status, out, err = await _ask("--json", "--server", server.target, "   ", "hello")
    assert status == 1
    assert "turn 0: text-empty: text is empty" in err
    assert [o["turn"] for o in _lines(out)] == [1, 1]


async def test_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status, out, err = await _ask("--json", "--server", f"127.0.0.1:{port}", "hello")
    assert status == 1
    assert out == ""
    assert f"cannot reach the cockpit server at 127.0.0.1:{port}" in err


def test_console_script_is_wired() -> None:
    script = Path(sys.executable).parent / "cockpit"
    if not script.exists():
        pytest.skip(f"{script} is not installed (pip install -e .)")
    done = subprocess.run([str(script), "ask", "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert "--same-session" in done.stdout and "--server" in done.stdout
