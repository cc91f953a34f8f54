"""Follow-ups: short requests that only make sense after the last action, and undo.

After a confirmed action the session remembers it (:func:`remember`): the intent, its slots and
the confirmed values of the signals it changed, before and after. Then:

- "and the passenger side too", "same for the passenger": the last temperature or seat heating
  again, for the other zone, at the value the car confirmed ("set the temperature to 21",
  "a bit warmer", "and the passenger side too" gives the passenger 22, like the driver);
- "set it to 23", "make it 20": the last setting (temperature, fan, volume, seat heating) to a
  new number;
- "turn it up", "turn it down", "higher", "a bit more" (Korean "올려 줘", "내려 줘", "조금 더"):
  after a temperature change warmer or cooler, after a fan change the fan, after a volume change
  the volume ("a bit more" goes the way the last change went). After anything else they are left
  to the templates, where "turn it up" is the volume;
- Korean "조수석도", "운전석도 똑같이 해 줘": the other zone, like "and the passenger side too";
- "undo", "put it back" (the vehicle skill's templates): the last action's signals back to the
  values the car confirmed before it, through the same policy and ECU confirmation as any
  command (:func:`undo_plan`).

Each becomes an ordinary :class:`IntentMatch` (``source`` ``rules``) whose slots are resolved
before the ``intent`` event, so nothing downstream knows it was a follow-up. A follow-up with
nothing to follow is not guessed at: it is left to the templates and the language model; an undo
with nothing to undo is answered "There's nothing to undo.".

A temperature copied to the other zone is put in the driver's units, as a temperature they said
would be: the climate skill keeps the unit it last read temperatures in under
:data:`TEMPERATURE_UNIT` (``fahrenheit`` for an imperial driver, whose "70" is 70 °F).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.nlu.numbers import parse_number
from cockpit.skill_api import SignalValue, SignalWrite, SkillPlan
from cockpit.units import whole_fahrenheit

LAST_ACTION = "last_action"
"""Session memory key of the last confirmed action (see :func:`remember`)."""
NOTHING_TO_UNDO = "There's nothing to undo."
TEMPERATURE_UNIT = "climate.temperature_unit"
"""Session memory key: the unit (``celsius``/``fahrenheit``) the driver's temperatures are read in."""

_ZONE_TEMPERATURE = {"driver": vss.DRIVER_TEMPERATURE, "passenger": vss.PASSENGER_TEMPERATURE}
_ZONED = ("climate.set_temperature", "climate.adjust_temperature", "climate.set_seat_heating")
_SETTERS = {
    "climate.set_temperature": ("climate.set_temperature", "celsius"),
    "climate.adjust_temperature": ("climate.set_temperature", "celsius"),
    "climate.set_fan_speed": ("climate.set_fan_speed", "percent"),
    "climate.adjust_fan_speed": ("climate.set_fan_speed", "percent"),
    "climate.set_seat_heating": ("climate.set_seat_heating", "level"),
    "media.set_volume": ("media.set_volume", "percent"),
    "media.adjust_volume": ("media.set_volume", "percent"),
}
"""Last intent -> the intent and slot "set it to N" means after it."""

_OTHER_ZONE = re.compile(
    r"^(?:and|also|now|then)?\s*(?:(?:do\s+)?(?:the\s+)?same\s+(?:for|on)\s+|for\s+)?(?:the|my)?\s*"
    r"(?P<zone>passenger|driver)(?:'?s)?(?:\s+(?:side|seat|zone))?(?:\s+(?:too|as\s+well|also))?$"
)
_OTHER_ZONE_KO = re.compile(
    r"^(?P<zone>조수석|보조석|동승석|동승자|운전석)(?:쪽)?도(?:똑같이|같이|마찬가지로)?"
    r"(?:해줘|해주세요|맞춰줘|맞춰주세요|부탁해)?$"
)
_ZONE_KO = {
    "조수석": "passenger",
    "보조석": "passenger",
    "동승석": "passenger",
    "동승자": "passenger",
    "운전석": "driver",
}
_BIT = r"(?:(?:a\s+)?(?:little\s+)?(?:bit|little|touch|notch|tad)\s+)?"
_NUDGE = re.compile(
    rf"^(?:and\s+)?(?:{_BIT}(?P<more>more|some\s+more|even\s+more)"
    r"|(?P<up>(?:turn|crank|bump|push|bring|dial|kick)\s+(?:it|that)\s+up|raise\s+(?:it|that)|"
    rf"{_BIT}higher|up)"
    r"|(?P<down>(?:turn|crank|bump|bring|dial|knock)\s+(?:it|that)\s+down|lower\s+(?:it|that)|"
    rf"{_BIT}lower|down))"
    r"(?:\s+(?:a\s+)?(?:little\s+)?(?:bit|little|touch|notch|tad))?(?:\s+more)?(?:\s+please)?$"
)
"""English nudges: "turn it up", "a bit higher", "a bit more"..."""
_NUDGE_KO = re.compile(
    r"^(?:조금|좀|조금만|약간|살짝)?(?:"
    r"(?P<up>더?(?:올려|높여))|(?P<down>더?(?:내려|낮춰|줄여))|(?P<more>더(?:해)?)"
    r")(?:줘|주세요|줄래|요)?$"
)
"""Korean nudges, spaces removed: "올려 줘", "조금 더 내려 줘", "좀 더"."""
_NUDGES: Mapping[str, tuple[str, str, float]] = {
    "climate.set_temperature": ("climate.adjust_temperature", "delta_celsius", 1),
    "climate.adjust_temperature": ("climate.adjust_temperature", "delta_celsius", 1),
    "climate.set_fan_speed": ("climate.adjust_fan_speed", "delta_percent", 20),
    "climate.adjust_fan_speed": ("climate.adjust_fan_speed", "delta_percent", 20),
    "media.set_volume": ("media.adjust_volume", "delta_percent", 10),
    "media.adjust_volume": ("media.adjust_volume", "delta_percent", 10),
}
"""Last intent -> what a nudge means after it: the intent, its slot and the templates' default step."""
_SET_IT = re.compile(
    r"^(?:and\s+)?(?:set|make|change|put|turn)\s+(?:it|that)\s+(?:to\s+|at\s+|up\s+to\s+|down\s+to\s+)?"
    r"(?P<number>[\w\s.-]+?)(?:\s+(?:degrees?|percent|%))?$"
)


SPOKEN: Mapping[str, tuple[str, ...]] = {
    "en": (
        "[and] [the] (passenger|driver) [side] too",
        "[and] [do] [the] same for the (passenger|driver) [side]",
        "[a] [little] bit (more|higher|lower)",
        "a little (more|higher|lower)",
        "(higher|lower)",
    ),
}
"""Follow-ups no skill template holds, as sentence templates (no slots) for the speech grammar of
each language, so they are heard, not decoded freely: the other zone and the bare nudges ("turn it
up", "louder", "a bit warmer" and "undo" are templates already). Each wording is one
:func:`could_follow` takes."""


def could_follow(text: str) -> bool:
    """Whether ``text`` is worded as the other zone or a nudge, whatever came before it: what a
    speech recogniser takes for a command beside the templates (:data:`SPOKEN`)."""
    said = " ".join(text.lower().replace(",", " ").split()).rstrip(".!?")
    return _other_zone(said) is not None or _nudge(said) is not None


def remember(
    memory: dict[str, Any],
    match: IntentMatch,
    before: Mapping[str, SignalValue],
    confirmed: Sequence[tuple[str, SignalValue]],
) -> None:
    """Keep a confirmed action: its intent and slots, and each changed signal before and after."""
    if not confirmed:
        return
    memory[LAST_ACTION] = {
        "intent": match.intent,
        "slots": dict(match.slots),
        "before": {signal: before.get(signal) for signal, _ in confirmed},
        "after": dict(confirmed),
    }


def follow_up(text: str, memory: Mapping[str, Any]) -> IntentMatch | None:
    """The command ``text`` means after the last action, when it is a follow-up of one; else None."""
    said = " ".join(text.lower().replace(",", " ").split()).rstrip(".!?")
    last = memory.get(LAST_ACTION)
    if not isinstance(last, Mapping):
        return None
    intent, slots = str(last["intent"]), dict(last["slots"])
    zone = _other_zone(said)
    if zone is not None and intent in _ZONED:
        return _for_zone(intent, slots, last["after"], zone, text, memory.get(TEMPERATURE_UNIT))
    nudge = _nudge(said)
    if nudge is not None and intent in _NUDGES:
        return _nudged(intent, slots, last, nudge, text)
    number = _SET_IT.match(said)
    if number is not None and intent in _SETTERS:
        value = parse_number(number.group("number"))
        if value is not None:
            target, slot = _SETTERS[intent]
            kept = {k: v for k, v in slots.items() if k == "zone"} if target != "media.set_volume" else {}
            return IntentMatch(target, {**kept, slot: value}, "rules", 1.0, text)
    return None


def _other_zone(said: str) -> str | None:
    english = _OTHER_ZONE.match(said)
    if english is not None:
        return english.group("zone")
    korean = _OTHER_ZONE_KO.match(said.replace(" ", ""))
    return None if korean is None else _ZONE_KO[korean.group("zone")]


def _for_zone(
    intent: str, slots: dict[str, Any], after: Mapping[str, SignalValue], zone: str, text: str, unit: object
) -> IntentMatch | None:
    if intent == "climate.set_seat_heating":
        return IntentMatch(intent, {"level": slots.get("level", 0), "zone": zone}, "rules", 1.0, text)
    done = next((v for s, v in after.items() if s in _ZONE_TEMPERATURE.values()), None)
    if not isinstance(done, int | float) or isinstance(done, bool):
        return None
    if unit == "fahrenheit":  # the number as this driver says temperatures: 21 °C is "70"
        done = whole_fahrenheit(done)
    return IntentMatch("climate.set_temperature", {"celsius": done, "zone": zone}, "rules", 1.0, text)


def _nudge(said: str) -> str | None:
    """``up``, ``down`` or ``more`` (the way the last change went) when ``said`` is a bare nudge."""
    found = _NUDGE.match(said) or _NUDGE_KO.match(said.replace(" ", ""))
    if found is None:
        return None
    return next(name for name in ("up", "down", "more") if found.group(name))


def _nudged(
    intent: str, slots: Mapping[str, Any], last: Mapping[str, Any], nudge: str, text: str
) -> IntentMatch | None:
    target, slot, step = _NUDGES[intent]
    sign = {"up": 1, "down": -1}.get(nudge) or _direction(intent, slots, last)
    if sign is None:
        return None  # "a bit more" after a change that went nowhere: not guessed
    zone = _zone_of(last["after"]) if target == "climate.adjust_temperature" else None
    return IntentMatch(target, {slot: sign * step, **({"zone": zone} if zone else {})}, "rules", 1.0, text)


def _direction(intent: str, slots: Mapping[str, Any], last: Mapping[str, Any]) -> int | None:
    """The way the last change went: the sign of its delta, or of after minus before."""
    delta = slots.get("delta_celsius", slots.get("delta_percent"))
    if intent.split(".", 1)[1].startswith("adjust") and _number(delta):
        return 1 if delta > 0 else -1 if delta < 0 else None
    moves = [
        after - before
        for signal, after in last["after"].items()
        if _number(after) and _number(before := last["before"].get(signal))
    ]
    if moves and all(m > 0 for m in moves):
        return 1
    if moves and all(m < 0 for m in moves):
        return -1
    return None


def _zone_of(after: Mapping[str, SignalValue]) -> str | None:
    """The zone the car changed: the confirmed temperature signals, by role."""
    zones = [zone for zone, signal in _ZONE_TEMPERATURE.items() if signal in after]
    return "all" if len(zones) == 2 else zones[0] if zones else None


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def undo_plan(memory: Mapping[str, Any]) -> SkillPlan:
    """Writes that put the last action's signals back as the car confirmed them before it."""
    last = memory.get(LAST_ACTION)
    if not isinstance(last, Mapping):
        return SkillPlan(done=NOTHING_TO_UNDO)
    writes = tuple(SignalWrite(s, v) for s, v in last["before"].items() if v is not None)
    if not writes:
        return SkillPlan(refusal="I can't undo that: the car never told me how it was before.")
    fahrenheit = memory.get(TEMPERATURE_UNIT) == "fahrenheit"
    return SkillPlan(writes=writes, done="Undone: " + _describe(writes, fahrenheit) + ".")


_NUMBERS: Mapping[str, tuple[str, str]] = {
    vss.DRIVER_TEMPERATURE: ("the driver temperature", "{:g} degrees"),
    vss.PASSENGER_TEMPERATURE: ("the passenger temperature", "{:g} degrees"),
    vss.DRIVER_FAN_SPEED: ("the fan", "{:g} percent"),
    vss.MEDIA_VOLUME: ("the volume", "{:g} percent"),
}
_SWITCHES: Mapping[str, str] = {
    vss.AC_ACTIVE: "the air conditioning",
    vss.RECIRCULATION_ACTIVE: "recirculation",
    vss.FRONT_DEFROSTER_ACTIVE: "the front defroster",
    vss.REAR_DEFROSTER_ACTIVE: "the rear defroster",
    vss.NAV_GUIDANCE_ACTIVE: "route guidance",
}
_SEATS: Mapping[str, str] = {
    vss.DRIVER_SEAT_HEATING: "the driver seat heating",
    vss.PASSENGER_SEAT_HEATING: "the passenger seat heating",
}
OPENINGS: Mapping[str, str] = {
    vss.DRIVER_WINDOW: "the driver's window",
    vss.PASSENGER_WINDOW: "the passenger's window",
    vss.REAR_DRIVER_SIDE_WINDOW: "the rear window behind the driver",
    vss.REAR_PASSENGER_SIDE_WINDOW: "the rear window on the passenger side",
    vss.SUNROOF_POSITION: "the sunroof",
}
"""Windows and the sunroof by role, which needs no drive side: the rear ones by the seat in front."""


def _describe(writes: Sequence[SignalWrite], fahrenheit: bool = False) -> str:
    """What the undo put back, in words, for the signals a driver would name (temperatures in
    Fahrenheit for a driver who hears them so)."""
    parts = []
    for write in writes:
        value = write.value
        if write.signal in _ZONE_TEMPERATURE.values() and fahrenheit and _number(value):
            name, _ = _NUMBERS[write.signal]
            parts.append(f"{name} is back to {whole_fahrenheit(value)} degrees Fahrenheit")
        elif write.signal in _NUMBERS and isinstance(value, int | float):
            name, unit = _NUMBERS[write.signal]
            parts.append(f"{name} is back to {unit.format(value)}")
        elif write.signal in _SWITCHES and isinstance(value, bool):
            parts.append(f"{_SWITCHES[write.signal]} is back {'on' if value else 'off'}")
        elif write.signal in _SEATS and isinstance(value, int | float):
            level = round(float(value) * 3 / 100)
            parts.append(f"{_SEATS[write.signal]} is back {f'to level {level}' if level else 'off'}")
        elif write.signal in OPENINGS and isinstance(value, int | float):
            state = "closed again" if value == 0 else f"back to {value:g} percent open"
            parts.append(f"{OPENINGS[write.signal]} is {state}")
        elif write.signal == vss.MEDIA_MUTED and isinstance(value, bool):
            parts.append("the sound is muted again" if value else "the sound is back on")
    return " and ".join(parts) if parts else "everything the last change touched is back as it was"
