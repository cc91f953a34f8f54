"""Issue 10 acceptance: ``cockpit ask --json "how fast am I going" "what's playing"`` answers from the
car's confirmed state, with the language model switched on but never asked (no ``llm_token``),
for a parked car and a moving one. The real CLI, as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COCKPIT = Path(sys.executable).parent / "cockpit"


def ask(profile: str, *questions: str) -> list[dict[str, object]]:
    env = {**os.environ, "COCKPIT_LLM_ENABLED": "true", "COCKPIT_CAN_DRIVE_PROFILE": profile}
    run = subprocess.run(
        [str(COCKPIT), "ask", "--json", *questions], capture_output=True, text=True, env=env, timeout=240, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return [json.loads(line) for line in run.stdout.splitlines()]


def replies(events: list[dict[str, object]]) -> list[str]:
    return [str(e["text"]) for e in events if e["type"] == "reply"]


@pytest.mark.parametrize(
    ("profile", "speed"),
    [("parked", r"^The car is parked\.$"), ("highway", r"^You're going (\d+) kilometres? per hour\.$")],
)
def test_speed_and_media_come_from_the_state_not_the_model(profile: str, speed: str) -> None:
    events = ask(profile, "how fast am I going", "what's playing")
    assert [e for e in events if e["type"] in ("llm_token", "action", "error")] == []
    intents = [(e["intent"], e["source"]) for e in events if e["type"] == "intent"]
    assert intents == [("drive.query", "rules"), ("media.query", "rules")]
    said_speed, said_media = replies(events)
    found = re.match(speed, said_speed)
    assert found, said_speed
    if found.groups():
        assert int(found.group(1)) >= 1, "the moving car is not said to stand still"
    assert said_media == "So What by Miles Davis is paused."  # the simulated player's start state


def test_the_gear_follows_the_car() -> None:
    assert replies(ask("parked", "what gear am I in")) == ["The car is in park."]
    assert replies(ask("highway", "what gear am I in")) == ["The car is in drive."]
