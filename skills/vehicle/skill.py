"""The vehicle skill: undo.

"Undo" (or "put it back") writes the signals the session's last confirmed action changed back to
the values the car confirmed before it (:mod:`cockpit.followups` keeps them), through the same
policy, CAN frames and ECU confirmation as any command. Undo twice and the change is back.
"""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.followups import undo_plan
from cockpit.skill_api import Skill, SkillContext, SkillPlan

EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {"vehicle.undo": ("undo", "put it back", "undo that")},
    "ko": {"vehicle.undo": ("되돌려 줘", "원래대로 해 줘")},
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


class VehicleSkill(Skill):
    """Undoes the last confirmed action of the session."""

    name = "vehicle"
    description = "Puts back what the last change did (undo)."
    intents = tuple(name for name in CATALOGUE if name.startswith("vehicle."))
    examples = EXAMPLES

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return undo_plan(context.memory)
