"""The climate skill: plans HVAC and seat-heating writes for the ``climate.*`` intents.

Values are planned as requested (rounded to the car's step), never range-checked here: the
pipeline's policy refuses an out-of-range write (say 95 °C) with a spoken reason before anything
is sent, so there is one place that knows the car's limits. Two exceptions: relative changes
("warmer" at 29.5 °C should land on the warmest setting, not be refused) are clamped to the
signal's range from :data:`cockpit.vss.SIGNALS`, and a temperature the driver thinks of in
Fahrenheit is refused here, because the refusal must give the range in Fahrenheit too.

Temperatures go on the bus in Celsius; how a number is read and said in the driver's units is
:mod:`skills.climate.units`. "left" and "right" name front seats by drive side
(:func:`cockpit.seats.front_seat`). Every reply is in the turn's language
(:mod:`skills.climate.phrases`); ``climate.query`` is answered by :mod:`skills.climate.answers`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.followups import TEMPERATURE_UNIT
from cockpit.seats import DRIVE_SIDES, front_seat
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, fact_number, slot_number
from skills.climate.answers import SEAT_HEATING_PERCENT, SEAT_SIGNALS, TEMPERATURE_SIGNALS, answer
from skills.climate.cues import CUES
from skills.climate.phrases import PHRASES, degrees
from skills.climate.units import (
    FAHRENHEIT,
    degrees_number,
    driver_unit,
    fahrenheit_range,
    read_celsius,
    read_delta,
    slot_unit,
)

__all__ = ["PHRASES", "SEAT_HEATING_PERCENT", "ClimateSkill", "answer", "round_to_step"]

DEFAULT_TEMPERATURE = 22.0
"""Assumed cabin set point (°C) when the car has not reported one: a common comfort default."""
DEFAULT_FAN_SPEED = 50
"""Assumed fan speed (%) when the car has not reported one: the middle, so up and down both work."""
TEMPERATURE_STEP = 0.5
"""The car's temperature resolution (°C); matches the step of the VSS temperature signals."""
DEFAULT_ZONE = "driver"
"""Zone used when none is spoken and the speaker's seat is not known. An unnamed zone is the
speaker's own (the session's seat): changing one seat's climate never surprises the others,
while silently changing both would. A passenger changes the driver's zone only by naming it."""
ZONED_INTENTS = frozenset({"climate.set_temperature", "climate.adjust_temperature", "climate.set_seat_heating"})
"""The intents whose unnamed zone is the speaker's."""

_FRONT = ("driver", "passenger")
_TEMPERATURE_INTENTS = frozenset({"climate.set_temperature", "climate.adjust_temperature", "climate.query"})
_SIDE_WORDS = {"left": "left", "right": "right", "왼쪽": "left", "오른쪽": "right"}
_SIDE = re.compile(r"\b(?:left|right)\b|왼쪽|오른쪽")
_NOT_A_SIDE = re.compile(r"\b(?:right\s+(?:now|away|there|here|then)|all\s+right|alright)\b")
_ROLE = re.compile(r"driver|passenger|운전|조수|보조석|동승")
"""Words that name a front seat by role: then "left"/"right" in the same words are not the zone."""
_ZONE_WORD = {vss.DRIVER_TEMPERATURE: "driver", vss.PASSENGER_TEMPERATURE: "passenger"}
_SWITCHES: Mapping[str, str] = {
    vss.AC_ACTIVE: "ac",
    vss.RECIRCULATION_ACTIVE: "recirculation",
    vss.FRONT_DEFROSTER_ACTIVE: "front_defrost",
    vss.REAR_DEFROSTER_ACTIVE: "rear_defrost",
}
"""Switch signal -> the phrase keys of its replies (``ac_done_on``, ``ac_ask``...)."""


@dataclass(frozen=True)
class _Unit:
    """The temperature units of one request: what the driver hears (``spoken``) and what its slot holds."""

    spoken: str
    slot: str

    @property
    def fahrenheit(self) -> bool:
        return self.spoken == FAHRENHEIT


def round_to_step(value: float, step: float = TEMPERATURE_STEP) -> float:
    """``value`` rounded half-up to a multiple of ``step``; non-finite values pass through for the policy."""
    if not math.isfinite(value):
        return value
    return math.floor(value / step + 0.5) * step


def round_percent(value: float) -> int | float:
    """A percentage rounded half-up to a whole number (the car's step); non-finite values pass through."""
    return math.floor(value + 0.5) if math.isfinite(value) else value


def spoken_number(value: float) -> str:
    """``21.0`` as ``21``, ``21.5`` as ``21.5``: how a number reads aloud."""
    return f"{value:g}"


def _clamp(signal: str, value: float) -> float:
    spec = vss.SIGNALS[signal]
    lo = -math.inf if spec.minimum is None else spec.minimum
    hi = math.inf if spec.maximum is None else spec.maximum
    return min(max(value, lo), hi)


def _on_off(on: bool) -> str:
    return "on" if on else "off"


SLOT_SIGNALS: Mapping[tuple[str, str], str] = {
    ("climate.set_temperature", "celsius"): vss.DRIVER_TEMPERATURE,
    ("climate.set_fan_speed", "percent"): vss.DRIVER_FAN_SPEED,
}
"""The slots that set one signal: ``ListSkills`` shows that signal's range, step and unit."""

EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "climate.set_temperature": ("set the temperature to 21 degrees", "set the passenger temperature to 23"),
        "climate.adjust_temperature": ("make it two degrees warmer", "a bit cooler please"),
        "climate.set_fan_speed": ("set the fan to 60 percent",),
        "climate.adjust_fan_speed": ("turn the fan up",),
        "climate.set_ac": ("turn on the a c", "turn off the air conditioning"),
        "climate.set_recirculation": ("turn on recirculation",),
        "climate.set_defrost": ("defrost the windshield", "turn on the rear defroster"),
        "climate.set_seat_heating": ("turn on my seat heater", "set the passenger seat heating to level 3"),
        "climate.query": ("what's the temperature", "is the a c on"),
    },
    "ko": {
        "climate.set_temperature": ("온도 이십일 도로 맞춰 줘", "조수석 온도 이십삼 도로 맞춰 줘"),
        "climate.adjust_temperature": ("좀 따뜻하게 해 줘",),
        "climate.set_fan_speed": ("바람 세기 중간으로 해 줘",),
        "climate.adjust_fan_speed": ("바람 좀 세게 해 줘",),
        "climate.set_ac": ("에어컨 켜 줘",),
        "climate.set_recirculation": ("내기 순환 켜 줘",),
        "climate.set_defrost": ("앞 유리 성에 제거해 줘",),
        "climate.set_seat_heating": ("열선 시트 켜 줘",),
        "climate.query": ("온도 몇 도야",),
    },
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


class ClimateSkill(Skill):
    """Cabin temperature per zone, fan, AC, recirculation, defrost and seat heating."""

    name = "climate"
    description = "Sets the cabin temperature, fan, air conditioning, recirculation, defrosters and seat heating."
    intents = tuple(name for name in CATALOGUE if name.startswith("climate."))
    examples = EXAMPLES
    slot_signals = SLOT_SIGNALS
    tool_cues = CUES
    replies = PHRASES
    summary_order = 20

    def __init__(
        self, default_temperature: float = DEFAULT_TEMPERATURE, default_fan_speed: int = DEFAULT_FAN_SPEED
    ) -> None:
        self._default_temperature = default_temperature
        self._default_fan_speed = default_fan_speed

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        named = slots = _front_zone(match.slots, match.text, context.drive_side)  # as said, sides resolved
        unit = driver_unit(match.text, context.units, context.memory)
        if match.intent == "climate.query":
            plan = SkillPlan(done=answer(slots, context.state, context.language, unit == FAHRENHEIT))
        elif match.intent in ZONED_INTENTS and not slots.get("zone") and context.speaker not in _FRONT:
            return _refuse(context, "rear_seat")
        else:
            if match.intent in ZONED_INTENTS and not slots.get("zone"):
                slots = {**slots, "zone": context.speaker}  # "I'm cold", "my seat": the speaker's own
            temperature = _Unit(unit, slot_unit(match.text, match.source, unit))
            plan = self._act(match.intent, slots, context, temperature)
            plan = _understood(plan, match, named, temperature)
        if match.intent in _TEMPERATURE_INTENTS:  # follow-ups put a copied temperature in the same unit
            plan = dataclasses.replace(plan, memory={**plan.memory, TEMPERATURE_UNIT: unit})
        return plan

    def _act(self, intent: str, slots: Mapping[str, Any], context: SkillContext, unit: _Unit) -> SkillPlan:
        if intent == "climate.set_temperature":
            return self._set_temperature(slots, context, unit)
        if intent == "climate.adjust_temperature":
            return self._adjust_temperature(slots, context, unit)
        handlers: Mapping[str, Callable[[Mapping[str, Any], SkillContext], SkillPlan]] = {
            "climate.set_fan_speed": self._set_fan_speed,
            "climate.adjust_fan_speed": self._adjust_fan_speed,
            "climate.set_ac": self._set_ac,
            "climate.set_recirculation": self._set_recirculation,
            "climate.set_defrost": self._set_defrost,
            "climate.set_seat_heating": self._set_seat_heating,
        }
        return handlers[intent](slots, context)

    # --- temperature -------------------------------------------------------------------------

    def _set_temperature(self, slots: Mapping[str, Any], context: SkillContext, unit: _Unit) -> SkillPlan:
        said = slot_number(slots, "celsius")
        if said is None:
            return _refuse(context, "ask_temperature")
        zone = _zone(slots)
        if zone is None:
            return _refuse(context, "ask_zone")
        target = round_to_step(read_celsius(said, unit.slot))
        signals = TEMPERATURE_SIGNALS[zone]
        if unit.fahrenheit and _clamp(signals[0], target) != target:  # the policy would give the range in °C
            lo, hi = fahrenheit_range(signals[0])
            return SkillPlan(refusal=PHRASES.say(context.language, "temperature_range", lo=lo, hi=hi))
        writes = tuple(SignalWrite(s, target) for s in signals)
        return SkillPlan(writes, done=_temperature_reply(writes, context.language, unit.fahrenheit))

    def _adjust_temperature(self, slots: Mapping[str, Any], context: SkillContext, unit: _Unit) -> SkillPlan:
        said = slot_number(slots, "delta_celsius")
        if said is None or not math.isfinite(said):
            return _refuse(context, "ask_delta")
        delta = read_delta(said, unit.slot)
        zone = _zone(slots)
        if zone is None:
            return _refuse(context, "ask_zone")
        writes: list[SignalWrite] = []
        for signal in TEMPERATURE_SIGNALS[zone]:
            current = fact_number(context.state, signal)
            base = self._default_temperature if current is None else current
            target = round_to_step(_clamp(signal, base + delta))
            if current is not None and target == current:
                continue  # already at the limit: nothing to send for this zone
            writes.append(SignalWrite(signal, target))
        if not writes:
            return SkillPlan(done=PHRASES.say(context.language, "at_warmest" if delta > 0 else "at_coolest"))
        return SkillPlan(tuple(writes), done=_temperature_reply(tuple(writes), context.language, unit.fahrenheit))

    # --- fan ---------------------------------------------------------------------------------

    def _set_fan_speed(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        percent = slot_number(slots, "percent")
        if percent is None:
            return _refuse(context, "ask_fan")
        value = round_percent(percent)
        done = _fan_reply(context.language, "set", value)
        return SkillPlan((SignalWrite(vss.DRIVER_FAN_SPEED, value),), done=done)

    def _adjust_fan_speed(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        delta = slot_number(slots, "delta_percent")
        if delta is None or not math.isfinite(delta):
            return _refuse(context, "ask_fan_delta")
        current = fact_number(context.state, vss.DRIVER_FAN_SPEED)
        base = self._default_fan_speed if current is None else current
        value = round_percent(_clamp(vss.DRIVER_FAN_SPEED, base + delta))
        if current is not None and value == current:
            return SkillPlan(done=PHRASES.say(context.language, "fan_at_max" if delta > 0 else "fan_at_min"))
        done = _fan_reply(context.language, "up" if delta > 0 else "down", value)
        return SkillPlan((SignalWrite(vss.DRIVER_FAN_SPEED, value),), done=done)

    # --- switches ----------------------------------------------------------------------------

    def _set_ac(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        return _switch(slots, vss.AC_ACTIVE, context.language)

    def _set_recirculation(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        return _switch(slots, vss.RECIRCULATION_ACTIVE, context.language)

    def _set_defrost(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        window = slots.get("window")
        if window == "front":
            return _switch(slots, vss.FRONT_DEFROSTER_ACTIVE, context.language)
        if window == "rear":
            return _switch(slots, vss.REAR_DEFROSTER_ACTIVE, context.language)
        return _refuse(context, "ask_window")

    # --- seats -------------------------------------------------------------------------------

    def _set_seat_heating(self, slots: Mapping[str, Any], context: SkillContext) -> SkillPlan:
        level = slot_number(slots, "level")
        if level is None or level not in range(len(SEAT_HEATING_PERCENT)):
            return _refuse(context, "seat_levels")
        zone = _zone(slots)
        if zone is None:
            return _refuse(context, "seat_zone")
        percent = SEAT_HEATING_PERCENT[int(level)]
        writes = tuple(SignalWrite(s, percent) for s in SEAT_SIGNALS[zone])
        seat = PHRASES.say(context.language, f"seat_{zone}")
        if level == 0:
            done = PHRASES.say(context.language, "seat_done_off", seat=seat)
        else:
            done = PHRASES.say(context.language, "seat_done", seat=seat, level=int(level))
        return SkillPlan(writes, done=done)

    # --- state -------------------------------------------------------------------------------

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """The cabin temperatures and the air conditioning, for the prompt's car facts."""
        known = [
            (t, side)
            for signal, side in ((vss.DRIVER_TEMPERATURE, "driver"), (vss.PASSENGER_TEMPERATURE, "passenger"))
            if (t := fact_number(state, signal)) is not None
        ]
        if not known:
            return ""
        if len(known) == 2 and known[0][0] == known[1][0]:
            climate = f"Cabin temperature set to {known[0][0]:g} degrees"
        else:
            climate = "Cabin temperature set to " + " and ".join(
                f"{t:g} degrees on the {side} side" for t, side in known
            )
        ac = state.get(vss.AC_ACTIVE)
        if isinstance(ac, bool):
            climate += ", air conditioning " + ("on" if ac else "off")
        return climate + "."

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Cabin 21 °C driver, 22 °C passenger, fan 40 %, AC on.``; empty when nothing is known."""
        parts: list[str] = []
        for signal, word in _ZONE_WORD.items():
            value = fact_number(state, signal)
            if value is not None:
                parts.append(f"{spoken_number(value)} °C {word}")
        fan = fact_number(state, vss.DRIVER_FAN_SPEED)
        if fan is not None:
            parts.append(f"fan {spoken_number(fan)} %")
        for signal, word in (
            (vss.AC_ACTIVE, "AC"),
            (vss.RECIRCULATION_ACTIVE, "recirculation"),
            (vss.FRONT_DEFROSTER_ACTIVE, "front defrost"),
            (vss.REAR_DEFROSTER_ACTIVE, "rear defrost"),
        ):
            switch = state.get(signal)
            if isinstance(switch, bool):
                parts.append(f"{word} {_on_off(switch)}")
        for signal, word in ((vss.DRIVER_SEAT_HEATING, "driver"), (vss.PASSENGER_SEAT_HEATING, "passenger")):
            seat = fact_number(state, signal)
            if seat:
                parts.append(f"{word} seat heating {spoken_number(seat)} %")
        if not parts:
            return ""
        return "Cabin " + ", ".join(parts) + "."


def _understood(plan: SkillPlan, match: IntentMatch, slots: Mapping[str, Any], unit: _Unit) -> SkillPlan:
    """``plan`` with the slots as understood, for the intent event: a side resolved to its seat, and
    a temperature in the driver's Fahrenheit given in Celsius (what the car is asked for)."""
    understood = dict(slots)
    for name, read in (("celsius", read_celsius), ("delta_celsius", read_delta)):
        value = slot_number(understood, name)
        if value is not None and math.isfinite(value) and unit.slot == FAHRENHEIT:
            understood[name] = round(read(value, unit.slot), 1)
    if understood == dict(match.slots):
        return plan
    return dataclasses.replace(plan, slots=understood)


def _front_zone(slots: Mapping[str, Any], text: str, drive_side: str) -> Mapping[str, Any]:
    """``slots`` with a front zone named "left" or "right" given to the seat on that side.

    The templates read "left" as the driver and "right" as the passenger (a left-hand-drive car);
    the words decide here, with the car's drive side (:func:`cockpit.seats.front_seat`). Only a zone
    the words named by side alone is moved: "the passenger side, right now" names a role."""
    side = _side_said(text)
    if side is None or slots.get("zone") not in _FRONT or drive_side not in DRIVE_SIDES:
        return slots
    return {**slots, "zone": front_seat(side, drive_side)}


def _side_said(text: str) -> str | None:
    said = _NOT_A_SIDE.sub(" ", text.lower())
    sides = {_SIDE_WORDS[m.group()] for m in _SIDE.finditer(said)}
    if len(sides) != 1 or _ROLE.search(said):
        return None
    return sides.pop()


def _zone(slots: Mapping[str, Any]) -> str | None:
    zone = slots.get("zone") or DEFAULT_ZONE
    return zone if zone in TEMPERATURE_SIGNALS else None


def _refuse(context: SkillContext, key: str) -> SkillPlan:
    return SkillPlan(refusal=PHRASES.say(context.language, key))


def _switch(slots: Mapping[str, Any], signal: str, language: str) -> SkillPlan:
    on = slots.get("on")
    name = _SWITCHES[signal]
    if not isinstance(on, bool):
        return SkillPlan(refusal=PHRASES.say(language, f"{name}_ask"))
    return SkillPlan((SignalWrite(signal, on),), done=PHRASES.say(language, f"{name}_done_{_on_off(on)}"))


def _fan_reply(language: str, how: str, value: int | float) -> str:
    if value == 0:
        return PHRASES.say(language, "fan_done_off")
    return PHRASES.say(language, f"fan_done_{how}", percent=spoken_number(value))


def _temperature_reply(writes: tuple[SignalWrite, ...], language: str, fahrenheit: bool) -> str:
    def said(value: SignalValue) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return degrees(language, degrees_number(float(value), fahrenheit), fahrenheit)
        return degrees(language, str(value), fahrenheit)

    if len(writes) == 1:
        zone = PHRASES.say(language, f"zone_{_ZONE_WORD[writes[0].signal]}")
        return PHRASES.say(language, "temperature_set", zone=zone, degrees=said(writes[0].value))
    if len({w.value for w in writes}) == 1:
        return PHRASES.say(language, "temperature_set_both", degrees=said(writes[0].value))
    each = PHRASES.say(language, "each_and").join(
        PHRASES.say(
            language,
            "temperature_each",
            zone=PHRASES.say(language, f"each_{_ZONE_WORD[w.signal]}"),
            degrees=said(w.value),
        )
        for w in writes
    )
    return PHRASES.say(language, "temperature_set_each", each=each)
