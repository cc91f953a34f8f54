"""The functions of this car an answer may talk about, and how an answer names them.

Each :class:`CarFunction` ties the words an answer may use ("rear window defroster", "A/C") to the
VSS paths behind it; :data:`UNSUPPORTED` names what the model may never claim or state: what this
car has no control of (doors, lights, ...), and the windows and the sunroof, which the body skill
alone moves and reports (by rules, from the body ECU's confirmed state). :func:`mentions` finds
both in a sentence. Part of the answer checker: the rules are in :mod:`cockpit.llm.claims`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit import vss


@dataclass(frozen=True)
class CarFunction:
    """A function of this car an answer may talk about, and the VSS paths behind it."""

    name: str
    """Spoken name, used in fact sentences: ``rear defroster``."""
    signals: tuple[str, ...]
    """The VSS paths that carry its state."""
    words: re.Pattern[str]
    """How an answer names it."""
    switch: bool = False
    """Whether its state is on/off (one boolean per signal)."""


def _function(name: str, signals: tuple[str, ...], words: str, switch: bool = False) -> CarFunction:
    return CarFunction(name, signals, re.compile(words, re.I), switch)


_DEFROST = r"(?:defrost\w*|defog\w*|demist\w*|de-?ic\w*|window\s+heat\w*)"
_GLASS = r"(?:window\s+|windshield\s+|windscreen\s+|glass\s+)?"
_FRONT, _REAR = r"(?:front|windshield|windscreen)", r"(?:rear|back)"
FRONT_DEFROSTER, REAR_DEFROSTER = (
    _function(
        f"{side} defroster",
        (signal,),
        rf"\b{words}\s+{_GLASS}{_DEFROST}|\b{_DEFROST}\s+(?:for\s+|on\s+|of\s+)?(?:the\s+)?{words}\w*(?:\s+window)?",
        switch=True,
    )
    for side, signal, words in (
        ("front", vss.FRONT_DEFROSTER_ACTIVE, _FRONT),
        ("rear", vss.REAR_DEFROSTER_ACTIVE, _REAR),
    )
)
DEFROSTERS = _function("defrosters", (vss.FRONT_DEFROSTER_ACTIVE, vss.REAR_DEFROSTER_ACTIVE), rf"\b{_DEFROST}", True)
SEAT_HEATING = _function(
    "seat heating",
    (vss.DRIVER_SEAT_HEATING, vss.PASSENGER_SEAT_HEATING),
    r"\b(?:seat\s+(?:heat\w*|warmers?)|heated\s+seats?)\b",
)
AIR_CONDITIONING = _function(
    "air conditioning", (vss.AC_ACTIVE,), r"\b(?:a/c|ac|a\.c\.?|air[\s-]?con\w*)(?![\w/])", True
)
RECIRCULATION = _function("recirculation", (vss.RECIRCULATION_ACTIVE,), r"\b(?:recirc\w*|\w*\s?recycl\w*)\b", True)
FAN = _function("fan", (vss.DRIVER_FAN_SPEED,), r"\b(?:fan|fans|blower|ventilation|air\s?flow)\b(?:\s+speed)?")
VOLUME = _function("volume", (vss.MEDIA_VOLUME,), r"\b(?:volume|louder|quieter)\b")
MUTE = _function("sound", (vss.MEDIA_MUTED,), r"\b(?:mute\w*|unmute\w*|sound|audio)\b")
MEDIA = _function(
    "music",
    (vss.MEDIA_ACTION, vss.MEDIA_SELECTED_URI),
    r"\b(?:music|songs?|tracks?|playback|radio|podcasts?|station|album|playlist|jazz|pause\w*|resum\w*|skip\w*)\b",
)
NAVIGATION = _function(
    "route guidance",
    (vss.NAV_GUIDANCE_ACTIVE, vss.NAV_LATITUDE, vss.NAV_LONGITUDE),
    r"\b(?:navigat\w*|routes?|guidance|destination|directions|(?:tak|bring|gett|driv)ing\s+you\s+(?:to|home))\b",
)
TEMPERATURE = _function(
    "temperature",
    (vss.DRIVER_TEMPERATURE, vss.PASSENGER_TEMPERATURE),
    r"\b(?:temperatures?|temp|thermostat|climate|degrees?|heater|heating|warmer|cooler)\b",
)
FUNCTIONS: tuple[CarFunction, ...] = (
    FRONT_DEFROSTER, REAR_DEFROSTER, DEFROSTERS, SEAT_HEATING,
    AIR_CONDITIONING, RECIRCULATION, FAN, VOLUME, MUTE, MEDIA, NAVIGATION, TEMPERATURE,
)  # fmt: skip
"""Every function of this car, most specific first: a match hides its words from the later ones
(so "seat heating" is not also "heating", nor the "rear window defroster" a window)."""
UNSUPPORTED = re.compile(
    r"\b(?:heated\s+steering\s+wheel|steering\s+wheel(?:\s+heat\w*)?|windows?|sun\s?roof|moon\s?roof|roof|"
    r"doors?|locks?|trunk|boot|tailgate|frunk|(?:head|fog|hazard|interior|cabin|reading|dome|ambient)?\s?"
    r"lights?|headlamps?|high\s+beams?|hazards|wipers?|horn|cruise\s+control|engine|motor|mirrors?|massage\w*|"
    r"ventilated\s+seats?|cooled\s+seats?|autopilot|self[\s-]driving)\b",
    re.I,
)
"""Things the model may not speak of as changed or in a state: what this car has no control of, and
the windows and sunroof (the body skill's, answered by rules). Such a claim is replaced."""
UNSUPPORTED_STATE = re.compile(
    rf"(?:{UNSUPPORTED.pattern})[\w\s'-]{{0,20}}?\s(?:is|are)\s+(?:now\s+|currently\s+|still\s+|already\s+)*(?:on|"
    r"off|open|opened|closed|shut|locked|unlocked|up|down|active|running|heating|warming|warm|engaged|activated|"
    r"enabled|disabled|set|turned|switched)\b",
    re.I,
)
"""A thing this car has no control of said to be in some state ("The windows are open.")."""


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def mentions(low: str) -> tuple[tuple[CarFunction, ...], bool]:
    """The functions a lower-case sentence names, most specific first, and whether it names something
    :data:`UNSUPPORTED`."""
    found: list[CarFunction] = []
    for function in FUNCTIONS[:4]:  # the defrosters and seat heating hide their "window", "heat"
        if function.words.search(low):
            if function is not DEFROSTERS or not found:
                found.append(function)
            low = _masked(low, function.words)
    unsupported = UNSUPPORTED.search(low) is not None
    low = _masked(low, UNSUPPORTED)
    for function in FUNCTIONS[4:]:
        if function.words.search(low):
            found.append(function)
            low = _masked(low, function.words)
    return tuple(found), unsupported
