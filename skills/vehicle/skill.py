"""The vehicle skill: undo.

"Undo" (or "put it back") writes the signals the session's last confirmed action changed back to
the values the car confirmed before it (:mod:`cockpit.followups` keeps them), through the same
policy, CAN frames and ECU confirmation as any command. Undo twice and the change is back.
:mod:`cockpit.followups` words the English reply; a Korean session hears the same plan in Korean.
A temperature put back is said in the driver's units: the unit the session last heard
temperatures in (:data:`cockpit.followups.TEMPERATURE_UNIT`), else Fahrenheit when the ``units``
setting is imperial ("화씨 70도", "70 degrees Fahrenheit"), else Celsius.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.followups import NOTHING_TO_UNDO, TEMPERATURE_UNIT, undo_plan
from cockpit.langtag import primary_language
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalWrite, Skill, SkillContext, SkillPlan
from cockpit.units import is_imperial, whole_fahrenheit

EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {"vehicle.undo": ("undo", "put it back", "undo that")},
    "ko": {"vehicle.undo": ("되돌려 줘", "원래대로 해 줘")},
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""

PHRASES = Phrasebook(
    {
        "en": {
            "nothing": NOTHING_TO_UNDO,
            "unknown_before": "I can't undo that: the car never told me how it was before.",
            "undone": "Undone: {what}.",
            "undone_all": "Undone: everything the last change touched is back as it was.",
        },
        "ko": {
            "nothing": "되돌릴 것이 없습니다.",
            "unknown_before": "이전 상태를 차량에서 받지 못해서 되돌릴 수 없습니다.",
            "undone": "원래대로 되돌렸습니다: {what}.",
            "undone_all": "방금 바꾼 것을 모두 원래대로 되돌렸습니다.",
        },
    }
)
"""The undo replies by language (the English ones are :func:`cockpit.followups.undo_plan`'s)."""

_FAHRENHEIT, _CELSIUS = "fahrenheit", "celsius"
"""The values of :data:`~cockpit.followups.TEMPERATURE_UNIT` (the climate skill's)."""
_TEMPERATURES_KO: Mapping[str, str] = {
    vss.DRIVER_TEMPERATURE: "운전석 온도",
    vss.PASSENGER_TEMPERATURE: "조수석 온도",
}
_NUMBERS_KO: Mapping[str, str] = {
    vss.DRIVER_FAN_SPEED: "풍량 {}퍼센트",
    vss.MEDIA_VOLUME: "볼륨 {}퍼센트",
}
_OPENINGS_KO: Mapping[str, str] = {
    vss.DRIVER_WINDOW: "운전석 창문",
    vss.PASSENGER_WINDOW: "조수석 창문",
    vss.REAR_DRIVER_SIDE_WINDOW: "운전석 뒤 창문",
    vss.REAR_PASSENGER_SIDE_WINDOW: "조수석 뒤 창문",
    vss.SUNROOF_POSITION: "선루프",
}
"""Windows and the sunroof by role (the rear ones by the seat in front), as :data:`cockpit.followups.OPENINGS`."""
_SWITCHES_KO: Mapping[str, str] = {
    vss.AC_ACTIVE: "에어컨",
    vss.RECIRCULATION_ACTIVE: "내기 순환",
    vss.FRONT_DEFROSTER_ACTIVE: "앞유리 성에 제거",
    vss.REAR_DEFROSTER_ACTIVE: "뒷유리 열선",
    vss.NAV_GUIDANCE_ACTIVE: "경로 안내",
    vss.MEDIA_MUTED: "음소거",
}
_SEATS_KO: Mapping[str, str] = {
    vss.DRIVER_SEAT_HEATING: "운전석 시트 열선",
    vss.PASSENGER_SEAT_HEATING: "조수석 시트 열선",
}


def _driver_unit(context: SkillContext) -> str:
    """The temperature unit the driver hears: the session's last, else the ``units`` setting's."""
    unit = context.memory.get(TEMPERATURE_UNIT)
    if unit in (_FAHRENHEIT, _CELSIUS):
        return str(unit)
    return _FAHRENHEIT if is_imperial(context.units) else _CELSIUS


def _temperature_ko(celsius: float, fahrenheit: bool) -> str:
    """A temperature as the Korean climate replies say it: "21도", "화씨 70도" (whole Fahrenheit degrees)."""
    return f"화씨 {whole_fahrenheit(celsius)}도" if fahrenheit else f"{celsius:g}도"


def _describe_ko(writes: Sequence[SignalWrite], fahrenheit: bool = False) -> str:
    """What the undo put back, as Korean noun phrases ("운전석 온도 21도, 에어컨 꺼짐"; "화씨 70도" for
    a driver who hears Fahrenheit)."""
    parts = []
    for write in writes:
        value = write.value
        if isinstance(value, bool):
            if write.signal in _SWITCHES_KO:
                parts.append(f"{_SWITCHES_KO[write.signal]} {'켜짐' if value else '꺼짐'}")
        elif isinstance(value, int | float) and write.signal in _TEMPERATURES_KO:
            parts.append(f"{_TEMPERATURES_KO[write.signal]} {_temperature_ko(value, fahrenheit)}")
        elif isinstance(value, int | float) and write.signal in _OPENINGS_KO:
            parts.append(f"{_OPENINGS_KO[write.signal]} {'닫힘' if value == 0 else f'{value:g}퍼센트 열림'}")
        elif isinstance(value, int | float) and write.signal in _NUMBERS_KO:
            parts.append(_NUMBERS_KO[write.signal].format(f"{value:g}"))
        elif isinstance(value, int | float) and write.signal in _SEATS_KO:
            level = round(float(value) * 3 / 100)
            parts.append(f"{_SEATS_KO[write.signal]} {f'{level}단계' if level else '꺼짐'}")
    return ", ".join(parts)


def _in_language(plan: SkillPlan, language: str, fahrenheit: bool = False) -> SkillPlan:
    """``plan`` (worded in English by :func:`undo_plan`) with its reply in ``language``."""
    if primary_language(language) == "en":
        return plan
    if plan.refusal is not None:
        return dataclasses.replace(plan, refusal=PHRASES.say(language, "unknown_before"))
    if not plan.writes:
        return dataclasses.replace(plan, done=PHRASES.say(language, "nothing"))
    what = _describe_ko(plan.writes, fahrenheit) if primary_language(language) == "ko" else ""
    done = PHRASES.say(language, "undone", what=what) if what else PHRASES.say(language, "undone_all")
    return dataclasses.replace(plan, done=done)


class VehicleSkill(Skill):
    """Undoes the last confirmed action of the session."""

    name = "vehicle"
    description = "Puts back what the last change did (undo)."
    intents = tuple(name for name in CATALOGUE if name.startswith("vehicle."))
    examples = EXAMPLES
    replies = PHRASES

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        unit = _driver_unit(context)
        # undo_plan words English temperatures in the session's unit: hand it the driver's.
        memory: Mapping[str, Any] = {**context.memory, TEMPERATURE_UNIT: unit}
        return _in_language(undo_plan(memory), context.language, unit == _FAHRENHEIT)
