"""Shared fixtures: the real stack on a private virtual CAN channel, and a tap on that bus."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import Parts, build_parts
from cockpit.events import EventRecorder
from cockpit.settings import load_settings

_channels = itertools.count()


@dataclass
class Stack:
    """The real service on its own virtual bus, plus a tap that hears every frame on it."""

    parts: Parts
    tap: BusTap

    async def turn(self, text: str, session: str | None = None) -> EventRecorder:
        """Run one typed turn (in a fresh session unless one is given) and return its events."""
        service = self.parts.service
        sid = session or service.create_session().session_id
        rec = EventRecorder()
        await service.text_turn(sid, text, rec)
        return rec


def make_stack(**overrides: object) -> Stack:
    """Build a stack on a channel no other test uses; llm off unless overridden."""
    channel = f"test-{next(_channels)}-{id(overrides)}"
    settings = load_settings(overrides={"can.channel": channel, "llm.enabled": False, **overrides}, env={})
    tap = BusTap(BusConfig("virtual", channel))
    return Stack(build_parts(settings), tap)


async def close_stack(stack: Stack) -> None:
    """Shut the service, the car and the tap."""
    await stack.parts.service.aclose()
    stack.tap.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One real stack per test module (building it loads templates and starts the ECUs)."""
    import asyncio

    s = make_stack()
    yield s
    asyncio.run(close_stack(s))
