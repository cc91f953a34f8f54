"""Nudges as follow-ups (issue 12, item 2): "turn it up", "turn it down", "higher", "a bit more"
mean the last confirmed change (temperature, fan or volume) when there is one, and the volume
otherwise, as before. Resolved before the ``intent`` event. Through the gRPC API on the real
service and simulated car, with golden event sequences."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cockpit import vss
from cockpit.events import Event
from cockpit.followups import LAST_ACTION, follow_up
from cockpit.server.client import CockpitClient
from tests.conftest import Stack
from tests.support import DONE, kinds, serve, states, turn


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


def said(events: list[Event]) -> tuple[str, dict[str, object]]:
    intent = events[0]
    assert intent.type.value == "intent"
    return intent.data["intent"], intent.data["slots"]


async def test_turn_it_up_after_a_temperature_is_warmer_not_louder(stack: Stack, client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    await turn(client, sid, "set the volume to 30 percent")
    await turn(client, sid, "set the temperature to 21 degrees")
    events = await turn(client, sid, "turn it up")
    assert kinds(events) == DONE
    assert said(events) == ("climate.adjust_temperature", {"delta_celsius": 1, "zone": "driver"})
    assert states(events) == {vss.DRIVER_TEMPERATURE: 22.0}
    assert events[-1].data["text"] == "Driver temperature set to 22 degrees."
    assert stack.parts.service.vehicle_state()[vss.MEDIA_VOLUME] == 30  # the volume did not move

    higher = await turn(client, sid, "a bit higher")
    assert states(higher) == {vss.DRIVER_TEMPERATURE: 23.0}
    down = await turn(client, sid, "turn it down")
    assert said(down) == ("climate.adjust_temperature", {"delta_celsius": -1, "zone": "driver"})
    assert states(down) == {vss.DRIVER_TEMPERATURE: 22.0}
    more = await turn(client, sid, "a bit more")  # the way the last change went: cooler
    assert said(more) == ("climate.adjust_temperature", {"delta_celsius": -1, "zone": "driver"})
    assert states(more) == {vss.DRIVER_TEMPERATURE: 21.0}
    await client.close_session(sid)


async def test_a_nudge_after_the_passenger_side_moves_the_passenger_side(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    await turn(client, sid, "set the passenger temperature to 24")
    events = await turn(client, sid, "turn it up")
    assert said(events) == ("climate.adjust_temperature", {"delta_celsius": 1, "zone": "passenger"})
    assert states(events) == {vss.PASSENGER_TEMPERATURE: 25.0}
    await client.close_session(sid)


async def test_turn_it_up_after_the_fan_is_the_fan(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    await turn(client, sid, "set the fan to 40 percent")
    events = await turn(client, sid, "turn it up")
    assert said(events) == ("climate.adjust_fan_speed", {"delta_percent": 20})
    assert states(events) == {vss.DRIVER_FAN_SPEED: 60}
    assert events[-1].data["text"] == "Fan up to 60 percent."
    await client.close_session(sid)


async def test_turn_it_up_after_the_volume_or_nothing_is_the_volume(stack: Stack, client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    first = await turn(client, sid, "turn it up")  # nothing before it: today's meaning
    assert said(first) == ("media.adjust_volume", {"delta_percent": 10})
    await turn(client, sid, "set the volume to 30 percent")
    events = await turn(client, sid, "a bit higher")
    assert said(events) == ("media.adjust_volume", {"delta_percent": 10})
    assert states(events) == {vss.MEDIA_VOLUME: 40}
    await client.close_session(sid)


async def test_a_korean_nudge_follows_the_last_change(client: CockpitClient) -> None:
    sid = (await client.create_session(language="ko")).session_id
    await turn(client, sid, "온도 22도로 맞춰줘")
    up = await turn(client, sid, "올려 줘")
    assert said(up) == ("climate.adjust_temperature", {"delta_celsius": 1, "zone": "driver"})
    assert states(up) == {vss.DRIVER_TEMPERATURE: 23.0}
    assert up[-1].data["text"] == "운전석 온도를 23도로 맞췄습니다."
    more = await turn(client, sid, "조금 더")
    assert states(more) == {vss.DRIVER_TEMPERATURE: 24.0}
    other = await turn(client, sid, "조수석도")
    assert said(other) == ("climate.set_temperature", {"celsius": 24.0, "zone": "passenger"})
    assert states(other) == {vss.PASSENGER_TEMPERATURE: 24.0}
    assert other[-1].data["text"] == "조수석 온도를 24도로 맞췄습니다."
    await client.close_session(sid)


@pytest.mark.parametrize("text", ["turn it up", "a bit more", "higher", "올려 줘", "조금 더", "조수석도"])
def test_a_nudge_with_nothing_before_it_is_not_guessed(text: str) -> None:
    assert follow_up(text, {}) is None


def test_a_bit_more_after_a_change_that_went_nowhere_is_not_guessed() -> None:
    memory = {
        LAST_ACTION: {
            "intent": "climate.set_temperature",
            "slots": {"celsius": 21},
            "before": {vss.DRIVER_TEMPERATURE: None},
            "after": {vss.DRIVER_TEMPERATURE: 21.0},
        }
    }
    assert follow_up("a bit more", memory) is None  # which way is "more"? not known
    up = follow_up("turn it up", memory)
    assert up is not None and (up.intent, up.slots) == (
        "climate.adjust_temperature",
        {"delta_celsius": 1, "zone": "driver"},
    )


async def test_take_me_there_names_the_place_in_the_intent(client: CockpitClient) -> None:
    """ "Take me there" is resolved before the intent event: it shows the place, not the word."""
    sid = (await client.create_session()).session_id
    found = await turn(client, sid, "find a charger")
    name = found[-1].data["text"].split(" is ", 1)[1].rsplit(",", 1)[0]  # "The nearest ... is NAME, 1 kilometre away."
    events = await turn(client, sid, "take me there")
    assert kinds(events) == ["intent", "policy", "action", "action", "action", "action", "state", "state", "reply"]
    assert said(events) == ("navigation.navigate_to", {"destination": name})
    assert events[-1].data["text"].startswith(f"Navigating to {name}:")
    await client.close_session(sid)
