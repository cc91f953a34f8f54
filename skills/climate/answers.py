"""Answers to ``climate.query``: the settings as the car last confirmed them, in the driver's words.

Nothing here changes the car. The temperatures are set points (the car has no cabin thermometer
signal), so the answer says "set to", in Fahrenheit when the driver's units are. With no zone
named, both front zones are told; "left" and "right" are resolved by the caller (drive side).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit import vss
from cockpit.skill_api import SignalValue, fact_number
from skills.climate.phrases import PHRASES, degrees
from skills.climate.units import degrees_number

SEAT_HEATING_PERCENT: tuple[int, ...] = (0, 33, 67, 100)
"""Seat heating level 0-3 as the VSS ``HeatingCooling`` percentage (positive = heating)."""

TEMPERATURE_SIGNALS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_TEMPERATURE,),
    "passenger": (vss.PASSENGER_TEMPERATURE,),
    "all": (vss.DRIVER_TEMPERATURE, vss.PASSENGER_TEMPERATURE),
}
SEAT_SIGNALS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_SEAT_HEATING,),
    "passenger": (vss.PASSENGER_SEAT_HEATING,),
    "all": (vss.DRIVER_SEAT_HEATING, vss.PASSENGER_SEAT_HEATING),
}
DEFROST_SIGNALS: Mapping[str, str] = {"front": vss.FRONT_DEFROSTER_ACTIVE, "rear": vss.REAR_DEFROSTER_ACTIVE}


def answer(
    slots: Mapping[str, Any], state: Mapping[str, SignalValue], language: str = "en", fahrenheit: bool = False
) -> str:
    """The spoken answer to a ``climate.query`` with ``slots`` (``what``, optional ``zone`` and ``window``)."""
    what = slots.get("what")
    zone = slots.get("zone")
    zones = (zone,) if zone in ("driver", "passenger") else ("driver", "passenger")
    if what == "fan":
        return _fan_answer(state, language)
    if what == "ac":
        return _switch_answer("ac", state.get(vss.AC_ACTIVE), language)
    if what == "recirculation":
        return _switch_answer("recirculation", state.get(vss.RECIRCULATION_ACTIVE), language)
    if what == "defrost":
        window = slots.get("window")
        windows = (str(window),) if window in DEFROST_SIGNALS else tuple(DEFROST_SIGNALS)
        return _defrost_answer(windows, state, language)
    if what == "seat_heating":
        return _seat_heating_answer(zones, state, language)
    return _temperature_answer(zones, state, language, fahrenheit)


def seat_heating_level(percent: float) -> int:
    """The level 0-3 nearest to a ``HeatingCooling`` percentage (cooling, below 0, counts as off)."""
    if percent <= 0:
        return 0
    return min(range(len(SEAT_HEATING_PERCENT)), key=lambda level: abs(SEAT_HEATING_PERCENT[level] - percent))


def _temperature_answer(
    zones: tuple[str, ...], state: Mapping[str, SignalValue], language: str, fahrenheit: bool
) -> str:
    known = {z: t for z in zones if (t := fact_number(state, TEMPERATURE_SIGNALS[z][0])) is not None}
    if not known:
        return PHRASES.say(language, "temperature_unknown")

    def said(celsius: float) -> str:
        return degrees(language, degrees_number(celsius, fahrenheit), fahrenheit)

    if len(known) == 2 and len(set(known.values())) == 1:
        return PHRASES.say(language, "temperature_both", degrees=said(known["driver"]))
    return " ".join(
        PHRASES.say(language, "temperature", zone=PHRASES.say(language, z), degrees=said(t)) for z, t in known.items()
    )


def _fan_answer(state: Mapping[str, SignalValue], language: str) -> str:
    percent = fact_number(state, vss.DRIVER_FAN_SPEED)
    if percent is None:
        return PHRASES.say(language, "fan_unknown")
    if percent <= 0:
        return PHRASES.say(language, "fan_off")
    return PHRASES.say(language, "fan", percent=f"{percent:g}")


def _switch_answer(what: str, value: SignalValue | None, language: str) -> str:
    if not isinstance(value, bool):
        return PHRASES.say(language, f"{what}_unknown")
    return PHRASES.say(language, f"{what}_{'on' if value else 'off'}")


def _defrost_answer(windows: tuple[str, ...], state: Mapping[str, SignalValue], language: str) -> str:
    values = [state.get(DEFROST_SIGNALS[w]) for w in windows]
    if len(windows) == 2 and isinstance(values[0], bool) and values[0] == values[1]:
        return PHRASES.say(language, "defrost_both_on" if values[0] else "defrost_both_off")
    sentences = []
    for window, value in zip(windows, values, strict=True):
        name = PHRASES.say(language, window)
        state_key = "unknown" if not isinstance(value, bool) else "on" if value else "off"
        sentences.append(PHRASES.say(language, f"defrost_{state_key}", window=name))
    return " ".join(sentences)


def _seat_heating_answer(zones: tuple[str, ...], state: Mapping[str, SignalValue], language: str) -> str:
    levels = {
        z: None if (p := fact_number(state, SEAT_SIGNALS[z][0])) is None else seat_heating_level(p) for z in zones
    }
    both = list(levels.values())
    if len(both) == 2 and both[0] is not None and both[0] == both[1]:
        if both[0] == 0:
            return PHRASES.say(language, "seat_both_off")
        return PHRASES.say(language, "seat_both", level=both[0])
    sentences = []
    for zone, level in levels.items():
        name = PHRASES.say(language, zone)
        if level is None:
            sentences.append(PHRASES.say(language, "seat_unknown", zone=name))
        elif level == 0:
            sentences.append(PHRASES.say(language, "seat_off", zone=name))
        else:
            sentences.append(PHRASES.say(language, "seat", zone=name, level=level))
    return " ".join(sentences)
