"""The seam between the pipeline and the skills.

A skill never touches the bus. Given an intent and a read-only view of the car, it returns a
:class:`SkillPlan`: the signal writes it wants and how to phrase the outcome. The pipeline
passes every write through the policy, executes it through the vehicle layer, waits for the
ECU's confirmation, and only then uses the plan's ``done`` reply.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.catalogue import IntentMatch

SignalValue = float | int | bool | str
"""A value a VSS signal can take."""


@dataclass(frozen=True)
class SignalWrite:
    """One request to change one signal of the car."""

    signal: str
    """VSS path, e.g. ``Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature``."""
    value: SignalValue
    """Requested value in the signal's VSS unit."""


@dataclass(frozen=True)
class SkillPlan:
    """What a skill wants done for one intent, and how to say how it went."""

    writes: tuple[SignalWrite, ...] = ()
    """Signal writes, in order. Empty for queries and refusals."""
    done: str = ""
    """Reply once every write is confirmed (or at once when there are no writes)."""
    refusal: str | None = None
    """If set, the skill cannot do this: say it, write nothing."""
    memory: Mapping[str, Any] = field(default_factory=dict)
    """Facts to keep in the session for follow-ups (e.g. the last place found)."""


@dataclass(frozen=True)
class SkillContext:
    """What a skill may read while planning."""

    state: Mapping[str, SignalValue]
    """Snapshot of the car's confirmed state, by VSS path."""
    memory: Mapping[str, Any]
    """The session's memory: facts earlier turns left for follow-ups."""
    language: str = "en"
    """Language of the utterance (BCP 47 primary tag)."""


@dataclass(frozen=True)
class SkillInfo:
    """How a skill presents itself to HMI clients (``ListSkills``)."""

    name: str
    """Registry name, e.g. ``climate``."""
    description: str
    """One sentence for a person."""
    intents: tuple[str, ...]
    """The catalogue intents it handles."""


def slot_number(slots: Mapping[str, Any], name: str) -> float | None:
    """Slot ``name`` as a float: numbers and numeric strings; None for booleans, absence or junk."""
    value = slots.get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


class Skill(abc.ABC):
    """One skill. Subclasses fill :meth:`_plan`; the public :meth:`plan` guards the contract."""

    name: str = ""
    """Registry name; also the intent prefix it owns."""
    description: str = ""
    """One sentence for a person."""
    intents: tuple[str, ...] = ()
    """The catalogue intents it handles."""

    def info(self) -> SkillInfo:
        """Listing entry for HMI clients."""
        return SkillInfo(self.name, self.description, self.intents)

    def plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        """Plan the writes and replies for ``match``; the intent must be one this skill owns."""
        if match.intent not in self.intents:
            raise ValueError(f"skill {self.name!r} does not handle {match.intent!r}")
        return self._plan(match, context)

    @abc.abstractmethod
    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        """The skill's own logic."""

    def warm(self) -> None:
        """Load anything slow (indexes, data files) ahead of the first request; default: nothing."""
        return None

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """A short, speakable summary of the part of the car this skill owns (for the LLM prompt)."""
        return ""
