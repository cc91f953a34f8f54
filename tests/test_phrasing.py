"""How drivers really phrase requests: carriers, lead-ins and look-alikes that must not act.

Each case is a general pattern (not one memorised sentence): a first-person carrier ("let's drive
to", "i want the a c on"), a kind of food before
"restaurant", how the cabin feels said before a climate request ("i'm freezing, turn the heat up"),
"i can't hear" before a volume request, or how long a pause lasts. The negative cases are the
out-of-domain sentences the same shapes could grab: a wrong action is worse than none.
"""

from __future__ import annotations

from typing import Any

import pytest

from cockpit.catalogue import IntentMatch
from cockpit.nlu import TemplateIntentRecognizer, Unsupported
from cockpit.nlu.classifier import FallbackIntentRecognizer


@pytest.fixture(scope="module")
def recognizer() -> FallbackIntentRecognizer:
    """The shipped recogniser: templates, then the fallback classifier."""
    return FallbackIntentRecognizer.from_paths()


@pytest.fixture(scope="module")
def templates() -> TemplateIntentRecognizer:
    return TemplateIntentRecognizer.from_paths()


PHRASINGS: list[tuple[str, str, dict[str, Any]]] = [
    # first-person carriers that say where the car is going
    ("let's drive over to the airport", "navigation.navigate_to", {"destination": "the airport"}),
    ("let's head to berlin", "navigation.navigate_to", {"destination": "berlin"}),
    ("we're heading to munich central station", "navigation.navigate_to", {"destination": "munich central station"}),
    ("we are driving to shenzhen", "navigation.navigate_to", {"destination": "shenzhen"}),
    ("i'm driving to the office", "navigation.navigate_to", {"destination": "the office"}),
    ("i need to drive to berlin", "navigation.navigate_to", {"destination": "berlin"}),
    ("we're heading home", "navigation.navigate_to", {"destination": "home"}),
    ("let's head over there", "navigation.navigate_to", {"destination": "there"}),  # the place just found
    # a kind of food, or what the driver wants of the place, before the category
    ("find a cheap thai restaurant near me", "navigation.find_nearby", {"category": "restaurant"}),
    ("where's the closest sushi place", "navigation.find_nearby", {"category": "restaurant"}),
    ("are there any good vegan restaurants around here", "navigation.find_nearby", {"category": "restaurant"}),
    ("look for nearby mexican restaurants", "navigation.find_nearby", {"category": "restaurant"}),
    ("what are some good coffee shops nearby", "navigation.find_nearby", {"category": "coffee"}),
    ("what are some restaurants around here", "navigation.find_nearby", {"category": "restaurant"}),
    # how the cabin feels, then a climate request ("turn it down" is then the temperature)
    ("i'm so cold can you make it warmer", "climate.adjust_temperature", {"delta_celsius": 1}),
    ("we're freezing back here turn up the heat", "climate.adjust_temperature", {"delta_celsius": 1}),
    ("i'm cold turn it up", "climate.adjust_temperature", {"delta_celsius": 1}),
    ("it's way too hot in here turn it down", "climate.adjust_temperature", {"delta_celsius": -1}),
    ("it's roasting in here, could you cool it down", "climate.adjust_temperature", {"delta_celsius": -1}),
    ("it's really stuffy in here can you turn on the ac", "climate.set_ac", {"on": True}),
    ("i'm cold, turn on my seat heater", "climate.set_seat_heating", {"level": 2}),
    ("i'm freezing, set the temperature to 24", "climate.set_temperature", {"celsius": 24}),
    # "i want / i'd like / can i have" + a setting
    (
        "i'd like the passenger side at twenty two degrees",
        "climate.set_temperature",
        {"celsius": 22, "zone": "passenger"},
    ),
    ("i want the driver side at 20 degrees", "climate.set_temperature", {"celsius": 20, "zone": "driver"}),
    ("set my side to 20 degrees", "climate.set_temperature", {"celsius": 20}),  # "my": the speaker's seat
    ("i want it warmer", "climate.adjust_temperature", {"delta_celsius": 1}),
    ("i want the a c on", "climate.set_ac", {"on": True}),
    ("can i have the ac off", "climate.set_ac", {"on": False}),
    ("we'd like the fan on", "climate.set_fan_speed", {"percent": 50}),
    ("i want the fan higher", "climate.adjust_fan_speed", {"delta_percent": 20}),
    ("i'd like the seat heating on", "climate.set_seat_heating", {"level": 2}),
    # asking for air, then the fan request
    ("i need some air turn up the fan", "climate.adjust_fan_speed", {"delta_percent": 20}),
    ("more air, crank up the fan", "climate.adjust_fan_speed", {"delta_percent": 20}),
    ("the fan is too loud, turn it down", "climate.adjust_fan_speed", {"delta_percent": -20}),  # not the volume
    ("the blower is way too weak can you turn it up", "climate.adjust_fan_speed", {"delta_percent": 20}),
    # air inside or fresh air in
    ("keep the air inside", "climate.set_recirculation", {"on": True}),
    ("recirculate the cabin air", "climate.set_recirculation", {"on": True}),
    ("bring in some fresh air", "climate.set_recirculation", {"on": False}),
    ("let the fresh air in", "climate.set_recirculation", {"on": False}),
    # "i can't hear", then a volume request
    ("i can't hear the radio turn it up", "media.adjust_volume", {"delta_percent": 10}),
    ("we can barely hear anything can you make it louder", "media.adjust_volume", {"delta_percent": 10}),
    ("the music is way too loud can you turn it down", "media.adjust_volume", {"delta_percent": -10}),
    ("the radio is too quiet, make it louder", "media.adjust_volume", {"delta_percent": 10}),
    # a pause that says how long
    ("stop the music for a minute", "media.pause", {}),
    ("hold the podcast for a second", "media.pause", {}),
    ("turn the radio off for a minute", "media.pause", {}),
    # the last song again
    ("repeat the previous track", "media.previous_track", {}),
    ("play the last song once more", "media.previous_track", {}),
    ("replay the last one", "media.previous_track", {}),
    # more route carriers, a time to be there, "towards", "head for", "set a course for"
    ("navigate us to the airport", "navigation.navigate_to", {"destination": "the airport"}),
    ("set a course for paris", "navigation.navigate_to", {"destination": "paris"}),
    ("head for london", "navigation.navigate_to", {"destination": "london"}),
    ("i'd like to go to munich", "navigation.navigate_to", {"destination": "munich"}),
    ("i need to get to hamburg by six", "navigation.navigate_to", {"destination": "hamburg"}),
    ("we're driving to cologne today", "navigation.navigate_to", {"destination": "cologne"}),
    ("take me towards the harbour", "navigation.navigate_to", {"destination": "the harbour"}),
    ("directions to the train station", "navigation.navigate_to", {"destination": "the train station"}),
    # why the driver wants a place, then the request
    ("i'm starving find a pizza place", "navigation.find_nearby", {"category": "restaurant"}),
    ("we're low on fuel where's the nearest gas station", "navigation.find_nearby", {"category": "gas_station"}),
    ("we need a hotel for tonight", "navigation.find_nearby", {"category": "hotel"}),
    ("any decent places to eat in this area", "navigation.find_nearby", {"category": "restaurant"}),
    ("ditch the route guidance", "navigation.cancel", {}),
    ("we've arrived you can turn off the gps", "navigation.cancel", {}),
    ("how many kilometres to go", "navigation.get_eta", {}),
    # climate: "in here", everyone, fogged / misted up, trailing reasons
    ("can you make it warmer in here", "climate.adjust_temperature", {"delta_celsius": 1}),
    ("passenger side to nineteen", "climate.set_temperature", {"celsius": 19, "zone": "passenger"}),
    ("twenty degrees everywhere", "climate.set_temperature", {"celsius": 20, "zone": "all"}),
    ("the windshield is misted up can you clear it", "climate.set_defrost", {"on": True, "window": "front"}),
    ("the rear window's steamed up put the heater on it", "climate.set_defrost", {"on": True, "window": "rear"}),
    ("we don't need the a c anymore", "climate.set_ac", {"on": False}),
    ("turn on the ac it's roasting", "climate.set_ac", {"on": True}),
    ("get the fan going", "climate.set_fan_speed", {"percent": 50}),
    ("turn the fan all the way up", "climate.set_fan_speed", {"percent": 100}),
    ("the kids are freezing turn up the heat", "climate.adjust_temperature", {"delta_celsius": 1}),
    # media: resume, skipping a song the driver dislikes, a call
    ("play it again from where it stopped", "media.resume", {}),
    ("put the radio back on", "media.resume", {}),
    ("i can't stand this song skip it", "media.next_track", {}),
    ("pause the music i need to take a call", "media.pause", {}),
    ("hold on pause the podcast", "media.pause", {}),
    ("i fancy hearing some jazz", "media.play", {"query": "jazz"}),
    # body: "open up", a reason before or after shutting
    ("open up the windows", "body.set_window", {"position": 100, "window": "all"}),
    ("close the windows it's too noisy", "body.set_window", {"position": 0, "window": "all"}),
    ("it's going to rain close the sunroof", "body.set_sunroof", {"position": 0}),
    # undo
    ("oops put it back the way it was", "vehicle.undo", {}),
    ("revert that change", "vehicle.undo", {}),
]


@pytest.mark.parametrize(("text", "intent", "slots"), PHRASINGS)
def test_driver_phrasings(recognizer: FallbackIntentRecognizer, text: str, intent: str, slots: dict[str, Any]) -> None:
    result = recognizer.recognize(text)
    assert isinstance(result, IntentMatch), f"{text!r} -> {result!r}"
    assert (result.intent, dict(result.slots)) == (intent, slots)


@pytest.mark.parametrize(
    "text",
    [
        # first-person talk about the speaker, not a destination
        "i want to go to sally's party",
        "let's drive to my mom's birthday",
        "we're going to sally's party",
        "we're going to be late",
        "we're going to have a baby",
        "i'm going to the store",
        "i'm going to sleep",
        "we're going there tomorrow",
        # "the best way to" something that is not a place
        "what's the best way to cook rice",
        "what is the fastest way to lose weight",
        "what's the quickest way to make money",
        "what's the best way to learn french",
        # how it feels, with no request: open dialogue
        "i'm freezing",
        "it's boiling in here",
        "i'm so cold i could die",
        "it's too hot to go outside",
        "it's so cold this morning i could barely get out of bed",
        "i'm freezing let's go home",
        # look-alikes of the new shapes
        "i can't hear what you're saying",
        "what are some good books",
        "what are some good restaurants in paris",
        "i want the air conditioner to be fixed",
        "i'd like my coffee at 90 degrees",
        "let the dog in",
        "it's hot outside, turn up the music",  # a feeling only leads into a climate request
        # editing the music library is not playing it
        "create a playlist",
        "create a new playlist for my workout",
        "rename my playlist",
        # things people put on that are not audio
        "put your seatbelt on please",
        "put your coat on",
        "put the kettle on",
        # near-misses of the route carriers and lead-ins: not places, not requests
        "i need to get to the point",
        "i'd like to go to the moon",
        "we need to get back to you",
        "i'd like to get to know you",
        "head for the hills",
        "set a course for disaster",
        "we're driving to the party today",
        "i'm hungry",
        "where should i go on holiday",
        # a feeling, a dislike or a call alone asks for nothing
        "my wife's cold",
        "i hate this song",
        "i'm taking a call",
        "it's starting to rain",
        "can we skip breakfast",
        # "it" names nothing to play, and the car's own things are not songs
        "play it again",
        "put it back on",
        "put the heater on",
    ],
)
def test_out_of_domain_look_alikes_do_not_act(recognizer: FallbackIntentRecognizer, text: str) -> None:
    result = recognizer.recognize(text)
    assert not isinstance(result, IntentMatch), f"{text!r} -> {result!r}"


@pytest.mark.parametrize(
    "text",
    [
        "play chess",
        "play ping pong",
        "play table tennis",
        "play fifa",
        "play football",
        "play golf with me",
        "play a game",
        "play video games",
        "let's play millionaires",
        "let's play a game of ping pong",
        "can we play cards",
    ],
)
def test_games_are_not_music(recognizer: FallbackIntentRecognizer, text: str) -> None:
    assert recognizer.recognize(text) == Unsupported("games", text)


def test_music_still_plays_around_games(templates: TemplateIntentRecognizer) -> None:
    for text, query in [
        ("play some jazz", "jazz"),
        ("play creedence clearwater revival", "creedence clearwater revival"),
        ("play football commentary on the radio", "football commentary on the radio"),
    ]:
        result = templates.recognize(text)
        assert isinstance(result, IntentMatch) and result.intent == "media.play", text
        assert result.slots["query"] == query


def test_a_feeling_does_not_turn_a_volume_request_into_climate(templates: TemplateIntentRecognizer) -> None:
    """ "I can't hear you" is still the volume; "i'm cold, play some jazz" plays jazz only when said
    plainly (no lead-in there), so it is left to open dialogue rather than guessed."""
    result = templates.recognize("i can't hear you")
    assert isinstance(result, IntentMatch) and result.intent == "media.adjust_volume"
    assert templates.recognize("i'm cold play some jazz") is None
