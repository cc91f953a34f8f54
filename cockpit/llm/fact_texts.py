"""The car facts the answer checker compares with, and each fact as a sentence to say instead.

:class:`CarFacts` reads the confirmed vehicle state (speed, gear, cabin temperatures, switches,
volume, muting, what is playing, the destination) into the terms the checks of
:mod:`cockpit.llm.facts` and :mod:`cockpit.llm.facts_ko` compare, and says a fact in the turn's
language and the driver's units: "You're driving at 30 mph.", "온도는 양쪽 모두 21도로 설정되어
있습니다." The wording follows the skills' own answers (the drive and climate skills); numbers are
digits, which the speech engine reads. A :class:`Finding` is what the facts say of one statement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cockpit import vss
from cockpit.hangul import particle
from cockpit.langtag import primary_language
from cockpit.llm.car_functions import DEFROSTERS, CarFunction
from cockpit.phrasebook import Phrasebook, say_back
from cockpit.skill_api import SignalValue, fact_number
from cockpit.units import is_imperial, kmh_to_mph, whole_fahrenheit

MAX_FIELD_CHARS = 60
"""Longest piece of outside text (a destination, a title) quoted into an offer or a fact."""
PARK, DRIVE, NEUTRAL = 126, 127, 0
"""VSS ``SelectedGear`` values (reverse gears are negative, forward gears count from 1)."""
MOVING_MIN_KMH = 1.0
"""Below this the car counts as stopped (the prompt's car facts use the same threshold)."""
SPEED_TOLERANCE_KMH = 3.0
"""How far a stated speed may be from the measured one (rounding, mph)."""
SEAT_HEATING_PERCENT_PER_LEVEL = 100 / 3
"""Seat heating levels 0-3 are VSS ``HeatingCooling`` percent (0, 33, 67, 100)."""


@dataclass(frozen=True)
class Finding:
    """What the facts say of one statement."""

    reason: str
    """"" when the statement matches the facts, ``claims-change`` when nobody told the model,
    else ``contradicts-...``."""
    fact: str = ""
    """The fact to say instead of a contradiction."""


MATCH, UNTOLD = Finding(""), Finding("claims-change")
"""The statement matches the facts; it states what the model was told nothing about (compared by identity)."""


def flag(state: Mapping[str, SignalValue], signal: str) -> bool | None:
    """A boolean signal's value, None when unknown."""
    value = state.get(signal)
    return value if isinstance(value, bool) else None


def clean_field(text: str) -> str:
    """Outside text made safe to quote: no control characters, quotes or brackets, at most
    :data:`MAX_FIELD_CHARS`."""
    return say_back(re.sub(r"[\"<>|{}\[\]]", " ", text), MAX_FIELD_CHARS)


PHRASES = Phrasebook(
    {
        "en": {
            "speed": "You're driving at {speed}.",
            "kmh": "{n} km/h",
            "mph": "{n} mph",
            "moving": "The car is moving.",
            "parked": "The car is parked.",
            "stopped": "The car is stopped.",
            "gear": "The car is in {gear}.",
            "park": "park",
            "drive": "drive",
            "neutral": "neutral",
            "reverse": "reverse",
            "gear_n": "gear {n}",
            "celsius": "{n} degrees",
            "fahrenheit": "{n} degrees Fahrenheit",
            "temperature": "The cabin is set to {degrees}.",
            "temperature_side": "{degrees} on the {side} side",
            "temperature_sides": "The cabin is set to {first} and {second}.",
            "switch_on": "The {name} is on.",
            "switch_off": "The {name} is off.",
            "defrosters_on": "The defrosters are on.",
            "defrosters_off": "The defrosters are off.",
            "defrosters_mixed": "The front defroster is {front}, the rear one {rear}.",
            "front_on": "on",
            "front_off": "off",
            "rear_on": "on",
            "rear_off": "off",
            "fan": "The fan is at {n} percent.",
            "fan_off": "The fan is off.",
            "seat heating": "The seat heating is at level {n}.",
            "seat heating_off": "The seat heating is off.",
            "volume": "The volume is at {n}.",
            "muted": "The sound is muted.",
            "unmuted": "The sound is not muted.",
            "nothing_playing": "Nothing is playing.",
            "playing": "This is {what}.",
            "paused": "{what} is paused.",
            "by": "{title} by {artist}",
            "destination": "The destination is {name}.",
            "routing": "Route guidance is on.",
            "no_destination": "No destination is set.",
        },
        "ko": {
            "speed": "지금 {speed}로 달리고 있습니다.",
            "kmh": "시속 {n}킬로미터",
            "mph": "시속 {n}마일",
            "moving": "차가 움직이고 있습니다.",
            "parked": "차가 주차되어 있습니다.",
            "stopped": "차가 정지해 있습니다.",
            "gear": "기어는 {gear} 상태입니다.",
            "park": "P, 주차",
            "drive": "D, 주행",
            "neutral": "N, 중립",
            "reverse": "R, 후진",
            "gear_n": "{n}단",
            "celsius": "{n}도",
            "fahrenheit": "화씨 {n}도",
            "temperature": "온도는 양쪽 모두 {degrees}로 설정되어 있습니다.",
            "temperature_side": "{side} 온도는 {degrees}",
            "temperature_sides": "{first}, {second}로 설정되어 있습니다.",
            "switch_on": "{name} 켜져 있습니다.",
            "switch_off": "{name} 꺼져 있습니다.",
            "defrosters_on": "앞뒤 유리 성에 제거가 모두 켜져 있습니다.",
            "defrosters_off": "앞뒤 유리 성에 제거가 모두 꺼져 있습니다.",
            "defrosters_mixed": "앞 유리 성에 제거는 {front}, 뒷 유리 성에 제거는 {rear}.",
            "front_on": "켜져 있고",
            "front_off": "꺼져 있고",
            "rear_on": "켜져 있습니다",
            "rear_off": "꺼져 있습니다",
            "fan": "바람 세기는 {n}퍼센트입니다.",
            "fan_off": "송풍이 꺼져 있습니다.",
            "seat heating": "시트 열선은 {n}단계입니다.",
            "seat heating_off": "시트 열선이 꺼져 있습니다.",
            "volume": "볼륨은 {n}퍼센트입니다.",
            "muted": "음소거 상태입니다.",
            "unmuted": "음소거 상태가 아닙니다.",
            "nothing_playing": "지금은 재생 중인 것이 없습니다.",
            "playing": "지금 {what} 재생 중입니다.",
            "paused": "{what}, 일시 정지 상태입니다.",
            "by": "{artist}의 {title}",
            "destination": "목적지는 {name}입니다.",
            "routing": "경로 안내 중입니다.",
            "no_destination": "설정된 목적지가 없습니다.",
        },
    }
)
"""Every fact sentence, per language (the English ones are what the checker always said)."""
_NAMES_KO = {
    "front defroster": "앞 유리 성에 제거",
    "rear defroster": "뒷 유리 성에 제거",
    "air conditioning": "에어컨",
    "recirculation": "내기 순환",
}
_SIDES_KO = {"driver": "운전석", "passenger": "조수석"}


class CarFacts:
    """The state in the terms the checks compare, and each fact as a sentence in ``language`` and ``units``."""

    def __init__(
        self, state: Mapping[str, SignalValue], memory: Mapping[str, Any], language: str = "en", units: str = "metric"
    ) -> None:
        self.state = state
        self.language = primary_language(language) if language else "en"
        self.imperial = is_imperial(units)
        self.speed = fact_number(state, vss.SPEED)
        self.moving = self.speed >= MOVING_MIN_KMH if self.speed is not None else flag(state, vss.IS_MOVING)
        self.gear = fact_number(state, vss.SELECTED_GEAR)
        sides = (("driver", vss.DRIVER_TEMPERATURE), ("passenger", vss.PASSENGER_TEMPERATURE))
        self.temperatures = {side: t for side, signal in sides if (t := fact_number(state, signal)) is not None}
        self.volume = fact_number(state, vss.MEDIA_VOLUME)
        self.muted = flag(state, vss.MEDIA_MUTED)
        self.track = str(state.get(vss.MEDIA_TRACK) or "")
        self.artist = str(state.get(vss.MEDIA_ARTIST) or "")
        self.paused = str(state.get(vss.MEDIA_ACTION, "")).upper() in ("PAUSE", "STOP")
        name = memory.get("destination")
        name = name.get("name") if isinstance(name, Mapping) else name
        active = flag(state, vss.NAV_GUIDANCE_ACTIVE)
        self.destination = name.strip() if isinstance(name, str) and active is not False else ""
        self.routing = bool(self.destination) or (bool(active) and fact_number(state, vss.NAV_LATITUDE) is not None)

    def say(self, key: str, **fields: object) -> str:
        """A fact sentence in the turn's language."""
        return PHRASES.say(self.language, key, **fields)

    def speed_text(self) -> str:
        if self.speed is not None and self.speed >= MOVING_MIN_KMH:
            if self.imperial:
                return self.say("speed", speed=self.say("mph", n=f"{math.floor(kmh_to_mph(self.speed) + 0.5)}"))
            return self.say("speed", speed=self.say("kmh", n=f"{self.speed:.0f}"))
        if self.moving:
            return self.say("moving")
        return self.say("parked" if self.gear == PARK else "stopped")

    def gear_text(self) -> str:
        gear = self.gear or 0
        if gear < 0:
            return self.say("gear", gear=self.say("reverse"))
        name = {PARK: "park", DRIVE: "drive", NEUTRAL: "neutral"}.get(int(gear))
        return self.say("gear", gear=self.say(name) if name else self.say("gear_n", n=f"{gear:g}"))

    def degrees(self, celsius: float) -> str:
        """A temperature the car holds as a reply says it: ``21.5 degrees``, ``71 degrees Fahrenheit``, ``21도``
        (a whole Fahrenheit degree, as the climate skill rounds it)."""
        if self.imperial:
            return self.say("fahrenheit", n=f"{whole_fahrenheit(celsius)}")
        return self.say("celsius", n=f"{celsius:g}")

    def temperature_text(self) -> str:
        values = list(self.temperatures.items())
        if len({t for _, t in values}) == 1:
            return self.say("temperature", degrees=self.degrees(values[0][1]))
        first, second = (
            self.say("temperature_side", degrees=self.degrees(t), side=_SIDES_KO[side] if self.korean else side)
            for side, t in values
        )
        return self.say("temperature_sides", first=first, second=second)

    @property
    def korean(self) -> bool:
        return self.language == "ko"

    def switch_text(self, function: CarFunction) -> str:
        flags = [bool(self.state.get(signal)) for signal in function.signals]
        if function is DEFROSTERS and len(set(flags)) > 1:
            front, rear = (
                self.say(f"{side}_{'on' if f else 'off'}") for side, f in zip(("front", "rear"), flags, strict=True)
            )
            return self.say("defrosters_mixed", front=front, rear=rear)
        if function is DEFROSTERS:
            return self.say("defrosters_on" if flags[0] else "defrosters_off")
        name = particle(_NAMES_KO.get(function.name, function.name), "이", "가") if self.korean else function.name
        return self.say("switch_on" if flags[0] else "switch_off", name=name)

    def media_text(self) -> str:
        if not self.track:
            return self.say("nothing_playing")
        title = f'"{clean_field(self.track)}"'
        what = self.say("by", title=title, artist=f'"{clean_field(self.artist)}"') if self.artist else title
        return self.say("paused" if self.paused else "playing", what=what)

    def destination_text(self) -> str:
        if self.destination:
            return self.say("destination", name=f'"{clean_field(self.destination)}"')
        return self.say("routing" if self.routing else "no_destination")

    def volume_text(self) -> str:
        return self.say("volume", n=f"{self.volume or 0:.0f}")

    def mute_text(self) -> str:
        return self.say("muted" if self.muted else "unmuted")
