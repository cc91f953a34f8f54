"""The turn pipeline with fakes at its edges: golden event sequences and failure paths."""

from __future__ import annotations

from typing import Any

import pytest

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import NoLanguageModel
from cockpit.events import ActionStatus, EventRecorder, EventType
from cockpit.pipeline import TurnPipeline, _choose
from cockpit.policy import Policy
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.skill_api import Skill
from cockpit.testing import FakeVehicle, ScriptedIntents, SlotToSignalSkill


class _Unsupported:
    feature = "windows"


SCRIPT: dict[str, Any] = {
    "set 21": IntentMatch("climate.set_temperature", {"celsius": 21.0, "zone": "driver"}),
    "set 95": IntentMatch("climate.set_temperature", {"celsius": 95.0}),
    "volume 95": IntentMatch("media.set_volume", {"percent": 95}),
    "ac on": IntentMatch("climate.set_ac", {"on": True}),
    "open the windows": _Unsupported(),
}


def make(vehicle: FakeVehicle) -> TurnPipeline:
    skills: Registry[Skill] = Registry("skill")
    skills.register(
        "climate",
        SlotToSignalSkill(
            "climate", {"climate.set_temperature": (vss.DRIVER_TEMPERATURE, "celsius")}, boom=["climate.set_ac"]
        ),
    )
    skills.register("media", SlotToSignalSkill("media", {"media.set_volume": (vss.MEDIA_VOLUME, "percent")}))
    return TurnPipeline(ScriptedIntents(SCRIPT), skills, Policy(), vehicle, NoLanguageModel())


async def turn(text: str, vehicle: FakeVehicle | None = None, session: Session | None = None) -> EventRecorder:
    rec = EventRecorder()
    await make(vehicle or FakeVehicle()).run_text(session or Session("s"), text, rec)
    return rec


async def test_confirmed_write_golden_sequence() -> None:
    car = FakeVehicle()
    rec = await turn("set 21", car)
    assert rec.types() == ["intent", "policy", "action", "action", "state", "reply"]
    intent, _, sent, confirmed, _, reply = rec.events
    assert intent.data == {
        "intent": "climate.set_temperature",
        "slots": {"celsius": 21.0, "zone": "driver"},
        "source": "rules",
        "confidence": 1.0,
    }
    assert (sent.data["status"], confirmed.data["status"]) == ("sent", "confirmed")
    assert confirmed.data["signal"] == vss.DRIVER_TEMPERATURE and confirmed.data["value"] == 21.0
    assert reply.data["text"] == "Done."
    assert car.state[vss.DRIVER_TEMPERATURE] == 21.0
    assert all(e.turn == 0 for e in rec.events)
    assert [e.t_ms for e in rec.events] == sorted(e.t_ms for e in rec.events)


async def test_out_of_range_is_refused_and_nothing_is_sent() -> None:
    car = FakeVehicle()
    rec = await turn("set 95", car)
    assert rec.types() == ["intent", "policy", "reply"]
    assert rec.events[1].data["decision"] == "refused"
    assert "between 16 and 30 degrees" in rec.events[2].data["text"]
    assert car.sent == []


async def test_timeout_reply_says_so_and_never_says_done() -> None:
    car = FakeVehicle()
    car.fail[vss.DRIVER_TEMPERATURE] = ActionStatus.TIMEOUT
    rec = await turn("set 21", car)
    statuses = [e.data["status"] for e in rec.of_type(EventType.ACTION)]
    assert statuses == ["sent", "timeout"]
    assert rec.of_type(EventType.STATE) == []
    assert "didn't confirm" in rec.of_type(EventType.REPLY)[0].data["text"]


async def test_unsupported_request_is_refused_politely() -> None:
    car = FakeVehicle()
    rec = await turn("open the windows", car)
    assert rec.types() == ["policy", "reply"]
    assert "can't help with windows" in rec.events[-1].data["text"]
    assert car.sent == []


async def test_unmatched_text_is_chat_and_never_acts() -> None:
    car = FakeVehicle()
    rec = await turn("who wrote hamlet", car)
    assert rec.types() == ["intent", "reply"]
    assert rec.events[0].data["intent"] == "dialogue.chat"
    assert "can't help with that yet" in rec.events[1].data["text"]
    assert car.sent == []


async def test_loud_volume_waits_for_yes() -> None:
    car, session = FakeVehicle({vss.MEDIA_VOLUME: 40}), Session("s")
    first = await turn("volume 95", car, session)
    assert first.of_type(EventType.POLICY)[0].data["decision"] == "needs_confirmation"
    assert car.sent == []
    second = await turn("yes please", car, session)
    assert [e.data["status"] for e in second.of_type(EventType.ACTION)] == ["sent", "confirmed"]
    assert car.state[vss.MEDIA_VOLUME] == 95
    assert second.events[0].turn == 1


async def test_loud_volume_no_cancels() -> None:
    car, session = FakeVehicle({vss.MEDIA_VOLUME: 40}), Session("s")
    await turn("volume 95", car, session)
    rec = await turn("no", car, session)
    assert rec.types() == ["reply"] and car.sent == []


async def test_a_failing_skill_gives_an_error_event_not_an_exception() -> None:
    car = FakeVehicle()
    rec = await turn("ac on", car)
    assert rec.types() == ["intent", "error", "reply"]
    assert rec.events[1].data["code"] == "internal"
    assert car.sent == []


@pytest.mark.parametrize("intent", ["dialogue.chat", "windows.open_all"])
async def test_tool_calls_outside_the_catalogue_never_act(intent: str) -> None:
    car = FakeVehicle()
    pipeline = make(car)
    pipeline._recognizer = ScriptedIntents({"x": IntentMatch(intent, {}, source="llm")})
    rec = EventRecorder()
    await pipeline.run_text(Session("s"), "x", rec)
    assert car.sent == [] and rec.of_type(EventType.ACTION) == []


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("Illinois", "illinois"),
        ("the one in illinois please", "illinois"),
        ("West Virginia", "west virginia"),  # not also "virginia", whose words lie inside it
        ("virginia", "virginia"),
        ("Zürich", "zurich"),  # accents folded, as the choices' words are
        ("일리노이로 가 줘", "일리노이"),  # a Korean particle after the words
        ("illinois or virginia", None),  # two choices: neither
        ("no", None),
        ("illinoisan", None),  # whole words only
    ],
)
def test_an_answer_picks_the_choice_whose_words_it_holds(answer: str, chosen: str | None) -> None:
    choices = {w: IntentMatch("navigation.navigate_to", {"destination": w}) for w in CHOICE_WORDS}
    match = _choose(answer, choices)
    assert (match.slots["destination"] if match else None) == chosen


CHOICE_WORDS = ("illinois", "virginia", "west virginia", "zurich", "일리노이")
