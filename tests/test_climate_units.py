"""Temperatures in the driver's units (issue 12, item 7): a temperature asked for in Fahrenheit is
confirmed in Fahrenheit while the car gets Celsius on the bus, and with the ``units`` setting
imperial a bare "70" is read as Fahrenheit. Through the gRPC API on the real service and simulated
car, with golden event sequences and the HVAC command frame; the conversions themselves by
Hypothesis."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit import vss
from cockpit.server.client import CockpitClient
from skills.climate.skill import round_to_step
from skills.climate.units import degrees_number, fahrenheit_range, named_unit, to_celsius
from tests.conftest import Stack, close_stack, make_stack
from tests.support import COCKPIT, DONE, REFUSED, eventually, kinds, serve, states, turn
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
HVAC_CMD = CODEC.frame_id("HVAC_CMD")


@pytest.fixture(scope="module")
def metric() -> Iterator[Stack]:
    built = make_stack()
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture(scope="module")
def imperial() -> Iterator[Stack]:
    built = make_stack(units="imperial")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def metric_client(metric: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(metric):
        yield made


@pytest.fixture
async def imperial_client(imperial: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(imperial):
        yield made


async def last_driver_request(stack: Stack) -> float:
    """The driver temperature the last HVAC command frame on the bus asked for, in °C."""
    await eventually(lambda: len(stack.tap.frames(HVAC_CMD)) >= 1)
    return float(CODEC.decode(HVAC_CMD, stack.tap.frames(HVAC_CMD)[-1].data)["DRIVER_TEMP_REQ"])


# --- said in Fahrenheit, metric setting ------------------------------------------------------


async def test_fahrenheit_is_confirmed_in_fahrenheit_and_sent_in_celsius(
    metric: Stack, metric_client: CockpitClient
) -> None:
    sid = (await metric_client.create_session()).session_id
    metric.tap.clear()
    events = await turn(metric_client, sid, "set the temperature to 70 degrees fahrenheit")
    assert kinds(events) == DONE
    assert events[0].data["slots"] == {"celsius": 21.1}  # NLU's Celsius; the car's nearest step is 21.0
    assert states(events) == {vss.DRIVER_TEMPERATURE: 21.0}
    assert events[-1].data["text"] == "Driver temperature set to 70 degrees Fahrenheit."
    assert await last_driver_request(metric) == 21.0  # the bus carries Celsius (the DBC's signal)

    # The rest of the session hears Fahrenheit: the other side, a nudge, the question.
    other = await turn(metric_client, sid, "and the passenger side too")
    assert kinds(other) == DONE and states(other) == {vss.PASSENGER_TEMPERATURE: 21.0}
    assert other[-1].data["text"] == "Passenger temperature set to 70 degrees Fahrenheit."
    warmer = await turn(metric_client, sid, "a bit warmer")
    assert states(warmer) == {vss.DRIVER_TEMPERATURE: 21.5}  # "a bit" is a degree in the driver's unit
    assert warmer[-1].data["text"] == "Driver temperature set to 71 degrees Fahrenheit."
    asked = await turn(metric_client, sid, "what's the temperature")
    assert kinds(asked) == ["intent", "reply"]
    assert asked[-1].data["text"] == (
        "The driver's side is set to 71 degrees Fahrenheit. The passenger's side is set to 70 degrees Fahrenheit."
    )
    # Naming Celsius switches back.
    celsius = await turn(metric_client, sid, "set the temperature to 21 degrees celsius")
    assert celsius[-1].data["text"] == "Driver temperature set to 21 degrees."
    await metric_client.close_session(sid)


async def test_fahrenheit_out_of_range_is_refused_in_fahrenheit_without_a_frame(
    metric: Stack, metric_client: CockpitClient
) -> None:
    sid = (await metric_client.create_session()).session_id
    before = metric.parts.service.vehicle_state().get(vss.DRIVER_TEMPERATURE)
    metric.tap.clear()
    events = await turn(metric_client, sid, "set the temperature to 90 degrees fahrenheit")
    assert kinds(events) == REFUSED
    said = "I can only set the temperature between 61 and 86 degrees Fahrenheit."
    assert events[1].data == {"decision": "refused", "reason": said} and events[-1].data["text"] == said
    await asyncio.sleep(0.2)
    assert metric.tap.frames(HVAC_CMD) == []
    assert metric.parts.service.vehicle_state().get(vss.DRIVER_TEMPERATURE) == before
    await metric_client.close_session(sid)


async def test_a_bare_number_stays_celsius_in_a_metric_car(metric: Stack, metric_client: CockpitClient) -> None:
    sid = (await metric_client.create_session()).session_id
    events = await turn(metric_client, sid, "set the temperature to 23")
    assert states(events) == {vss.DRIVER_TEMPERATURE: 23.0}
    assert events[-1].data["text"] == "Driver temperature set to 23 degrees."
    await metric_client.close_session(sid)


# --- imperial setting ------------------------------------------------------------------------


async def test_imperial_reads_a_bare_70_as_fahrenheit(imperial: Stack, imperial_client: CockpitClient) -> None:
    sid = (await imperial_client.create_session()).session_id
    imperial.tap.clear()
    events = await turn(imperial_client, sid, "set the temperature to 70")
    assert kinds(events) == DONE
    assert events[0].data["slots"] == {"celsius": 21.1}  # the intent shows what the car is asked, in Celsius
    assert states(events) == {vss.DRIVER_TEMPERATURE: 21.0}
    assert events[-1].data["text"] == "Driver temperature set to 70 degrees Fahrenheit."
    assert await last_driver_request(imperial) == 21.0

    other = await turn(imperial_client, sid, "and the passenger side too")
    assert other[0].data["slots"] == {"celsius": 21.1, "zone": "passenger"}  # the driver's 70 °F, in Celsius
    assert states(other) == {vss.PASSENGER_TEMPERATURE: 21.0}
    asked = await turn(imperial_client, sid, "what's the temperature")
    assert asked[-1].data["text"] == "The temperature is set to 70 degrees Fahrenheit on both sides."
    down = await turn(imperial_client, sid, "turn it down")
    assert down[0].data["intent"] == "climate.adjust_temperature"
    assert states(down) == {vss.PASSENGER_TEMPERATURE: 20.5}  # one °F is the car's half-degree step
    assert down[-1].data["text"] == "Passenger temperature set to 69 degrees Fahrenheit."
    undone = await turn(imperial_client, sid, "undo")
    assert states(undone) == {vss.PASSENGER_TEMPERATURE: 21.0}
    assert undone[-1].data["text"] == "Undone: the passenger temperature is back to 70 degrees Fahrenheit."
    await imperial_client.close_session(sid)


async def test_imperial_refuses_a_celsius_sized_number_in_fahrenheit(
    imperial: Stack, imperial_client: CockpitClient
) -> None:
    """21 °F is no cabin temperature: refused with the range in the driver's units, nothing sent."""
    sid = (await imperial_client.create_session()).session_id
    imperial.tap.clear()
    events = await turn(imperial_client, sid, "set the temperature to 21")
    assert kinds(events) == REFUSED
    assert events[-1].data["text"] == "I can only set the temperature between 61 and 86 degrees Fahrenheit."
    await asyncio.sleep(0.2)
    assert imperial.tap.frames(HVAC_CMD) == []
    # Said in Celsius, it is read as Celsius.
    named = await turn(imperial_client, sid, "set the temperature to 21 degrees celsius")
    assert states(named) == {vss.DRIVER_TEMPERATURE: 21.0}
    assert named[-1].data["text"] == "Driver temperature set to 21 degrees."
    await imperial_client.close_session(sid)


# --- the conversions -------------------------------------------------------------------------


@given(st.integers(min_value=61, max_value=86))
def test_every_whole_fahrenheit_degree_in_range_reads_back_as_said(fahrenheit: int) -> None:
    celsius = round_to_step(to_celsius(fahrenheit))
    assert 16.0 <= celsius <= 30.0
    assert degrees_number(celsius, fahrenheit=True) == str(fahrenheit)


@given(st.integers(min_value=61, max_value=86), st.integers(min_value=61, max_value=86))
def test_different_fahrenheit_degrees_land_on_different_car_steps(a: int, b: int) -> None:
    if a != b:
        assert round_to_step(to_celsius(a)) != round_to_step(to_celsius(b))


def test_the_fahrenheit_range_is_the_cars_celsius_range() -> None:
    assert fahrenheit_range(vss.DRIVER_TEMPERATURE) == (61, 86)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("set the temperature to 70 degrees fahrenheit", "fahrenheit"),
        ("make it 70°F", "fahrenheit"),
        ("화씨 칠십 도로 맞춰 줘", "fahrenheit"),
        ("set it to 21 degrees celsius", "celsius"),
        ("21 c please", "celsius"),
        ("섭씨 이십일 도", "celsius"),
        ("set the temperature to 21 degrees for the driver", None),
        ("set the a c to 21", None),
        ("온도 22도로 맞춰줘", None),
    ],
)
def test_a_named_unit_is_read_from_the_words(text: str, unit: str | None) -> None:
    assert named_unit(text) == unit


def test_cockpit_ask_reads_and_says_fahrenheit_when_cockpit_units_is_imperial() -> None:
    """The setting through the environment, as a user sets it: ``COCKPIT_UNITS=imperial cockpit ask``."""
    run = subprocess.run(
        [str(COCKPIT), "ask", "--json", "--same-session", "set the temperature to 70", "what's the temperature"],
        capture_output=True,
        text=True,
        env={**os.environ, "COCKPIT_LLM_ENABLED": "false", "COCKPIT_UNITS": "imperial"},
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    events = [json.loads(line) for line in run.stdout.splitlines()]
    confirmed = [(e["signal"], e["value"]) for e in events if e["turn"] == 0 and e["type"] == "state"]
    assert confirmed == [(vss.DRIVER_TEMPERATURE, 21.0)]
    replies = [e["text"] for e in events if e["type"] == "reply"]
    assert replies[0] == "Driver temperature set to 70 degrees Fahrenheit."
    assert replies[1].startswith("The driver's side is set to 70 degrees Fahrenheit.")
