"""Follow-ups and undo (issue 12, item 2): short requests resolved against the session's last
confirmed action before the ``intent`` event, and "undo" putting the car back through the same
policy and ECU confirmation. Through the real CLI, the real gRPC server and the real car."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cockpit import vss
from cockpit.followups import follow_up
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from tests.conftest import Stack
from tests.support import eventually

ROOT = Path(__file__).resolve().parents[1]
HVAC_CMD = 0x3A0


def _confirmed(events: list[dict[str, Any]], turn: int) -> dict[str, Any]:
    return {e["signal"]: e["value"] for e in events if e["turn"] == turn and e.get("status") == "confirmed"}


def test_cockpit_ask_same_session_resolves_warmer_and_the_passenger_side_too() -> None:
    command = [sys.executable, "-m", "cockpit.cli.main", "ask", "--json", "--same-session"]
    turns = ["set the temperature to 21 degrees", "a bit warmer", "and the passenger side too"]
    done = subprocess.run(
        [*command, *turns],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "COCKPIT_LLM_ENABLED": "false"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert _confirmed(events, 0) == {vss.DRIVER_TEMPERATURE: 21.0}
    warmer = _confirmed(events, 1)[vss.DRIVER_TEMPERATURE]
    assert warmer > 21.0
    assert _confirmed(events, 2) == {vss.PASSENGER_TEMPERATURE: warmer}
    intent = next(e for e in events if e["turn"] == 2 and e["type"] == "intent")
    assert intent["slots"] == {"celsius": warmer, "zone": "passenger"}  # resolved before the event


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as connected:
            yield connected
    finally:
        await server.stop(grace_s=0)


async def test_undo_restores_the_previous_confirmed_value_with_a_frame_and_confirmation(
    stack: Stack, client: CockpitClient
) -> None:
    session = await client.create_session()
    [e async for e in client.send_text("set the temperature to 22 degrees", session)]
    [e async for e in client.send_text("set the temperature to 25 degrees", session)]
    assert stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == 25.0
    stack.tap.clear()
    events = [e async for e in client.send_text("undo", session)]
    assert [e.type.value for e in events] == ["intent", "policy", "action", "action", "state", "reply"]
    assert events[0].data["intent"] == "vehicle.undo" and events[1].data["decision"] == "allowed"
    assert [(e.data["signal"], e.data["value"], e.data["status"]) for e in events[2:4]] == [
        (vss.DRIVER_TEMPERATURE, 22.0, "sent"),
        (vss.DRIVER_TEMPERATURE, 22.0, "confirmed"),
    ]
    assert events[-1].data["text"] == "Undone: the driver temperature is back to 22 degrees."
    await eventually(lambda: bool(stack.tap.frames(HVAC_CMD)))  # the command frame went out (the tap's thread may lag)
    assert stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == 22.0


async def test_undo_with_nothing_to_undo_moves_nothing(stack: Stack, client: CockpitClient) -> None:
    events = [e async for e in client.send_text("undo")]
    assert [e.type.value for e in events] == ["intent", "reply"]
    assert events[-1].data["text"] == "There's nothing to undo."


async def test_set_it_to_follows_the_last_setting_over_grpc(stack: Stack, client: CockpitClient) -> None:
    session = await client.create_session()
    [e async for e in client.send_text("set the volume to 30 percent", session)]
    events = [e async for e in client.send_text("set it to 45", session)]
    intent = next(e for e in events if e.type.value == "intent")
    assert intent.data["intent"] == "media.set_volume" and intent.data["slots"] == {"percent": 45}
    assert stack.parts.service.vehicle_state()[vss.MEDIA_VOLUME] == 45


@pytest.mark.parametrize("text", ["and the passenger side too", "same for the passenger", "set it to 21", "make it 20"])
def test_a_follow_up_with_nothing_before_it_is_not_guessed(text: str) -> None:
    assert follow_up(text, {}) is None
