"""Never act on a mishearing (issue 11, item 2), in the pipeline: a spoken command heard unsure is
read back and waits for a yes, one heard very unsure is not acted on, free text is always read
back below a higher bar, and a question lapses after its window. Fakes at the edges."""

from __future__ import annotations

import pytest

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import NoLanguageModel
from cockpit.events import EventRecorder, EventType
from cockpit.pipeline import TurnPipeline
from cockpit.policy import DIDNT_CATCH, Hearing, Policy
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.skill_api import Skill
from cockpit.testing import FakeVehicle, ScriptedIntents, SlotToSignalSkill

HEARD = "set the passenger temperature to twenty three degrees"
SCRIPT = {
    HEARD: IntentMatch("climate.set_temperature", {"celsius": 23.0, "zone": "passenger"}, text=HEARD),
    "navigate to paris": IntentMatch("navigation.navigate_to", {"destination": "paris"}, text="navigate to paris"),
    "take me home": IntentMatch("navigation.navigate_to", {"destination": "home"}, text="take me home"),
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(car: FakeVehicle, clock: Clock) -> TurnPipeline:
    skills: Registry[Skill] = Registry("skill")
    skills.register(
        "climate", SlotToSignalSkill("climate", {"climate.set_temperature": (vss.PASSENGER_TEMPERATURE, "celsius")})
    )
    skills.register(
        "navigation",
        SlotToSignalSkill("navigation", {"navigation.navigate_to": (vss.MEDIA_SELECTED_URI, "destination")}),
    )
    policy = Policy(hearing=Hearing(confirm_below=0.6, reject_below=0.2, confirm_free_text_below=0.9))
    return TurnPipeline(ScriptedIntents(SCRIPT), skills, policy, car, NoLanguageModel(), 6.0, clock)


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def say(turns: TurnPipeline, session: Session, text: str, heard: float | None) -> EventRecorder:
    rec = EventRecorder()
    await turns.run_text(session, text, rec, heard=heard)
    return rec


async def test_an_unsure_command_is_read_back_and_nothing_moves_until_yes(clock: Clock) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s")
    asked = await say(turns, session, HEARD, 0.45)
    assert asked.types() == ["intent", "policy", "reply"]
    assert asked.of_type(EventType.INTENT)[0].data["confidence"] == 0.45
    assert asked.of_type(EventType.POLICY)[0].data["decision"] == "needs_confirmation"
    assert asked.of_type(EventType.REPLY)[0].data["text"] == f"Did you say: {HEARD}?"
    assert car.sent == []
    yes = await say(turns, session, "yes", 0.9)
    assert [e.data["status"] for e in yes.of_type(EventType.ACTION)] == ["sent", "confirmed"]
    assert car.snapshot()[vss.PASSENGER_TEMPERATURE] == 23.0


@pytest.mark.parametrize("answer", ["no", "no thanks", "cancel"])
async def test_no_moves_nothing(clock: Clock, answer: str) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s")
    await say(turns, session, HEARD, 0.45)
    no = await say(turns, session, answer, 0.9)
    assert no.of_type(EventType.ACTION) == [] and car.sent == [] and session.pending is None


async def test_silence_past_the_window_cancels_the_action(clock: Clock) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s")
    await say(turns, session, HEARD, 0.45)
    clock.now += 6.5
    late = await say(turns, session, "yes", 0.9)
    assert late.of_type(EventType.ACTION) == [] and car.sent == []


async def test_a_very_unsure_command_is_not_acted_on(clock: Clock) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s")
    rec = await say(turns, session, HEARD, 0.1)
    assert rec.of_type(EventType.POLICY)[0].data == {"decision": "refused", "reason": DIDNT_CATCH}
    assert rec.of_type(EventType.REPLY)[0].data["text"] == DIDNT_CATCH
    assert car.sent == [] and session.pending is None
    assert (await say(turns, session, "yes", 0.9)).of_type(EventType.ACTION) == []


async def test_a_sure_command_acts_at_once(clock: Clock) -> None:
    car = FakeVehicle()
    rec = await say(make(car, clock), Session("s"), HEARD, 0.95)
    assert [e.data["status"] for e in rec.of_type(EventType.ACTION)] == ["sent", "confirmed"]


async def test_a_destination_heard_fairly_sure_is_still_read_back(clock: Clock) -> None:
    car = FakeVehicle()
    rec = await say(make(car, clock), Session("s"), "navigate to paris", 0.8)
    assert rec.of_type(EventType.REPLY)[0].data["text"] == "Did you say: navigate to paris?"
    assert car.sent == []


async def test_a_spoken_destination_is_read_back_however_sure_and_a_yes_sets_it(clock: Clock) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s")
    rec = await say(turns, session, "navigate to paris", 0.99)
    assert rec.of_type(EventType.POLICY)[0].data["decision"] == "needs_confirmation"
    assert rec.of_type(EventType.REPLY)[0].data["text"] == "Did you say: navigate to paris?"
    assert car.sent == []
    yes = await say(turns, session, "yes", 0.9)
    assert [(e.data["value"], e.data["status"]) for e in yes.of_type(EventType.ACTION)] == [
        ("paris", "sent"),
        ("paris", "confirmed"),
    ]


async def test_home_said_sure_goes_at_once_and_a_typed_destination_too(clock: Clock) -> None:
    car = FakeVehicle()
    home = await say(make(car, clock), Session("s"), "take me home", 0.99)
    assert [e.data["status"] for e in home.of_type(EventType.ACTION)] == ["sent", "confirmed"]
    typed = await say(make(car, clock), Session("t"), "navigate to paris", None)
    assert [e.data["status"] for e in typed.of_type(EventType.ACTION)] == ["sent", "confirmed"]


async def test_typed_commands_are_never_read_back(clock: Clock) -> None:
    car = FakeVehicle()
    rec = await say(make(car, clock), Session("s"), HEARD, None)
    assert rec.of_type(EventType.INTENT)[0].data["confidence"] == 1.0
    assert [e.data["status"] for e in rec.of_type(EventType.ACTION)] == ["sent", "confirmed"]


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Hearing(confirm_below=0.3, reject_below=0.5)


@pytest.mark.parametrize(("answer", "acts"), [("네", True), ("응 해 줘", True), ("아니요", False), ("취소", False)])
async def test_korean_answers_to_a_read_back(clock: Clock, answer: str, acts: bool) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s", language="ko")
    await say(turns, session, HEARD, 0.45)
    rec = await say(turns, session, answer, 0.9)
    assert bool(rec.of_type(EventType.ACTION)) is acts and bool(car.sent) is acts


async def test_navigation_is_not_a_korean_yes(clock: Clock) -> None:
    car = FakeVehicle()
    turns, session = make(car, clock), Session("s", language="ko")
    await say(turns, session, HEARD, 0.45)
    rec = await say(turns, session, "네비게이션 켜 줘", 0.9)
    assert rec.of_type(EventType.ACTION) == [] and car.sent == []
