"""The command grammar, compiled from the skills' sentence templates (:mod:`cockpit.nlu`).

Every template of every skill (and the "can't do that" templates) becomes one sentence of the
grammar; slot lists become named rules:

- value lists: their phrases;
- number ranges: the numbers spoken as words (0..100: negative values are not said to a car; "point
  five" / "and a half" for fractional ranges) and their unit words, in the templates' language
  (Korean: Sino-Korean "이십 일" written as the speech model's vocabulary splits it, native "한",
  "두" ... for small ranges, "점 오", "도", "도 반", "퍼센트", "섭씨");
- wildcards (destinations, media queries): their sample values, so common requests decode in
  grammar mode and anything else falls through to free decoding.

Fillers ("please", "can you", ...) and the wake phrases may come before a command, fillers after.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from cockpit.asr.grammar import EMPTY, Alt, CommandGrammar, Expr, Ref, Seq, Word
from cockpit.langtag import primary_language
from cockpit.nlu.model import (
    Group,
    Node,
    RangeList,
    RuleRef,
    SlotList,
    SlotRef,
    TemplateFile,
    ValueList,
    WildcardList,
    Words,
)
from cockpit.nlu.model import Seq as NluSeq
from cockpit.nlu.numbers import to_words
from cockpit.nlu.numbers_ko import native_words, sino_words
from cockpit.nlu.parser import parse_template

SPOKEN_HIGH = 100
"""Highest number a range rule spells out."""
UNIT_WORDS: Mapping[str, tuple[str, ...]] = {
    "temperature": ("degrees", "degree", "degrees celsius", "degrees fahrenheit", "celsius", "fahrenheit"),
    "temperature_delta": ("degrees", "degree"),
    "percent": ("percent",),
}
"""Unit words a number of each kind may be followed by."""
SKIPPED_FILLERS = frozenset(
    {"and", "so", "um", "uh", "just", "also", "now", "olly", "ollie", "car", "ok", "hi", "kindly", "computer",
     "assistant", "siri", "google", "alexa", "can u", "immediately",
     "음", "어", "자", "그리고", "이제", "지금", "빨리"}
)  # fmt: skip
"""Fillers left out of the speech grammar: short or rare words that noise too easily turns into
("and", "um") only cost accuracy; the intent recogniser still drops them from typed text."""
PREFIX_RULE = "filler_prefix"
SUFFIX_RULE = "filler_suffix"


def _phrase(text: str) -> Expr:
    items = tuple(Word(w) for w in re.sub(r"[^\w' ]+", " ", text.lower()).split())
    if not items:
        return EMPTY
    return items[0] if len(items) == 1 else Seq(items)


def _alt(options: Iterable[Expr], optional: bool = False) -> Expr:
    unique = tuple(dict.fromkeys(o for o in options if o != EMPTY))
    if not unique:
        return EMPTY
    if len(unique) == 1 and not optional:
        return unique[0]
    return Alt(unique, optional)


class _Compiler:
    """Turns one language's template files into grammar expressions and rules."""

    def __init__(
        self,
        lists: Mapping[str, SlotList],
        rules: Mapping[str, NluSeq],
        prefix: str,
        extra_values: Mapping[str, Sequence[str]],
        spoken: SpokenNumbers | None = None,
    ) -> None:
        self.lists = lists
        self.nlu_rules = rules
        self.prefix = prefix
        self.extra_values = extra_values
        self.spoken = spoken or ENGLISH_NUMBERS
        self.rules: dict[str, Expr] = {}

    def seq(self, seq: NluSeq) -> Expr:
        items = tuple(x for x in (self.node(n) for n in seq.items) if x != EMPTY)
        if not items:
            return EMPTY
        return items[0] if len(items) == 1 else Seq(items)

    def node(self, node: Node) -> Expr:
        if isinstance(node, Words):
            return _phrase(node.text)
        if isinstance(node, Group):
            return _alt((self.seq(a) for a in node.alternatives), node.optional)
        if isinstance(node, SlotRef):
            return self.slot(node.list_name)
        if isinstance(node, RuleRef):
            name = f"{self.prefix}rule_{node.name}"
            if name not in self.rules:
                self.rules[name] = EMPTY
                self.rules[name] = self.seq(self.nlu_rules[node.name])
            return Ref(name)
        raise TypeError(f"unexpected template node {node!r}")

    def slot(self, list_name: str) -> Expr:
        name = f"{self.prefix}list_{list_name}"
        if name not in self.rules:
            self.rules[name] = self.slot_list(self.lists[list_name])
        return Ref(name)

    def slot_list(self, lst: SlotList) -> Expr:
        if isinstance(lst, ValueList):
            return _alt(self.seq(phrase) for phrase, _ in lst.values)
        if isinstance(lst, WildcardList):
            values = [*lst.samples, *self.extra_values.get(lst.name, ())]
            return _alt(_phrase(value) for value in values)
        return self.number(lst)

    def number(self, lst: RangeList) -> Expr:
        spoken = self.spoken
        low = max(int(-(-lst.low // 1)), 0)
        high = min(int(lst.high // 1), SPOKEN_HIGH)
        value = spoken.numbers(low, high)
        if not lst.integer and value != EMPTY:
            value = Seq((value, Alt(tuple(_phrase(f) for f in spoken.fractions), True)))
        if lst.unit in spoken.units:
            units = spoken.units[str(lst.unit)]
            value = Seq((value, _alt((_phrase(u) for u in units), not lst.require_unit)))
        if lst.unit in spoken.prefixes:
            value = Seq((_alt((_phrase(p) for p in spoken.prefixes[str(lst.unit)]), True), value))
        extra = [self.seq(phrase) for phrase, _ in lst.words]
        return _alt([value, *extra])


EXPLICIT_NUMBERS = 20
"""Ranges with at most this many integers are spelled out one by one; wider ones are composed."""
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _spoken_numbers(low: int, high: int) -> Expr:
    """The integers ``low..high`` as words; wide ranges as "<tens> [<ones>]" etc. (may over-generate
    within 0..100: the intent recogniser checks the range, and a rejected command is decoded again)."""
    if high < low:
        return EMPTY
    if high - low + 1 <= EXPLICIT_NUMBERS:
        return _alt(_phrase(to_words(v)) for v in range(low, high + 1))
    ones = _alt(Word(w) for w in _ONES)
    options: list[Expr] = [Word("zero"), ones, _alt(Word(w) for w in _TEENS)]
    options.append(Seq((_alt(Word(w) for w in _TENS), Alt((ones,), True))))
    if high >= 100:
        options.append(Seq((Alt((Word("one"), Word("a"))), Word("hundred"))))
    return _alt(options)


_SINO_ONES = ("일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
_SINO_TENS = ("십", "이십", "삼십", "사십", "오십", "육십", "칠십", "팔십", "구십")
NATIVE_HIGH = 10
"""Native Korean numbers ("한 도", "두 단계") are spelled out in ranges up to this high; wider
ranges (temperatures, percentages) are said in Sino-Korean."""


def _korean_numbers(low: int, high: int) -> Expr:
    """The integers ``low..high`` in Korean, as the speech model's words ("이십 일": the vocabulary
    has "이십" and "일" but not every "이십X"); small ranges also in native words ("한", "두")."""
    if high < low:
        return EMPTY
    if high - low + 1 <= EXPLICIT_NUMBERS:
        options = [_phrase(sino_words(v, spaced=True)) for v in range(low, high + 1)]
        if high <= NATIVE_HIGH:
            options += [_phrase(native_words(v, spaced=True)) for v in range(max(low, 1), high + 1)]
        return _alt(options)
    ones = _alt(Word(w) for w in _SINO_ONES)
    options = [Word("영"), ones, Seq((_alt(Word(w) for w in _SINO_TENS), Alt((ones,), True)))]
    if high >= 100:
        options.append(Word("백"))
    return _alt(options)


@dataclass(frozen=True)
class SpokenNumbers:
    """How a language's number ranges are spoken, for the grammar."""

    numbers: Callable[[int, int], Expr]
    """The integers of a range as words."""
    fractions: tuple[str, ...]
    """What may follow a number of a fractional range ("point five")."""
    units: Mapping[str, tuple[str, ...]]
    """Unit words after a number, by range unit."""
    prefixes: Mapping[str, tuple[str, ...]]
    """Words that may come before a number, by range unit ("섭씨")."""


ENGLISH_NUMBERS = SpokenNumbers(_spoken_numbers, ("point five", "and a half"), UNIT_WORDS, {})
"""English numbers: "twenty one", "point five", "degrees", "percent"."""
KOREAN_NUMBERS = SpokenNumbers(
    _korean_numbers,
    ("점 오",),
    {"temperature": ("도", "도 반"), "temperature_delta": ("도",), "percent": ("퍼센트", "프로")},
    {"temperature": ("섭씨", "화씨")},
)
"""Korean numbers: "이십 일", "점 오", "도", "도 반", "퍼센트", "프로", "섭씨"."""
SPOKEN_NUMBERS: Mapping[str, SpokenNumbers] = {"en": ENGLISH_NUMBERS, "ko": KOREAN_NUMBERS}
"""Spoken numbers by language; a language not listed is spoken like English."""


def build_grammar(
    files: Sequence[TemplateFile],
    language: str = "en",
    wake_phrases: Sequence[str] = (),
    extra_values: Mapping[str, Sequence[str]] | None = None,
    extra_sentences: Sequence[str] = (),
) -> CommandGrammar:
    """The command grammar of ``language`` from its template files (other languages are ignored).

    ``extra_values`` adds values to wildcard lists by list name, e.g. city names for
    ``destination``, so the commonest requests decode in grammar mode. ``extra_sentences`` are
    sentence templates without slots that no template file holds (the follow-ups "and the
    passenger side too", "a bit more": :data:`cockpit.followups.SPOKEN`).
    """
    mine = [f for f in files if primary_language(f.language) == language]
    sentences: list[Expr] = []
    rules: dict[str, Expr] = {}
    prefixes: list[str] = list(wake_phrases)
    suffixes: list[str] = []
    for index, file in enumerate(mine):
        # Rule names are per file: two files may define lists of the same name differently.
        spoken = SPOKEN_NUMBERS.get(language, ENGLISH_NUMBERS)
        compiler = _Compiler(file.lists, file.rules, f"f{index}_", extra_values or {}, spoken)
        for group in file.groups:
            for template in group.sentences:
                expr = compiler.seq(template.body)
                if expr != EMPTY:
                    sentences.append(expr)
        rules.update(compiler.rules)
        prefixes += [p for p in file.fillers.prefixes if p not in prefixes and p not in SKIPPED_FILLERS]
        suffixes += [s for s in file.fillers.suffixes if s not in suffixes and s not in SKIPPED_FILLERS]
    plain = _Compiler({}, {}, "extra_", {})
    sentences += [plain.seq(parse_template(text, "extra sentence").body) for text in extra_sentences]
    if prefixes:
        rules[PREFIX_RULE] = _alt(_phrase(p) for p in prefixes)
    if suffixes:
        rules[SUFFIX_RULE] = _alt(_phrase(s) for s in suffixes)
    return CommandGrammar(
        language,
        tuple(dict.fromkeys(sentences)),
        rules,
        prefix=Ref(PREFIX_RULE) if prefixes else None,
        suffix=Ref(SUFFIX_RULE) if suffixes else None,
    )
