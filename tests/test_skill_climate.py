"""The climate skill: planned writes and replies per intent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.skill_api import SignalValue, SkillContext, SkillPlan
from skills.climate import ClimateSkill
from skills.climate.skill import SEAT_HEATING_PERCENT, round_to_step

SKILL = ClimateSkill()


def plan(intent: str, state: Mapping[str, SignalValue] | None = None, **slots: Any) -> SkillPlan:
    return SKILL.plan(IntentMatch(intent, slots), SkillContext(state or {}, {}))


def writes(p: SkillPlan) -> list[tuple[str, SignalValue]]:
    return [(w.signal, w.value) for w in p.writes]


def test_owns_every_climate_intent_of_the_catalogue() -> None:
    assert set(SKILL.intents) == {n for n in CATALOGUE if n.startswith("climate.")}
    assert SKILL.info().name == "climate"
    with pytest.raises(ValueError):
        plan("media.pause")


def test_set_temperature_driver() -> None:
    p = plan("climate.set_temperature", celsius=21, zone="driver")
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 21.0)]
    assert p.done == "Driver temperature set to 21 degrees."
    assert p.refusal is None


def test_set_temperature_without_zone_is_the_driver() -> None:
    assert writes(plan("climate.set_temperature", celsius=23)) == [(vss.DRIVER_TEMPERATURE, 23.0)]


def test_set_temperature_passenger_rounds_to_half_degrees() -> None:
    p = plan("climate.set_temperature", celsius=21.3, zone="passenger")
    assert writes(p) == [(vss.PASSENGER_TEMPERATURE, 21.5)]
    assert p.done == "Passenger temperature set to 21.5 degrees."
    assert writes(plan("climate.set_temperature", celsius=21.2))[0][1] == 21.0
    assert writes(plan("climate.set_temperature", celsius=21.25))[0][1] == 21.5


def test_set_temperature_all_writes_both_zones_in_one_plan() -> None:
    p = plan("climate.set_temperature", celsius=20, zone="all")
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 20.0), (vss.PASSENGER_TEMPERATURE, 20.0)]
    assert "20 degrees" in p.done and "driver and passenger" in p.done


def test_out_of_range_is_planned_as_asked_for_the_policy_to_refuse() -> None:
    assert writes(plan("climate.set_temperature", celsius=95)) == [(vss.DRIVER_TEMPERATURE, 95.0)]


def test_missing_temperature_asks_instead_of_writing() -> None:
    p = plan("climate.set_temperature")
    assert p.writes == () and p.refusal


def test_adjust_temperature_from_state() -> None:
    p = plan("climate.adjust_temperature", {vss.DRIVER_TEMPERATURE: 21.0}, delta_celsius=2)
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 23.0)]
    assert p.done == "Driver temperature set to 23 degrees."


def test_adjust_temperature_defaults_to_22_when_unknown() -> None:
    assert writes(plan("climate.adjust_temperature", delta_celsius=-1.5)) == [(vss.DRIVER_TEMPERATURE, 20.5)]


def test_adjust_temperature_all_zones_each_from_its_own_value() -> None:
    state = {vss.DRIVER_TEMPERATURE: 21.0, vss.PASSENGER_TEMPERATURE: 24.0}
    p = plan("climate.adjust_temperature", state, delta_celsius=-1, zone="all")
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 20.0), (vss.PASSENGER_TEMPERATURE, 23.0)]
    assert "driver 20 degrees" in p.done and "passenger 23 degrees" in p.done


def test_adjust_temperature_stops_at_the_cars_limit() -> None:
    p = plan("climate.adjust_temperature", {vss.DRIVER_TEMPERATURE: 29.5}, delta_celsius=2)
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 30.0)]
    at_max = plan("climate.adjust_temperature", {vss.DRIVER_TEMPERATURE: 30.0}, delta_celsius=1)
    assert at_max.writes == () and "warmest" in at_max.done


def test_set_fan_speed() -> None:
    p = plan("climate.set_fan_speed", percent=40)
    assert writes(p) == [(vss.DRIVER_FAN_SPEED, 40)]
    assert p.done == "Fan speed set to 40 percent."
    assert plan("climate.set_fan_speed", percent=0).done == "Fan off."


@pytest.mark.parametrize(
    ("current", "delta", "expected"),
    [(40, 20, 60), (90, 30, 100), (10, -30, 0), (None, 10, 60)],
)
def test_adjust_fan_speed_clamps_to_0_100(current: int | None, delta: int, expected: int) -> None:
    state = {} if current is None else {vss.DRIVER_FAN_SPEED: current}
    p = plan("climate.adjust_fan_speed", state, delta_percent=delta)
    assert writes(p) == [(vss.DRIVER_FAN_SPEED, expected)]
    assert (str(expected) in p.done) or p.done == "Fan off."


def test_adjust_fan_speed_already_at_full_speed_writes_nothing() -> None:
    p = plan("climate.adjust_fan_speed", {vss.DRIVER_FAN_SPEED: 100}, delta_percent=10)
    assert p.writes == () and "full speed" in p.done


@pytest.mark.parametrize(
    ("intent", "slots", "signal", "reply"),
    [
        ("climate.set_ac", {"on": True}, vss.AC_ACTIVE, "Air conditioning on."),
        ("climate.set_ac", {"on": False}, vss.AC_ACTIVE, "Air conditioning off."),
        ("climate.set_recirculation", {"on": True}, vss.RECIRCULATION_ACTIVE, "Recirculation on."),
        ("climate.set_defrost", {"window": "front", "on": True}, vss.FRONT_DEFROSTER_ACTIVE, "Front defroster on."),
        ("climate.set_defrost", {"window": "rear", "on": False}, vss.REAR_DEFROSTER_ACTIVE, "Rear defroster off."),
    ],
)
def test_switches(intent: str, slots: dict[str, Any], signal: str, reply: str) -> None:
    p = plan(intent, **slots)
    assert writes(p) == [(signal, slots["on"])]
    assert p.done == reply


def test_defrost_without_a_window_asks() -> None:
    p = plan("climate.set_defrost", on=True)
    assert p.writes == () and p.refusal and "front or rear" in p.refusal


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_seat_heating_levels_map_to_percent(level: int) -> None:
    p = plan("climate.set_seat_heating", level=level)
    assert writes(p) == [(vss.DRIVER_SEAT_HEATING, SEAT_HEATING_PERCENT[level])]
    assert SEAT_HEATING_PERCENT == (0, 33, 67, 100)
    assert ("off" in p.done) if level == 0 else (f"level {level}" in p.done)


def test_seat_heating_passenger_and_both() -> None:
    assert writes(plan("climate.set_seat_heating", level=2, zone="passenger")) == [(vss.PASSENGER_SEAT_HEATING, 67)]
    both = plan("climate.set_seat_heating", level=3, zone="all")
    assert writes(both) == [(vss.DRIVER_SEAT_HEATING, 100), (vss.PASSENGER_SEAT_HEATING, 100)]


def test_seat_heating_level_outside_0_3_is_refused_without_writes() -> None:
    p = plan("climate.set_seat_heating", level=5)
    assert p.writes == () and p.refusal and "level 3" in p.refusal


def test_describe_state() -> None:
    state = {
        vss.DRIVER_TEMPERATURE: 21.0,
        vss.PASSENGER_TEMPERATURE: 22.0,
        vss.DRIVER_FAN_SPEED: 40,
        vss.AC_ACTIVE: True,
    }
    assert SKILL.describe_state(state) == "Cabin 21 °C driver, 22 °C passenger, fan 40 %, AC on."
    assert SKILL.describe_state({}) == ""


@given(st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_round_to_step_lands_on_the_nearest_half_degree(value: float) -> None:
    rounded = round_to_step(value)
    assert (rounded * 2) == int(rounded * 2)
    assert abs(rounded - value) <= 0.25 + 1e-9
    assert round_to_step(rounded) == rounded


# --- the driver's units and drive side (issue 12, items 3 and 7) -------------------------------


def _in(units: str = "metric", drive_side: str = "left", language: str = "en", **memory: Any) -> SkillContext:
    return SkillContext({}, memory, language, "driver", units, drive_side)


def test_a_tool_call_in_an_imperial_car_is_still_celsius_but_said_in_fahrenheit() -> None:
    """The language model's tool schema is Celsius: its +2 is two Celsius degrees, not Fahrenheit."""
    call = IntentMatch("climate.adjust_temperature", {"delta_celsius": 2}, "llm", 0.9, "I'm freezing")
    p = SKILL.plan(call, SkillContext({vss.DRIVER_TEMPERATURE: 21.0}, {}, units="imperial"))
    assert writes(p) == [(vss.DRIVER_TEMPERATURE, 23.0)]
    assert p.done == "Driver temperature set to 73 degrees Fahrenheit."


def test_the_unit_a_temperature_was_read_in_is_kept_for_follow_ups() -> None:
    said = IntentMatch("climate.set_temperature", {"celsius": 22.2}, "rules", 1.0, "set it to 72 degrees fahrenheit")
    p = SKILL.plan(said, _in())
    assert (
        writes(p) == [(vss.DRIVER_TEMPERATURE, 22.0)] and p.done == "Driver temperature set to 72 degrees Fahrenheit."
    )
    assert p.memory == {"climate.temperature_unit": "fahrenheit"}
    bare = SKILL.plan(
        IntentMatch("climate.set_temperature", {"celsius": 75}, "rules", 1.0, "make it 75"), _in(**p.memory)
    )
    assert writes(bare) == [(vss.DRIVER_TEMPERATURE, 24.0)]  # 75 °F is 23.9 °C: the nearest step


@pytest.mark.parametrize(
    ("text", "zone", "drive_side", "expected"),
    [
        ("turn on the left seat heater", "driver", "right", vss.PASSENGER_SEAT_HEATING),
        ("turn on the right seat heater", "passenger", "right", vss.DRIVER_SEAT_HEATING),
        ("turn on the left seat heater", "driver", "left", vss.DRIVER_SEAT_HEATING),
        ("turn on the passenger seat heater right now", "passenger", "right", vss.PASSENGER_SEAT_HEATING),
        ("왼쪽 열선 켜 줘", "driver", "right", vss.PASSENGER_SEAT_HEATING),
    ],
)
def test_left_and_right_are_the_seats_on_that_side(text: str, zone: str, drive_side: str, expected: str) -> None:
    match = IntentMatch("climate.set_seat_heating", {"level": 2, "zone": zone}, "rules", 1.0, text)
    assert writes(SKILL.plan(match, _in(drive_side=drive_side))) == [(expected, 67)]


def test_korean_refusals_and_questions_back() -> None:
    ko = _in(language="ko")
    assert SKILL.plan(IntentMatch("climate.set_defrost", {"on": True}), ko).refusal == (
        "앞 유리와 뒷 유리 중 어느 쪽 성에를 제거할까요?"
    )
    assert SKILL.plan(IntentMatch("climate.set_seat_heating", {"level": 5}), ko).refusal == (
        "열선은 0단계, 꺼짐부터 3단계까지 있습니다."
    )
    assert SKILL.plan(IntentMatch("climate.set_ac", {}), ko).refusal == "에어컨을 켤까요, 끌까요?"
    both = SKILL.plan(IntentMatch("climate.set_temperature", {"celsius": 21, "zone": "all"}), ko)
    assert both.done == "운전석과 조수석 온도를 21도로 맞췄습니다."
