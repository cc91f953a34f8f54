"""The climate skill: plans HVAC and seat-heating writes for the ``climate.*`` intents.

Values are planned as requested (rounded to the car's step), never range-checked here: the
pipeline's policy refuses an out-of-range write (say 95 °C) with a spoken reason before anything
is sent, so there is one place that knows the car's limits. Relative changes are the exception:
"warmer" at 29.5 °C should land on the warmest setting, not be refused, so they are clamped to
the signal's range from :data:`cockpit.vss.SIGNALS`.

``climate.query`` changes nothing: it says the settings as the car last confirmed them, and says
so when the car has not reported one. The temperatures are set points (the car has no cabin
thermometer signal), so the answer says "set to". With no zone named, both front zones are told.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, fact_number, slot_number
from skills.climate.cues import CUES

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
REAR_SEAT_REFUSAL = (
    "The rear seats have no climate zone or seat heating of their own. "
    "I can change the driver's side, the passenger's side or both."
)
"""Said when a rear seat asks for "my" temperature or seat heating."""
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
_DEFROST_SIGNALS: Mapping[str, str] = {"front": vss.FRONT_DEFROSTER_ACTIVE, "rear": vss.REAR_DEFROSTER_ACTIVE}

PHRASES = Phrasebook(
    {
        "en": {
            "temperature": "The {zone} side is set to {degrees} degrees.",
            "temperature_both": "The temperature is set to {degrees} degrees on both sides.",
            "temperature_unknown": "I don't have the temperature setting right now.",
            "fan": "The fan is at {percent} percent.",
            "fan_off": "The fan is off.",
            "fan_unknown": "I don't have the fan speed right now.",
            "ac_on": "The air conditioning is on.",
            "ac_off": "The air conditioning is off.",
            "ac_unknown": "I don't know whether the air conditioning is on right now.",
            "recirculation_on": "Recirculation is on.",
            "recirculation_off": "Recirculation is off: fresh air is coming in.",
            "recirculation_unknown": "I don't know whether recirculation is on right now.",
            "defrost_on": "The {window} defroster is on.",
            "defrost_off": "The {window} defroster is off.",
            "defrost_unknown": "I don't know whether the {window} defroster is on right now.",
            "defrost_both_on": "Both defrosters are on.",
            "defrost_both_off": "Both defrosters are off.",
            "seat": "The {zone} seat heating is at level {level}.",
            "seat_off": "The {zone} seat heating is off.",
            "seat_unknown": "I don't know the {zone} seat heating right now.",
            "seat_both": "Seat heating is at level {level} on both front seats.",
            "seat_both_off": "Seat heating is off on both front seats.",
            "driver": "driver's",
            "passenger": "passenger's",
            "front": "front",
            "rear": "rear",
        },
        "ko": {
            "temperature": "{zone} 온도는 {degrees}도로 설정되어 있습니다.",
            "temperature_both": "온도는 양쪽 모두 {degrees}도로 설정되어 있습니다.",
            "temperature_unknown": "지금은 온도 설정 정보가 없습니다.",
            "fan": "바람 세기는 {percent}퍼센트입니다.",
            "fan_off": "송풍이 꺼져 있습니다.",
            "fan_unknown": "지금은 바람 세기 정보가 없습니다.",
            "ac_on": "에어컨이 켜져 있습니다.",
            "ac_off": "에어컨이 꺼져 있습니다.",
            "ac_unknown": "지금은 에어컨 상태를 알 수 없습니다.",
            "recirculation_on": "내기 순환이 켜져 있습니다.",
            "recirculation_off": "내기 순환이 꺼져 있어 외부 공기가 들어옵니다.",
            "recirculation_unknown": "지금은 내기 순환 상태를 알 수 없습니다.",
            "defrost_on": "{window} 성에 제거가 켜져 있습니다.",
            "defrost_off": "{window} 성에 제거가 꺼져 있습니다.",
            "defrost_unknown": "지금은 {window} 성에 제거 상태를 알 수 없습니다.",
            "defrost_both_on": "앞뒤 유리 성에 제거가 모두 켜져 있습니다.",
            "defrost_both_off": "앞뒤 유리 성에 제거가 모두 꺼져 있습니다.",
            "seat": "{zone} 열선은 {level}단계입니다.",
            "seat_off": "{zone} 열선이 꺼져 있습니다.",
            "seat_unknown": "지금은 {zone} 열선 상태를 알 수 없습니다.",
            "seat_both": "양쪽 앞좌석 열선 모두 {level}단계입니다.",
            "seat_both_off": "양쪽 앞좌석 열선이 모두 꺼져 있습니다.",
            "driver": "운전석",
            "passenger": "조수석",
            "front": "앞 유리",
            "rear": "뒷 유리",
        },
    }
)
"""Every sentence ``climate.query`` says, per language."""


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
        if match.intent == "climate.query":
            return SkillPlan(done=answer(match.slots, context.state, context.language))
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
        slots = match.slots
        if match.intent in ZONED_INTENTS and not slots.get("zone"):
            if context.speaker not in ("driver", "passenger"):
                return SkillPlan(refusal=REAR_SEAT_REFUSAL)
            slots = {**slots, "zone": context.speaker}  # "I'm cold", "my seat": the speaker's own
        return handlers[match.intent](slots, context.state)

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
            current = fact_number(state, signal)
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
        done = "Fan off." if value == 0 else f"Fan speed set to {spoken_number(value)} percent."
        return SkillPlan((SignalWrite(vss.DRIVER_FAN_SPEED, value),), done=done)

    def _adjust_fan_speed(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        delta = slot_number(slots, "delta_percent")
        if delta is None or not math.isfinite(delta):
            return SkillPlan(refusal="By how much should I change the fan speed?")
        current = fact_number(state, vss.DRIVER_FAN_SPEED)
        base = self._default_fan_speed if current is None else current
        value = round_percent(_clamp(vss.DRIVER_FAN_SPEED, base + delta))
        if current is not None and value == current:
            where = "full speed" if delta > 0 else "its lowest setting"
            return SkillPlan(done=f"The fan is already at {where}.")
        direction = "up" if delta > 0 else "down"
        done = "Fan off." if value == 0 else f"Fan {direction} to {spoken_number(value)} percent."
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
        return f"{spoken_number(value)} degrees"
    return f"{value} degrees"


# --- questions (climate.query) ---------------------------------------------------------------


def answer(slots: Mapping[str, Any], state: Mapping[str, SignalValue], language: str = "en") -> str:
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
        windows = (str(window),) if window in _DEFROST_SIGNALS else tuple(_DEFROST_SIGNALS)
        return _defrost_answer(windows, state, language)
    if what == "seat_heating":
        return _seat_heating_answer(zones, state, language)
    return _temperature_answer(zones, state, language)


def seat_heating_level(percent: float) -> int:
    """The level 0-3 nearest to a ``HeatingCooling`` percentage (cooling, below 0, counts as off)."""
    if percent <= 0:
        return 0
    return min(range(len(SEAT_HEATING_PERCENT)), key=lambda level: abs(SEAT_HEATING_PERCENT[level] - percent))


def _temperature_answer(zones: tuple[str, ...], state: Mapping[str, SignalValue], language: str) -> str:
    known = {z: t for z in zones if (t := fact_number(state, _TEMPERATURE_SIGNALS[z][0])) is not None}
    if not known:
        return PHRASES.say(language, "temperature_unknown")
    if len(known) == 2 and len(set(known.values())) == 1:
        return PHRASES.say(language, "temperature_both", degrees=f"{known['driver']:g}")
    return " ".join(
        PHRASES.say(language, "temperature", zone=PHRASES.say(language, z), degrees=f"{t:g}") for z, t in known.items()
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
    values = [state.get(_DEFROST_SIGNALS[w]) for w in windows]
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
        z: None if (p := fact_number(state, _SEAT_SIGNALS[z][0])) is None else seat_heating_level(p) for z in zones
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
