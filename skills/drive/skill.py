"""The drive skill: says the car's speed, gear and whether it is moving, from the confirmed state.

It never writes: speed, gear and motion are sensors the cockpit reads from BYD's powertrain
frames (:mod:`cockpit.vehicle.powertrain`). What the car has not reported is said to be unknown,
never guessed: a language model asked "how fast am I going" once answered 80 km/h in a parked car.

Reading the state: the powertrain tracker keeps the last speed it saw, and reports
``Vehicle.IsMoving`` true whenever that speed is stale (no frame for a while). A standstill speed
next to ``IsMoving`` true can only mean a stale reading, so it counts as no current speed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.langtag import primary_language
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, Skill, SkillContext, SkillPlan, fact_number, finite_number
from cockpit.units import METRIC, is_imperial, speed_in
from cockpit.vehicle.powertrain import MOVING_MIN_KMH

GEAR_NEUTRAL, GEAR_PARK, GEAR_DRIVE = 0, 126, 127
"""VSS ``SelectedGear`` values: 0 neutral, 126 park, 127 drive; negative values are reverse
gears and 1..125 forward gears (which this automatic car reports as drive)."""

PHRASES = Phrasebook(
    {
        "en": {
            "kmh": "{n} kilometres per hour",
            "kmh_one": "{n} kilometre per hour",
            "mph": "{n} miles per hour",
            "mph_one": "{n} mile per hour",
            "speed": "You're going {kmh}.",
            "speed_reverse": "You're reversing at {kmh}.",
            "speed_unknown": "I don't have the speed right now.",
            "moving": "The car is moving, at {kmh}.",
            "moving_reverse": "The car is reversing, at {kmh}.",
            "moving_unknown": "I can't tell right now: I have no current speed reading.",
            "parked": "The car is parked.",
            "standing_still": "The car is standing still.",
            "gear_park": "The car is in park.",
            "gear_drive": "The car is in drive.",
            "gear_reverse": "The car is in reverse.",
            "gear_neutral": "The car is in neutral.",
            "gear_unknown": "I don't know which gear the car is in right now.",
        },
        "ko": {
            "kmh": "시속 {n}킬로미터",
            "kmh_one": "시속 {n}킬로미터",
            "mph": "시속 {n}마일",
            "mph_one": "시속 {n}마일",
            "speed": "지금 {kmh}로 달리고 있습니다.",
            "speed_reverse": "지금 {kmh}로 후진하고 있습니다.",
            "speed_unknown": "지금은 속도 정보가 없습니다.",
            "moving": "차가 {kmh}로 달리고 있습니다.",
            "moving_reverse": "차가 {kmh}로 후진하고 있습니다.",
            "moving_unknown": "지금은 속도 정보가 없어서 알 수 없습니다.",
            "parked": "차가 주차되어 있습니다.",
            "standing_still": "차가 정지해 있습니다.",
            "gear_park": "기어는 P, 주차 상태입니다.",
            "gear_drive": "기어는 D, 주행 상태입니다.",
            "gear_reverse": "기어는 R, 후진 상태입니다.",
            "gear_neutral": "기어는 N, 중립 상태입니다.",
            "gear_unknown": "지금은 기어 정보가 없습니다.",
        },
    }
)
"""Every sentence the skill says, per language."""


def gear_name(value: SignalValue | None) -> str | None:
    """A VSS ``SelectedGear`` as ``park``, ``drive``, ``reverse`` or ``neutral``; None when unknown."""
    number = finite_number(value)
    if number is None:
        return None
    gear = int(number)
    if gear == GEAR_PARK:
        return "park"
    if gear == GEAR_NEUTRAL:
        return "neutral"
    if gear < 0:
        return "reverse"
    if gear == GEAR_DRIVE or 0 < gear < GEAR_PARK:
        return "drive"
    return None


def current_speed(state: Mapping[str, SignalValue]) -> float | None:
    """The speed in km/h while the car reports a current one; None when unknown or stale."""
    speed = fact_number(state, vss.SPEED)
    if speed is None or (speed < MOVING_MIN_KMH and state.get(vss.IS_MOVING) is True):
        return None
    return speed


EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {"drive.query": ("how fast am I going", "what gear am I in", "are we moving")},
    "ko": {"drive.query": ("지금 속도 얼마야", "기어 뭐야")},
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


class DriveSkill(Skill):
    """Answers "how fast am I going", "what gear am I in" and "are we moving"."""

    name = "drive"
    description = "Says the car's speed, its gear and whether it is moving."
    intents = tuple(name for name in CATALOGUE if name.startswith("drive."))
    examples = EXAMPLES
    replies = PHRASES
    summary_order = 10

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        what, language = match.slots.get("what"), primary_language(context.language)
        if what == "gear":
            return SkillPlan(done=self._gear(context.state, language))
        if what == "moving":
            return SkillPlan(done=self._moving(context.state, language, context.units))
        return SkillPlan(done=self._speed(context.state, language, context.units))

    def _speed(self, state: Mapping[str, SignalValue], language: str, units: str) -> str:
        speed = current_speed(state)
        if speed is None:
            return PHRASES.say(language, "speed_unknown")
        if speed < MOVING_MIN_KMH:
            return self._standstill(state, language)
        return PHRASES.say(language, _in_gear("speed", state), kmh=spoken_speed(speed, language, units))

    def _moving(self, state: Mapping[str, SignalValue], language: str, units: str) -> str:
        speed = current_speed(state)
        if state.get(vss.IS_MOVING) is False or (speed is not None and speed < MOVING_MIN_KMH):
            return self._standstill(state, language)
        if speed is None:
            return PHRASES.say(language, "moving_unknown")
        return PHRASES.say(language, _in_gear("moving", state), kmh=spoken_speed(speed, language, units))

    def _gear(self, state: Mapping[str, SignalValue], language: str) -> str:
        name = gear_name(state.get(vss.SELECTED_GEAR))
        return PHRASES.say(language, f"gear_{name or 'unknown'}")

    def _standstill(self, state: Mapping[str, SignalValue], language: str) -> str:
        parked = gear_name(state.get(vss.SELECTED_GEAR)) == "park"
        return PHRASES.say(language, "parked" if parked else "standing_still")

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """Moving or stopped, for the prompt's car facts (first of them)."""
        speed = fact_number(state, vss.SPEED)
        if speed is None:
            return ""
        return f"Driving at {speed:.0f} km/h." if speed >= 1 else "Stopped."

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Moving at 50 km/h, in drive.`` or ``Standing still, in park.``; empty when nothing is known."""
        speed, gear = current_speed(state), gear_name(state.get(vss.SELECTED_GEAR))
        if speed is None and gear is None:
            return ""
        if speed is None:
            motion = "Speed unknown"
        else:
            motion = "Standing still" if speed < MOVING_MIN_KMH else f"Moving at {speed:.0f} km/h"
        return motion + (f", in {gear}." if gear else ".")


def _in_gear(key: str, state: Mapping[str, SignalValue]) -> str:
    """``key`` or, when the car is in reverse, its ``_reverse`` variant."""
    return f"{key}_reverse" if gear_name(state.get(vss.SELECTED_GEAR)) == "reverse" else key


def spoken_speed(kmh: float, language: str = "en", units: str = METRIC) -> str:
    """A speed as said aloud in the driver's units, to the whole: ``50 kilometres per hour``,
    ``31 miles per hour`` (imperial), ``시속 50킬로미터``."""
    unit = "mph" if is_imperial(units) else "kmh"
    whole = math.floor(speed_in(kmh, units) + 0.5)
    return PHRASES.say(language, f"{unit}_one" if whole == 1 else unit, n=whole)
