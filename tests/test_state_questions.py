"""Questions about the car are answered from the confirmed state by rules, never by the language model.

"How fast am I going", "what gear am I in", "is the A/C on", "what's playing", "where are we going",
in English and Korean: each answer is checked with the car in at least two states, on the real
stack (simulated ECUs and powertrain on a private virtual bus). What a user notices: the words of
the reply, an ``intent`` event from the rules, and no language-model tokens, actions or frames.
Requests for features this car lacks ("turn on the heated steering wheel") are refused
by rules and move nothing.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.events import EventRecorder, EventType
from cockpit.nlu import TemplateIntentRecognizer, Unsupported
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, SkillContext
from skills.climate import ClimateSkill
from skills.drive import DriveSkill, gear_name
from skills.media import MediaSkill
from skills.navigation import NavigationSkill
from skills.navigation.skill import DESTINATION
from tests.conftest import Stack, close_stack, make_stack

QUERIES = ("climate.query", "media.query", "navigation.query", "drive.query")
COMMAND_IDS = {0x3A0, 0x3A4, 0x3A8, 0x3AC}
"""The cockpit's command frames (HVAC, seats, media, navigation): a question sends none of them."""
SETTLE_S = 10.0
"""How long to wait for the simulated car to report what a test needs (generous for a loaded machine)."""

NLU = TemplateIntentRecognizer.from_paths()
DRIVE = DriveSkill()
CLIMATE = ClimateSkill()
MEDIA = MediaSkill()
NAVIGATION = NavigationSkill()

PARKED: dict[str, SignalValue] = {vss.SPEED: 0.0, vss.IS_MOVING: False, vss.SELECTED_GEAR: 126}
DRIVING: dict[str, SignalValue] = {vss.SPEED: 49.6, vss.IS_MOVING: True, vss.SELECTED_GEAR: 127}


def say(skill: Any, intent: str, state: Mapping[str, SignalValue], language: str = "en", **slots: Any) -> str:
    """What ``skill`` answers to ``intent`` in ``state``; a question never plans a write."""
    plan = skill.plan(IntentMatch(intent, slots), SkillContext(state, {}, language))
    assert plan.writes == () and plan.refusal is None
    return str(plan.done)


# --- the catalogue and the templates -------------------------------------------------------------


def test_questions_are_catalogue_intents_that_never_actuate() -> None:
    for name in QUERIES:
        spec = CATALOGUE[name]
        assert not spec.actuates, name
        assert spec.slots[0].name == "what"
    assert CATALOGUE["drive.query"].slots[0].choices == ("speed", "gear", "moving")


@pytest.mark.parametrize(
    ("text", "language", "intent", "slots"),
    [
        ("how fast am I going", "en", "drive.query", {"what": "speed"}),
        ("what gear am I in", "en", "drive.query", {"what": "gear"}),
        ("are we moving", "en", "drive.query", {"what": "moving"}),
        ("what's the temperature on the passenger side", "en", "climate.query",
         {"what": "temperature", "zone": "passenger"}),
        ("is the a c on", "en", "climate.query", {"what": "ac"}),
        ("what's playing", "en", "media.query", {"what": "playing"}),
        ("who is this by", "en", "media.query", {"what": "playing"}),
        ("where are we going", "en", "navigation.query", {"what": "destination"}),
        ("how far is it", "en", "navigation.get_eta", {}),
        ("지금 속도 얼마야", "ko", "drive.query", {"what": "speed"}),
        ("기어 뭐야", "ko", "drive.query", {"what": "gear"}),
        ("차 움직이고 있어", "ko", "drive.query", {"what": "moving"}),
        ("무슨 노래야", "ko", "media.query", {"what": "playing"}),
        ("이 노래 누가 불렀어", "ko", "media.query", {"what": "playing"}),
        ("볼륨 얼마야", "ko", "media.query", {"what": "volume"}),
        ("에어컨 켜져 있어", "ko", "climate.query", {"what": "ac"}),
        ("조수석 온도 몇 도야", "ko", "climate.query", {"what": "temperature", "zone": "passenger"}),
        ("목적지 어디야", "ko", "navigation.query", {"what": "destination"}),
        ("얼마나 남았어", "ko", "navigation.get_eta", {}),
    ],
)  # fmt: skip
def test_questions_are_recognised_by_rules(text: str, language: str, intent: str, slots: dict[str, Any]) -> None:
    result = NLU.recognize(text, language)
    assert isinstance(result, IntentMatch), result
    assert (result.intent, dict(result.slots), result.source) == (intent, slots, "rules")


def test_outside_questions_are_not_taken_for_the_cabin() -> None:
    assert NLU.recognize("what's the temperature outside") is None
    assert NLU.recognize("what is the weather like") is None
    assert NLU.recognize("who is the president of france") is None
    assert NLU.recognize("오늘 날씨 어때", "ko") is None


@pytest.mark.parametrize(
    ("text", "language", "feature"),
    [
        ("turn on the heated steering wheel", "en", "steering wheel heating"),
        ("heat the steering wheel", "en", "steering wheel heating"),
        ("turn on the ventilated seats", "en", "seat ventilation"),
        ("turn on the massage seats", "en", "seat massage"),
        ("heat the rear seats", "en", "rear seat heating"),
        ("change the ambient light color to blue", "en", "lights"),
        ("핸들 열선 켜 줘", "ko", "steering wheel heating"),
    ],
)
def test_missing_features_are_refused_by_rules(text: str, language: str, feature: str) -> None:
    assert NLU.recognize(text, language) == Unsupported(feature, text)


# --- the skills, on a plain state ----------------------------------------------------------------


def test_phrasebooks_need_every_sentence_in_every_language() -> None:
    book = Phrasebook({"en": {"hi": "Hello {name}."}, "ko": {"hi": "{name} 님, 안녕하세요."}})
    assert book.say("ko-KR", "hi", name="Ada") == "Ada 님, 안녕하세요."
    assert book.say("fr", "hi", name="{x}") == "Hello {x}."  # unknown language: English; values stay data
    with pytest.raises(ValueError, match="missing"):
        Phrasebook({"en": {"hi": "Hello."}, "ko": {}})
    with pytest.raises(ValueError, match="fields"):
        Phrasebook({"en": {"hi": "Hello."}, "ko": {"hi": "{name}"}})


@pytest.mark.parametrize(
    ("raw", "name"), [(126, "park"), (127, "drive"), (-1, "reverse"), (0, "neutral"), (3, "drive"), (None, None)]
)
def test_vss_gears_have_names(raw: SignalValue | None, name: str | None) -> None:
    assert gear_name(raw) == name


def test_drive_answers_parked_and_driving() -> None:
    assert say(DRIVE, "drive.query", PARKED, what="speed") == "The car is parked."
    assert say(DRIVE, "drive.query", DRIVING, what="speed") == "You're going 50 kilometres per hour."
    assert say(DRIVE, "drive.query", PARKED, what="gear") == "The car is in park."
    assert say(DRIVE, "drive.query", DRIVING, what="gear") == "The car is in drive."
    assert say(DRIVE, "drive.query", PARKED, what="moving") == "The car is parked."
    assert say(DRIVE, "drive.query", DRIVING, what="moving") == "The car is moving, at 50 kilometres per hour."
    reversing: dict[str, SignalValue] = {vss.SPEED: 4.6, vss.IS_MOVING: True, vss.SELECTED_GEAR: -1}
    assert say(DRIVE, "drive.query", reversing, what="speed") == "You're reversing at 5 kilometres per hour."
    stopped_in_drive: dict[str, SignalValue] = {vss.SPEED: 0.0, vss.IS_MOVING: False, vss.SELECTED_GEAR: 127}
    assert say(DRIVE, "drive.query", stopped_in_drive, what="moving") == "The car is standing still."
    assert say(DRIVE, "drive.query", {**stopped_in_drive, vss.SPEED: 1.2}, what="speed") == (
        "You're going 1 kilometre per hour."
    )


def test_drive_says_what_it_does_not_know() -> None:
    assert say(DRIVE, "drive.query", {}, what="speed") == "I don't have the speed right now."
    assert say(DRIVE, "drive.query", {}, what="gear") == "I don't know which gear the car is in right now."
    # A stale reading: the tracker keeps the last speed (0) but counts the car as moving.
    stale: dict[str, SignalValue] = {vss.SPEED: 0.0, vss.IS_MOVING: True, vss.SELECTED_GEAR: 126}
    assert say(DRIVE, "drive.query", stale, what="speed") == "I don't have the speed right now."
    assert say(DRIVE, "drive.query", stale, what="moving") == "I can't tell right now: I have no current speed reading."


def test_drive_answers_in_korean() -> None:
    assert say(DRIVE, "drive.query", PARKED, "ko", what="speed") == "차가 주차되어 있습니다."
    assert say(DRIVE, "drive.query", DRIVING, "ko", what="speed") == "지금 시속 50킬로미터로 달리고 있습니다."
    assert say(DRIVE, "drive.query", DRIVING, "ko", what="gear") == "기어는 D, 주행 상태입니다."
    assert say(DRIVE, "drive.query", {}, "ko", what="speed") == "지금은 속도 정보가 없습니다."


def test_climate_answers_from_two_states() -> None:
    cold: dict[str, SignalValue] = {
        vss.DRIVER_TEMPERATURE: 22.0,
        vss.PASSENGER_TEMPERATURE: 22.0,
        vss.DRIVER_FAN_SPEED: 0,
        vss.AC_ACTIVE: False,
        vss.FRONT_DEFROSTER_ACTIVE: False,
        vss.REAR_DEFROSTER_ACTIVE: False,
        vss.DRIVER_SEAT_HEATING: 0,
        vss.PASSENGER_SEAT_HEATING: 0,
        vss.RECIRCULATION_ACTIVE: False,
    }
    cool: dict[str, SignalValue] = {
        vss.DRIVER_TEMPERATURE: 19.5,
        vss.PASSENGER_TEMPERATURE: 23.0,
        vss.DRIVER_FAN_SPEED: 40,
        vss.AC_ACTIVE: True,
        vss.FRONT_DEFROSTER_ACTIVE: False,
        vss.REAR_DEFROSTER_ACTIVE: True,
        vss.DRIVER_SEAT_HEATING: 67,
        vss.PASSENGER_SEAT_HEATING: 0,
        vss.RECIRCULATION_ACTIVE: True,
    }
    q = "climate.query"
    assert say(CLIMATE, q, cold, what="temperature") == "The temperature is set to 22 degrees on both sides."
    assert say(CLIMATE, q, cool, what="temperature") == (
        "The driver's side is set to 19.5 degrees. The passenger's side is set to 23 degrees."
    )
    assert say(CLIMATE, q, cool, what="temperature", zone="passenger") == "The passenger's side is set to 23 degrees."
    assert say(CLIMATE, q, cold, what="fan") == "The fan is off."
    assert say(CLIMATE, q, cool, what="fan") == "The fan is at 40 percent."
    assert say(CLIMATE, q, cold, what="ac") == "The air conditioning is off."
    assert say(CLIMATE, q, cool, what="ac") == "The air conditioning is on."
    assert say(CLIMATE, q, cold, what="recirculation") == "Recirculation is off: fresh air is coming in."
    assert say(CLIMATE, q, cool, what="recirculation") == "Recirculation is on."
    assert say(CLIMATE, q, cold, what="defrost") == "Both defrosters are off."
    assert say(CLIMATE, q, cool, what="defrost") == "The front defroster is off. The rear defroster is on."
    assert say(CLIMATE, q, cool, what="defrost", window="rear") == "The rear defroster is on."
    assert say(CLIMATE, q, cold, what="seat_heating") == "Seat heating is off on both front seats."
    assert say(CLIMATE, q, cool, what="seat_heating") == (
        "The driver's seat heating is at level 2. The passenger's seat heating is off."
    )
    assert say(CLIMATE, q, cool, "ko", what="ac") == "에어컨이 켜져 있습니다."
    assert say(CLIMATE, q, cold, "ko", what="ac") == "에어컨이 꺼져 있습니다."
    assert say(CLIMATE, q, cool, "ko", what="temperature", zone="driver") == "운전석 온도는 19.5도로 설정되어 있습니다."


def test_climate_says_what_it_does_not_know() -> None:
    assert say(CLIMATE, "climate.query", {}, what="temperature") == "I don't have the temperature setting right now."
    assert say(CLIMATE, "climate.query", {}, what="ac") == "I don't know whether the air conditioning is on right now."
    assert say(CLIMATE, "climate.query", {}, what="fan") == "I don't have the fan speed right now."


def test_media_answers_from_two_states() -> None:
    paused: dict[str, SignalValue] = {
        vss.MEDIA_PLAYED_URI: "media:track:1",
        vss.MEDIA_ACTION: "STOP",
        vss.MEDIA_VOLUME: 30,
    }
    playing: dict[str, SignalValue] = {
        vss.MEDIA_PLAYED_URI: "media:track:7",
        vss.MEDIA_ACTION: "PLAY",
        vss.MEDIA_VOLUME: 45,
        vss.MEDIA_MUTED: True,
    }
    q = "media.query"
    assert say(MEDIA, q, paused, what="playing") == "So What by Miles Davis is paused."
    assert say(MEDIA, q, playing, what="playing") == "Now playing Bohemian Rhapsody by Queen. The sound is muted."
    assert say(MEDIA, q, {}, what="playing") == "Nothing is playing right now."
    assert say(MEDIA, q, paused, what="volume") == "The volume is at 30 percent."
    assert say(MEDIA, q, playing, what="volume") == "The sound is muted; the volume is set to 45 percent."
    assert say(MEDIA, q, {**paused, vss.MEDIA_MUTED: False}, what="mute") == (
        "The sound isn't muted; the volume is at 30 percent."
    )
    assert say(MEDIA, q, playing, what="mute") == "The sound is muted."
    assert say(MEDIA, q, {}, what="volume") == "I don't have the volume right now."
    # Labels alone (a URI the library does not know) still name the track.
    labelled: dict[str, SignalValue] = {
        vss.MEDIA_TRACK: "Night Drive",
        vss.MEDIA_ARTIST: "Someone",
        vss.MEDIA_ACTION: "PLAY",
    }
    assert say(MEDIA, q, labelled, what="playing") == "Now playing Night Drive by Someone."
    assert (
        say(MEDIA, q, playing, "ko", what="playing")
        == "지금 Queen의 Bohemian Rhapsody 재생 중입니다. 음소거 상태입니다."
    )
    assert say(MEDIA, q, paused, "ko", what="volume") == "볼륨은 30퍼센트입니다."


def test_navigation_answers_from_two_states() -> None:
    airport = NAVIGATION.resolve("the airport")
    assert airport is not None
    routed: dict[str, SignalValue] = {
        vss.NAV_LATITUDE: round(airport.point.latitude, 4),
        vss.NAV_LONGITUDE: round(airport.point.longitude, 4),
        vss.NAV_GUIDANCE_ACTIVE: True,
    }
    memory = {DESTINATION: airport.as_memory()}
    plan = NAVIGATION.plan(IntentMatch("navigation.query", {"what": "destination"}), SkillContext(routed, memory))
    assert plan.done == "You're heading to the airport, 28 kilometres away." and plan.writes == ()
    eta = NAVIGATION.plan(IntentMatch("navigation.get_eta", {}), SkillContext(routed, memory, "ko"))
    assert eta.done == "공항까지 28킬로미터, 약 33분 걸립니다."
    unnamed = say(NAVIGATION, "navigation.query", routed, what="destination")
    assert unnamed == "A destination is set, 27 kilometres away, but I don't know its name."
    assert say(NAVIGATION, "navigation.query", {}, what="destination") == "No destination is set."
    cancelled = {**routed, vss.NAV_GUIDANCE_ACTIVE: False}
    assert say(NAVIGATION, "navigation.query", cancelled, what="destination") == "No destination is set."
    assert say(NAVIGATION, "navigation.query", {}, "ko", what="destination") == "설정된 목적지가 없습니다."


# --- the real stack --------------------------------------------------------------------------------


async def settle(stack: Stack, ready: Callable[[Mapping[str, SignalValue]], bool]) -> Mapping[str, SignalValue]:
    """The car's state once ``ready`` holds for it (the simulated car reports every 20-100 ms)."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        state = stack.parts.service.vehicle_state()
        if ready(state):
            return state
        assert time.monotonic() < deadline, f"the car never reported what the test needs: {state}"
        await asyncio.sleep(0.02)


async def ask(stack: Stack, text: str, intent: str, session: str | None = None) -> str:
    """One question turn: answered by rules from the state, with no model, action or policy on the way."""
    rec = await stack.turn(text, session)
    assert rec.types() == ["intent", "reply"], (text, rec.types())
    event = rec.of_type(EventType.INTENT)[0].data
    assert (event["intent"], event["source"]) == (intent, "rules"), event
    assert not CATALOGUE[intent].actuates
    return str(rec.of_type(EventType.REPLY)[0].data["text"])


def no_model_and_nothing_moved(stack: Stack, *recordings: EventRecorder) -> None:
    """No language-model token and no action in any turn; no command frame on the bus since the tap was cleared."""
    for rec in recordings:
        assert rec.of_type(EventType.LLM_TOKEN) == [] and rec.of_type(EventType.ACTION) == []
    time.sleep(0.1)  # a frame sent would be on the tap by now
    assert [hex(m.arbitration_id) for m in stack.tap.frames() if m.arbitration_id in COMMAND_IDS] == []


async def ask_settled(stack: Stack, text: str, intent: str, ready: Callable[[Mapping[str, SignalValue]], bool]) -> str:
    """Ask once the state is ``ready``; again (up to three times) if a busy machine let the speed go stale.

    A stale speed makes the answer "I don't have the speed right now", which is honest but not what
    the test is about; a number must never appear in its place.
    """
    unknown = ("I don't have the speed", "I can't tell right now", "속도 정보가 없")
    for _ in range(3):
        await settle(stack, ready)
        reply = await ask(stack, text, intent)
        if not reply.startswith(unknown) and unknown[2] not in reply:
            return reply
    return reply


def _parked(state: Mapping[str, SignalValue]) -> bool:
    return state.get(vss.SELECTED_GEAR) == 126 and state.get(vss.IS_MOVING) is False


def _rolling(gear: int) -> Callable[[Mapping[str, SignalValue]], bool]:
    def ready(state: Mapping[str, SignalValue]) -> bool:
        speed = state.get(vss.SPEED)
        moving = state.get(vss.IS_MOVING) is True
        return state.get(vss.SELECTED_GEAR) == gear and moving and isinstance(speed, float) and speed >= 3

    return ready


@pytest.fixture
async def highway() -> AsyncIterator[Stack]:
    """A car accelerating in drive towards 110 km/h."""
    stack = make_stack(**{"can.drive_profile": "highway"})
    yield stack
    await close_stack(stack)


@pytest.fixture
async def reversing() -> AsyncIterator[Stack]:
    """A car backing out of a parking space at 5 km/h."""
    stack = make_stack(**{"can.drive_profile": "reverse"})
    yield stack
    await close_stack(stack)


async def test_speed_gear_and_motion_of_a_parked_car(stack: Stack) -> None:
    stack.tap.clear()
    assert await ask_settled(stack, "how fast am I going", "drive.query", _parked) == "The car is parked."
    assert await ask_settled(stack, "what gear am I in", "drive.query", _parked) == "The car is in park."
    assert await ask_settled(stack, "are we moving", "drive.query", _parked) == "The car is parked."
    sid = stack.parts.service.create_session("ko").session_id
    await settle(stack, _parked)
    assert await ask(stack, "기어 뭐야", "drive.query", sid) == "기어는 P, 주차 상태입니다."
    no_model_and_nothing_moved(stack)


async def test_speed_gear_and_motion_of_a_moving_car(highway: Stack) -> None:
    highway.tap.clear()
    rolling = _rolling(127)
    speed = await ask_settled(highway, "how fast am I going", "drive.query", rolling)
    match = re.fullmatch(r"You're going (\d+) kilometres per hour\.", speed)
    assert match is not None, speed
    assert 1 <= int(match.group(1)) <= 110
    assert await ask_settled(highway, "what gear am I in", "drive.query", rolling) == "The car is in drive."
    moving = await ask_settled(highway, "are we moving", "drive.query", rolling)
    assert re.fullmatch(r"The car is moving, at \d+ kilometres per hour\.", moving), moving
    sid = highway.parts.service.create_session("ko").session_id
    await settle(highway, rolling)
    korean = await ask(highway, "지금 속도 얼마야", "drive.query", sid)
    assert re.fullmatch(r"지금 시속 \d+킬로미터로 달리고 있습니다\.", korean) or "속도 정보가 없" in korean, korean
    no_model_and_nothing_moved(highway)


async def test_gear_of_a_reversing_car(reversing: Stack) -> None:
    reversing.tap.clear()
    assert await ask_settled(reversing, "what gear am I in", "drive.query", _rolling(-1)) == "The car is in reverse."
    speed = await ask_settled(reversing, "how fast am I going", "drive.query", _rolling(-1))
    assert re.fullmatch(r"You're reversing at [1-5] kilometres? per hour\.", speed), speed
    no_model_and_nothing_moved(reversing)


async def test_climate_questions_before_and_after_a_change(stack: Stack) -> None:
    ready = lambda s: isinstance(s.get(vss.AC_ACTIVE), bool) and vss.PASSENGER_TEMPERATURE in s  # noqa: E731
    await settle(stack, ready)
    sid = stack.parts.service.create_session().session_id
    await stack.turn("turn off the air conditioning", sid)
    await stack.turn("set the temperature to 22 degrees for both sides", sid)
    stack.tap.clear()
    assert await ask(stack, "is the a c on", "climate.query", sid) == "The air conditioning is off."
    assert await ask(stack, "what's the temperature in here", "climate.query", sid) == (
        "The temperature is set to 22 degrees on both sides."
    )
    no_model_and_nothing_moved(stack)

    await stack.turn("turn on the a c", sid)
    await stack.turn("set the passenger temperature to 24 degrees", sid)
    stack.tap.clear()
    assert await ask(stack, "is the a c on", "climate.query", sid) == "The air conditioning is on."
    assert await ask(stack, "what's the temperature on the passenger side", "climate.query", sid) == (
        "The passenger's side is set to 24 degrees."
    )
    ko = stack.parts.service.create_session("ko").session_id
    assert await ask(stack, "에어컨 켜져 있어", "climate.query", ko) == "에어컨이 켜져 있습니다."
    assert await ask(stack, "조수석 온도 몇 도야", "climate.query", ko) == "조수석 온도는 24도로 설정되어 있습니다."
    fan = await ask(stack, "how high is the fan", "climate.query", sid)
    assert re.fullmatch(r"The fan is (at \d+ percent|off)\.", fan), fan
    no_model_and_nothing_moved(stack)


async def test_media_questions_paused_and_playing(stack: Stack) -> None:
    await settle(stack, lambda s: vss.MEDIA_VOLUME in s and vss.MEDIA_ACTION in s)
    sid = stack.parts.service.create_session().session_id
    await stack.turn("play so what by miles davis", sid)
    await stack.turn("pause the music", sid)
    await stack.turn("unmute", sid)
    await stack.turn("set the volume to 30", sid)
    stack.tap.clear()
    assert await ask(stack, "what's playing", "media.query", sid) == "So What by Miles Davis is paused."
    assert await ask(stack, "what's the volume", "media.query", sid) == "The volume is at 30 percent."
    no_model_and_nothing_moved(stack)

    await stack.turn("play bohemian rhapsody", sid)
    await stack.turn("mute", sid)
    stack.tap.clear()
    assert await ask(stack, "what song is this", "media.query", sid) == (
        "Now playing Bohemian Rhapsody by Queen. The sound is muted."
    )
    assert await ask(stack, "who is this by", "media.query", sid) == (
        "Now playing Bohemian Rhapsody by Queen. The sound is muted."
    )
    assert await ask(stack, "is the sound muted", "media.query", sid) == "The sound is muted."
    ko = stack.parts.service.create_session("ko").session_id
    assert (
        await ask(stack, "무슨 노래야", "media.query", ko)
        == "지금 Queen의 Bohemian Rhapsody 재생 중입니다. 음소거 상태입니다."
    )
    assert await ask(stack, "볼륨 얼마야", "media.query", ko) == "음소거 상태이고, 볼륨은 30퍼센트로 설정되어 있습니다."
    no_model_and_nothing_moved(stack)
    await stack.turn("unmute", sid)


async def test_destination_questions_without_and_with_a_route(stack: Stack) -> None:
    sid = stack.parts.service.create_session().session_id
    await stack.turn("cancel navigation", sid)
    await settle(stack, lambda s: s.get(vss.NAV_GUIDANCE_ACTIVE) is not True)
    stack.tap.clear()
    assert await ask(stack, "where are we going", "navigation.query", sid) == "No destination is set."
    assert await ask(stack, "how far is it", "navigation.get_eta", sid) == "No destination is set."
    ko = stack.parts.service.create_session("ko").session_id
    assert await ask(stack, "목적지 어디야", "navigation.query", ko) == "설정된 목적지가 없습니다."
    no_model_and_nothing_moved(stack)

    await stack.turn("navigate to the airport", sid)
    stack.tap.clear()
    assert await ask(stack, "where are we going", "navigation.query", sid) == (
        "You're heading to the airport, 28 kilometres away."
    )
    assert await ask(stack, "when will we arrive", "navigation.get_eta", sid) == (
        "The airport is 28 kilometres away, about 33 minutes."
    )
    # Another session did not set the route: it hears the distance but no name it cannot know.
    assert await ask(stack, "what's my destination", "navigation.query") == (
        "A destination is set, 27 kilometres away, but I don't know its name."
    )
    assert await ask(stack, "얼마나 남았어", "navigation.get_eta", ko) == "목적지까지 27킬로미터, 약 33분 걸립니다."
    no_model_and_nothing_moved(stack)


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("turn on the heated steering wheel", "", "Sorry, I can't help with steering wheel heating in this car."),
        ("핸들 열선 켜 줘", "ko", "죄송합니다. 이 차에서는 핸들 열선 기능을 도와드릴 수 없습니다."),
    ],
)
async def test_missing_features_never_act(stack: Stack, text: str, language: str, said: str) -> None:
    stack.tap.clear()
    sid = stack.parts.service.create_session(language).session_id
    rec = await stack.turn(text, sid)
    assert rec.types() == ["policy", "reply"], rec.types()
    assert rec.of_type(EventType.POLICY)[0].data["decision"] == "refused"
    reply = rec.of_type(EventType.REPLY)[0].data["text"]
    assert reply == said, reply
    no_model_and_nothing_moved(stack, rec)


NOTHING = "There's nothing to undo."


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [("undo that", "", NOTHING), ("put it back", "", NOTHING), ("되돌려 줘", "ko", "되돌릴 것이 없습니다.")],
)
async def test_undo_in_a_session_that_changed_nothing_moves_nothing(
    stack: Stack, text: str, language: str, said: str
) -> None:
    stack.tap.clear()
    sid = stack.parts.service.create_session(language).session_id
    rec = await stack.turn(text, sid)
    assert rec.types() == ["intent", "reply"], rec.types()
    assert rec.of_type(EventType.INTENT)[0].data["intent"] == "vehicle.undo"
    assert rec.of_type(EventType.REPLY)[0].data["text"] == said
    no_model_and_nothing_moved(stack, rec)
