"""``ListSkills`` as an HMI sees it, over a real loopback server on the real service: each intent's
slots (name, type, the car's range or the allowed values) and example phrases, and every example
phrase, typed in its own language, is understood as the intent it is listed under."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from cockpit.catalogue import IntentMatch
from cockpit.server import convert, start_server
from cockpit.server.client import CockpitClient
from cockpit.server.convert import proto_to_dict
from cockpit.skill_api import Skill, SkillContext, SkillPlan
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack
from tests.test_grpc_support import TIMEOUT_S, channel


async def _listing(stack: Stack) -> dict[str, pb.IntentInfo]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with channel(f"127.0.0.1:{port}") as chan:
            reply = await pb_grpc.CockpitStub(chan).ListSkills(pb.ListSkillsRequest(), timeout=TIMEOUT_S)
    finally:
        await server.stop(0)
    for skill in reply.skills:
        assert [i.name for i in skill.intent_details] == list(skill.intents), "details follow the intents' order"
    return {i.name: i for skill in reply.skills for i in skill.intent_details}


async def test_temperature_slot_shows_the_cars_range(stack: Stack) -> None:
    intents = await _listing(stack)
    temperature = intents["climate.set_temperature"]
    assert temperature.actuates
    assert "temperature" in temperature.description.lower()
    celsius, zone = temperature.slots
    assert (celsius.name, celsius.type, celsius.required, celsius.unit) == (
        "celsius",
        pb.SLOT_TYPE_NUMBER,
        True,
        "celsius",
    )
    assert (celsius.minimum, celsius.maximum, celsius.step) == (16.0, 30.0, 0.5)
    assert (zone.name, zone.type, zone.required) == ("zone", pb.SLOT_TYPE_ENUM, False)
    assert list(zone.allowed_values) == ["driver", "passenger", "all"]
    assert not zone.HasField("minimum")
    assert "set the temperature to 21 degrees" in [e.text for e in temperature.examples if e.language == "en"]


async def test_other_slot_kinds_and_unbounded_slots(stack: Stack) -> None:
    intents = await _listing(stack)
    (level,) = [s for s in intents["climate.set_seat_heating"].slots if s.name == "level"]
    assert (level.type, level.minimum, level.maximum, level.step) == (pb.SLOT_TYPE_INTEGER, 0, 3, 1)
    (volume,) = intents["media.set_volume"].slots
    assert (volume.minimum, volume.maximum, volume.unit) == (0, 100, "percent")
    (on,) = intents["climate.set_ac"].slots
    assert on.type == pb.SLOT_TYPE_BOOLEAN
    (destination,) = intents["navigation.navigate_to"].slots
    assert destination.type == pb.SLOT_TYPE_TEXT and not destination.HasField("maximum")
    (category,) = intents["navigation.find_nearby"].slots
    assert "charging_station" in category.allowed_values
    assert not intents["navigation.find_nearby"].actuates
    assert intents["media.pause"].slots == []


async def test_media_offers_example_phrases_in_english_and_korean(stack: Stack) -> None:
    intents = await _listing(stack)
    media = {name: i for name, i in intents.items() if name.startswith("media.")}
    assert all(i.examples for i in media.values()), "every media intent has something to offer"
    play = [(e.language, e.text) for e in media["media.play"].examples]
    assert ("en", "play some jazz") in play
    assert any(language == "ko" for language, _ in play)


async def test_every_listed_example_reaches_its_intent(stack: Stack) -> None:
    """A phrase an HMI offers must work: each one, typed in its language, is heard as its intent."""
    intents = await _listing(stack)
    examples = [(name, e.language, e.text) for name, i in intents.items() for e in i.examples]
    assert len(examples) > 40
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    wrong = []
    try:
        async with channel(f"127.0.0.1:{port}") as chan:
            stub = pb_grpc.CockpitStub(chan)
            for name, language, text in examples:
                session = await stub.CreateSession(pb.CreateSessionRequest(language=language), timeout=TIMEOUT_S)
                request = pb.TextTurnRequest(session_id=session.session_id, text=text)
                events = [proto_to_dict(e) async for e in stub.SendText(request, timeout=TIMEOUT_S)]
                heard = [e["intent"] for e in events if e["type"] == "intent"]
                if heard != [name]:
                    wrong.append((text, name, heard))
                await stub.CloseSession(pb.CloseSessionRequest(session_id=session.session_id), timeout=TIMEOUT_S)
    finally:
        await server.stop(0)
    assert not wrong, f"examples not understood as their intent: {wrong}"


@pytest.mark.parametrize("skill", ["climate", "media", "navigation", "drive"])
async def test_the_client_gets_what_the_service_lists(stack: Stack, skill: str) -> None:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}", timeout_s=TIMEOUT_S) as client:
            remote = {s.name: s for s in await client.skills()}
    finally:
        await server.stop(0)
    local = {s.name: s for s in stack.parts.service.skills()}
    assert remote[skill] == local[skill]


def test_an_outside_skills_own_intent_is_listed_without_catalogue_details() -> None:
    class Scenes(Skill):
        name = "scenes"
        description = "Sets the cabin up for a mood."
        intents = ("scenes.cosy",)
        examples = MappingProxyType({"en": {"scenes.cosy": ("make it cosy",)}})

        def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
            return SkillPlan()

    (cosy,) = Scenes().info().intent_details
    assert (cosy.name, cosy.slots, [e.text for e in cosy.examples]) == ("scenes.cosy", (), ["make it cosy"])
    assert convert.skill_from_proto(convert.skill_to_proto(Scenes().info())) == Scenes().info()
