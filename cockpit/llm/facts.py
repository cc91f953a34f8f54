"""Rule 2 of the answer checker: the car facts, and statements of the present state against them.

:class:`StateCheck` reads the confirmed vehicle state (speed, gear, cabin temperatures, switches,
fan and seat heating levels, volume, muting, what is playing, the destination) and finds what a
:class:`~cockpit.llm.sentences.Sentence` states about it: a :class:`Finding` that it matches, that
it contradicts the facts (with the fact to say instead), or that it states something the model
was told nothing about. The rule itself is written down in :mod:`cockpit.llm.claims`, which
decides what to say. The facts and their sentences (in the turn's language and the driver's
units) are :mod:`cockpit.llm.fact_texts`; a Korean sentence is read by :mod:`cockpit.llm.facts_ko`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.llm import facts_ko
from cockpit.llm.car_functions import AIR_CONDITIONING, FAN, SEAT_HEATING, TEMPERATURE, CarFunction
from cockpit.llm.fact_texts import (
    DRIVE,
    MATCH,
    MOVING_MIN_KMH,
    NEUTRAL,
    PARK,
    SEAT_HEATING_PERCENT_PER_LEVEL,
    SPEED_TOLERANCE_KMH,
    UNTOLD,
    CarFacts,
    Finding,
    clean_field,
    flag,
)
from cockpit.llm.sentences import GENERIC, NEGATION, NUMBER, Sentence, parse_number, states_change
from cockpit.skill_api import SignalValue, fact_number

MPH_TO_KMH = 1.609344
__all__ = ["MATCH", "MOVING_MIN_KMH", "UNTOLD", "Finding", "StateCheck", "clean_field"]


def _same_name(a: str, b: str) -> bool:
    """Whether two names agree: equal, or one contains the other (case and punctuation aside)."""
    x, y = (" ".join(re.findall(r"\w+", t.lower())) for t in (a, b))
    return bool(x and y) and (x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x)))


_CAR = r"(?:i|you|we|the\s+car|your\s+car|our\s+car|the\s+vehicle|this\s+car|it)\s+(?:am|are|is)\s+"
_NOW_ADV = r"(?:(?:currently|now|still|just|right\s+now|presently|already)\s+)*"
_AS = r"(?<!\bas )(?<!\bwhile )(?<!\bwhen )(?<!\bif )(?<!\bsince )(?<!\bbecause )(?<!\bbefore )"
_SPEED_VALUE = re.compile(
    rf"(?P<num>{NUMBER})\s*(?P<unit>km/h|kmh|kph|km\s+per\s+hour|kilomet(?:er|re)s?\s+(?:per|an|a)\s+hour|mph|"
    rf"miles?\s+(?:per|an|a)\s+hour)"
)
_SPEED_SUBJECT = re.compile(
    rf"{_AS}\b{_CAR}{_NOW_ADV}(?:driving|going|traveling|travelling|moving|doing|cruising|rolling|at)\b|\b(?:your|"
    rf"our|the|current|the\s+car's)\s+(?:current\s+)?speed\s+(?:is|of)\b|^(?:driving|going|moving)\s+at\b"
)
_BARE_SPEED = re.compile(rf"\b{_CAR}{_NOW_ADV}(?:going|doing|at)\s+(?:about\s+|around\s+)?(?P<num>{NUMBER})")
_STOPPED = re.compile(
    rf"{_AS}\b{_CAR}{_NOW_ADV}(?P<neg>not\s+)?(?:stopped|stationary|standing\s+still|at\s+a\s+standstill|at\s+rest|"
    rf"parked)\b|^(?:stopped|parked)$"
)
_MOVING = re.compile(
    rf"{_AS}\b{_CAR}{_NOW_ADV}(?P<neg>not\s+)?(?:moving|driving|traveling|travelling|in\s+motion|on\s+the\s+move|"
    rf"cruising|rolling)\b(?!\s+(?:to|towards|toward|home|at|in|for)\b)"
)
_GEARS = {"park": PARK, "p": PARK, "drive": DRIVE, "d": DRIVE, "reverse": -1, "r": -1, "neutral": NEUTRAL, "n": 0}
_GEARS |= {w: i + 1 for i, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth"))}
_GEAR_PATTERNS = [
    re.compile(p)
    for p in (
        rf"\b{_CAR}{_NOW_ADV}in\s+(?:the\s+)?(?P<g>park|drive|reverse|neutral)\b(?!\s+(?:mode\s+)?(?:to|of)\b)",
        rf"\b(?:gear|gearshift|shifter|transmission|gear\s+(?:lever|selector))\s+(?:is\s+)?{_NOW_ADV}(?:set\s+)?"
        rf"(?:in|to|at|on)?\s*(?:the\s+)?(?P<g>park|drive|reverse|neutral|[pdrn]|first|second|third|fourth|fifth)\b",
        r"\b(?:in|is)\s+(?:the\s+)?(?P<g>first|second|third|fourth|fifth|sixth|\d)(?:st|nd|rd|th)?\s+gear\b",
        rf"\b{_CAR}{_NOW_ADV}in\s+gear\s+(?P<g>\d)\b",
        r"^(?:in\s+)?(?P<g>park|drive|reverse|neutral)$",
        rf"\b{_CAR}{_NOW_ADV}(?P<g>parked)\b",
    )
]
_IN_SOMETHING = re.compile(rf"\b{_CAR}{_NOW_ADV}in\s+(?!a\s+hurry|luck|traffic|good\s+hands)\w")
_GEAR_QUESTION = re.compile(r"\b(?:gears?|transmission|shifter|gearshift)\b", re.I)
_SPEED_QUESTION = re.compile(r"\b(?:speed|fast|slow|km/h|mph)\b", re.I)
_TEMPERATURE_QUESTION = re.compile(r"\b(?:temperature|temp|degrees|warm|cold|hot|cool|chilly|heat)\b", re.I)
_ELSEWHERE = re.compile(
    r"\b(?:outside|outdoors?|weather|forecast|water|boils?|freezes|oven|body|fever|sun|earth|ocean|sea|room\s+"
    r"temperature|average|record|space|surface|absolute|today|tomorrow|tonight|yesterday|city|country|summer|winter|"
    r"spring|autumn|season)\b|\b(?:in|at|of)\s+[A-Z][a-z]"
)
"""Another place or time ("in Paris", "outside"): a temperature there is not the cabin's."""
_TEMPERATURE_SUBJECT = re.compile(
    r"\b(?:the|your|our|this|its)\s+(?:car|cabin|vehicle|interior|climate(?:\s+control)?|thermostat|heater|heating|"
    r"air\s+conditioning|a/c|ac|(?:(?:cabin|car|inside|interior|current|set|target)\s+)?temperature|(?:driver|"
    r"passenger)(?:'s)?\s+(?:side|zone|temperature|seat)|side)\b[^.;]*?\b(?:is|are|stays|remains|reads|shows|sits)\b|"
    r"\b(?:it|that)\s+is\s+[^.;]*?\b(?:in\s+here|inside|in\s+the\s+(?:car|cabin))\b|\b(?:in\s+here|inside\s+the\s+"
    r"car|in\s+the\s+car|in\s+the\s+cabin),?\s+it\s+is\b|^(?:\w+\s+){0,2}temperature\s+(?:is\s+)?set\b"
)
_DEGREES = re.compile(rf"(?P<num>{NUMBER})\s*(?:°|degrees?\b|deg\b)\s*(?P<unit>c\b|celsius|centigrade|f\b|fahrenheit)?")
_SWITCH_STATE = (
    r"[\w\s/'-]{0,25}?\s(?:is|are)\s+(?:(?:currently|now|still|already|also|right\s+now|fully)\s+)*(?P<neg>not\s+)?"
    r"(?P<pred>on|off|active|inactive|running|working|engaged|(?:turned|switched)\s+(?:on|off)|activated|"
    r"deactivated|enabled|disabled|cooling|heating|blowing|defrosting|clearing)(?=\s*$|\s*[,.;!]|\s+(?:and|but|"
    r"so|now|already|at|for|right|too|again|as|which|while|because|in\s+(?:the|this|your)\s+car)\b)"
)
_SWITCH_HEADLINE = (
    r"\s+(?:is\s+)?(?P<neg>)(?P<pred>on|off|(?:turned|switched)\s+(?:on|off)|(?:de)?activated|(?:en|dis)abled)"
)
_OFF_WORDS = ("off", "inactive", "deactivated", "disabled")
_ON_OFF = re.compile(r"\b(?:is|are)\s+(?:currently\s+)?(?P<neg>not\s+)?(?P<pred>on|off|running)\b")
_VOLUME_STATED = re.compile(
    rf"\b(?:volume|sound|music|audio)\s+(?:level\s+)?(?:is|are)\s+(?:playing\s+)?{_NOW_ADV}(?:set\s+)?(?:to\s+|at\s+)?"
    rf"(?:about\s+|around\s+|volume\s+)?(?P<num>{NUMBER})\b|^(?:the\s+)?volume\s+(?:level\s+)?set\s+(?:to|at)\s+"
    rf"(?P<num2>{NUMBER})\b|\bat\s+volume\s+(?P<num3>{NUMBER})\b|\b(?:volume|sound|music|audio)\b[^.;,]*?\b(?:up|down|"
    rf"increased|decreased|raised|lowered|reduced|changed|adjusted|set|turned|bumped)(?:\s+by\s+[\w\s%]+?,?)?\s+to\s+"
    rf"(?:about\s+|around\s+)?(?P<num4>{NUMBER})\b"
)
"""The volume stated ("The volume is 30.", "at volume 30") or changed to ("I turned the volume up to 60.")."""
_MUTE_STATED = re.compile(
    rf"\b(?:sound|audio|volume|music|media|radio|car)\s+(?:is|are)\s+{_NOW_ADV}(?P<neg>not\s+)?(?P<pred>muted|"
    rf"unmuted)\b|^\(?(?P<pred2>muted|unmuted)\)?$"
)
_NOTHING_PLAYING = re.compile(
    r"\b(?:nothing|no\s+(?:music|song|track|audio|media|podcast|radio))\s+(?:is\s+)?(?:currently\s+|now\s+)?"
    r"(?:playing|on)\b|\bnot\s+playing\s+anything\b|\bmusic\s+is\s+(?:off|stopped)\b"
)
_PAUSED = re.compile(
    rf"\b(?:music|playback|song|track|media|radio|podcast|it)\s+(?:is|are)\s+{_NOW_ADV}(?P<neg>not\s+)?paused\b|"
    r"^(?:music\s+|playback\s+)?paused$"
)
_PLAYING = re.compile(
    r"\b(?:you\s+are\s+listening\s+to|we\s+are\s+listening\s+to|currently\s+playing(?:\s+is)?|playing\s+(?:right\s+)?"
    r"now(?:\s+is)?|the\s+(?:current\s+)?(?:song|track|music|podcast|station)\s+is|the\s+car\s+is\s+playing|"
    r"(?:this|that|it)\s+is|^playing|^paused:?)\s+(?P<rest>.+)$|^(?P<rest2>\".+?\"(?:\s+by\s+.+?)?)\s+is\s+"
    r"(?:currently\s+|now\s+)?(?P<pred>playing|on|paused)\b",
    re.I,
)
_QUOTED = re.compile(r'"([^"]+)"')
_NO_ROUTE = re.compile(
    r"\bno\s+(?:destination|active\s+route|route|navigation)\b|\bnot\s+(?:navigating|driving|heading|going)\s+"
    r"(?:anywhere|to\s+any)|\bdestination\s+is\s+not\s+set\b|\bnot\s+(?:set|have)\s+a\s+destination\b"
)
_ROUTE_TO = re.compile(
    rf"\b{_CAR}{_NOW_ADV}(?:driving|heading|headed|navigating|on\s+(?:the|your|our)\s+way|going|travell?ing|routed)"
    rf"\s+(?:to|towards|for)\s+(?P<place>.+)$|\b(?:the|your|our|current)\s+destination\s+is\s+(?:set\s+to\s+)?"
    rf"(?P<place2>.+)$|^driving\s+to\s+(?P<place3>.+)$",
    re.I,
)


@dataclass(frozen=True)
class _Amount:
    """A function whose state is a level: how an answer states it and how to say the fact."""

    function: CarFunction
    value: re.Pattern[str]
    per_unit: float


_AMOUNTS = (
    _Amount(FAN, re.compile(rf"(?P<num>{NUMBER})\s*(?:%|percent|per\s+cent)"), 1),
    _Amount(SEAT_HEATING, re.compile(rf"\blevel\s+(?P<num>{NUMBER})\b"), SEAT_HEATING_PERCENT_PER_LEVEL),
)
"""Their facts are said as ``<function name>`` and ``<function name>_off`` (:data:`~cockpit.llm.fact_texts.PHRASES`)."""


def _side(low: str, start: int, end: int) -> str:
    for text in (low[end : end + 40], low[max(0, start - 40) : end]):
        if sides := re.findall(r"\b(driver|passenger)", text):
            return str(sides[0])
    return ""


class StateCheck:
    """Rule 2 for one answer: its statements of the car's present state against the facts."""

    def __init__(
        self,
        state: Mapping[str, SignalValue],
        memory: Mapping[str, Any],
        question: str,
        *,
        language: str = "en",
        units: str = "metric",
    ) -> None:
        """``state``: the confirmed vehicle state by VSS path; ``memory``: the session memory (the
        destination's name); ``question``: the driver's words (a question about the gear or the speed
        makes "you are in ..." and "going 80" count); ``language`` and ``units``: the turn's and the
        driver's, in which a fact is said (a bare number of degrees or a bare speed is read in
        ``units`` too)."""
        self._facts = CarFacts(state, memory, language, units)
        self._question = question

    def find(self, s: Sentence) -> Finding | None:
        """What the facts say of ``s``: :data:`MATCH`, :data:`UNTOLD` or a contradiction; None when it
        states none of them. A Korean sentence is read by :mod:`cockpit.llm.facts_ko`."""
        if s.korean:
            return next(
                (f for check in facts_ko.CHECKS if (f := check(self._facts, s, self._question)) is not None), None
            )
        return next((f for check in self._CHECKS if (f := check(self, s)) is not None), None)

    # --- the checks: None when the sentence says nothing of that fact ------------------------

    def _speed(self, s: Sentence) -> Finding | None:
        facts = self._facts
        if facts.moving is None:
            return None
        claimed: float | None = None
        if subject := _SPEED_SUBJECT.search(s.low):
            if value := _SPEED_VALUE.search(s.low, subject.start()):
                claimed = parse_number(value.group("num"))
                if claimed is not None and value.group("unit").startswith(("mph", "mile")):
                    claimed *= MPH_TO_KMH
            elif _SPEED_QUESTION.search(self._question) and (bare := _BARE_SPEED.search(s.low)):
                claimed = parse_number(bare.group("num"))
                if claimed is not None and facts.imperial:  # "going eighty": in the driver's unit
                    claimed *= MPH_TO_KMH
        if claimed is not None:
            if facts.speed is None:
                wrong = (claimed >= MOVING_MIN_KMH) != facts.moving
            else:
                wrong = abs(claimed - facts.speed) > max(SPEED_TOLERANCE_KMH, 0.05 * facts.speed)
        elif found := _STOPPED.search(s.body) or _MOVING.search(s.body):
            wrong = ((found.re is _MOVING) != bool(found.group("neg"))) != facts.moving
        else:
            return None
        return Finding("contradicts-speed", facts.speed_text()) if wrong else MATCH

    def _gear(self, s: Sentence) -> Finding | None:
        gear = self._facts.gear
        if gear is None:
            return None
        found = next((m for p in _GEAR_PATTERNS if (m := p.search(s.body))), None)
        if found is None or (found.group("g") == "parked" and NEGATION.search(s.body)):
            if _GEAR_QUESTION.search(self._question) and _IN_SOMETHING.search(s.body) and not NEGATION.search(s.low):
                return Finding("contradicts-gear", self._facts.gear_text())  # "I'm in the passenger seat."
            return None
        word = found.group("g")
        claimed = PARK if word == "parked" else _GEARS.get(word, int(word) if word.isdigit() else None)
        if claimed is None:
            return None
        same = claimed == gear or (claimed == DRIVE and 0 < gear < PARK) or (claimed < 0 and gear < 0)
        return MATCH if same else Finding("contradicts-gear", self._facts.gear_text())

    def _temperature(self, s: Sentence) -> Finding | None:
        temperatures = self._facts.temperatures
        anchored = (
            _TEMPERATURE_SUBJECT.search(s.low)
            or (s.claim and TEMPERATURE in s.functions)
            or (re.search(r"\b(?:it|that)\s+is\b", s.low) and _TEMPERATURE_QUESTION.search(self._question))
        )
        if not anchored or _ELSEWHERE.search(s.text) or _ELSEWHERE.search(self._question):
            return None
        finding: Finding | None = None
        for value in _DEGREES.finditer(s.low):
            claimed = parse_number(value.group("num"))
            if claimed is None or states_change(s.low, value.start("num"), value.end("num")):
                continue  # "raised by 2 degrees" is a change by 2 degrees, not a temperature
            if not temperatures:
                return UNTOLD
            tolerance = 0.5
            unit = value.group("unit") or ""
            # A bare number is in the driver's units; the ranges (16-30 °C, 61-86 °F) do not overlap.
            if unit.startswith("f") or (not unit and self._facts.imperial and claimed > 45):
                claimed, tolerance = (claimed - 32) * 5 / 9, 1.0
            side = _side(s.low, value.start(), value.end())
            candidates = [t for z, t in temperatures.items() if not side or z == side] or list(temperatures.values())
            if all(abs(claimed - t) > tolerance for t in candidates):
                return Finding("contradicts-temperature", self._facts.temperature_text())
            finding = MATCH
        return finding

    def _switches(self, s: Sentence) -> Finding | None:
        if GENERIC.search(s.low):
            return None
        for function in (f for f in s.functions if f.switch):
            name = f"(?:{function.words.pattern})"
            stated = re.search(name + _SWITCH_STATE, s.body, re.I) or re.fullmatch(
                rf"(?:the\s+)?{name}{_SWITCH_HEADLINE}", s.body, re.I
            )
            if stated is None:
                continue
            on = (stated.group("pred").split()[-1] not in _OFF_WORDS) != bool(stated.group("neg"))
            known = [flag(self._facts.state, signal) for signal in function.signals]
            if None in known:
                return UNTOLD if on else None
            if all(k == on for k in known):
                return MATCH
            reason = "contradicts-ac" if function is AIR_CONDITIONING else "contradicts-switch"
            return Finding(reason, self._facts.switch_text(function))
        return None

    def _amounts(self, s: Sentence) -> Finding | None:
        """The fan speed and the seat heating level."""
        if GENERIC.search(s.low) or not (re.search(r"\b(?:is|are)\b", s.low) or s.claim):
            return None
        for amount in (a for a in _AMOUNTS if a.function in s.functions):
            values = (m for m in amount.value.finditer(s.low) if not states_change(s.low, m.start("num"), m.end("num")))
            value, switch = next(values, None), _ON_OFF.search(s.body)  # "20 percent faster" is a change
            if value is None and switch is None:
                continue
            claimed = parse_number(value.group("num")) if value else None
            if switch is not None and value is None:
                on = (switch.group("pred") != "off") != bool(switch.group("neg"))
            else:
                on = claimed != 0
            state = (fact_number(self._facts.state, signal) for signal in amount.function.signals)
            levels = sorted({round(p / amount.per_unit) for p in state if p is not None})
            if not levels:
                return UNTOLD if on else None
            if (claimed in levels) if value else any((level > 0) == on for level in levels):
                return MATCH
            name = amount.function.name
            fact = " ".join(
                self._facts.say(name, n=level) if level else self._facts.say(f"{name}_off") for level in levels
            )
            return Finding(f"contradicts-{amount.function.name.replace(' ', '-')}", fact)
        return None

    def _volume(self, s: Sentence) -> Finding | None:
        found = _VOLUME_STATED.search(s.low)
        group = next((g for g in ("num", "num2", "num3", "num4") if found.group(g)), "") if found else ""
        if not found or not group or states_change(s.low, found.start(group), found.end(group)):
            return None  # "The volume is now 10 percent louder." states a change
        claimed = parse_number(found.group(group))
        if claimed is None or GENERIC.search(s.low):
            return None
        volume = self._facts.volume
        if volume is None:
            return UNTOLD
        return MATCH if abs(claimed - volume) <= 1 else Finding("contradicts-volume", self._facts.volume_text())

    def _mute(self, s: Sentence) -> Finding | None:
        found = _MUTE_STATED.search(s.body)
        if found is None or GENERIC.search(s.low):
            return None
        muted = ((found.group("pred") or found.group("pred2")) == "muted") != bool(found.group("neg"))
        if self._facts.muted is None:
            return UNTOLD if muted else None
        if self._facts.muted == muted:
            return MATCH
        return Finding("contradicts-mute", self._facts.mute_text())

    def _media(self, s: Sentence) -> Finding | None:
        facts = self._facts
        wrong = Finding("contradicts-media", facts.media_text())
        if _NOTHING_PLAYING.search(s.low):
            return wrong if facts.track and not facts.paused else MATCH
        if paused := _PAUSED.search(s.body):
            return MATCH if bool(facts.track) and facts.paused != bool(paused.group("neg")) else wrong
        found = _PLAYING.search(s.text.rstrip(" .!"))
        if found is None:
            return None
        rest = found.group("rest") or found.group("rest2")
        lead = found.group(0)[: found.start("rest") - found.start()].lower() if found.group("rest") else ""
        quoted = _QUOTED.findall(rest)
        if not quoted and (
            re.match(r"\s*(?:this|that|it)\s+is", lead) or re.match(r"(?:a|an|the|my|your|one)\s", rest.lower())
        ):
            return None  # "This is a good question." names no title
        if not facts.track:
            return wrong
        by = re.search(r"\s+by\s+(?P<artist>.+)$", rest, re.I)
        title = quoted[0] if quoted else (rest[: by.start()] if by else rest)
        artist = (_QUOTED.findall(by.group("artist")) or [by.group("artist")])[0] if by else ""
        paused_claim = "paused" in lead or found.group("pred") == "paused"
        playing_claim = not paused_claim and bool(re.search(r"playing|listening", lead + (found.group("pred") or "")))
        same = _same_name(title, facts.track) or (not quoted and _same_name(title, facts.artist))
        same = same and (not artist or not facts.artist or _same_name(artist, facts.artist))
        same = same and not (paused_claim and not facts.paused) and not (playing_claim and facts.paused)
        return MATCH if same else wrong

    def _destination(self, s: Sentence) -> Finding | None:
        facts = self._facts
        wrong = Finding("contradicts-destination", facts.destination_text())
        if _NO_ROUTE.search(s.low):
            return wrong if facts.routing else MATCH
        found = _ROUTE_TO.search(s.text.rstrip(" .!"))
        if found is None or GENERIC.search(s.low):
            return None
        place = (found.group("place") or found.group("place2") or found.group("place3") or "").strip(" \"'")
        if not place or not (place[0].isupper() or re.match(r"(?:the|a|an)\s", place)):
            return None  # "you are going to love this"
        if not facts.routing or (facts.destination and not _same_name(place.split(",")[0], facts.destination)):
            return wrong
        return MATCH

    _CHECKS: tuple[Callable[[StateCheck, Sentence], Finding | None], ...] = (
        _speed, _gear, _temperature, _switches, _amounts, _volume, _mute, _media, _destination,
    )  # fmt: skip
