"""The recogniser seam: result types, unsupported requests, open dialogue, input guards, speed."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.catalogue import IntentMatch
from cockpit.errors import IntentError
from cockpit.nlu import IntentRecognizer, Recognition, TemplateIntentRecognizer, Unsupported
from cockpit.nlu.normalize import normalize, strip_fillers
from cockpit.nlu.recognizer import MAX_TEXT_CHARS


@pytest.fixture(scope="module")
def recognizer() -> TemplateIntentRecognizer:
    return TemplateIntentRecognizer.from_paths()


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("tilt the moonroof", "sunroof tilt"),
        ("lock the doors", "doors"),
        ("unlock the car", "doors"),
        ("open the trunk", "trunk"),
        ("pop the boot", "trunk"),
        ("turn on the headlights", "lights"),
        ("switch off the interior lights", "lights"),
        ("turn the lights off please", "lights"),
        ("dim the lights", "lights"),
        ("turn on the wipers", "wipers"),
        ("wipers faster", "wipers"),
        ("set cruise control to 100", "cruise control"),
        ("turn off cruise control", "cruise control"),
        ("honk the horn", "horn"),
        ("beep", "horn"),
        ("turn on the seat massage", "seat massage"),
        ("massage my back", "seat massage"),
        ("drive yourself", "driving"),
        ("turn left", "driving"),
        ("slow down", "driving"),
        ("park the car", "driving"),
        ("play a game", "games"),
        ("play chess", "games"),
        ("let's play tic tac toe", "games"),
        ("play snake with me", "games"),
        ("want to play a game of trivia", "games"),
        ("start the engine", "engine"),
        ("fold the mirrors", "mirrors"),
        ("move my seat forward", "seat position"),
    ],
)
def test_unsupported_car_requests(recognizer: TemplateIntentRecognizer, text: str, feature: str) -> None:
    assert recognizer.recognize(text) == Unsupported(feature, text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm freezing",
        "I'm cold",
        "it's hot in here",
        "what's the capital of France",
        "tell me a joke",
        "i want to hear a joke",
        "set an alarm for seven am",
        "put on an alarm for eight am",
        "cancel",
        "cancel my meeting",
        "what is the current temperature",
        "will it be hot tomorrow",
        "take me to the huffington post website",
        "book a taxi to the airport",
        "start the vacuum cleaner",
        "turn off the fan in the master bedroom",
        "how do i get to poughkeepsie from new york city",
        "find a ride to the mall",
        "set the volume to 150",
        "start reading my emails",
        "find music events near me",
        "blah blah",
    ],
)
def test_open_dialogue_is_not_matched(recognizer: TemplateIntentRecognizer, text: str) -> None:
    assert recognizer.recognize(text) is None


@pytest.mark.parametrize("text", ["", "   ", "please", "hey olly", "x" * (MAX_TEXT_CHARS + 1)])
def test_empty_filler_only_and_overlong_text_give_none(recognizer: TemplateIntentRecognizer, text: str) -> None:
    assert recognizer.recognize(text) is None


def test_non_text_is_an_intent_error(recognizer: TemplateIntentRecognizer) -> None:
    with pytest.raises(IntentError) as info:
        recognizer.recognize(b"play jazz")  # type: ignore[arg-type]
    assert info.value.code == "text-not-string"


def test_language_tags(recognizer: TemplateIntentRecognizer) -> None:
    assert recognizer.languages == ("en", "ko")
    for tag in ("en", "en-US", "EN_gb"):
        result = recognizer.recognize("next song", tag)
        assert isinstance(result, IntentMatch) and result.intent == "media.next_track"
    assert recognizer.recognize("next song", "de") is None


def test_fahrenheit_only_when_said(recognizer: TemplateIntentRecognizer) -> None:
    def celsius(text: str) -> object:
        result = recognizer.recognize(text)
        assert isinstance(result, IntentMatch) and result.intent == "climate.set_temperature"
        return result.slots["celsius"]

    assert celsius("set the temperature to 95 degrees") == 95
    assert celsius("set the temperature to 95") == 95
    assert celsius("set the temperature to 95 fahrenheit") == 35
    assert celsius("set the temperature to 95°F") == 35
    assert celsius("set the temperature to seventy two degrees fahrenheit") == 22.2
    assert celsius("set the temperature to 21°C") == 21


def test_results_are_json_serialisable_and_deterministic(recognizer: TemplateIntentRecognizer) -> None:
    for text in ("set the driver temperature to twenty one degrees", "play some jazz", "mute"):
        first, second = recognizer.recognize(text), recognizer.recognize(text)
        assert first == second
        assert isinstance(first, IntentMatch)
        json.dumps(dict(first.slots))


def test_wildcard_matches_have_lower_confidence(recognizer: TemplateIntentRecognizer) -> None:
    exact, wild = recognizer.recognize("pause"), recognizer.recognize("play bohemian rhapsody")
    assert isinstance(exact, IntentMatch) and exact.confidence == 1.0
    assert isinstance(wild, IntentMatch) and 0.5 < wild.confidence < 1.0


def test_explain_names_the_template(recognizer: TemplateIntentRecognizer) -> None:
    hit = recognizer.explain("Hey Olly, turn on the A/C please")
    assert hit is not None
    assert hit.text == "turn on the a c"
    assert hit.source.endswith("skills/climate/templates.yaml: (turn|switch|put) on [the] <ac>")


class _ChattyRecognizer(IntentRecognizer):
    """A fake that breaks the contract, to show the public method guards it."""

    def _recognize(self, text: str, language: str) -> Recognition:
        return IntentMatch("dialogue.chat", {}, text=text)


class _UnknownIntentRecognizer(IntentRecognizer):
    def _recognize(self, text: str, language: str) -> Recognition:
        return IntentMatch("climate.fly", {}, text=text)


def test_the_seam_never_returns_chat_or_unknown_intents() -> None:
    assert _ChattyRecognizer().recognize("hello") is None
    assert _UnknownIntentRecognizer().recognize("hello") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_arbitrary_text_never_crashes(text: str) -> None:
    result = _RECOGNIZER.recognize(text)
    assert result is None or isinstance(result, IntentMatch | Unsupported)
    if isinstance(result, IntentMatch):
        assert result.intent != "dialogue.chat"


_RECOGNIZER = TemplateIntentRecognizer.from_paths()


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Turn on the A/C!", "turn on the a c"),
        ("A.C. on", "a c on"),
        ("Set it to 21,5°C", "set it to 21.5 degrees celsius"),
        ("72°F", "72 degrees fahrenheit"),
        ("70F", "70 degrees fahrenheit"),
        ("21°", "21 degrees"),
        ("Volume 30%", "volume 30 percent"),
        ("Driver’s seat", "drivers seat"),
        ("café", "cafe"),
        ("1,600 Amphitheatre Pkwy.", "1600 amphitheatre pkwy"),
        ("set to -3", "set to minus 3"),
        ("co-driver", "co driver"),
    ],
)
def test_normalize(raw: str, normalised: str) -> None:
    assert normalize(raw) == normalised


def test_strip_fillers() -> None:
    prefixes, suffixes = ("hey", "olly", "can you", "please"), ("please", "thank you")
    assert strip_fillers("hey olly can you please play jazz please thank you", prefixes, suffixes) == "play jazz"
    assert strip_fillers("please", prefixes, suffixes) == "please"


def test_500_turns_are_fast(recognizer: TemplateIntentRecognizer) -> None:
    texts = ["set the driver temperature to twenty one degrees", "play some jazz", "what's the weather like", "mute"]
    start = time.perf_counter()
    for i in range(500):
        recognizer.recognize(texts[i % len(texts)])
    mean_ms = (time.perf_counter() - start) * 1000 / 500
    assert mean_ms < 5.0, f"{mean_ms:.3f} ms per utterance"
