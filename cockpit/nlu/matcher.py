"""Template matching: compile templates once, then match text against them (pure functions).

:func:`compile_templates` turns parsed template files into anchored regular expressions over
normalised text (every word carries its leading space, so optional parts need no space
bookkeeping) and indexes them by the words they can start with. :func:`match` normalises an
utterance, drops filler words, tries the templates that can start with its first word, reads the
captured slot values, and keeps the best match:

1. fewest words captured by wildcards (a template that spells out "play chess" beats "play {query}");
2. then the earlier template (file order, then order inside the file).

Language-specific matters (Korean spacing is free; Korean numbers and units) come from
:mod:`cockpit.nlu.language`: the files' language picks the rules.

Slot values are normalised here: numbers parsed from words or digits, Fahrenheit converted to
Celsius (only when the unit is said: a bare "95 degrees" stays 95), ranges checked, wildcard text
trimmed of filler words and refused when it holds an excluded word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cockpit.errors import IntentError
from cockpit.nlu.expand import expand_phrase
from cockpit.nlu.language import ENGLISH, LanguageRules, language_rules
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
from cockpit.nlu.numbers import Number, tidy

DIGIT_KEY = "#digit"
"""Index key for templates that may start with a number written in digits."""


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
    """Normalised phrase -> value (value lists, and the word values of ranges); keyed by
    :meth:`~cockpit.nlu.language.LanguageRules.key` (without spaces where spacing is free)."""


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
    regex: str
    """Anchored regex over ``" " + normalised text``, as source."""
    captures: tuple[Capture, ...]
    """Its slot groups."""

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """:attr:`regex`, compiled on first use: an utterance is only tried against the few
        templates its first word can start, and compiling all of them costs seconds at start."""
        return re.compile(self.regex)


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
    rules: LanguageRules = ENGLISH
    """How the language is matched (spacing, numbers, units)."""


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
    rules = language_rules(files[0].language) if files else ENGLISH
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
                builder = _Builder(file.lists, rules)
                regex = builder.seq(template.body)
                position = len(compiled)
                compiled.append(
                    CompiledTemplate(
                        group,
                        template,
                        f"{file.path}: {template.text}",
                        position,
                        regex,
                        tuple(builder.captures),
                    )
                )
                firsts, _nullable, any_word = _first_words(template.body, file.lists, rules)
                if any_word:
                    anywhere.append(position)
                for key in dict.fromkeys(w if w == DIGIT_KEY else rules.index_key(w) for w in firsts):
                    index.setdefault(key, []).append(position)
    return CompiledTemplates(
        tuple(compiled),
        MappingProxyType({k: tuple(v) for k, v in index.items()}),
        tuple(anywhere),
        Fillers(tuple(dict.fromkeys(prefixes)), tuple(dict.fromkeys(suffixes))),
        rules,
    )


def match(text: str, compiled: CompiledTemplates) -> TemplateHit | None:
    """The best match of ``text`` among ``compiled``, or None."""
    core = strip_fillers(normalize(text), compiled.fillers.prefixes, compiled.fillers.suffixes)
    if not core:
        return None
    first = compiled.rules.index_key(core)
    candidates = set(compiled.index.get(first, ())) | set(compiled.anywhere)
    if core[0].isdigit():
        candidates |= set(compiled.index.get(DIGIT_KEY, ()))
    padded = " " + core
    best: tuple[tuple[int, int], CompiledTemplate, dict[str, Any]] | None = None
    for position in sorted(candidates):
        template = compiled.templates[position]
        found = template.pattern.fullmatch(padded)
        if found is None:
            continue
        read = _read_slots(found, template, compiled.rules)
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


def _read_slots(
    found: re.Match[str], template: CompiledTemplate, rules: LanguageRules = ENGLISH
) -> tuple[dict[str, Any], int] | None:
    """Slot values from a regex match (fixed values, then captures, then signs) and wildcard size."""
    slots: dict[str, Any] = dict(template.group.slots)
    wild = 0
    for capture in template.captures:
        lst = capture.slot_list
        if isinstance(lst, RangeList) and capture.phrases and found.group(capture.group + "w") is not None:
            slots[capture.slot] = capture.phrases[rules.key(found.group(capture.group + "w").strip())]
            continue
        raw = found.group(capture.group)
        if raw is None:
            continue
        raw = raw.strip()
        if isinstance(lst, ValueList):
            slots[capture.slot] = capture.phrases[rules.key(raw)]
        elif isinstance(lst, WildcardList):
            value = _wildcard_value(raw, lst, rules)
            if value is None:
                return None
            slots[capture.slot] = value
            wild += len(raw.split())
        else:
            groups = found.groupdict()
            unit = groups.get(capture.group + "u")
            prefix = groups.get(capture.group + "p")
            number = _number_value(raw, unit, prefix, lst, rules)
            if number is None:
                return None
            slots[capture.slot] = number
    for slot, sign in template.group.sign.items():
        if isinstance(slots.get(slot), int | float):
            slots[slot] = tidy(sign * abs(slots[slot]))
    return {k: v for k, v in slots.items() if not k.startswith("_")}, wild


def _wildcard_value(raw: str, lst: WildcardList, rules: LanguageRules = ENGLISH) -> str | None:
    value = strip_fillers(raw, lst.strip_prefixes, lst.strip_suffixes)
    if not value or any(rules.contains(value, phrase) for phrase in lst.exclude):
        return None
    if lst.require and not any(rules.contains(raw, phrase) for phrase in lst.require):
        return None
    return value


def _number_value(
    raw: str, unit: str | None, prefix: str | None, lst: RangeList, rules: LanguageRules = ENGLISH
) -> Number | None:
    number = rules.parse(raw)
    if number is None:
        return None
    value = float(number)
    if rules.adds_half(unit):
        if not value.is_integer():
            return None  # "이십일 점 오 도 반" says the half twice
        value += 0.5 if value >= 0 else -0.5
    fahrenheit = rules.is_fahrenheit(prefix, unit)
    if fahrenheit and lst.unit == "temperature":
        value = round((value - 32.0) * 5.0 / 9.0, 1)
    elif fahrenheit and lst.unit == "temperature_delta":
        value = round(value * 5.0 / 9.0, 1)
    if not lst.low <= value <= lst.high or (lst.integer and not value.is_integer()):
        return None
    return tidy(value)


class _Builder:
    """Builds one template's regex and records its captures."""

    def __init__(self, lists: Mapping[str, SlotList], rules: LanguageRules = ENGLISH) -> None:
        self.lists = lists
        self.rules = rules
        self.captures: list[Capture] = []

    def seq(self, seq: Seq) -> str:
        parts: list[str] = []
        for item in seq.items:
            if isinstance(item, Words):
                parts.append(self.rules.literal(item.text))
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
        rules = self.rules
        if isinstance(lst, WildcardList):
            self.captures.append(Capture(name, ref.slot, lst))
            return rules.wildcard(name)
        phrases = _phrase_values(lst.values if isinstance(lst, ValueList) else lst.words)
        keyed: dict[str, Any] = {}
        for text, value in phrases.items():
            if keyed.setdefault(rules.key(text), value) != value:
                raise IntentError("template-invalid", f"list phrase {text!r} has two values once spaces are dropped")
        self.captures.append(Capture(name, ref.slot, lst, MappingProxyType(keyed)))
        alternation = "|".join(rules.literal(p) for p in sorted(phrases, key=len, reverse=True))
        if isinstance(lst, ValueList):
            return f"(?P<{name}>{alternation})"
        unit = ""
        if lst.unit:
            unit = f"(?P<{name}u>{rules.unit_patterns[lst.unit]})" + ("" if lst.require_unit else "?")
        prefix = rules.prefix_patterns.get(lst.unit or "")
        head = f"(?P<{name}p>{prefix})?" if prefix else ""
        number = f"{head}(?P<{name}>{rules.number_pattern}){unit}"
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


def _first_words(
    seq: Seq, lists: Mapping[str, SlotList], rules: LanguageRules = ENGLISH
) -> tuple[set[str], bool, bool]:
    """(words the sequence can start with, whether it can be empty, whether it can start with anything)."""
    firsts: set[str] = set()
    for item in seq.items:
        if isinstance(item, Words):
            return firsts | {item.text.split()[0]}, False, False
        if isinstance(item, Group):
            nullable, any_word = item.optional, False
            for alt in item.alternatives:
                alt_firsts, alt_nullable, alt_any = _first_words(alt, lists, rules)
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
                firsts |= set(rules.number_words) | {DIGIT_KEY}
                if lst.unit in rules.prefix_patterns:
                    firsts |= set(rules.prefix_words)
            return firsts, False, False
    return firsts, True, False
