"""The climate skill: plans HVAC and seat-heating writes for the ``climate.*`` intents.

Values are planned as requested (rounded to the car's step), never range-checked here: the
pipeline's policy refuses an out-of-range write (say 95 °C) with a spoken reason before anything
is sent, so there is one place that knows the car's limits. Relative changes are the exception:
"warmer" at 29.5 °C should land on the warmest setting, not be refused, so they are clamped to
the signal's range from :data:`cockpit.vss.SIGNALS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, slot_number

DEFAULT_TEMPERATURE = 22.0
"""Assumed cabin set point (°C) when the car has not reported one: a common comfort default."""
DEFAULT_FAN_SPEED = 50
"""Assumed fan speed (%) when the car has not reported one: the middle, so up and down both work."""
TEMPERATURE_STEP = 0.5
"""The car's temperature resolution (°C); matches the step of the VSS temperature signals."""
DEFAULT_ZONE = "driver"
"""Zone used when none is spoken. The cockpit cannot tell who is speaking, and the driver is the
most likely speaker; changing one seat's climate never surprises the passenger, while silently
changing both would."""
SEAT_HEATING_PERCENT: tuple[int, ...] = (0, 33, 67, 100)
"""Seat heating level 0-3 as the VSS ``HeatingCooling`` percentage (positive = heating)."""

_TEMPERATURE_SIGNALS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_TEMPERATURE,),
    "passenger": (vss.PASSENGER_TEMPERATURE,),
    "all": (vss.DRIVER_TEMPERATURE, vss.PASSENGER_TEMPERATURE),
}
_SEAT_SIGNALS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_SEAT_HEATING,),
    "passenger": (vss.PASSENGER_SEAT_HEATING,),
    "all": (vss.DRIVER_SEAT_HEATING, vss.PASSENGER_SEAT_HEATING),
}
_ZONE_WORD = {vss.DRIVER_TEMPERATURE: "driver", vss.PASSENGER_TEMPERATURE: "passenger"}


def round_to_step(value: float, step: float = TEMPERATURE_STEP) -> float:
    """``value`` rounded half-up to a multiple of ``step``; non-finite values pass through for the policy."""
    if not math.isfinite(value):
        return value
    return math.floor(value / step + 0.5) * step


def round_percent(value: float) -> int | float:
    """A percentage rounded half-up to a whole number (the car's step); non-finite values pass through."""
    return math.floor(value + 0.5) if math.isfinite(value) else value


def spokenslot_number(value: float) -> str:
    """``21.0`` as ``21``, ``21.5`` as ``21.5``: how a number reads aloud."""
    return f"{value:g}"


def _knownslot_number(state: Mapping[str, SignalValue], signal: str) -> float | None:
    value = state.get(signal)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _clamp(signal: str, value: float) -> float:
    spec = vss.SIGNALS[signal]
    lo = -math.inf if spec.minimum is None else spec.minimum
    hi = math.inf if spec.maximum is None else spec.maximum
    return min(max(value, lo), hi)


def _on_off(on: bool) -> str:
    return "on" if on else "off"


class ClimateSkill(Skill):
    """Cabin temperature per zone, fan, AC, recirculation, defrost and seat heating."""

    name = "climate"
    description = "Sets the cabin temperature, fan, air conditioning, recirculation, defrosters and seat heating."
    intents = tuple(name for name in CATALOGUE if name.startswith("climate."))

    def __init__(
        self, default_temperature: float = DEFAULT_TEMPERATURE, default_fan_speed: int = DEFAULT_FAN_SPEED
    ) -> None:
        self._default_temperature = default_temperature
        self._default_fan_speed = default_fan_speed

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        handlers: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, SignalValue]], SkillPlan]] = {
            "climate.set_temperature": self._set_temperature,
            "climate.adjust_temperature": self._adjust_temperature,
            "climate.set_fan_speed": self._set_fan_speed,
            "climate.adjust_fan_speed": self._adjust_fan_speed,
            "climate.set_ac": self._set_ac,
            "climate.set_recirculation": self._set_recirculation,
            "climate.set_defrost": self._set_defrost,
            "climate.set_seat_heating": self._set_seat_heating,
        }
        return handlers[match.intent](match.slots, context.state)

    # --- temperature -------------------------------------------------------------------------

    def _set_temperature(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        celsius = slot_number(slots, "celsius")
        if celsius is None:
            return SkillPlan(refusal="What temperature would you like?")
        zone = _zone(slots)
        if zone is None:
            return SkillPlan(refusal="I can set the driver's side, the passenger's side or both.")
        target = round_to_step(celsius)
        writes = tuple(SignalWrite(s, target) for s in _TEMPERATURE_SIGNALS[zone])
        return SkillPlan(writes, done=_temperature_reply(writes))

    def _adjust_temperature(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        delta = slot_number(slots, "delta_celsius")
        if delta is None or not math.isfinite(delta):
            return SkillPlan(refusal="By how many degrees should I change the temperature?")
        zone = _zone(slots)
        if zone is None:
            return SkillPlan(refusal="I can set the driver's side, the passenger's side or both.")
        writes: list[SignalWrite] = []
        for signal in _TEMPERATURE_SIGNALS[zone]:
            current = _knownslot_number(state, signal)
            base = self._default_temperature if current is None else current
            target = round_to_step(_clamp(signal, base + delta))
            if current is not None and target == current:
                continue  # already at the limit: nothing to send for this zone
            writes.append(SignalWrite(signal, target))
        if not writes:
            limit = "warmest" if delta > 0 else "coolest"
            return SkillPlan(done=f"The temperature is already at its {limit} setting.")
        return SkillPlan(tuple(writes), done=_temperature_reply(tuple(writes)))

    # --- fan ---------------------------------------------------------------------------------

    def _set_fan_speed(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        percent = slot_number(slots, "percent")
        if percent is None:
            return SkillPlan(refusal="What fan speed would you like, in percent?")
        value = round_percent(percent)
        done = "Fan off." if value == 0 else f"Fan speed set to {spokenslot_number(value)} percent."
        return SkillPlan((SignalWrite(vss.DRIVER_FAN_SPEED, value),), done=done)

    def _adjust_fan_speed(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        delta = slot_number(slots, "delta_percent")
        if delta is None or not math.isfinite(delta):
            return SkillPlan(refusal="By how much should I change the fan speed?")
        current = _knownslot_number(state, vss.DRIVER_FAN_SPEED)
        base = self._default_fan_speed if current is None else current
        value = round_percent(_clamp(vss.DRIVER_FAN_SPEED, base + delta))
        if current is not None and value == current:
            where = "full speed" if delta > 0 else "its lowest setting"
            return SkillPlan(done=f"The fan is already at {where}.")
        direction = "up" if delta > 0 else "down"
        done = "Fan off." if value == 0 else f"Fan {direction} to {spokenslot_number(value)} percent."
        return SkillPlan((SignalWrite(vss.DRIVER_FAN_SPEED, value),), done=done)

    # --- switches ----------------------------------------------------------------------------

    def _set_ac(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        return _switch(slots, vss.AC_ACTIVE, "Air conditioning")

    def _set_recirculation(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        return _switch(slots, vss.RECIRCULATION_ACTIVE, "Recirculation")

    def _set_defrost(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        window = slots.get("window")
        if window == "front":
            return _switch(slots, vss.FRONT_DEFROSTER_ACTIVE, "Front defroster")
        if window == "rear":
            return _switch(slots, vss.REAR_DEFROSTER_ACTIVE, "Rear defroster")
        return SkillPlan(refusal="Which window should I defrost, front or rear?")

    # --- seats -------------------------------------------------------------------------------

    def _set_seat_heating(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        level = slot_number(slots, "level")
        if level is None or level not in range(len(SEAT_HEATING_PERCENT)):
            return SkillPlan(refusal="Seat heating goes from level 0, off, to level 3.")
        zone = _zone(slots)
        if zone is None:
            return SkillPlan(refusal="I can heat the driver's seat, the passenger's seat or both.")
        percent = SEAT_HEATING_PERCENT[int(level)]
        writes = tuple(SignalWrite(s, percent) for s in _SEAT_SIGNALS[zone])
        who = {"driver": "Driver seat", "passenger": "Passenger seat", "all": "Front seat"}[zone]
        done = f"{who} heating off." if level == 0 else f"{who} heating set to level {int(level)}."
        return SkillPlan(writes, done=done)

    # --- state -------------------------------------------------------------------------------

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Cabin 21 °C driver, 22 °C passenger, fan 40 %, AC on.``; empty when nothing is known."""
        parts: list[str] = []
        for signal, word in _ZONE_WORD.items():
            value = _knownslot_number(state, signal)
            if value is not None:
                parts.append(f"{spokenslot_number(value)} °C {word}")
        fan = _knownslot_number(state, vss.DRIVER_FAN_SPEED)
        if fan is not None:
            parts.append(f"fan {spokenslot_number(fan)} %")
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
            seat = _knownslot_number(state, signal)
            if seat:
                parts.append(f"{word} seat heating {spokenslot_number(seat)} %")
        if not parts:
            return ""
        return "Cabin " + ", ".join(parts) + "."


def _zone(slots: Mapping[str, Any]) -> str | None:
    zone = slots.get("zone") or DEFAULT_ZONE
    return zone if zone in _TEMPERATURE_SIGNALS else None


def _switch(slots: Mapping[str, Any], signal: str, what: str) -> SkillPlan:
    on = slots.get("on")
    if not isinstance(on, bool):
        return SkillPlan(refusal=f"Should I switch the {what.lower()} on or off?")
    return SkillPlan((SignalWrite(signal, on),), done=f"{what} {_on_off(on)}.")


def _temperature_reply(writes: tuple[SignalWrite, ...]) -> str:
    values = {w.value for w in writes}
    if len(writes) == 1:
        w = writes[0]
        return f"{_ZONE_WORD[w.signal].capitalize()} temperature set to {_degrees(w.value)}."
    if len(values) == 1:
        return f"Temperature set to {_degrees(writes[0].value)} for driver and passenger."
    each = " and ".join(f"{_ZONE_WORD[w.signal]} {_degrees(w.value)}" for w in writes)
    return f"Temperature set: {each}."


def _degrees(value: SignalValue) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{spokenslot_number(value)} degrees"
    return f"{value} degrees"
