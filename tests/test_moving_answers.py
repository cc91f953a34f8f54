"""Long answers and lists are shortened while the car moves (issue 12, item 5: the interlock
table's last row). Through the gRPC API on the real service, with the car parked and moving,
and a scripted language model registered as a backend (the same long answer in both)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts
from cockpit.backends import Backends
from cockpit.events import Event
from cockpit.llm.speech import MOVING_LIST_ITEMS, shorten_for_driving
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.settings import LlmSettings, load_settings
from cockpit.testing.llm import FakeLanguageModel
from tests.conftest import Stack, close_stack
from tests.support import eventually

LOUVRE = (
    "The Louvre in Paris holds many famous works of art, including the Mona Lisa, the Venus de Milo, "
    "the Winged Victory of Samothrace, Liberty Leading the People and the Raft of the Medusa. "
    "It was a royal palace before it became a museum in 1793."
)
CHAT = ["llm_token", "intent", "reply"]


def stack_at(profile: str, name: str) -> Iterator[Stack]:
    backends = Backends()
    backends.llm.register("scripted", lambda _s, _m: FakeLanguageModel({"louvre": LOUVRE}))
    overrides: dict[str, Any] = {
        "can.channel": f"moving-answers-{name}",
        "can.drive_profile": profile,
        "llm.enabled": True,
        "llm.backend": "scripted",
        "llm.state_cache": False,
        "llm.turn_deadline_s": 600,
    }
    settings = load_settings(overrides=overrides, env={})
    stack = Stack(build_parts(settings, backends=backends), BusTap(BusConfig("virtual", settings.can.channel)))
    yield stack
    asyncio.run(close_stack(stack))


@pytest.fixture(scope="module")
def moving() -> Iterator[Stack]:
    yield from stack_at("steady:90", "moving")


@pytest.fixture(scope="module")
def parked() -> Iterator[Stack]:
    yield from stack_at("parked", "parked")


async def ask(stack: Stack, text: str) -> list[Event]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as client:
            return [e async for e in client.send_text(text)]
    finally:
        await server.stop(grace_s=0)


def golden(events: list[Event]) -> list[str]:
    """The event types, with a run of llm_token events as one."""
    kinds: list[str] = []
    for event in events:
        if not kinds or kinds[-1] != event.type.value or event.type.value != "llm_token":
            kinds.append(event.type.value)
    return kinds


async def test_parked_the_answer_is_whole(parked: Stack) -> None:
    events = await ask(parked, "tell me about the louvre")
    assert golden(events) == CHAT
    reply = events[-1].data["text"]
    assert reply.startswith("The Louvre in Paris holds many famous works of art, including the Mona Lisa")
    assert "Raft of the Medusa." in reply and "royal palace" in reply  # both sentences, the whole list


async def test_moving_the_answer_is_one_short_sentence_and_the_list_is_cut(moving: Stack) -> None:
    await eventually(lambda: (moving.parts.service.vehicle_state().get("Vehicle.Speed") or 0) > 50)
    events = await ask(moving, "tell me about the louvre")
    assert golden(events) == CHAT
    reply = events[-1].data["text"]
    assert (
        reply
        == "The Louvre in Paris holds many famous works of art, including the Mona Lisa, the Venus de Milo and more."
    )
    assert "".join(e.data["text"] for e in events if e.type.value == "llm_token") == reply  # as it was said


@given(st.lists(st.text(alphabet="abcdefgh ,", min_size=1, max_size=12), min_size=1, max_size=12), st.integers(3, 30))
def test_a_shortened_sentence_is_short_and_keeps_its_beginning(parts: list[str], limit: int) -> None:
    sentence = ", ".join(parts) + "."
    short = shorten_for_driving(sentence, limit)
    words = sentence.split()
    if len(words) <= limit and len(sentence.rstrip(".").split(", ")) <= MOVING_LIST_ITEMS + 1:
        assert short == " ".join(words)
    else:
        assert len(short.split()) <= max(limit, 1) + 2  # at most the limit and "and more"
        head = short.split()[0].rstrip(",.") if short.split() else ""
        assert " ".join(words).startswith(head)


def test_the_settings_bound_it() -> None:
    assert LlmSettings().moving_max_sentences == 1 and LlmSettings().moving_max_words == 20
