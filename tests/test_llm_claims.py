"""The answer checker: the model's words must match the car (STYLE rule 24). Pure, no model.

Sentences marked ``# model`` are what the default GGUF (Qwen2.5 0.5B, greedy) really answered to
the questions of ``tests/data/car_function_questions.jsonl`` in the car states below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.llm.claims import NOTHING_CHANGED, AnswerChecker, Checked
from cockpit.llm.offers import offer_text, wanted_action
from cockpit.llm.sentences import parse_number, split_sentences
from cockpit.nlu import TemplateIntentRecognizer, Unsupported
from cockpit.skill_api import SignalValue

QUESTIONS = Path(__file__).parent / "data" / "car_function_questions.jsonl"

PARKED: dict[str, SignalValue] = {
    vss.SPEED: 0.0,
    vss.SELECTED_GEAR: 126,
    vss.IS_MOVING: False,
    vss.DRIVER_TEMPERATURE: 21.0,
    vss.PASSENGER_TEMPERATURE: 21.0,
    vss.AC_ACTIVE: False,
    vss.FRONT_DEFROSTER_ACTIVE: False,
    vss.REAR_DEFROSTER_ACTIVE: False,
    vss.DRIVER_FAN_SPEED: 30,
    vss.MEDIA_VOLUME: 20,
    vss.NAV_GUIDANCE_ACTIVE: False,
}
"""Standing in park, nothing playing, no destination (the issue's car)."""
DRIVING: dict[str, SignalValue] = {
    vss.SPEED: 48.0,
    vss.SELECTED_GEAR: 127,
    vss.IS_MOVING: True,
    vss.DRIVER_TEMPERATURE: 22.0,
    vss.PASSENGER_TEMPERATURE: 22.0,
    vss.AC_ACTIVE: True,
    vss.MEDIA_VOLUME: 35,
    vss.MEDIA_MUTED: False,
    vss.MEDIA_TRACK: "Yellow",
    vss.MEDIA_ARTIST: "Coldplay",
    vss.MEDIA_ACTION: "PLAY",
    vss.NAV_GUIDANCE_ACTIVE: True,
}
"""Driving at 48 km/h to Paris with "Yellow" playing; fan, recirculation, defrosters unknown."""
CARS: dict[str, tuple[Mapping[str, SignalValue], Mapping[str, Any]]] = {
    "parked": (PARKED, {}),
    "driving": (DRIVING, {"destination": {"name": "Paris"}}),
}


def check(sentence: str, car: str = "parked", question: str = "", **kwargs: Any) -> Checked:
    state, memory = CARS[car]
    return AnswerChecker(state, question=question, memory=memory, **kwargs).check(sentence)


# --- the issue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("what does 'turn on the rear defroster' mean?", "The rear window defroster is turned on."),
        ('{"name": "climate.set_fan_speed", "arguments": {"percent": 100}}', "The fan speed is set to 100 percent."),
        ("turn on the heated steering wheel", "The heated steering wheel is on."),
        ("undo that", "Sure, I can help you undo that."),
        ("how fast am I going", "I'm traveling at 80 km/h."),
        ("what gear am I in", "You are in the passenger seat."),
    ],
)
def test_the_issues_bad_answers_are_replaced(question: str, answer: str) -> None:
    checked = check(answer, question=question)
    assert checked.replaced and checked.text != answer and checked.reason


def test_the_issues_state_answers_become_the_facts() -> None:
    assert check("I'm traveling at 80 km/h.", question="how fast am I going").text == "The car is parked."
    assert check("You are in the passenger seat.", question="what gear am I in").text == "The car is in park."
    assert check("I'm in the passenger seat.", question="what gear am I in").reason == "contradicts-gear"


def test_a_change_claim_becomes_the_offer_when_there_is_one() -> None:
    offer = "Do you want me to turn on the rear defroster?"
    checked = check("The rear window defroster is turned on.", offer=offer)
    assert checked == Checked(offer, True, "claims-change")
    assert check("Sure, I can help you undo that.") == Checked(NOTHING_CHANGED, True, "promises-action")


def test_an_unsupported_function_is_never_claimed_even_with_confirmed_actions() -> None:
    checked = check("I've opened the windows.", confirmed={vss.AC_ACTIVE})
    assert checked.replaced and checked.reason == "unsupported-function"
    assert check("The heated steering wheel is on.").reason == "unsupported-function"


# --- realistic bad answers ---------------------------------------------------------------------

BAD: list[tuple[str, str, str]] = [
    # (answer, car, question)
    ("The rear window defroster is turned on.", "parked", ""),  # model
    ("The fan speed is set to 100%.", "parked", ""),  # model
    ("Sure, I can help you undo that.", "parked", ""),  # model
    ("I'm driving at 80 km/h.", "parked", "how fast am I going"),  # model
    ("I'm in the passenger seat.", "parked", "what gear am I in"),  # model
    ("I'm in the passenger seat.", "driving", "what gear am I in"),  # model
    ("This means the cabin is set to 22 degrees Celsius.", "parked", ""),  # model
    ("The fan is turned up.", "parked", ""),  # model
    ("The car is turned on to turn on the AC.", "parked", ""),  # model
    ("The windshield is defrosted on.", "parked", ""),  # model
    ("The front defroster is on, allowing the front window to defroster.", "parked", ""),  # model
    ("The car is heating the seat.", "parked", ""),  # model
    ("The car is heating the seat row.", "driving", ""),  # model
    ("This means the volume is set to 30%.", "parked", ""),  # model
    ("The music is paused.", "parked", ""),  # model
    ("The music is paused.", "driving", ""),  # model
    ('This means the car is playing "Yellow" by "Coldplay" at volume 20.', "parked", ""),  # model
    ("Sure, I can help open the sunroof a little bit for you.", "parked", ""),  # model
    ("The front window is set to rear, and the air conditioning is turned on.", "parked", ""),  # model
    (
        "The cabin is set to 22 degrees, air conditioning on, and the front window is set to rear.",
        "driving",
        "",
    ),  # model
    ("Volume set to 90%.", "parked", ""),  # model
    ("No, we're not parked.", "parked", "are we parked?"),  # model
    ("The sound is muted.", "parked", ""),  # model
    ("The fan is running.", "driving", ""),  # model
    ("Recirculation is on.", "driving", ""),  # model
    ("The front defroster is on.", "driving", ""),  # model
    ("The rear window defroster is on.", "driving", ""),  # model
    ("The heated steering wheel is on.", "parked", ""),
    ("I've turned on the rear defroster.", "parked", ""),
    ("I have set the temperature to 22 degrees.", "driving", ""),
    ("I'm turning on the air conditioning now.", "parked", ""),
    ("I'll turn on recirculation for you.", "parked", ""),
    ("Let me turn the fan up.", "parked", ""),
    ("Okay, turning on the seat heating.", "parked", ""),
    ("Navigating to Paris.", "parked", ""),
    ("Now playing jazz.", "parked", ""),
    ("Done!", "parked", ""),
    ("The volume has been lowered to 10 percent.", "driving", ""),
    ("The temperature is now 22 degrees.", "driving", ""),
    ("Muted.", "driving", ""),
    ("Skipping to the next track.", "driving", ""),
    ("Route guidance cancelled.", "driving", ""),
    ("I've undone the last change.", "parked", ""),
    ("The windows are now open.", "parked", ""),
    ("You're going 80 km/h.", "parked", ""),
    ("The car is in drive.", "parked", ""),
    ("The cabin is set to 25 degrees.", "parked", ""),
    ("The A/C is on.", "parked", ""),
    ('You are listening to "Yellow" by "Coldplay".', "parked", ""),
    ("Nothing is playing right now.", "driving", ""),
    ("We are driving to Berlin.", "driving", ""),
    ("No destination is set.", "driving", ""),
    ("The volume is at 80.", "parked", ""),
    ("You are stopped.", "driving", ""),
    ("The car is parked.", "driving", ""),
    ("Sure, I can do that.", "parked", ""),
    ("I will pause the music.", "driving", ""),
    ("The A/C was switched off.", "driving", ""),
    ("It's 75 degrees Fahrenheit in here.", "parked", ""),
    ("The heated seats are on.", "parked", ""),
    ("Okay, the fan speed has been increased.", "parked", ""),
    ("I'd be happy to turn on the rear defroster.", "parked", ""),
    ("The rear defroster is now on.", "parked", ""),
    ("Alright, I've muted the audio.", "driving", ""),
    # the model's answer to 'what does "turn on recirculation" mean?' (2026-12-05): a claim,
    # then an explanation of it
    ("The car is turned on recirculation, which means it will recirculate its fuel to the air.", "parked", ""),
]


@pytest.mark.parametrize(("answer", "car", "question"), BAD)
def test_bad_answers_are_replaced(answer: str, car: str, question: str) -> None:
    checked = check(answer, car, question)
    assert checked.replaced, f"passed: {answer!r}"
    assert checked.text != answer and checked.reason


def test_the_bad_table_is_large() -> None:
    assert len(BAD) >= 40


# --- good answers -------------------------------------------------------------------------------

GOOD: list[tuple[str, str, str]] = [
    ("Leonardo da Vinci painted the Mona Lisa.", "parked", ""),
    ("The cabin is set to 21 degrees.", "parked", "what's the temperature in here?"),  # model
    ("The cabin is set to 22 degrees.", "driving", "what is the temperature set to?"),  # model
    ("The cabin is set to 21 degrees, which is comfortable for most people.", "parked", ""),
    ("The rear defroster clears the rear window of fog and ice.", "parked", ""),
    ("A rear defroster heats thin wires in the glass.", "parked", ""),
    ("The rear window is heated by thin wires in the glass.", "parked", ""),
    ("Recirculation keeps outside air out.", "parked", ""),
    ("Sorry, I can't do that.", "parked", ""),
    ("I'm sorry, I can't do that.", "parked", ""),  # model
    ("I'm sorry, but I can't assist with that.", "driving", ""),  # model
    ("I'm fine, thanks.", "parked", ""),
    ("How can I help?", "parked", ""),
    ("You can ask me to turn it on.", "parked", ""),
    ("Do you want me to turn on the rear defroster?", "parked", ""),
    ("Would you like me to set the temperature to 22 degrees?", "parked", ""),
    ("Hamlet was written around 1600.", "parked", ""),
    ('The play "Hamlet" was written by William Shakespeare.', "driving", ""),
    ("It turns on the heater.", "parked", ""),
    ("Turning on the A/C cools the cabin.", "parked", ""),
    ("It can be turned on from the climate screen.", "parked", ""),
    ("When you turn on recirculation, the car stops drawing in outside air.", "parked", ""),
    ("The air conditioning is off.", "parked", "is the air conditioning on?"),  # model
    ("Yes, the air conditioning is on.", "driving", "is the air conditioning on?"),  # model
    ("Recirculation is off.", "parked", "is recirculation on?"),  # model
    ("The front defroster is off.", "parked", "is the front defroster on?"),  # model
    ("The rear window defroster is off.", "parked", "is the rear defroster on?"),  # model
    ("No destination is set at the moment.", "parked", "where are we going?"),  # model
    ("This means you're going to Paris.", "driving", ""),  # model
    ("The navigation finds a route by using GPS technology.", "parked", ""),  # model
    ("The volume is set to 35.", "driving", ""),  # model
    ("The music is playing at volume 35.", "driving", "how loud is the music?"),  # model
    ("The sound is not muted.", "driving", "is the sound muted?"),  # model
    ('This is "Yellow" by "Coldplay".', "driving", "what's playing?"),  # model
    ("I'm driving at 48 km/h.", "driving", "how fast am I going"),  # model
    ("The previous track is the track before the current track.", "parked", ""),  # model
    ('Skipping to the next song works by pressing the "Next Song" button.', "parked", ""),  # model
    ("The blower works by turning on the fan and blowing air through the cabin.", "parked", ""),  # model
    ("Recirculation is for cooling the cabin.", "parked", ""),  # model
    ('"Play some jazz" is a song title.', "parked", ""),  # model
    ("A resume is a document that outlines a person's skills, experience, and qualifications.", "parked", ""),  # model
    ("Water boils at 100 degrees Celsius at sea level.", "parked", ""),
    ("The speed limit on most motorways is 130 km/h.", "parked", ""),
    ("Room temperature is about 21 degrees.", "driving", ""),
    (NOTHING_CHANGED, "parked", ""),
    ("This car has no heated steering wheel.", "parked", ""),
    ("A heated steering wheel warms your hands on cold mornings.", "parked", ""),
    ("The fan blows air through the vents.", "parked", ""),
    ("Seat heating warms the seat cushion.", "parked", ""),
    ("Muting turns off the sound without stopping playback.", "driving", ""),
    ("Pausing stops the music until you resume it.", "driving", ""),
    ("Resume continues playback from where it was paused.", "driving", ""),
    ("The car is stopped.", "parked", ""),
    ("The car is in park.", "parked", "what gear am I in"),
    ("You are in drive.", "driving", "what gear am I in"),
    ("You're driving at 48 km/h.", "driving", ""),
    ("Paris is the capital of France.", "driving", ""),
    ("I can only set the temperature between 16 and 30 degrees.", "parked", ""),
    ("Let me know if you need anything else.", "parked", ""),
    ("Nothing is playing.", "parked", "what's playing?"),
    ("Twenty one degrees is comfortable for most people.", "parked", ""),
    ("It means the rear window defroster should be switched on.", "parked", ""),
    ("Setting the volume to 30 makes the music quieter.", "driving", ""),
    ("The rear defroster is switched off.", "parked", ""),
    ("The front defroster is off.", "driving", ""),
    # an explanation with a "which" clause claims nothing
    ("Recirculation, which keeps outside air out, is useful in traffic.", "driving", ""),
    ("The defroster, which clears the window, uses warm air.", "parked", ""),
]


@pytest.mark.parametrize(("answer", "car", "question"), GOOD)
def test_good_answers_pass_untouched(answer: str, car: str, question: str) -> None:
    assert check(answer, car, question) == Checked(answer, False, "")


def test_the_good_table_is_large() -> None:
    assert len(GOOD) >= 40


# --- contradictions: replaced by the right fact, in each car -----------------------------------


@pytest.mark.parametrize(
    ("answer", "parked", "driving"),
    [
        ("You're driving at 80 km/h.", "The car is parked.", "You're driving at 48 km/h."),
        ("We are stopped at the moment.", None, "You're driving at 48 km/h."),
        ("The car is moving.", "The car is parked.", None),
        ("The car is in reverse.", "The car is in park.", "The car is in drive."),
        ("The A/C is on.", "The air conditioning is off.", None),
        ("The air conditioning is off.", None, "The air conditioning is on."),
        ('This is "Fix You" by "Coldplay".', "Nothing is playing.", 'This is "Yellow" by "Coldplay".'),
        ("Nothing is playing.", None, 'This is "Yellow" by "Coldplay".'),
        ("The cabin is set to 25 degrees.", "The cabin is set to 21 degrees.", "The cabin is set to 22 degrees."),
        ("The volume is at 80.", "The volume is at 20.", "The volume is at 35."),
        ("We're heading to Berlin.", "No destination is set.", 'The destination is "Paris".'),
    ],
)
def test_a_contradiction_is_replaced_by_the_fact(answer: str, parked: str | None, driving: str | None) -> None:
    for car, fact in (("parked", parked), ("driving", driving)):
        checked = check(answer, car)
        if fact is None:
            assert checked == Checked(answer, False, ""), car
        else:
            assert checked.text == fact and checked.reason.startswith("contradicts-"), car


def test_the_gear_question_makes_any_other_place_a_gear_statement() -> None:
    assert check("You are in the passenger seat.", "driving", "which gear is the car in?").text == (
        "The car is in drive."
    )
    # Without a question about the gear it is not about the gear.
    assert not check("You are in the driver's seat.", "driving", "where am I sitting?").replaced


def test_a_speed_in_miles_per_hour_is_compared_in_km_h() -> None:
    assert not check("You're going about 30 mph.", "driving").replaced
    assert check("You're going about 60 mph.", "driving").reason == "contradicts-speed"
    assert check("You are going eighty.", "driving", "how fast am I going?").reason == "contradicts-speed"


def test_a_temperature_per_side_is_compared_with_that_side() -> None:
    state = {**PARKED, vss.PASSENGER_TEMPERATURE: 24.0}
    checker = AnswerChecker(state)
    assert not checker.check("The passenger side is set to 24 degrees.").replaced
    checked = checker.check("The driver side is set to 24 degrees.")
    assert checked.text == "The cabin is set to 21 degrees on the driver side and 24 degrees on the passenger side."


def test_playing_while_paused_is_a_contradiction() -> None:
    paused = {**DRIVING, vss.MEDIA_ACTION: "STOP"}
    assert AnswerChecker(paused).check('You are listening to "Yellow".').text == '"Yellow" by "Coldplay" is paused.'
    assert not AnswerChecker(paused).check("The music is paused.").replaced


# --- confirmed actions -------------------------------------------------------------------------


def test_a_confirmed_change_may_be_claimed() -> None:
    on = {**PARKED, vss.REAR_DEFROSTER_ACTIVE: True}
    claim = "I've turned on the rear defroster."
    assert not AnswerChecker(on, confirmed={vss.REAR_DEFROSTER_ACTIVE}).check(claim).replaced
    assert AnswerChecker(on, confirmed={vss.FRONT_DEFROSTER_ACTIVE}).check(claim).reason == "claims-change"
    warm = {**PARKED, vss.DRIVER_TEMPERATURE: 22.0}
    checker = AnswerChecker(warm, confirmed={vss.DRIVER_TEMPERATURE})
    assert not checker.check("The temperature has been set to 22 degrees.").replaced
    assert not AnswerChecker(PARKED, confirmed={vss.AC_ACTIVE}).check("Done.").replaced


def test_a_confirmed_change_with_the_wrong_value_becomes_the_fact() -> None:
    warm = {**PARKED, vss.DRIVER_TEMPERATURE: 22.0, vss.PASSENGER_TEMPERATURE: 22.0}
    checked = AnswerChecker(warm, confirmed={vss.DRIVER_TEMPERATURE}).check("I've set the temperature to 25 degrees.")
    assert checked == Checked("The cabin is set to 22 degrees.", True, "contradicts-temperature")


# --- one answer --------------------------------------------------------------------------------


def test_only_the_first_change_replacement_of_an_answer_is_said() -> None:
    offer = "Do you want me to turn on the rear defroster?"
    checker = AnswerChecker(PARKED, offer=offer)
    first = checker.check("I've turned on the rear defroster.")
    second = checker.check("It is now heating the glass.")
    assert first.text == offer
    assert second == Checked("", True, "claims-change")


def test_revise_keeps_good_sentences_and_replaces_bad_ones() -> None:
    answer = "The rear defroster clears the rear window. I've turned it on for you. Done!"
    assert AnswerChecker(PARKED).revise(answer) == f"The rear defroster clears the rear window. {NOTHING_CHANGED}"
    assert AnswerChecker(DRIVING).revise("You are stopped. The car is stopped.") == "You're driving at 48 km/h."


# --- offers ------------------------------------------------------------------------------------

OFFERS: dict[str, list[tuple[dict[str, Any], str]]] = {
    "climate.set_temperature": [
        ({"celsius": 22}, "set the temperature to 22 degrees"),
        ({"celsius": 21.5, "zone": "passenger"}, "set the passenger's temperature to 21.5 degrees"),
        ({"celsius": 20, "zone": "all"}, "set everyone's temperature to 20 degrees"),
    ],
    "climate.adjust_temperature": [
        ({"delta_celsius": 1}, "make it warmer"),
        ({"delta_celsius": -2, "zone": "passenger"}, "make the passenger's side 2 degrees cooler"),
    ],
    "climate.set_fan_speed": [
        ({"percent": 100}, "set the fan to 100 percent"),
        ({"percent": 0}, "set the fan to 0 percent"),
    ],
    "climate.adjust_fan_speed": [
        ({"delta_percent": 20}, "turn the fan up"),
        ({"delta_percent": -20}, "turn the fan down"),
    ],
    "climate.set_ac": [
        ({"on": True}, "turn on the air conditioning"),
        ({"on": False}, "turn off the air conditioning"),
    ],
    "climate.set_recirculation": [({"on": True}, "turn on recirculation")],
    "climate.set_defrost": [
        ({"window": "rear", "on": True}, "turn on the rear defroster"),
        ({"window": "front", "on": False}, "turn off the front defroster"),
    ],
    "climate.set_seat_heating": [
        ({"level": 2}, "set the seat heating to level 2"),
        ({"level": 0, "zone": "passenger"}, "set the passenger's seat heating to level 0"),
    ],
    "navigation.navigate_to": [({"destination": "paris"}, "navigate to Paris")],
    "navigation.cancel": [({}, "stop the route guidance")],
    "media.play": [({"query": "jazz"}, "play jazz"), ({}, "play some music")],
    "media.pause": [({}, "pause the music")],
    "media.resume": [({}, "resume the music")],
    "media.next_track": [({}, "skip to the next track")],
    "media.previous_track": [({}, "go back to the previous track")],
    "media.set_volume": [({"percent": 30}, "set the volume to 30 percent")],
    "media.adjust_volume": [({"delta_percent": 10}, "turn the volume up")],
    "media.mute": [({"on": True}, "mute the sound"), ({"on": False}, "unmute the sound")],
    "vehicle.undo": [({}, "undo the last change")],
    "body.set_window": [
        ({"position": 100}, "open the window"),
        ({"window": "all", "position": 0}, "close the windows"),
        ({"window": "rear-left", "position": 20}, "open the rear left window to 20 percent"),
    ],
    "body.set_sunroof": [({"position": 100}, "open the sunroof"), ({"position": 0}, "close the sunroof")],
    "body.set_child_lock": [({"on": True}, "turn on the child locks"), ({"on": False}, "turn off the child locks")],
}


def test_there_is_an_offer_for_every_actuating_intent() -> None:
    assert set(OFFERS) == {name for name, spec in CATALOGUE.items() if spec.actuates}
    for intent, cases in OFFERS.items():
        for slots, action in cases:
            assert offer_text(IntentMatch(intent, slots)) == f"Do you want me to {action}?"


def test_an_offer_without_its_number_falls_back_on_the_description() -> None:
    offer = offer_text(IntentMatch("climate.set_temperature", {}))
    assert offer == "Do you want me to set the cabin temperature in degrees Celsius?"


def test_queries_and_chat_have_no_offer() -> None:
    for name, spec in CATALOGUE.items():
        if not spec.actuates:
            with pytest.raises(ValueError):
                offer_text(IntentMatch(name, {}))


def test_an_offer_passes_the_checker() -> None:
    for intent, cases in OFFERS.items():
        for slots, _ in cases:
            offer = offer_text(IntentMatch(intent, slots))
            assert not AnswerChecker(DRIVING).check(offer).replaced, offer


# --- wanted_action -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recognizer() -> TemplateIntentRecognizer:
    return TemplateIntentRecognizer.from_paths()


@pytest.mark.parametrize(
    ("question", "intent", "slots"),
    [
        ("what does 'turn on the rear defroster' mean?", "climate.set_defrost", {"window": "rear", "on": True}),
        ('what does "turn the fan up" do?', "climate.adjust_fan_speed", {}),
        ("what does “turn on recirculation” mean?", "climate.set_recirculation", {"on": True}),
        ("can you explain 'play some jazz'?", "media.play", {"query": "jazz"}),
        ("what does turn on the rear defroster mean", "climate.set_defrost", {"window": "rear"}),
        ("explain set the temperature to 22 degrees", "climate.set_temperature", {"celsius": 22}),
        ("could you please turn on the AC?", "climate.set_ac", {"on": True}),
        ("what is navigate to Paris", "navigation.navigate_to", {"destination": "paris"}),
    ],
)
def test_wanted_action_finds_the_command_asked_about(
    recognizer: TemplateIntentRecognizer, question: str, intent: str, slots: dict[str, Any]
) -> None:
    found = wanted_action(question, recognizer.recognize)
    assert found is not None and found.intent == intent
    assert {k: found.slots.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    "question",
    [
        "turn on the heated steering wheel",  # unsupported
        "what's the temperature in here?",  # a query, not an action
        "who wrote Hamlet?",
        '{"name": "climate.set_fan_speed", "arguments": {"percent": 100}}',
    ],
)
def test_wanted_action_is_none_without_an_action(recognizer: TemplateIntentRecognizer, question: str) -> None:
    assert wanted_action(question, recognizer.recognize) is None


def test_wanted_action_tries_quotes_first_and_skips_what_is_not_an_action() -> None:
    tried: list[str] = []
    script: dict[str, object] = {
        "open the sunroof": Unsupported("sunroof", "open the sunroof"),
        "mute": IntentMatch("media.mute", {"on": True}),
        "where are we going": IntentMatch("navigation.query", {"what": "destination"}),
    }

    def understand(text: str) -> object:
        tried.append(text)
        return script.get(text)

    found = wanted_action("what does 'open the sunroof' or 'mute' mean?", understand)
    assert found == IntentMatch("media.mute", {"on": True})
    assert tried == ["open the sunroof", "mute"]
    assert wanted_action("where are we going", understand) is None


# --- the question data ------------------------------------------------------------------------

FUNCTIONS = {
    "temperature", "fan", "ac", "recirculation", "front_defrost", "rear_defrost", "seat_heating", "navigation",
    "volume", "mute", "pause", "resume", "next_track", "previous_track",
}  # fmt: skip
KINDS = {"meaning", "state", "explain", "unsupported", "undo", "json"}


def questions() -> list[dict[str, str]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_question_data_covers_every_car_function_and_the_issue() -> None:
    rows = questions()
    assert len(rows) >= 30
    assert all(set(row) == {"text", "function", "kind"} and row["kind"] in KINDS for row in rows)
    assert FUNCTIONS.issubset(row["function"] for row in rows)
    assert {"meaning", "state", "explain"} <= {row["kind"] for row in rows if row["function"] == "rear_defrost"}
    texts = {row["text"] for row in rows}
    for issue in ("what does 'turn on the rear defroster' mean?", "turn on the heated steering wheel", "undo that"):
        assert issue in texts
    assert any(row["kind"] == "json" and json.loads(row["text"])["name"] in CATALOGUE for row in rows)


def test_every_meaning_question_has_an_offer(recognizer: TemplateIntentRecognizer) -> None:
    for row in questions():
        if row["kind"] == "meaning":
            found = wanted_action(row["text"], recognizer.recognize)
            assert found is not None, row["text"]
            assert offer_text(found).startswith("Do you want me to ")


# --- robustness --------------------------------------------------------------------------------

_SMALL = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
_SMALL += "seventeen eighteen nineteen"
_WORDS = _SMALL.split()
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int) -> str:
    """``n`` (0-999) in English words, as a speaker would say it."""
    if n < 20:
        return _WORDS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _WORDS[n % 10])
    rest = n % 100
    return _WORDS[n // 100] + " hundred" + ("" if rest == 0 else " and " + spell(rest))


@given(st.integers(min_value=0, max_value=999))
def test_spelled_numbers_parse(n: int) -> None:
    assert parse_number(spell(n)) == n
    assert parse_number(str(n)) == n
    assert parse_number(spell(n).replace(" ", "-")) == n


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=9))
def test_spelled_decimals_parse(whole: int, tenth: int) -> None:
    assert parse_number(f"{spell(whole)} point {_WORDS[tenth]}") == pytest.approx(whole + tenth / 10)


@given(st.text(max_size=80))
def test_parse_number_never_raises(text: str) -> None:
    value = parse_number(text)
    assert value is None or value >= 0


_VOCAB = (  # noqa: SIM905
    "I I've I'll you we the car cabin is are was has been now not turned on off set to 21 22 80 degrees km/h % "
    'percent rear front defroster A/C fan volume muted playing "Yellow" by Coldplay in park drive gear driving '
    "stopped parked heated steering wheel window done . , ? ! Sure let me heading Paris destination level seat heating"
).split()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_VOCAB), max_size=20).map(" ".join)))
def test_check_never_raises(text: str) -> None:
    for car in CARS:
        checker = AnswerChecker(CARS[car][0], question=text, memory=CARS[car][1], offer="Do you want me to?")
        checked = checker.check(text)
        assert isinstance(checked.text, str) and checked.replaced == bool(checked.reason)
        assert checked.replaced or checked.text == text
        checker.revise(text)


@given(
    st.lists(st.sampled_from(["The car is stopped.", "It is 21.5 degrees!", "Really?", "Yes…", "\n", " "]), max_size=8)
)
def test_split_sentences_keeps_every_word(pieces: list[str]) -> None:
    text = " ".join(pieces)
    sentences = split_sentences(text)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    assert all(s == s.strip() and s for s in sentences)


def test_split_sentences_keeps_decimals_together() -> None:
    assert split_sentences("It is 21.5 degrees. Done! OK") == ["It is 21.5 degrees.", "Done!", "OK"]


@pytest.fixture(autouse=True)
def _no_state_leaks() -> Iterator[None]:
    before = (dict(PARKED), dict(DRIVING))
    yield
    assert before == (PARKED, DRIVING)
