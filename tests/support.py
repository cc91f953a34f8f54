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
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from can_sim.car import SimulatedCar
from cockpit.audio import FRAME_BYTES
from cockpit.events import Event, EventType
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from tests.conftest import Stack, close_stack, make_stack


def scripted_model_stack(name: str, model: Callable[..., Any], **overrides: object) -> Stack:
    """A parked car whose language model is ``model`` (a factory of scripted models, e.g.
    ``lambda *_: FakeLanguageModel(...)``), on a bus of its own; ``overrides`` are more settings
    (``units="imperial"``, ``drive_side="right"``). Close it with ``close_stack``."""
    from can_sim.bus import BusConfig
    from can_sim.tap import BusTap
    from cockpit.app import build_parts
    from cockpit.backends import Backends
    from cockpit.settings import load_settings

    backends = Backends()
    backends.llm.register("scripted", model)
    settings = load_settings(
        overrides={
            "can.channel": f"{name}-{uuid.uuid4().hex[:12]}",
            "can.drive_profile": "parked",
            "llm.enabled": True,
            "llm.backend": "scripted",
            "llm.state_cache": False,
            "llm.turn_deadline_s": 600,
            **overrides,
        },
        env={},
    )
    return Stack(build_parts(settings, backends=backends), BusTap(BusConfig("virtual", settings.can.channel)))


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
    if stack.parts.car is not None:
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


# --- over gRPC -------------------------------------------------------------------------------

DONE = ["intent", "policy", "action", "action", "state", "reply"]
"""A command the car carried out: one write, confirmed."""
REFUSED = ["intent", "policy", "reply"]
"""A command refused before anything was sent."""


async def serve(stack: Stack) -> AsyncIterator[CockpitClient]:
    """A client of ``stack``'s service behind a real gRPC server on loopback (for a fixture)."""
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as made:
            yield made
    finally:
        await server.stop(grace_s=0)


async def turn(client: CockpitClient, session: str, text: str) -> list[Event]:
    """One typed turn in ``session``: its events, in order."""
    return [e async for e in client.send_text(text, session)]


def kinds(events: list[Event]) -> list[str]:
    """The event types, the golden sequence tests compare."""
    return [e.type.value for e in events]


def states(events: list[Event]) -> dict[str, object]:
    """The confirmed state the turn reported, by signal."""
    return {e.data["signal"]: e.data["value"] for e in events if e.type.value == "state"}


class Conversation:
    """One ``Converse`` stream whose audio a test hands over piece by piece, reading events meanwhile."""

    def __init__(self, client: CockpitClient, session_id: str, timeout_s: float = 60.0) -> None:
        self.events: list[Event] = []
        """Every event received so far."""
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(client, session_id))

    async def _chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self._queue.get()) is not None:
            yield chunk

    async def _run(self, client: CockpitClient, session_id: str) -> None:
        async for event in client.converse(self._chunks(), session_id):
            self.events.append(event)

    def say(self, pcm: bytes) -> None:
        """Send audio (80 ms chunks, as fast as the stream takes them)."""
        for i in range(0, len(pcm), FRAME_BYTES):
            self._queue.put_nowait(pcm[i : i + FRAME_BYTES])

    async def until(self, found: Callable[[Event], bool]) -> Event:
        """The first event (received or to come) for which ``found`` holds; fails after a bounded wait."""
        for _ in range(int(self._timeout_s / 0.05)):
            hit = next((e for e in self.events if found(e)), None)
            if hit is not None:
                return hit
            if self._task.done():
                self._task.result()
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such event; got {[e.to_dict() for e in self.events]}")

    async def end(self) -> list[Event]:
        """End the audio; every event of the stream once its last turn is over."""
        self._queue.put_nowait(None)
        await asyncio.wait_for(self._task, self._timeout_s)
        return self.events


def english_hybrid() -> tuple[Any, Any]:
    """The intent recogniser, and PocketSphinx with the English command grammar in the hybrid
    recogniser as the service builds it (:class:`cockpit.voice.factory.VoiceStack`'s speech
    recognisers: grammar results vetted by the intent recogniser after any wake phrase, the
    default decoding)."""
    from cockpit.nlu import TemplateIntentRecognizer
    from cockpit.settings import VoiceSettings
    from cockpit.voice.factory import VoiceStack, command_grammars
    from models.store import ModelStore

    nlu = TemplateIntentRecognizer.from_paths()
    stack = VoiceStack(
        ModelStore(),
        VoiceSettings(),
        command_grammars(),
        is_command=lambda text, language: nlu.recognize(text, language) is not None,
    )
    return nlu, stack.asr.recognizer("en")
