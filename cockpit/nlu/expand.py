"""Enumerate and sample the wordings of templates and phrases (pure functions).

The matcher uses :func:`expand_phrase` to turn a slot list's phrases into plain strings; tests use
:func:`sample_sentence` to draw whole sentences a template accepts and check they match back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cockpit.errors import IntentError
from cockpit.nlu.language import LanguageRules, language_rules
from cockpit.nlu.model import Group, RuleRef, Seq, SlotList, SlotRef, ValueList, WildcardList, Words

T = TypeVar("T")
Choose = Callable[[Sequence[T]], T]
"""Picks one element of a non-empty sequence (``random.choice``, or a Hypothesis draw)."""

MAX_PHRASE_EXPANSIONS = 5000
"""A slot-list phrase with more wordings than this is a mistake in the data."""


def expand_phrase(seq: Seq, limit: int = MAX_PHRASE_EXPANSIONS) -> list[str]:
    """Every wording of a slot-free ``seq``, as normalised strings (duplicates removed, order kept)."""
    out: list[str] = []
    for words in _expand(seq, limit):
        text = " ".join(w for w in words if w)
        if text not in out:
            out.append(text)
    return out


def _expand(seq: Seq, limit: int) -> list[tuple[str, ...]]:
    parts: list[list[tuple[str, ...]]] = []
    for item in seq.items:
        if isinstance(item, Words):
            parts.append([(item.text,)])
        elif isinstance(item, Group):
            options = [w for alt in item.alternatives for w in _expand(alt, limit)]
            if item.optional:
                options.append(())
            parts.append(options)
        else:
            raise IntentError("template-invalid", f"cannot expand {item!r} into plain words")
    total = 1
    for options in parts:
        total *= len(options)
        if total > limit:
            raise IntentError("template-invalid", f"a phrase has more than {limit} wordings")
    return [tuple(w for chunk in combo for w in chunk) for combo in itertools.product(*parts)]


@dataclass(frozen=True)
class Sample:
    """A sentence drawn from a template, with the slot values it spells out."""

    text: str
    """The sentence (normalised words)."""
    slots: dict[str, Any]
    """Values of the slots it fills, as the matcher should read them (before fixed values and signs)."""


def sample_sentence(
    seq: Seq,
    lists: Mapping[str, SlotList],
    choose: Choose[Any],
    wildcard_samples: Mapping[str, Sequence[str]] | None = None,
    language: str = "en",
) -> Sample:
    """One sentence ``seq`` accepts: alternatives, optional parts and slot values drawn with ``choose``.

    Numbers are drawn within the list's range, as digits or words of ``language`` (with a unit
    where the list has one); wildcard values come from ``wildcard_samples[list]`` or else the
    list's ``samples``.
    """
    slots: dict[str, Any] = {}
    text = _sample(seq, _Sampler(lists, choose, wildcard_samples or {}, language_rules(language)), slots)
    return Sample(text, slots)


@dataclass(frozen=True)
class _Sampler:
    """What drawing a sentence needs besides the template: lists, the draw, samples, language."""

    lists: Mapping[str, SlotList]
    choose: Choose[Any]
    wild: Mapping[str, Sequence[str]]
    rules: LanguageRules


def _sample(seq: Seq, sampler: _Sampler, out: dict[str, Any]) -> str:
    choose = sampler.choose
    words: list[str] = []
    for item in seq.items:
        if isinstance(item, Words):
            words.append(item.text)
        elif isinstance(item, Group):
            options: list[Seq | None] = list(item.alternatives)
            if item.optional:
                options.append(None)
            picked = choose(options)
            if picked is not None:
                words.append(_sample(picked, sampler, out))
        elif isinstance(item, SlotRef):
            text, value = _sample_slot(sampler.lists[item.list_name], sampler)
            words.append(text)
            out[item.slot] = value
        elif isinstance(item, RuleRef):  # pragma: no cover - the loader inlines rules
            raise IntentError("template-invalid", f"rule <{item.name}> was not inlined")
    return " ".join(w for w in words if w)


def _sample_slot(lst: SlotList, sampler: _Sampler) -> tuple[str, Any]:
    choose = sampler.choose
    if isinstance(lst, ValueList):
        phrase, value = choose(lst.values)
        return _sample(phrase, sampler, {}), value
    if isinstance(lst, WildcardList):
        pool = sampler.wild.get(lst.name) or lst.samples
        if not pool:
            raise IntentError("template-invalid", f"wildcard list {lst.name!r} has no samples")
        text = str(choose(list(pool)))
        return text, text
    if lst.words and choose([True, False]):
        phrase, value = choose(lst.words)
        return _sample(phrase, sampler, {}), value
    low, high = int(-(-lst.low // 1)), int(lst.high // 1)
    span = list(range(low, high + 1))
    number = choose(span) if len(span) <= 200 else choose([low, high, (low + high) // 2, low + 1, high - 1])
    spoken = str(choose(list(sampler.rules.spell(number))))
    units = sampler.rules.unit_samples.get(lst.unit or "", ())
    if units and (lst.require_unit or choose([True, False])):
        spoken += " " + (units[0] if len(units) == 1 else str(choose(list(units))))
    return spoken, number
