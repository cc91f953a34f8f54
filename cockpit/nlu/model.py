"""Sentence templates as data: the frozen dataclasses the YAML files are parsed into.

A template such as ``"set [the] {zone} temperature to {celsius}"`` becomes a :class:`Seq` of
nodes: :class:`Words` (literal, normalised), :class:`Group` (``(a|b)`` alternatives, or
``[a]`` optional), :class:`SlotRef` (``{list}`` or ``{list:slot}``) and :class:`RuleRef`
(``<rule>``, an expansion rule of the file). Slot lists say how captured words become values.
Nothing here matches text; see :mod:`cockpit.nlu.matcher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Words:
    """Literal words, already normalised."""

    text: str
    """Space-separated words, e.g. ``set the``."""


@dataclass(frozen=True)
class SlotRef:
    """``{list}`` or ``{list:slot}``: capture words with a slot list."""

    list_name: str
    """The slot list that reads the words."""
    slot: str
    """The intent slot the value goes to (defaults to the list name)."""


@dataclass(frozen=True)
class RuleRef:
    """``<name>``: an expansion rule of the file, spliced in where it is used."""

    name: str
    """Rule name."""


@dataclass(frozen=True)
class Seq:
    """Nodes one after another."""

    items: tuple[Node, ...] = ()
    """The nodes, in order."""


@dataclass(frozen=True)
class Group:
    """``(a|b|c)`` (one of) or ``[a|b]`` (one of, or nothing)."""

    alternatives: tuple[Seq, ...]
    """The choices."""
    optional: bool = False
    """True for ``[...]``: the group may match nothing."""


Node = Words | SlotRef | RuleRef | Group
"""One element of a template."""


@dataclass(frozen=True)
class Template:
    """One sentence template, parsed."""

    text: str
    """The template as written in the file."""
    body: Seq
    """Its parse."""


@dataclass(frozen=True)
class ValueList:
    """A closed list: phrases (template syntax without slots) mapped to values."""

    name: str
    """List name."""
    values: tuple[tuple[Seq, Any], ...]
    """(phrase, value) pairs; the phrase may hold alternatives and optional words."""


@dataclass(frozen=True)
class RangeList:
    """Numbers in ``[low, high]``, spoken as words or digits, with an optional unit."""

    name: str
    """List name."""
    low: float
    """Smallest accepted value (after unit conversion)."""
    high: float
    """Largest accepted value (after unit conversion)."""
    unit: str | None = None
    """``temperature`` (a reading: °F converted to °C), ``temperature_delta`` (a difference:
    °F scaled by 5/9), ``percent``, or None."""
    integer: bool = False
    """Whether fractional values are refused."""
    require_unit: bool = False
    """Whether the unit must be said ("22 degrees", not "22"): for templates where a bare number is ambiguous."""
    words: tuple[tuple[Seq, Any], ...] = ()
    """Extra phrases with fixed values (e.g. "max" -> 100)."""


@dataclass(frozen=True)
class WildcardList:
    """Free text (a destination, a media query): any words, minus excluded ones."""

    name: str
    """List name."""
    exclude: tuple[str, ...] = ()
    """Normalised words or phrases that may not occur in the captured text."""
    require: tuple[str, ...] = ()
    """If given, the captured text must contain one of these normalised words or phrases."""
    strip_prefixes: tuple[str, ...] = ()
    """Normalised phrases removed from the start of the captured text ("some", "me")."""
    strip_suffixes: tuple[str, ...] = ()
    """Normalised phrases removed from the end of the captured text ("music", "please")."""
    samples: tuple[str, ...] = ()
    """Typical values, for documentation and for tests that expand templates."""


SlotList = ValueList | RangeList | WildcardList
"""Any kind of slot list."""


@dataclass(frozen=True)
class TemplateGroup:
    """Sentences of one target that share fixed slot values and sign rules."""

    target: str
    """A catalogue intent name, or ``unsupported:<feature>``."""
    sentences: tuple[Template, ...]
    """The sentence templates."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """Fixed slot values; a captured value of the same slot wins (so they double as defaults)."""
    sign: Mapping[str, int] = field(default_factory=dict)
    """Slot -> +1/-1: the slot's value becomes sign * abs(value) ("cooler by two" -> -2)."""

    @property
    def is_unsupported(self) -> bool:
        """Whether the group describes something the car cannot do."""
        return self.target.startswith("unsupported:")


@dataclass(frozen=True)
class Fillers:
    """Words around a request that carry no meaning for it."""

    prefixes: tuple[str, ...] = ()
    """Wake words and courtesy at the start ("hey olly", "please", "can you")."""
    suffixes: tuple[str, ...] = ()
    """Courtesy at the end ("please", "thank you", "now")."""


@dataclass(frozen=True)
class TemplateFile:
    """One YAML template file, parsed and checked."""

    path: str
    """Where it came from (for error messages)."""
    language: str
    """BCP 47 primary language tag, e.g. ``en``."""
    groups: tuple[TemplateGroup, ...]
    """Template groups in file order (earlier wins ties)."""
    lists: Mapping[str, SlotList]
    """Slot lists visible to this file's templates (its own plus the common ones)."""
    rules: Mapping[str, Seq]
    """Expansion rules visible to this file's templates."""
    fillers: Fillers = Fillers()
    """Fillers this file declares (merged over all files by the recogniser)."""
