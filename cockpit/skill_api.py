"""The seam between the pipeline and the skills.

A skill never touches the bus. Given an intent and a read-only view of the car, it returns a
:class:`SkillPlan`: the signal writes it wants and how to phrase the outcome. The pipeline
passes every write through the policy, executes it through the vehicle layer, waits for the
ECU's confirmation, and only then uses the plan's ``done`` reply.

A skill also declares everything else cockpit needs of it (its intents, templates, grammar
vocabularies, tool cues, car facts and replies); :mod:`cockpit.skill_registry` collects them.
"""

from __future__ import annotations

import abc
import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch, IntentSpec, SlotSpec

# The signal value types belong to the vehicle contract (the vehicle layer and the bench use them
# too); skills have always imported them from here, so they stay importable from here.
from vehicle_contract.vss import SignalValue, SignalWrite

if TYPE_CHECKING:
    from cockpit.llm.tools import ToolOption
    from cockpit.phrasebook import Phrasebook

TEMPLATES_FILE = "templates.yaml"
"""A skill's sentence templates in English, beside its module; translations are ``templates.<lang>.yaml``."""
MAX_FACT_CHARS = 60
"""Longest piece of outside text (a title, a destination) a state summary quotes."""


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
    slots: Mapping[str, Any] | None = None
    """The slots as the skill understood them, when that differs from what was recognised: a bare
    "70" read as Fahrenheit is ``celsius`` 21.0, "the left seat" in a right-hand-drive car is zone
    ``passenger``. The turn's ``intent`` event shows these, so it matches what the car is asked to
    do. None: the recognised slots."""
    choices: Mapping[str, IntentMatch] = field(default_factory=dict)
    """A question instead of an action: ``done`` asks it ("Springfield in Illinois, Missouri or
    Massachusetts?") and each key is an answer (lower case words, "illinois") mapped to the command
    it means. The session keeps the question open like a read-back; the answer runs that command
    through the policy as if it had been said. Nothing is written for the question itself."""


@dataclass(frozen=True)
class SkillContext:
    """What a skill may read while planning."""

    state: Mapping[str, SignalValue]
    """Snapshot of the car's confirmed state, by VSS path."""
    memory: Mapping[str, Any]
    """The session's memory: facts earlier turns left for follow-ups."""
    language: str = "en"
    """Language of the utterance (BCP 47 primary tag)."""
    speaker: str = "driver"
    """The speaker's seat (``driver``, ``passenger``, ``rear-left``, ``rear-right``): what "my"
    and a zone, seat or window the driver did not name mean."""
    units: str = "metric"
    """The driver's units (``metric`` or ``imperial``): replies, distances and speeds use them, and a
    bare temperature ("set it to 70") is read in them (Fahrenheit when imperial)."""
    drive_side: str = "left"
    """Where the steering wheel is (``left`` or ``right``): which seats "left" and "right" name."""


@dataclass(frozen=True)
class SlotInfo:
    """One slot of an intent as an HMI offers it: its type and what values the car carries out."""

    name: str
    """Slot name as intent events spell it, e.g. ``celsius``."""
    kind: str
    """``number``, ``integer``, ``boolean``, ``text`` or ``enum`` (the catalogue's kinds)."""
    required: bool = True
    """Whether the intent needs it."""
    minimum: float | None = None
    """Lowest value the car carries out (numeric slots); None when unbounded."""
    maximum: float | None = None
    """Highest value the car carries out (numeric slots); None when unbounded."""
    step: float | None = None
    """Resolution the car takes (numeric slots); None for any value."""
    unit: str = ""
    """VSS unit of a numeric slot (``celsius``, ``percent``), empty when it has none."""
    choices: tuple[str, ...] = ()
    """Allowed values of an ``enum`` slot."""
    description: str = ""
    """What the slot means, for a person."""


@dataclass(frozen=True)
class ExamplePhrase:
    """Words that reach an intent, in one language."""

    text: str
    """What a user says or types, e.g. ``set the temperature to 21 degrees``."""
    language: str = "en"
    """BCP 47 primary tag of the words."""


@dataclass(frozen=True)
class IntentInfo:
    """One intent as an HMI offers it: what it does, its slots and phrases that reach it."""

    name: str
    """Catalogue name, e.g. ``climate.set_temperature``."""
    description: str
    """What the intent does, in one sentence."""
    slots: tuple[SlotInfo, ...] = ()
    """Its slots, in catalogue order."""
    examples: tuple[ExamplePhrase, ...] = ()
    """Phrases the templates understand as this intent."""
    actuates: bool = True
    """Whether carrying it out writes to the car."""


@dataclass(frozen=True)
class SkillInfo:
    """How a skill presents itself to HMI clients (``ListSkills``)."""

    name: str
    """Registry name, e.g. ``climate``."""
    description: str
    """One sentence for a person."""
    intents: tuple[str, ...]
    """The catalogue intents it handles."""
    intent_details: tuple[IntentInfo, ...] = ()
    """The same intents, in the same order, with slots and example phrases."""


def slot_info(slot: SlotSpec, signal: vss.SignalSpec | None = None) -> SlotInfo:
    """The HMI view of a catalogue slot. ``signal`` is the VSS signal the slot sets, if any: its
    range, step and unit are what the car carries out, narrower than the catalogue's schema bound
    (a temperature slot parses -50..100 so that "95 degrees" gets a spoken refusal; the car takes 16..30)."""
    minimum, maximum, step, unit = slot.minimum, slot.maximum, None, ""
    if signal is not None:
        minimum, maximum, step, unit = signal.minimum, signal.maximum, signal.step, signal.unit
    elif slot.kind == "integer":
        step = 1.0
    return SlotInfo(slot.name, slot.kind, slot.required, minimum, maximum, step, unit, slot.choices, slot.description)


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


@dataclass(frozen=True)
class ToolCue:
    """A kind of remark under which the language model's tool gate may offer one of a skill's intents.

    The gate (:mod:`cockpit.llm.gate`) first turns itself off for anything but a short, plain,
    first-person remark (questions, numbers, negations, injections...); only then are the cues of
    the registered skills tried, in registry order.
    """

    name: str
    """Short name, reported as the gate's reason (``too-cold``)."""
    intent: str
    """The intent the cue offers (every option it builds is a call of it)."""
    pattern: re.Pattern[str]
    """Matches the remark in the driver's words (lower case, pauses removed)."""
    options: Callable[[str], ToolOption]
    """The call offered, with the values each argument may take, given the utterance."""
    allow_negation: bool = False
    """Whether negation words may be part of the remark itself ("I can't see out"); they are
    still refused anywhere else in the utterance."""
    topical: bool = True
    """Whether words about other things (doors, songs, the weather...) turn the cue off."""


def finite_number(value: object) -> float | None:
    """``value`` as a float when it is a finite number; None for a bool, text, NaN, infinity or None.

    The one guard for numbers from the car's state, slots and tool arguments: a bool is an int
    in Python, and NaN compares false with every bound."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def fact_number(state: Mapping[str, SignalValue], signal: str) -> float | None:
    """A finite number from the car's state for a summary; None when unknown or not a number."""
    return finite_number(state.get(signal))


def fact_quote(value: SignalValue) -> str:
    """Outside text (a title, a place) quoted for the prompt: no ChatML markers, one line, cut short."""
    from cockpit.llm.prompt import clean_untrusted  # the prompt owns what may reach the model

    return '"' + clean_untrusted(str(value), MAX_FACT_CHARS).replace('"', "'") + '"'


class Skill(abc.ABC):
    """One skill. Subclasses fill :meth:`_plan`; the public :meth:`plan` guards the contract."""

    name: str = ""
    """Registry name; also the intent prefix it owns."""
    description: str = ""
    """One sentence for a person."""
    intents: tuple[str, ...] = ()
    """The catalogue intents it handles."""
    examples: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType({})
    """Example phrases by language, then by intent: ``{"en": {"media.pause": ("pause the music",)}}``.
    Shown to HMI users, so each must be one the skill's templates understand (tests check)."""
    slot_signals: Mapping[tuple[str, str], str] = MappingProxyType({})
    """``(intent, slot)`` to the VSS path the slot sets, so a listing shows the car's own range."""

    # What the skill declares, and the skill registry collects (cockpit.skill_registry.capabilities):
    # NLU, the speech grammar, the prompt and the tool gate read only from there.
    intent_specs: tuple[IntentSpec, ...] = ()
    """Intents this skill adds to the catalogue (a skill outside cockpit names its own here; the
    built-in ones are already in :data:`cockpit.catalogue.CATALOGUE`)."""
    tool_cues: tuple[ToolCue, ...] = ()
    """Remarks under which the language model may call one of this skill's intents, in priority order."""
    replies: Phrasebook | None = None
    """The skill's reply sentences by language, when it keeps them in a phrasebook."""
    summary_order: int = 100
    """Where the skill's part of the prompt's car facts goes: lower comes first."""

    def info(self) -> SkillInfo:
        """Listing entry for HMI clients: the intents with their slots and example phrases."""
        details = tuple(self._intent_info(name) for name in self.intents)
        return SkillInfo(self.name, self.description, self.intents, details)

    def _intent_info(self, name: str) -> IntentInfo:
        examples = tuple(
            ExamplePhrase(text, language)
            for language, by_intent in self.examples.items()
            for text in by_intent.get(name, ())
        )
        spec = next((s for s in self.intent_specs if s.name == name), None) or CATALOGUE.get(name)
        if spec is None:  # an intent nobody describes: nothing more is known of it
            return IntentInfo(name, "", (), examples)
        slots = tuple(
            slot_info(slot, vss.SIGNALS.get(self.slot_signals.get((name, slot.name), ""))) for slot in spec.slots
        )
        return IntentInfo(name, spec.description, slots, examples, spec.actuates)

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
        """A short, speakable summary of the part of the car this skill owns."""
        return ""

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """This skill's part of the car facts in the language model's prompt (empty: nothing to say).

        ``memory`` is the session's memory. Default: :meth:`describe_state`. Quote outside text
        with :func:`fact_quote`: it is data, never instructions."""
        return self.describe_state(state)

    def template_paths(self) -> tuple[Path, ...]:
        """The skill's sentence templates, every language: by default ``templates.yaml`` beside the
        module that defines the skill's class, then its translations (``templates.ko.yaml``, ...)."""
        english = Path(inspect.getfile(type(self))).resolve().parent / TEMPLATES_FILE
        if not english.is_file():
            return ()
        return (english, *sorted(english.parent.glob(f"{english.stem}.*{english.suffix}")))

    def vocabulary(self, language: str) -> Mapping[str, Sequence[str]]:
        """Values the speech grammar adds to the skill's wildcard lists in ``language``, by list name
        (cities for ``destination``): the commonest requests then decode in grammar mode. Default: none."""
        return {}
