"""A stated change is not a stated state: "I raised the temperature by 2 degrees." reports a change
by 2 degrees, it does not say the cabin is at 2 degrees.

The answer checker passes such a sentence when the turn confirmed a change of that function, and
replaces it ("I haven't changed anything in the car.") when it did not; a sentence that states a
value the car does not have is still replaced by the fact. Temperature, fan speed and volume,
through the checker API (pure, no model) and once through the gRPC API with a scripted model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import vss
from cockpit.llm.claims import NOTHING_CHANGED, AnswerChecker, Checked
from cockpit.server.client import CockpitClient
from cockpit.skill_api import SignalValue
from cockpit.testing.llm import FakeLanguageModel
from tests.conftest import Stack, close_stack
from tests.support import eventually, scripted_model_stack, serve, turn
from tests.test_reply_polish_korean_checker import HVAC_CMD, chat

WARMED: dict[str, SignalValue] = {
    vss.SPEED: 0.0,
    vss.SELECTED_GEAR: 126,
    vss.IS_MOVING: False,
    vss.DRIVER_TEMPERATURE: 23.0,
    vss.PASSENGER_TEMPERATURE: 22.0,
    vss.AC_ACTIVE: False,
    vss.DRIVER_FAN_SPEED: 50,
    vss.MEDIA_VOLUME: 30,
}
"""Parked, after the turn's change: driver side 21 -> 23 degrees, fan 30 -> 50 percent, volume 20 -> 30."""
TEMPERATURE_FACT = "The cabin is set to 23 degrees on the driver side and 22 degrees on the passenger side."


def check(sentence: str, confirmed: Collection[str] = ()) -> Checked:
    return AnswerChecker(WARMED, confirmed=confirmed).check(sentence)


# --- a true change with its confirmed action passes --------------------------------------------

TRUE_CHANGES = [
    (vss.DRIVER_TEMPERATURE, "I raised the temperature by 2 degrees."),
    (vss.DRIVER_TEMPERATURE, "I've turned the temperature up by 2 degrees."),
    (vss.DRIVER_TEMPERATURE, "I increased the driver's temperature by two degrees."),
    (vss.DRIVER_TEMPERATURE, "I raised the temperature 2 degrees."),
    (vss.DRIVER_TEMPERATURE, "The temperature is now 2 degrees higher."),
    (vss.DRIVER_TEMPERATURE, "It is now two degrees warmer."),
    (vss.DRIVER_TEMPERATURE, "I raised the temperature by 2 degrees to 23 degrees."),
    (vss.DRIVER_TEMPERATURE, "I raised the temperature from 21 degrees to 23 degrees."),
    (vss.DRIVER_FAN_SPEED, "The fan is now 20 percent faster."),
    (vss.DRIVER_FAN_SPEED, "I set the fan 20 percent higher."),
    (vss.MEDIA_VOLUME, "The volume is now 10 percent louder."),
    (vss.MEDIA_VOLUME, "The volume is now ten steps higher."),
]
"""Each was replaced by the fact before: its amount was read as the temperature, fan speed or volume."""


@pytest.mark.parametrize(("signal", "sentence"), TRUE_CHANGES)
def test_a_change_by_an_amount_passes_with_its_confirmed_action(signal: str, sentence: str) -> None:
    assert check(sentence, confirmed={signal}) == Checked(sentence, False, "")


@pytest.mark.parametrize(
    ("signal", "sentence"),
    [
        (vss.DRIVER_TEMPERATURE, "I made it two degrees warmer."),
        (vss.DRIVER_TEMPERATURE, "Temperature increased by 2 degrees."),
        (vss.DRIVER_FAN_SPEED, "I increased the fan speed by 20 percent."),
        (vss.MEDIA_VOLUME, "I turned the volume up by 10."),
        (vss.MEDIA_VOLUME, "I made it a bit louder."),
    ],
)
def test_changes_that_already_passed_with_their_action_still_do(signal: str, sentence: str) -> None:
    assert check(sentence, confirmed={signal}) == Checked(sentence, False, "")


_AMOUNTS = ["one", "two", "three", "four", "five", "1", "2", "3", "4", "5", "1.5", "half a"]
_TEMPERATURE_CHANGES = [
    "I raised the temperature by {n} degrees.",
    "I lowered the driver's temperature by {n} degrees.",
    "I've turned the heat up by {n} degrees.",
    "It is now {n} degrees cooler.",
    "The temperature is now {n} degrees higher.",
]
_LEVEL_CHANGES = [
    (vss.DRIVER_FAN_SPEED, "The fan is now {n}0 percent stronger."),
    (vss.DRIVER_FAN_SPEED, "I turned the fan down by {n}0 percent."),
    (vss.MEDIA_VOLUME, "I turned the volume up by {n}."),
    (vss.MEDIA_VOLUME, "The volume is now {n} steps lower."),
]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=32, max_value=60).map(lambda half: half / 2),
    st.sampled_from(_AMOUNTS),
    st.sampled_from(_TEMPERATURE_CHANGES),
)
def test_a_temperature_change_is_never_read_as_the_temperature(cabin: float, amount: str, template: str) -> None:
    """Whatever the cabin is at (16-30 degrees) and however much the change was."""
    state = {**WARMED, vss.DRIVER_TEMPERATURE: cabin, vss.PASSENGER_TEMPERATURE: cabin}
    sentence = template.format(n=amount).replace("half a degrees", "half a degree")
    checked = AnswerChecker(state, confirmed={vss.DRIVER_TEMPERATURE}).check(sentence)
    assert checked == Checked(sentence, False, "")
    assert AnswerChecker(state).check(sentence) == Checked(NOTHING_CHANGED, True, "claims-change")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=100), st.integers(min_value=1, max_value=9), st.sampled_from(_LEVEL_CHANGES))
def test_a_fan_or_volume_change_is_never_read_as_the_level(level: int, amount: int, change: tuple[str, str]) -> None:
    signal, template = change
    sentence = template.format(n=amount)
    state = {**WARMED, vss.DRIVER_FAN_SPEED: level, vss.MEDIA_VOLUME: level}
    assert AnswerChecker(state, confirmed={signal}).check(sentence) == Checked(sentence, False, "")
    assert AnswerChecker(state).check(sentence) == Checked(NOTHING_CHANGED, True, "claims-change")


# --- the same words with no confirmed action are replaced ---------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "I made it two degrees warmer.",
        "I made the cabin a bit warmer.",
        "I made it a bit louder.",
        "The temperature has been raised by 2 degrees.",
        "Temperature increased by 2 degrees.",
        "The temperature was lowered by two degrees.",
        "Two degrees warmer.",
        "A bit louder.",
        "Fan speed increased by 20 percent.",
        "Volume increased by 10 percent.",
        "The volume went up by 10.",
    ],
)
def test_a_change_nobody_made_is_replaced(sentence: str) -> None:
    """Each passed before: "by" read as an agent passive ("heated by thin wires"), or no verb seen."""
    assert check(sentence) == Checked(NOTHING_CHANGED, True, "claims-change")


@pytest.mark.parametrize(
    "sentence",
    [s for _, s in TRUE_CHANGES] + ["I increased the fan speed by 20 percent.", "I turned the volume up by 10."],
)
def test_the_true_changes_are_replaced_when_the_turn_confirmed_nothing(sentence: str) -> None:
    assert check(sentence) == Checked(NOTHING_CHANGED, True, "claims-change")


def test_a_change_of_another_function_does_not_cover_it() -> None:
    checked = check("I raised the temperature by 2 degrees.", confirmed={vss.MEDIA_VOLUME})
    assert checked == Checked(NOTHING_CHANGED, True, "claims-change")


# --- a wrong state is still the fact ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "fact", "reason"),
    [
        ("The temperature is 30 degrees.", TEMPERATURE_FACT, "contradicts-temperature"),
        ("I raised the temperature by 2 degrees, to 25 degrees.", TEMPERATURE_FACT, "contradicts-temperature"),
        ("The fan speed is 80 percent.", "The fan is at 50 percent.", "contradicts-fan"),
        ("I increased the fan speed by 20 percent to 80 percent.", "The fan is at 50 percent.", "contradicts-fan"),
        ("The volume is now 60.", "The volume is at 30.", "contradicts-volume"),
        ("I turned the volume up by 10, to 60.", "The volume is at 30.", "contradicts-volume"),
        ("I turned the volume up to 60.", "The volume is at 30.", "contradicts-volume"),
    ],
)
def test_a_wrong_value_is_replaced_by_the_fact_even_with_the_action(sentence: str, fact: str, reason: str) -> None:
    confirmed = {vss.DRIVER_TEMPERATURE, vss.DRIVER_FAN_SPEED, vss.MEDIA_VOLUME}
    assert check(sentence, confirmed=confirmed) == Checked(fact, True, reason)


@pytest.mark.parametrize(
    "sentence",
    [
        "The temperature is 23 degrees.",
        "The volume is 30, down from 40.",
        "The rear window is heated by thin wires.",
        "Each press changes the temperature by half a degree.",
    ],
)
def test_true_states_and_descriptions_pass(sentence: str) -> None:
    assert check(sentence) == Checked(sentence, False, "")


# --- through the gRPC API -----------------------------------------------------------------------

REPLIES = {
    "good morning": "I made it two degrees warmer. The temperature is 30 degrees.",
    "how are you": "Temperature increased by 2 degrees. The volume is now 10 percent louder.",
}
"""What the scripted model answers, by a piece of the driver's question: chat turns confirm nothing."""


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    built = scripted_model_stack("claim-deltas", lambda *_: FakeLanguageModel(REPLIES))
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


async def test_a_stated_change_nobody_made_is_replaced_and_a_wrong_temperature_is_the_fact(
    stack: Stack, client: CockpitClient
) -> None:
    await eventually(lambda: vss.DRIVER_TEMPERATURE in stack.parts.service.vehicle_state())
    state = stack.parts.service.vehicle_state()
    cabin = state[vss.DRIVER_TEMPERATURE]
    assert isinstance(cabin, float | int) and state.get(vss.PASSENGER_TEMPERATURE) == cabin, state
    assert abs(cabin - 30) > 0.5, "the scripted 30 degrees must be wrong for this car"
    sid = (await client.create_session()).session_id
    stack.tap.clear()
    said = chat(await turn(client, sid, "good morning"))
    assert said == f"{NOTHING_CHANGED} The cabin is set to {cabin:g} degrees."
    assert chat(await turn(client, sid, "how are you?")) == NOTHING_CHANGED
    await asyncio.sleep(0.2)
    assert stack.tap.frames(HVAC_CMD) == []
    assert stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == cabin
    await client.close_session(sid)
