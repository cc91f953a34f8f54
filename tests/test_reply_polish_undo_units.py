"""Undo says a temperature in the driver's units: a driver whose ``units`` setting is imperial hears
the temperature put back in Fahrenheit ("화씨 70도", "70 degrees Fahrenheit"), never the Celsius
number the bus carries with a bare "도". Through the gRPC API on the real service and simulated car
(the confirmed state and the words of the reply), and the skill itself for a session that never
named a unit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.followups import LAST_ACTION, TEMPERATURE_UNIT
from cockpit.server.client import CockpitClient
from cockpit.skill_api import SkillContext
from skills.vehicle import VehicleSkill
from tests.conftest import Stack, close_stack, make_stack
from tests.support import DONE, kinds, serve, states, turn
from tests.test_korean_replies import korean


@pytest.fixture(scope="module")
def imperial() -> Iterator[Stack]:
    built = make_stack(units="imperial")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(imperial: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(imperial):
        yield made


async def test_a_korean_imperial_driver_hears_the_undone_temperature_in_fahrenheit(client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    first = await turn(client, sid, "온도 칠십 도로 맞춰 줘")  # a bare 70, imperial: 70 °F
    assert kinds(first) == DONE and states(first) == {vss.DRIVER_TEMPERATURE: 21.0}
    assert "화씨 70도" in first[-1].data["text"]
    second = await turn(client, sid, "온도 칠십이 도로 맞춰 줘")
    assert states(second) == {vss.DRIVER_TEMPERATURE: 22.0}
    undone = await turn(client, sid, "되돌려 줘")
    assert undone[0].data["intent"] == "vehicle.undo"
    assert states(undone) == {vss.DRIVER_TEMPERATURE: 21.0}
    reply = str(undone[-1].data["text"])
    assert reply == "원래대로 되돌렸습니다: 운전석 온도 화씨 70도." and korean(reply)
    await client.close_session(sid)


async def test_an_english_imperial_driver_hears_it_in_fahrenheit_too(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    await turn(client, sid, "set the passenger temperature to 68")
    await turn(client, sid, "set the passenger temperature to 75")
    undone = await turn(client, sid, "undo")
    assert states(undone) == {vss.PASSENGER_TEMPERATURE: 20.0}
    assert undone[-1].data["text"] == "Undone: the passenger temperature is back to 68 degrees Fahrenheit."
    await client.close_session(sid)


LAST = {"intent": "climate.set_temperature", "slots": {}, "before": {vss.DRIVER_TEMPERATURE: 21.0}, "after": {}}
"""The session's last action: the driver temperature changed from 21 °C."""


def _undo(language: str, units: str, memory: dict[str, object]) -> str:
    context = SkillContext({}, memory, language, "driver", units)
    return VehicleSkill().plan(IntentMatch("vehicle.undo", {}), context).done


@pytest.mark.parametrize(
    ("language", "units", "said"),
    [
        ("en", "imperial", "Undone: the driver temperature is back to 70 degrees Fahrenheit."),
        ("ko", "imperial", "원래대로 되돌렸습니다: 운전석 온도 화씨 70도."),
        ("en", "metric", "Undone: the driver temperature is back to 21 degrees."),
        ("ko", "metric", "원래대로 되돌렸습니다: 운전석 온도 21도."),
    ],
)
def test_with_no_unit_in_the_session_the_units_setting_decides(language: str, units: str, said: str) -> None:
    assert _undo(language, units, {LAST_ACTION: LAST}) == said


def test_a_unit_the_driver_named_in_the_session_wins_over_the_setting() -> None:
    assert _undo("ko", "metric", {LAST_ACTION: LAST, TEMPERATURE_UNIT: "fahrenheit"}).endswith("운전석 온도 화씨 70도.")
    assert _undo("en", "imperial", {LAST_ACTION: LAST, TEMPERATURE_UNIT: "celsius"}).endswith("back to 21 degrees.")
