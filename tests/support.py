"""Helpers the test modules share: waiting for a condition, and the stack the fault tests use.

Fixtures defined here are imported by the modules that use them (``from tests.support import
fault_stack  # noqa: F401``), so they stay out of every other module's namespace.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from can_sim.car import SimulatedCar
from cockpit.events import EventType
from tests.conftest import Stack, close_stack, make_stack

FAULT_CONFIRM_TIMEOUT_S = 0.5
"""How long the fault tests' cockpit waits for an ECU's answer: short, so timeouts are quick."""


async def eventually(check: Callable[[], bool], timeout: float = 2.0) -> None:
    """Wait until ``check()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def settle_warmups() -> None:
    """Wait for the skills' background index builds of the stacks made here (they outlive aclose)."""
    for thread in threading.enumerate():
        if thread.name.startswith("warm-"):
            thread.join(timeout=10.0)


async def final_action(stack: Stack, text: str) -> tuple[Mapping[str, Any], Any]:
    """Run one turn; its single final action event's data (not the ``sent`` one) and the recorder."""
    rec = await stack.turn(text)
    actions = [e.data for e in rec.of_type(EventType.ACTION) if e.data["status"] != "sent"]
    assert len(actions) == 1, rec.types()
    return actions[0], rec


def car_of(stack: Stack) -> SimulatedCar:
    """The stack's simulated car (the fault tests' stacks always have one)."""
    assert stack.parts.car is not None
    return stack.parts.car


@pytest.fixture(name="stack", scope="module")
def fault_stack() -> Iterator[Stack]:
    """The real stack with a short confirmation timeout, for a module of fault tests."""
    s = make_stack(**{"can.confirm_timeout_s": FAULT_CONFIRM_TIMEOUT_S})
    settle_warmups()  # the index builds load the CPU, and these tests time frames
    yield s
    asyncio.run(close_stack(s))
    settle_warmups()


@pytest.fixture(name="no_faults_left", autouse=True)
def clear_faults(stack: Stack) -> Iterator[None]:
    """Every fault a test injected is cleared after it."""
    yield
    stack.parts.car.faults.clear()


COCKPIT = Path(sys.executable).parent / "cockpit"
"""The installed ``cockpit`` command, as a user runs it."""


def cockpit_ask(*args: str) -> list[dict[str, Any]]:
    """``cockpit ask --json ARGS`` as a subprocess (language model off: command turns only); its
    event lines, after checking it exited 0."""
    run = subprocess.run(
        [str(COCKPIT), "ask", "--json", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COCKPIT_LLM_ENABLED": "false"},
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return [json.loads(line) for line in run.stdout.splitlines()]
