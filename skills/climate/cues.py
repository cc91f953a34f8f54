"""When the language model may change the climate: remarks about feeling cold or hot, a fogged screen.

The climate skill declares these (:attr:`cockpit.skill_api.Skill.tool_cues`); the tool gate offers
the call, with the direction and size the driver's words fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cockpit.llm.cues import feeling, magnitudes, zone
from cockpit.llm.tools import ToolOption
from cockpit.skill_api import ToolCue

COLD = r"(?:cold|chilly|freezing|frozen|icy|shivering|frosty|freezin)"
HOT = r"(?:hot|warm|boiling|roasting|sweltering|baking|sweating|sweaty|stuffy|burning\s+up|melting)"
ADJUST = "climate.adjust_temperature"
DEFROST = "climate.set_defrost"


def _temperature(sign: int) -> Callable[[str], ToolOption]:
    def option(text: str) -> ToolOption:
        sizes = magnitudes(text, (1,), (1, 2), (2, 3))
        whose = zone(text)  # None: the speaker's own seat, which the skill knows
        seat = {"zone": (whose,)} if whose else {}
        return ToolOption(ADJUST, {"delta_celsius": tuple(sign * s for s in sizes), **seat})

    return option


def _defrost(text: str) -> ToolOption:
    window = "rear" if re.search(r"\b(?:rear|back)\b", text) else "front"
    return ToolOption(DEFROST, {"window": (window,), "on": (True,)})


CUES: tuple[ToolCue, ...] = (
    ToolCue("too-cold", ADJUST, feeling(COLD), _temperature(+1)),
    ToolCue(
        "too-cold",
        ADJUST,
        re.compile(r"\b(?:warm|heat)\s+(?:me|us|it|things|the\s+car|the\s+cabin)\s+up\b", re.I),
        _temperature(+1),
    ),
    ToolCue("too-hot", ADJUST, feeling(HOT), _temperature(-1)),
    ToolCue(
        "too-hot",
        ADJUST,
        re.compile(r"\bcool\s+(?:me|us|it|things|the\s+car|the\s+cabin)\s+down\b", re.I),
        _temperature(-1),
    ),
    ToolCue(
        "fogged-up",
        DEFROST,
        re.compile(
            r"\b(?:windscreen|windshield|front\s+glass|rear\s+glass|back\s+glass)\s+(?:is\s+|'s\s+)?(?:all\s+)?"
            r"(?:fogged|fogging|foggy|misted|misting|steamed|steaming|frosted|iced)(?:\s+up)?\b|"
            r"\bcan'?t\s+see\s+(?:out|through)\s+(?:of\s+)?the\s+(?:windscreen|windshield)\b",
            re.I,
        ),
        _defrost,
        allow_negation=True,
    ),
)
"""The climate remarks the gate recognises, in priority order."""
