"""A minimal :class:`~cockpit.skill_api.Skill`: one slot of an intent to one signal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cockpit.catalogue import IntentMatch
from cockpit.skill_api import SignalWrite, Skill, SkillContext, SkillPlan


class SlotToSignalSkill(Skill):
    """A skill that writes one slot of an intent to one signal; ``boom`` intents raise."""

    def __init__(self, name: str, routes: Mapping[str, tuple[str, str]], boom: Sequence[str] = ()) -> None:
        self.name = name
        self.description = f"fake {name}"
        self.routes = dict(routes)
        """Intent -> (signal, slot)."""
        self.boom = tuple(boom)
        self.intents = tuple(self.routes) + self.boom

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        if match.intent in self.boom:
            raise RuntimeError("boom")
        signal, slot = self.routes[match.intent]
        return SkillPlan((SignalWrite(signal, match.slots[slot]),), done="Done.")
