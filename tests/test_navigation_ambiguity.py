"""Ambiguity is asked about, not guessed (issue 12): "navigate to springfield" names three
well-known cities, so the assistant asks which, sends nothing, and the answer ("illinois", "the
one in missouri") sets that city through the policy and the navigation unit's confirmation.

Through the real service and gRPC, with the NAV_CMD frame on the bus; then the real CLI as a subprocess.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.events import EventType
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.skill_api import SkillContext
from skills.navigation import NavigationSkill
from skills.navigation.cities import CityIndex
from tests.conftest import Stack, close_stack, make_stack
from tests.support import cockpit_ask, eventually
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
NAV_CMD = CODEC.frame_id("NAV_CMD")
ILLINOIS = (39.80172, -89.64371)
MISSOURI = (37.21533, -93.29824)
QUESTION = "Springfield in Missouri, Massachusetts or Illinois?"
ACTED = ["intent", "policy", "action", "action", "action", "action", "state", "state", "reply"]
"""A destination set: allowed, latitude and longitude sent then confirmed, both confirmed in the state."""


@pytest.fixture(scope="module")
def nav_stack() -> Iterator[Stack]:
    built = make_stack()
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(nav_stack: Stack) -> AsyncIterator[CockpitClient]:
    server, port = await start_server(nav_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as connected:
            yield connected
    finally:
        await server.stop(grace_s=0)


async def say(client: CockpitClient, session: str, text: str) -> list[dict[str, object]]:
    """One typed turn through gRPC: its events as type plus data."""
    return [{"type": e.type.value, **e.data} async for e in client.send_text(text, session)]


def kinds(events: list[dict[str, object]]) -> list[object]:
    return [e["type"] for e in events]


def reply(events: list[dict[str, object]]) -> str:
    return str(events[-1]["text"])


def sent_destinations(stack: Stack) -> list[tuple[float, float]]:
    """The destinations NAV_CMD frames asked for since the tap was last cleared."""
    found = []
    for frame in stack.tap.frames(NAV_CMD):
        fields = CODEC.decode(frame.arbitration_id, bytes(frame.data))
        if str(fields["NAV_REQ"]) == "SET":
            found.append((float(fields["DEST_LAT_REQ"]), float(fields["DEST_LON_REQ"])))  # type: ignore[arg-type]
    return found


async def asked(client: CockpitClient, stack: Stack, session: str, text: str = "navigate to springfield") -> None:
    """Ask for Springfield: the question with its choices, no policy, no action, no frame."""
    stack.tap.clear()
    events = await say(client, session, text)
    assert kinds(events) == ["intent", "reply"]
    assert events[0]["intent"] == "navigation.navigate_to" and events[0]["slots"] == {"destination": "springfield"}
    assert reply(events) == QUESTION


async def no_frame(stack: Stack) -> None:
    await asyncio.sleep(0.3)  # a frame, had one been sent, would be on the bus by now
    assert sent_destinations(stack) == []


@pytest.mark.parametrize(
    ("answer", "where", "point"),
    [
        ("illinois", "Illinois", ILLINOIS),
        ("the one in Missouri", "Missouri", MISSOURI),
        ("the first one", "Missouri", MISSOURI),
    ],
)
async def test_the_answer_sets_that_springfield(
    client: CockpitClient, nav_stack: Stack, answer: str, where: str, point: tuple[float, float]
) -> None:
    session = (await client.create_session()).session_id
    await asked(client, nav_stack, session)
    await no_frame(nav_stack)
    events = await say(client, session, answer)
    assert kinds(events) == ACTED
    assert events[0]["slots"] == {"destination": f"Springfield, {where}"} and events[1]["decision"] == "allowed"
    assert reply(events).startswith(f"Navigating to Springfield, {where}: ")
    states = {e["signal"]: e["value"] for e in events if e["type"] == "state"}
    assert states[vss.NAV_LATITUDE] == pytest.approx(point[0], abs=2e-4)
    assert states[vss.NAV_LONGITUDE] == pytest.approx(point[1], abs=2e-4)
    await eventually(lambda: len(sent_destinations(nav_stack)) == 1)
    [(lat, lon)] = sent_destinations(nav_stack)
    assert (lat, lon) == (pytest.approx(point[0], abs=2e-4), pytest.approx(point[1], abs=2e-4))
    again = await say(client, session, answer)  # answered once: the question is gone
    assert "navigation.navigate_to" not in [e.get("intent") for e in again]


async def test_no_drops_the_question(client: CockpitClient, nav_stack: Stack) -> None:
    session = (await client.create_session()).session_id
    await asked(client, nav_stack, session)
    declined = await say(client, session, "no")
    assert kinds(declined) == ["reply"] and reply(declined) == "Okay, I won't."
    late = await say(client, session, "illinois")
    assert "navigation.navigate_to" not in [e.get("intent") for e in late]
    await no_frame(nav_stack)


async def test_an_unrelated_command_drops_the_question_and_runs(client: CockpitClient, nav_stack: Stack) -> None:
    session = (await client.create_session()).session_id
    await asked(client, nav_stack, session)
    other = await say(client, session, "what gear am I in")
    assert kinds(other) == ["intent", "reply"] and other[0]["intent"] == "drive.query"
    late = await say(client, session, "illinois")
    assert "navigation.navigate_to" not in [e.get("intent") for e in late]
    await no_frame(nav_stack)


async def test_a_qualified_name_is_not_asked_about(client: CockpitClient, nav_stack: Stack) -> None:
    session = (await client.create_session()).session_id
    for text, where, point in (
        ("navigate to springfield illinois", "Illinois", ILLINOIS),
        ("navigate to Springfield, Missouri", "Missouri", MISSOURI),
    ):
        events = await say(client, session, text)
        assert kinds(events) == ACTED and reply(events).startswith(f"Navigating to Springfield, {where}: ")
        state = await client.vehicle_state([vss.NAV_LATITUDE])
        assert state[vss.NAV_LATITUDE] == pytest.approx(point[0], abs=2e-4)


async def test_the_question_lapses_after_the_answer_window() -> None:
    stack = make_stack(**{"voice.answer_window_s": 0.5})
    try:
        service = stack.parts.service
        sid = service.create_session().session_id
        first = await stack.turn("navigate to springfield", sid)
        assert first.types() == ["intent", "reply"] and first.of_type(EventType.REPLY)[-1].data["text"] == QUESTION
        await asyncio.sleep(1.0)  # longer than the window
        stack.tap.clear()
        late = await stack.turn("illinois", sid)
        assert "navigation.navigate_to" not in [e.data.get("intent") for e in late.events]
        await no_frame(stack)
    finally:
        await close_stack(stack)


async def test_korean_sessions_are_asked_in_korean(client: CockpitClient, nav_stack: Stack) -> None:
    session = (await client.create_session("ko")).session_id
    nav_stack.tap.clear()
    question = await say(client, session, "스프링필드로 안내해 줘")
    assert kinds(question) == ["intent", "reply"]
    assert reply(question) == "미주리, 매사추세츠, 일리노이 중 어느 스프링필드로 갈까요?"
    answered = await say(client, session, "일리노이")
    assert kinds(answered) == ACTED
    assert reply(answered).startswith("일리노이 스프링필드로 안내를 시작합니다. ")
    await eventually(lambda: len(sent_destinations(nav_stack)) == 1)
    assert sent_destinations(nav_stack)[0][0] == pytest.approx(ILLINOIS[0], abs=2e-4)


def test_cli_same_session_answer() -> None:
    events = cockpit_ask("--same-session", "navigate to springfield", "illinois")
    first, second = ([e for e in events if e.get("turn") == turn] for turn in sorted({e.get("turn") for e in events}))
    assert [e["type"] for e in first] == ["intent", "reply"] and first[-1]["text"] == QUESTION
    assert [e["type"] for e in second] == ACTED
    assert str(second[-1]["text"]).startswith("Navigating to Springfield, Illinois: ")
    states = {e["signal"]: e["value"] for e in second if e["type"] == "state"}
    assert states[vss.NAV_LATITUDE] == pytest.approx(ILLINOIS[0], abs=2e-4)
    assert states[vss.NAV_LONGITUDE] == pytest.approx(ILLINOIS[1], abs=2e-4)


# The rule, on records of our own: which cities rival a bare name.

RECORDS = {
    "1": {"name": "Springfield", "latitude": 37.2, "longitude": -93.3, "countrycode": "US", "admin1code": "MO",
          "population": 170000, "alternatenames": ["스프링필드"]},
    "2": {"name": "Springfield", "latitude": 39.8, "longitude": -89.6, "countrycode": "US", "admin1code": "IL",
          "population": 114000, "alternatenames": ["스프링필드"]},
    "3": {"name": "Springfield", "latitude": 39.9, "longitude": -83.8, "countrycode": "US", "admin1code": "OH",
          "population": 59000, "alternatenames": []},
    "4": {"name": "Paris", "latitude": 48.85, "longitude": 2.35, "countrycode": "FR", "admin1code": "11",
          "population": 2100000, "alternatenames": []},
    "5": {"name": "Paris", "latitude": 33.66, "longitude": -95.55, "countrycode": "US", "admin1code": "TX",
          "population": 25000, "alternatenames": []},
    "6": {"name": "Valencia", "latitude": 10.16, "longitude": -68.0, "countrycode": "VE", "admin1code": "07",
          "population": 1600000, "alternatenames": []},
    "7": {"name": "Valencia", "latitude": 39.47, "longitude": -0.38, "countrycode": "ES", "admin1code": "60",
          "population": 800000, "alternatenames": []},
}  # fmt: skip


@pytest.fixture(scope="module")
def index() -> CityIndex:
    return CityIndex(lambda: RECORDS)


def test_rivals_are_comparable_cities_of_the_same_name(index: CityIndex) -> None:
    assert [r.destination for r in index.rivals("springfield")] == ["Springfield, Missouri", "Springfield, Illinois"]
    assert [r.destination for r in index.rivals("스프링필드")] == ["Springfield, Missouri", "Springfield, Illinois"]
    assert [r.destination for r in index.rivals("valencia")] == ["Valencia, Venezuela", "Valencia, Spain"]
    assert index.rivals("paris") == ()  # Paris, Texas is a twentieth of Paris
    assert index.rivals("springfield ohio") == ()  # too small to rival: named, it is looked up as before
    assert [r.destination for r in index.rivals("Springfield, Illinois")] == ["Springfield, Illinois"]
    assert [r.region_code for r in index.rivals("springfield missouri")] == ["US-MO"]


def test_choices_lead_to_one_city_each(index: CityIndex) -> None:
    nav = NavigationSkill(cities=index)
    match = IntentMatch("navigation.navigate_to", {"destination": "valencia"}, text="navigate to valencia")
    plan = nav.plan(match, SkillContext({}, {}))
    assert plan.done == "Valencia in Venezuela or Spain?" and plan.writes == ()
    assert set(plan.choices) == {"venezuela", "spain", "first", "second"}
    chosen = plan.choices["spain"]
    assert chosen.slots == {"destination": "Valencia, Spain"} and chosen.text == match.text
    done = nav.plan(chosen, SkillContext({}, {}))
    assert not done.choices and [w.value for w in done.writes] == [39.47, -0.38]
    assert done.done.startswith("Navigating to Valencia, Spain: ")


def test_korean_answers_take_particles_and_ordinals(index: CityIndex) -> None:
    nav = NavigationSkill(cities=index)
    match = IntentMatch("navigation.navigate_to", {"destination": "스프링필드"})
    plan = nav.plan(match, SkillContext({}, {}, "ko"))
    assert plan.done == "미주리, 일리노이 중 어느 스프링필드로 갈까요?" and plan.writes == ()
    assert plan.choices["일리노이로"].slots == {"destination": "Springfield, Illinois"}
    assert plan.choices["첫 번째"].slots == plan.choices["missouri"].slots == {"destination": "Springfield, Missouri"}
    done = nav.plan(plan.choices["일리노이"], SkillContext({}, {}, "ko"))
    assert done.done.startswith("일리노이 스프링필드로 안내를 시작합니다. ") and [w.value for w in done.writes] == [
        39.8,
        -89.6,
    ]
