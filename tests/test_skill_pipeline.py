"""The real skills inside the real pipeline and policy, with a fake car: what a user would notice."""

from __future__ import annotations

import pytest

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import NoLanguageModel
from cockpit.events import EventRecorder
from cockpit.pipeline import TurnPipeline
from cockpit.policy import Policy
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.skill_api import Skill
from cockpit.skill_registry import build_skill_registry
from cockpit.testing import FakeVehicle, ScriptedIntents

SCRIPT = {
    "set 95": IntentMatch("climate.set_temperature", {"celsius": 95.0}),
    "set 21.3": IntentMatch("climate.set_temperature", {"celsius": 21.3}),
    "both 20": IntentMatch("climate.set_temperature", {"celsius": 20, "zone": "all"}),
    "find charger": IntentMatch("navigation.find_nearby", {"category": "charging_station"}),
    "go there": IntentMatch("navigation.navigate_to", {"destination": "there"}),
    "play jazz": IntentMatch("media.play", {"query": "jazz"}),
    "play nonsense": IntentMatch("media.play", {"query": "xyzzy plugh"}),
}


@pytest.fixture(scope="module")
def skills() -> Registry[Skill]:
    return build_skill_registry(extra_entry_points=False)


async def turn(skills: Registry[Skill], car: FakeVehicle, session: Session, text: str) -> EventRecorder:
    rec = EventRecorder()
    pipeline = TurnPipeline(ScriptedIntents(SCRIPT), skills, Policy(), car, NoLanguageModel())
    await pipeline.run_text(session, text, rec)
    return rec


def reply(rec: EventRecorder) -> str:
    return str(rec.events[-1].data["text"])


async def test_out_of_range_temperature_is_refused_by_the_policy(skills: Registry[Skill]) -> None:
    car = FakeVehicle()
    rec = await turn(skills, car, Session("s"), "set 95")
    assert rec.types() == ["intent", "policy", "reply"]
    assert "between 16 and 30 degrees" in reply(rec)
    assert car.sent == []


async def test_rounded_temperature_is_confirmed_then_done(skills: Registry[Skill]) -> None:
    car = FakeVehicle()
    rec = await turn(skills, car, Session("s"), "set 21.3")
    assert rec.types() == ["intent", "policy", "action", "action", "state", "reply"]
    assert car.state[vss.DRIVER_TEMPERATURE] == 21.5
    assert reply(rec) == "Driver temperature set to 21.5 degrees."


async def test_all_zones_go_out_in_one_turn(skills: Registry[Skill]) -> None:
    car = FakeVehicle()
    await turn(skills, car, Session("s"), "both 20")
    assert [w.signal for w in car.sent] == [vss.DRIVER_TEMPERATURE, vss.PASSENGER_TEMPERATURE]


async def test_find_then_navigate_there_across_turns(skills: Registry[Skill]) -> None:
    car, session = FakeVehicle(), Session("s")
    found = await turn(skills, car, session, "find charger")
    assert reply(found).startswith("The nearest charging station is ") and car.sent == []
    name = session.memory["last_place"]["name"]
    go = await turn(skills, car, session, "go there")
    assert [w.signal for w in car.sent] == [vss.NAV_LATITUDE, vss.NAV_LONGITUDE]
    assert reply(go).startswith(f"Navigating to {name}: ")


async def test_play_selects_then_plays(skills: Registry[Skill]) -> None:
    car = FakeVehicle()
    rec = await turn(skills, car, Session("s"), "play jazz")
    assert [(w.signal, w.value) for w in car.sent] == [
        (vss.MEDIA_SELECTED_URI, "media:track:1"),
        (vss.MEDIA_ACTION, "PLAY"),
    ]
    assert reply(rec).startswith("Playing some jazz")


async def test_nothing_found_moves_nothing(skills: Registry[Skill]) -> None:
    car = FakeVehicle()
    rec = await turn(skills, car, Session("s"), "play nonsense")
    assert car.sent == [] and "couldn't find" in reply(rec)
