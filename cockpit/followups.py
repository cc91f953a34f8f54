"""Follow-ups: short requests that only make sense after the last action, and undo.

After a confirmed action the session remembers it (:func:`remember`): the intent, its slots and
the confirmed values of the signals it changed, before and after. Then:

- "and the passenger side too", "same for the passenger": the last temperature or seat heating
  again, for the other zone, at the value the car confirmed ("set the temperature to 21",
  "a bit warmer", "and the passenger side too" gives the passenger 22, like the driver);
- "set it to 23", "make it 20": the last setting (temperature, fan, volume, seat heating) to a
  new number;
- "undo", "put it back" (the vehicle skill's templates): the last action's signals back to the
  values the car confirmed before it, through the same policy and ECU confirmation as any
  command (:func:`undo_plan`).

Each becomes an ordinary :class:`IntentMatch` (``source`` ``rules``) whose slots are resolved
before the ``intent`` event, so nothing downstream knows it was a follow-up. A follow-up with
nothing to follow is not guessed at: it is left to the templates and the language model; an undo
with nothing to undo is answered "There's nothing to undo.".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.nlu.numbers import parse_number
from cockpit.skill_api import SignalValue, SignalWrite, SkillPlan

LAST_ACTION = "last_action"
"""Session memory key of the last confirmed action (see :func:`remember`)."""
NOTHING_TO_UNDO = "There's nothing to undo."

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
_SET_IT = re.compile(
    r"^(?:and\s+)?(?:set|make|change|put|turn)\s+(?:it|that)\s+(?:to\s+|at\s+|up\s+to\s+|down\s+to\s+)?"
    r"(?P<number>[\w\s.-]+?)(?:\s+(?:degrees?|percent|%))?$"
)


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
    zone = _OTHER_ZONE.match(said)
    if zone is not None and intent in _ZONED:
        return _for_zone(intent, slots, last["after"], zone.group("zone"), text)
    number = _SET_IT.match(said)
    if number is not None and intent in _SETTERS:
        value = parse_number(number.group("number"))
        if value is not None:
            target, slot = _SETTERS[intent]
            kept = {k: v for k, v in slots.items() if k == "zone"} if target != "media.set_volume" else {}
            return IntentMatch(target, {**kept, slot: value}, "rules", 1.0, text)
    return None


def _for_zone(
    intent: str, slots: dict[str, Any], after: Mapping[str, SignalValue], zone: str, text: str
) -> IntentMatch | None:
    if intent == "climate.set_seat_heating":
        return IntentMatch(intent, {"level": slots.get("level", 0), "zone": zone}, "rules", 1.0, text)
    done = next((v for s, v in after.items() if s in _ZONE_TEMPERATURE.values()), None)
    if not isinstance(done, int | float) or isinstance(done, bool):
        return None
    return IntentMatch("climate.set_temperature", {"celsius": done, "zone": zone}, "rules", 1.0, text)


def undo_plan(memory: Mapping[str, Any]) -> SkillPlan:
    """Writes that put the last action's signals back as the car confirmed them before it."""
    last = memory.get(LAST_ACTION)
    if not isinstance(last, Mapping):
        return SkillPlan(done=NOTHING_TO_UNDO)
    writes = tuple(SignalWrite(s, v) for s, v in last["before"].items() if v is not None)
    if not writes:
        return SkillPlan(refusal="I can't undo that: the car never told me how it was before.")
    return SkillPlan(writes=writes, done="Undone: " + _describe(writes) + ".")


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


def _describe(writes: Sequence[SignalWrite]) -> str:
    """What the undo put back, in words, for the signals a driver would name."""
    parts = []
    for write in writes:
        value = write.value
        if write.signal in _NUMBERS and isinstance(value, int | float):
            name, unit = _NUMBERS[write.signal]
            parts.append(f"{name} is back to {unit.format(value)}")
        elif write.signal in _SWITCHES and isinstance(value, bool):
            parts.append(f"{_SWITCHES[write.signal]} is back {'on' if value else 'off'}")
        elif write.signal in _SEATS and isinstance(value, int | float):
            level = round(float(value) * 3 / 100)
            parts.append(f"{_SEATS[write.signal]} is back {f'to level {level}' if level else 'off'}")
        elif write.signal == vss.MEDIA_MUTED and isinstance(value, bool):
            parts.append("the sound is muted again" if value else "the sound is back on")
    return " and ".join(parts) if parts else "everything the last change touched is back as it was"
