"""An outside skill: cabin scenes. "Make it cosy" warms the driver's side, heats the seat and puts
on a quiet station, through signals the car already has.

It lives outside ``skills/`` and outside cockpit, and is installed by its ``cockpit.skills``
entry point (``tests/test_outside_skill.py``). Everything cockpit knows of it, the skill declares
here: its intent, templates (``templates.yaml`` beside this file), a tool cue, its reply texts and
its part of the car facts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cockpit import vss
from cockpit.catalogue import IntentMatch, IntentSpec, SlotSpec
from cockpit.llm.tools import ToolOption
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, ToolCue

APPLY = "scenes.apply"
COSY_TEMPERATURE = 23.0
"""Driver set point of the cosy scene (°C)."""
COSY_SEAT_HEATING = 67
"""Driver seat heating of the cosy scene: level 2 as the VSS ``HeatingCooling`` percentage."""
COSY_STATION = "media:station:9"
"""Chill Radio, from the car's media library."""
COSY_VOLUME = 15
"""A quiet volume (percent)."""
COSY: tuple[SignalWrite, ...] = (
    SignalWrite(vss.DRIVER_TEMPERATURE, COSY_TEMPERATURE),
    SignalWrite(vss.DRIVER_SEAT_HEATING, COSY_SEAT_HEATING),
    SignalWrite(vss.MEDIA_VOLUME, COSY_VOLUME),
    SignalWrite(vss.MEDIA_SELECTED_URI, COSY_STATION),
    SignalWrite(vss.MEDIA_ACTION, "PLAY"),
)

PHRASES = Phrasebook(
    {
        "en": {
            "cosy": "Making it cosy: {degrees} degrees, a warm seat and some quiet radio.",
            "cosy_on": "Cosy scene on.",
        }
    }
)


def _offer(text: str) -> ToolOption:
    return ToolOption(APPLY, {"scene": ("cosy",)})


class ScenesSkill(Skill):
    """Cabin scenes: several settings at once."""

    name = "scenes"
    description = "Sets a cabin scene: temperature, seat heating and music together."
    intents = (APPLY,)
    intent_specs = (
        IntentSpec(
            APPLY,
            "Set a cabin scene: temperature, seat heating and quiet music together.",
            (SlotSpec("scene", "enum", choices=("cosy",), description="which scene"),),
        ),
    )
    examples: Mapping[str, Mapping[str, tuple[str, ...]]] = {"en": {APPLY: ("make it cosy",)}}
    tool_cues = (
        ToolCue(
            "wind-down",
            APPLY,
            re.compile(r"^(?:i\s+want\s+to|i'?d\s+like\s+to|let'?s)\s+(?:relax|unwind|wind\s+down)$", re.I),
            _offer,
            topical=False,
        ),
    )
    replies = PHRASES

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return SkillPlan(COSY, done=PHRASES.say(context.language, "cosy", degrees=f"{COSY_TEMPERATURE:g}"))

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """ "Cosy scene on." while the car reports what the scene set."""
        confirmed = {w.signal: w.value for w in COSY[:3]} | {vss.MEDIA_PLAYED_URI: COSY_STATION}
        cosy = all(state.get(signal) == value for signal, value in confirmed.items())
        return PHRASES.say("en", "cosy_on") if cosy else ""

    def vocabulary(self, language: str) -> Mapping[str, Sequence[str]]:
        """No wildcard lists: the scene names are fixed words in the templates."""
        return {}
