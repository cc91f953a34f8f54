"""Template matching: compile templates once, then match text against them (pure functions).

:func:`compile_templates` turns parsed template files into anchored regular expressions over
normalised text (every word carries its leading space, so optional parts need no space
bookkeeping) and indexes them by the words they can start with. :func:`match` normalises an
utterance, drops filler words, tries the templates that can start with its first word, reads the
captured slot values, and keeps the best match:

1. fewest words captured by wildcards (a template that spells out "play chess" beats "play {query}");
2. then the earlier template (file order, then order inside the file).

Slot values are normalised here: numbers parsed from words or digits, Fahrenheit converted to
Celsius (only when the unit is said: a bare "95 degrees" stays 95), ranges checked, wildcard text
trimmed of filler words and refused when it holds an excluded word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cockpit.errors import IntentError
from cockpit.nlu.expand import expand_phrase
from cockpit.nlu.model import (
    Fillers,
    Group,
    RangeList,
    Seq,
    SlotList,
    SlotRef,
    Template,
    TemplateFile,
    TemplateGroup,
    ValueList,
    WildcardList,
    Words,
)
from cockpit.nlu.normalize import normalize, strip_fillers
from cockpit.nlu.numbers import NUMBER_WORDS, Number, parse_number, tidy

DIGIT_KEY = "#digit"
"""Index key for templates that may start with a number written in digits."""
_SIGNS = ("minus", "negative", "plus")
_CONNECTORS = ("and", "a", "of", "couple")
_NUMBER_TOKEN = r"(?:\d+(?:\.\d+)?|{words})".format(
    words="|".join(sorted(NUMBER_WORDS - set(_SIGNS) - set(_CONNECTORS), key=len, reverse=True))
)
# "a" only before a scale or "half"/"couple"; "and"/"a" only between number words; so "turn it
# up a little" leaves "a little" to the template instead of reading "a" as a broken number.
_A_BEFORE_SCALE = r"(?: a(?= (?:hundred|thousand|million|half)\b))?"
_NUMBER = (
    r"(?: (?:minus|negative|plus))?"
    rf"(?:(?: a)? couple(?: of)?|{_A_BEFORE_SCALE} {_NUMBER_TOKEN}(?:(?: and| a)* {_NUMBER_TOKEN})*)"
)
_TEMP_UNITS = r" degrees?(?: celsius| centigrade| fahrenheit| c| f)?| celsius| centigrade| fahrenheit| c| f"
_PERCENT_UNITS = r" percent| per cent"


@dataclass(frozen=True)
class Capture:
    """How one regex group becomes one slot value."""

    group: str
    """Regex group name of the spoken number, phrase or free text."""
    slot: str
    """Intent slot it fills."""
    slot_list: SlotList
    """The list that reads it."""
    phrases: Mapping[str, Any] = field(default_factory=dict)
    """Normalised phrase -> value (value lists, and the word values of ranges)."""


@dataclass(frozen=True)
class CompiledTemplate:
    """One template, ready to match."""

    group: TemplateGroup
    """The group it belongs to (target, fixed slots, signs)."""
    template: Template
    """The template itself."""
    source: str
    """``file: template`` for diagnostics."""
    order: int
    """Position over all files; lower wins ties."""
    pattern: re.Pattern[str]
    """Anchored regex over ``" " + normalised text``."""
    captures: tuple[Capture, ...]
    """Its slot groups."""


@dataclass(frozen=True)
class CompiledTemplates:
    """Every template of one language, compiled and indexed by first word."""

    templates: tuple[CompiledTemplate, ...]
    """All templates, in priority order."""
    index: Mapping[str, tuple[int, ...]]
    """First word (or :data:`DIGIT_KEY`) -> indices of templates that can start with it."""
    anywhere: tuple[int, ...]
    """Indices of templates that can start with any word (a leading wildcard)."""
    fillers: Fillers
    """Filler words dropped before matching."""


@dataclass(frozen=True)
class TemplateHit:
    """The best template match for one utterance."""

    target: str
    """Catalogue intent name, or ``unsupported:<feature>``."""
    slots: Mapping[str, Any]
    """Normalised slot values."""
    confidence: float
    """1.0 for a match of fixed words and lists; 0.9 when a wildcard took some words."""
    text: str
    """The normalised utterance (fillers dropped) that matched."""
    source: str
    """The template that matched, as ``file: template``."""


def compile_templates(files: Sequence[TemplateFile]) -> CompiledTemplates:
    """Compile the templates of ``files`` (all of one language), keeping their order."""
    compiled: list[CompiledTemplate] = []
    index: dict[str, list[int]] = {}
    anywhere: list[int] = []
    prefixes: list[str] = []
    suffixes: list[str] = []
    for file in files:
        prefixes += file.fillers.prefixes
        suffixes += file.fillers.suffixes
        for group in file.groups:
            for template in group.sentences:
                builder = _Builder(file.lists)
                regex = builder.seq(template.body)
                position = len(compiled)
                compiled.append(
                    CompiledTemplate(
                        group,
                        template,
                        f"{file.path}: {template.text}",
                        position,
                        re.compile(regex),
                        tuple(builder.captures),
                    )
                )
                firsts, _nullable, any_word = _first_words(template.body, file.lists)
                if any_word:
                    anywhere.append(position)
                for word in firsts:
                    index.setdefault(word, []).append(position)
    return CompiledTemplates(
        tuple(compiled),
        MappingProxyType({k: tuple(v) for k, v in index.items()}),
        tuple(anywhere),
        Fillers(tuple(dict.fromkeys(prefixes)), tuple(dict.fromkeys(suffixes))),
    )


def match(text: str, compiled: CompiledTemplates) -> TemplateHit | None:
    """The best match of ``text`` among ``compiled``, or None."""
    core = strip_fillers(normalize(text), compiled.fillers.prefixes, compiled.fillers.suffixes)
    if not core:
        return None
    first = core.split(" ", 1)[0]
    candidates = set(compiled.index.get(first, ())) | set(compiled.anywhere)
    if first[0].isdigit():
        candidates |= set(compiled.index.get(DIGIT_KEY, ()))
    padded = " " + core
    best: tuple[tuple[int, int], CompiledTemplate, dict[str, Any]] | None = None
    for position in sorted(candidates):
        template = compiled.templates[position]
        found = template.pattern.fullmatch(padded)
        if found is None:
            continue
        read = _read_slots(found, template)
        if read is None:
            continue
        slots, wild = read
        score = (wild, position)
        if best is None or score < best[0]:
            best = (score, template, slots)
        if wild == 0:
            break  # candidates are in priority order: nothing later can beat an exact match
    if best is None:
        return None
    (wild, _), template, slots = best
    return TemplateHit(template.group.target, slots, 1.0 if wild == 0 else 0.9, core, template.source)


def _read_slots(found: re.Match[str], template: CompiledTemplate) -> tuple[dict[str, Any], int] | None:
    """Slot values from a regex match (fixed values, then captures, then signs) and wildcard size."""
    slots: dict[str, Any] = dict(template.group.slots)
    wild = 0
    for capture in template.captures:
        lst = capture.slot_list
        if isinstance(lst, RangeList) and capture.phrases and found.group(capture.group + "w") is not None:
            slots[capture.slot] = capture.phrases[found.group(capture.group + "w").strip()]
            continue
        raw = found.group(capture.group)
        if raw is None:
            continue
        raw = raw.strip()
        if isinstance(lst, ValueList):
            slots[capture.slot] = capture.phrases[raw]
        elif isinstance(lst, WildcardList):
            value = _wildcard_value(raw, lst)
            if value is None:
                return None
            slots[capture.slot] = value
            wild += len(raw.split())
        else:
            unit = found.group(capture.group + "u") if lst.unit else None
            number = _number_value(raw, unit, lst)
            if number is None:
                return None
            slots[capture.slot] = number
    for slot, sign in template.group.sign.items():
        if isinstance(slots.get(slot), int | float):
            slots[slot] = tidy(sign * abs(slots[slot]))
    return {k: v for k, v in slots.items() if not k.startswith("_")}, wild


def _wildcard_value(raw: str, lst: WildcardList) -> str | None:
    value = strip_fillers(raw, lst.strip_prefixes, lst.strip_suffixes)
    padded = f" {value} "
    if not value or any(f" {phrase} " in padded for phrase in lst.exclude):
        return None
    if lst.require and not any(f" {phrase} " in f" {raw} " for phrase in lst.require):
        return None
    return value


def _number_value(raw: str, unit: str | None, lst: RangeList) -> Number | None:
    number = parse_number(raw)
    if number is None:
        return None
    value = float(number)
    fahrenheit = unit is not None and unit.strip().split()[-1] in ("fahrenheit", "f")
    if fahrenheit and lst.unit == "temperature":
        value = round((value - 32.0) * 5.0 / 9.0, 1)
    elif fahrenheit and lst.unit == "temperature_delta":
        value = round(value * 5.0 / 9.0, 1)
    if not lst.low <= value <= lst.high or (lst.integer and not value.is_integer()):
        return None
    return tidy(value)


class _Builder:
    """Builds one template's regex and records its captures."""

    def __init__(self, lists: Mapping[str, SlotList]) -> None:
        self.lists = lists
        self.captures: list[Capture] = []

    def seq(self, seq: Seq) -> str:
        parts: list[str] = []
        for item in seq.items:
            if isinstance(item, Words):
                parts.append(re.escape(" " + item.text))
            elif isinstance(item, Group):
                # Richer alternatives first: the regex takes the first alternative that leads to a
                # match, and "shuffle and play" must be tried before "shuffle" leaves "and play"
                # to a wildcard.
                ordered = sorted(item.alternatives, key=_literal_weight, reverse=True)
                body = "|".join(self.seq(alt) for alt in ordered)
                parts.append(f"(?:{body})" + ("?" if item.optional else ""))
            elif isinstance(item, SlotRef):
                parts.append(self.slot(item))
        return "".join(parts)

    def slot(self, ref: SlotRef) -> str:
        lst = self.lists[ref.list_name]
        name = f"g{len(self.captures)}"
        if isinstance(lst, WildcardList):
            self.captures.append(Capture(name, ref.slot, lst))
            return rf"(?P<{name}>(?: \S+)+?)"
        phrases = _phrase_values(lst.values if isinstance(lst, ValueList) else lst.words)
        self.captures.append(Capture(name, ref.slot, lst, MappingProxyType(phrases)))
        alternation = "|".join(re.escape(" " + p) for p in sorted(phrases, key=len, reverse=True))
        if isinstance(lst, ValueList):
            return f"(?P<{name}>{alternation})"
        units = {"temperature": _TEMP_UNITS, "temperature_delta": _TEMP_UNITS, "percent": _PERCENT_UNITS}
        unit = f"(?P<{name}u>{units[lst.unit]})" + ("" if lst.require_unit else "?") if lst.unit else ""
        number = f"(?P<{name}>{_NUMBER}){unit}"
        return f"(?:(?P<{name}w>{alternation})|{number})" if phrases else number


def _literal_weight(seq: Seq) -> int:
    """How many literal words ``seq`` can spell at most (for ordering alternatives)."""
    weight = 0
    for item in seq.items:
        if isinstance(item, Words):
            weight += len(item.text.split())
        elif isinstance(item, Group):
            weight += max(_literal_weight(alt) for alt in item.alternatives)
    return weight


def _phrase_values(pairs: Sequence[tuple[Seq, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for phrase, value in pairs:
        for text in expand_phrase(phrase):
            if not text:
                raise IntentError("template-invalid", f"a list phrase for {value!r} can be empty")
            if out.get(text, value) != value:
                raise IntentError("template-invalid", f"list phrase {text!r} has two values: {out[text]!r}, {value!r}")
            out[text] = value
    return out


def _first_words(seq: Seq, lists: Mapping[str, SlotList]) -> tuple[set[str], bool, bool]:
    """(words the sequence can start with, whether it can be empty, whether it can start with anything)."""
    firsts: set[str] = set()
    for item in seq.items:
        if isinstance(item, Words):
            return firsts | {item.text.split()[0]}, False, False
        if isinstance(item, Group):
            nullable, any_word = item.optional, False
            for alt in item.alternatives:
                alt_firsts, alt_nullable, alt_any = _first_words(alt, lists)
                firsts |= alt_firsts
                nullable, any_word = nullable or alt_nullable, any_word or alt_any
            if any_word:
                return firsts, False, True
            if not nullable:
                return firsts, False, False
        elif isinstance(item, SlotRef):
            lst = lists[item.list_name]
            if isinstance(lst, WildcardList):
                return firsts, False, True
            pairs = lst.values if isinstance(lst, ValueList) else lst.words
            firsts |= {text.split()[0] for text in _phrase_values(pairs) if text}
            if isinstance(lst, RangeList):
                firsts |= set(NUMBER_WORDS) | {DIGIT_KEY}
            return firsts, False, False
    return firsts, True, False
