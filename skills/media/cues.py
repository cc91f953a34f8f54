"""When the language model may change the volume: "it's too loud", "the music is too quiet".

The media skill declares these (:attr:`cockpit.skill_api.Skill.tool_cues`). They are whole-remark
patterns, so words about songs and radio do not turn them off.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cockpit.llm.cues import magnitudes
from cockpit.llm.tools import ToolOption
from cockpit.skill_api import ToolCue

SOUND = r"(?:it'?s|this\s+is|that'?s|(?:the\s+)?(?:music|radio|sound|volume)(?:'s|\s+is))"
ADJUST = "media.adjust_volume"


def _volume(sign: int) -> Callable[[str], ToolOption]:
    def option(text: str) -> ToolOption:
        sizes = magnitudes(text, (10,), (10, 20), (20, 30))
        return ToolOption(ADJUST, {"delta_percent": tuple(sign * s for s in sizes)})

    return option


CUES: tuple[ToolCue, ...] = (
    ToolCue(
        "too-loud",
        ADJUST,
        re.compile(rf"^(?:oh\s+)?{SOUND}\s+(?:way\s+|far\s+|much\s+)?too\s+loud$", re.I),
        _volume(-1),
        topical=False,
    ),
    ToolCue(
        "too-quiet",
        ADJUST,
        re.compile(rf"^(?:oh\s+)?{SOUND}\s+(?:way\s+|far\s+|much\s+)?too\s+(?:quiet|soft)$", re.I),
        _volume(+1),
        topical=False,
    ),
)
"""The volume remarks the gate recognises, in priority order."""
