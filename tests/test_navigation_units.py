"""Units the driver uses (issue 12, item 7): with ``units = "imperial"`` distances are said in
miles and speeds in mph, in every navigation and drive reply; metric stays kilometres and km/h.
The car and its frames stay metric: only what is said changes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.skill_api import SkillContext
from cockpit.units import KM_PER_MILE, distance_in, km_to_miles, kmh_to_mph, miles_to_km, speed_in
from skills.drive import DriveSkill
from skills.drive.skill import spoken_speed
from skills.navigation import DEFAULT_ORIGIN, NavigationSkill
from skills.navigation.geo import offset, spoken_distance
from tests.conftest import Stack, close_stack, make_stack
from tests.support import cockpit_ask, eventually


@given(st.floats(min_value=0, max_value=50_000, allow_nan=False))
def test_miles_and_kilometres_round_trip(km: float) -> None:
    assert miles_to_km(km_to_miles(km)) == pytest.approx(km, rel=1e-12, abs=1e-12)
    assert kmh_to_mph(km) == pytest.approx(km_to_miles(km))
    assert distance_in(km, "metric") == km and speed_in(km, "metric") == km
    assert distance_in(km, "imperial") == km_to_miles(km) and speed_in(km, "IMPERIAL") == kmh_to_mph(km)


@pytest.mark.parametrize(
    ("km", "english", "korean"),
    [
        (0.05, "150 feet", "150피트"),
        (0.35, "0.2 miles", "0.2마일"),
        (KM_PER_MILE, "1 mile", "1마일"),
        (6.4, "4 miles", "4마일"),
        (27.5, "17 miles", "17마일"),
        (1943.2, "1207 miles", "1207마일"),
    ],
)
def test_imperial_distances(km: float, english: str, korean: str) -> None:
    assert spoken_distance(km, units="imperial") == english
    assert spoken_distance(km, "ko", "imperial") == korean


@pytest.mark.parametrize(
    ("kmh", "units", "language", "said"),
    [
        (50, "metric", "en", "50 kilometres per hour"),
        (50, "imperial", "en", "31 miles per hour"),
        (1.7, "imperial", "en", "1 mile per hour"),
        (100, "imperial", "ko", "시속 62마일"),
        (100, "metric", "ko", "시속 100킬로미터"),
    ],
)
def test_spoken_speed(kmh: float, units: str, language: str, said: str) -> None:
    assert spoken_speed(kmh, language, units) == said


@pytest.fixture(scope="module")
def nav() -> NavigationSkill:
    return NavigationSkill()


def imperial(state: dict[str, object] | None = None, language: str = "en") -> SkillContext:
    return SkillContext(state or {}, {}, language, units="imperial")  # type: ignore[arg-type]


def test_every_navigation_distance_is_in_miles(nav: NavigationSkill) -> None:
    go = nav.plan(IntentMatch("navigation.navigate_to", {"destination": "the airport"}), imperial())
    assert go.done == "Navigating to the airport: 17 miles, about 33 minutes."
    home = nav.plan(IntentMatch("navigation.navigate_to", {"destination": "home"}), imperial())
    assert home.done == "Navigating home: 4 miles, about 8 minutes."
    found = nav.plan(IntentMatch("navigation.find_nearby", {"category": "coffee"}), imperial())
    assert re.fullmatch(r"The nearest coffee shop is .+, \d+(\.\d)? miles away\.", found.done), found.done
    dest = offset(DEFAULT_ORIGIN, 25.0, 90)
    state = {vss.NAV_LATITUDE: dest.latitude, vss.NAV_LONGITUDE: dest.longitude, vss.NAV_GUIDANCE_ACTIVE: True}
    eta = nav.plan(IntentMatch("navigation.get_eta", {}), imperial(state))
    assert eta.done == "Your destination is 16 miles away, about 30 minutes."
    where = nav.plan(IntentMatch("navigation.query", {"what": "destination"}), imperial(state))
    assert where.done == "A destination is set, 16 miles away, but I don't know its name."
    korean = nav.plan(IntentMatch("navigation.get_eta", {}), imperial(state, "ko"))
    assert korean.done == "목적지까지 16마일, 약 30분 걸립니다."


def test_the_speed_is_in_mph() -> None:
    state = {vss.SPEED: 80.0, vss.IS_MOVING: True, vss.SELECTED_GEAR: 127}
    drive = DriveSkill()
    speed = drive.plan(IntentMatch("drive.query", {"what": "speed"}), imperial(state))
    assert speed.done == "You're going 50 miles per hour."
    moving = drive.plan(IntentMatch("drive.query", {"what": "moving"}), imperial(state))
    assert moving.done == "The car is moving, at 50 miles per hour."
    korean = drive.plan(IntentMatch("drive.query", {"what": "speed"}), imperial(state, "ko"))
    assert korean.done == "지금 시속 50마일로 달리고 있습니다."
    metric = drive.plan(IntentMatch("drive.query", {"what": "speed"}), SkillContext(state, {}))
    assert metric.done == "You're going 80 kilometres per hour."


@pytest.fixture(scope="module")
def imperial_stack() -> Iterator[Stack]:
    built = make_stack(units="imperial", **{"can.drive_profile": "steady:80"})
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(imperial_stack: Stack) -> AsyncIterator[CockpitClient]:
    server, port = await start_server(imperial_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as connected:
            yield connected
    finally:
        await server.stop(grace_s=0)


async def test_an_imperial_car_says_miles_and_mph_through_grpc(client: CockpitClient, imperial_stack: Stack) -> None:
    service = imperial_stack.parts.service
    await eventually(lambda: service.vehicle_state().get(vss.SPEED) == 80.0, timeout=10)
    session = (await client.create_session()).session_id

    async def say(text: str) -> tuple[list[str], str]:
        events = [e async for e in client.send_text(text, session)]
        return [e.type.value for e in events], str(events[-1].data["text"])

    assert await say("how fast am I going") == (["intent", "reply"], "You're going 50 miles per hour.")
    kinds, said = await say("navigate to the airport")
    assert kinds == ["intent", "policy", "action", "action", "action", "action", "state", "state", "reply"]
    assert said == "Navigating to the airport: 17 miles, about 33 minutes."
    assert service.vehicle_state()[vss.NAV_GUIDANCE_ACTIVE] is True
    assert await say("how far is it") == (["intent", "reply"], "The airport is 17 miles away, about 33 minutes.")
    assert await say("where are we going") == (["intent", "reply"], "You're heading to the airport, 17 miles away.")


def test_cli_with_cockpit_units_imperial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_UNITS", "imperial")
    events = cockpit_ask("--speed", "100", "how fast am I going", "navigate to the airport")
    said = [str(e["text"]) for e in events if e["type"] == "reply"]
    assert said == ["You're going 62 miles per hour.", "Navigating to the airport: 17 miles, about 33 minutes."]
    monkeypatch.setenv("COCKPIT_UNITS", "metric")
    metric = cockpit_ask("--speed", "100", "how fast am I going")
    assert [e["text"] for e in metric if e["type"] == "reply"] == ["You're going 100 kilometres per hour."]
