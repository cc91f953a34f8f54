"""What the template matcher needs to know about a language: spacing, spoken numbers, unit words.

One frozen :class:`LanguageRules` value per language; :func:`language_rules` picks it by BCP 47
tag. The matcher (:mod:`cockpit.nlu.matcher`) builds its regular expressions with these rules, the
sampler (:mod:`cockpit.nlu.expand`) spells numbers with them:

- English: words are separated by spaces, numbers are read by :mod:`cockpit.nlu.numbers`.
- Korean: spacing is free (people and speech recognisers write "에어컨 켜 줘", "에어컨 켜줘" and
  "에어컨켜줘" alike), so a literal matches with or without spaces between any two of its letters;
  numbers are Sino-Korean or native words or digits (:mod:`cockpit.nlu.numbers_ko`), "도" is the
  degree, "섭씨"/"화씨" may come before a temperature, "퍼센트"/"프로" after a percentage.

Units written as symbols ("°", "%") are normalised to English words by
:func:`cockpit.nlu.normalize.normalize`, so every language's unit patterns accept those words too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cockpit.langtag import primary_language
from cockpit.nlu import numbers_ko
from cockpit.nlu.numbers import NUMBER_WORDS, Number, parse_number, to_words

_EN_SIGNS = ("minus", "negative", "plus")
_EN_CONNECTORS = ("and", "a", "of", "couple")
_EN_TOKEN = r"(?:\d+(?:\.\d+)?|{words})".format(
    words="|".join(sorted(NUMBER_WORDS - set(_EN_SIGNS) - set(_EN_CONNECTORS), key=len, reverse=True))
)
# "a" only before a scale or "half"/"couple"; "and"/"a" only between number words; so "turn it
# up a little" leaves "a little" to the template instead of reading "a" as a broken number.
_EN_A_BEFORE_SCALE = r"(?: a(?= (?:hundred|thousand|million|half)\b))?"
_EN_NUMBER = (
    r"(?: (?:minus|negative|plus))?"
    rf"(?:(?: a)? couple(?: of)?|{_EN_A_BEFORE_SCALE} {_EN_TOKEN}(?:(?: and| a)* {_EN_TOKEN})*)"
)
_EN_TEMP_UNITS = r" degrees?(?: celsius| centigrade| fahrenheit| c| f)?| celsius| centigrade| fahrenheit| c| f"
_EN_PERCENT_UNITS = r" percent| per cent"

_KO_TOKEN = "|".join(
    re.escape(w) for w in sorted(numbers_ko.KOREAN_NUMBER_WORDS - {numbers_ko.HALF}, key=len, reverse=True)
)
_KO_NUMBER = rf"(?: ?(?:\d+(?:\.\d+)?|{_KO_TOKEN}))+(?: ?{numbers_ko.HALF})?"
_KO_TEMP_UNITS = r" ?도(?: ?반)?| ?degrees?(?: ?(?:celsius|centigrade|fahrenheit|c|f))?"
_KO_PERCENT_UNITS = r" ?퍼센트| ?프로| ?percent| ?per cent"
_KO_TEMP_PREFIX = r" ?섭씨| ?화씨"
_FAHRENHEIT = frozenset({"fahrenheit", "f", "화씨"})


@dataclass(frozen=True)
class LanguageRules:
    """How one language is matched: separators, numbers and units."""

    code: str
    """BCP 47 primary tag, e.g. ``en``."""
    spaces_optional: bool
    """Whether words may be run together or split anywhere ("켜줘" = "켜 줘"): then literals match
    with or without a space between any two letters, and phrases are compared without spaces."""
    number_pattern: str
    """Regex of a spoken number; every word carries its leading separator."""
    number_words: frozenset[str]
    """Words a spoken number can be made of (and start with)."""
    parse: Callable[[str], Number | None]
    """Reads a captured number."""
    spell: Callable[[int], tuple[str, ...]]
    """Ways to say a whole number (for sampling sentences)."""
    unit_patterns: Mapping[str, str]
    """Unit kind (``temperature``, ``temperature_delta``, ``percent``) -> regex of the unit words
    after a number, with their leading separator."""
    unit_samples: Mapping[str, tuple[str, ...]]
    """Unit kind -> unit words a sampled sentence may use."""
    prefix_patterns: Mapping[str, str] = field(default_factory=dict)
    """Unit kind -> regex of words that may come before a number ("섭씨 이십일 도")."""
    prefix_words: frozenset[str] = frozenset()
    """Words the prefix patterns can start with."""
    half_words: frozenset[str] = frozenset()
    """A unit ending in one of these adds a half ("이십일 도 반" = 21.5)."""

    @property
    def separator(self) -> str:
        """Regex that goes before every word (and, where spaces are optional, every letter)."""
        return " ?" if self.spaces_optional else " "

    def literal(self, text: str) -> str:
        """Regex for the normalised words ``text``, each with its leading separator."""
        if not self.spaces_optional:
            return re.escape(" " + text)
        return "".join(" ?" + re.escape(ch) for ch in text.replace(" ", ""))

    def wildcard(self, name: str) -> str:
        """Regex group ``name`` taking one or more words (or, where spaces are optional, letters), lazily."""
        return rf"(?P<{name}>(?: ?\S)+?)" if self.spaces_optional else rf"(?P<{name}>(?: \S+)+?)"

    def key(self, text: str) -> str:
        """How a phrase is looked up once captured: spaces dropped where they are optional."""
        return text.replace(" ", "") if self.spaces_optional else text

    def index_key(self, text: str) -> str:
        """What templates are indexed by: the first word, or (spaces optional) the first letter."""
        return text.lstrip()[:1] if self.spaces_optional else text.split(" ", 1)[0]

    def contains(self, text: str, phrase: str) -> bool:
        """Whether ``text`` holds ``phrase`` as whole words (spaces optional: anywhere)."""
        if self.spaces_optional:
            return self.key(phrase) in self.key(text)
        return f" {phrase} " in f" {text} "

    def is_fahrenheit(self, *said: str | None) -> bool:
        """Whether the unit words said around a number (before and after it) name Fahrenheit."""
        return any(w in _FAHRENHEIT for words in said if words for w in words.split())

    def adds_half(self, unit: str | None) -> bool:
        """Whether the unit words end in a half ("도 반")."""
        return unit is not None and any(unit.rstrip().endswith(h) for h in self.half_words)


def _spell_english(number: int) -> tuple[str, ...]:
    return (str(number), to_words(number))


def _spell_korean(number: int) -> tuple[str, ...]:
    ways = [str(number), numbers_ko.sino_words(number), numbers_ko.sino_words(number, spaced=True)]
    if 1 <= number <= 99:
        ways.append(numbers_ko.native_words(number))
    return tuple(dict.fromkeys(ways))


ENGLISH = LanguageRules(
    code="en",
    spaces_optional=False,
    number_pattern=_EN_NUMBER,
    number_words=NUMBER_WORDS,
    parse=parse_number,
    spell=_spell_english,
    unit_patterns=MappingProxyType(
        {"temperature": _EN_TEMP_UNITS, "temperature_delta": _EN_TEMP_UNITS, "percent": _EN_PERCENT_UNITS}
    ),
    unit_samples=MappingProxyType(
        {
            "temperature": ("degrees", "degrees celsius", "celsius", "degree"),
            "temperature_delta": ("degrees", "degrees celsius", "celsius", "degree"),
            "percent": ("percent",),
        }
    ),
)
"""English: space-separated words, :func:`cockpit.nlu.numbers.parse_number`."""

KOREAN = LanguageRules(
    code="ko",
    spaces_optional=True,
    number_pattern=_KO_NUMBER,
    number_words=numbers_ko.KOREAN_NUMBER_WORDS,
    parse=numbers_ko.parse_korean_number,
    spell=_spell_korean,
    unit_patterns=MappingProxyType(
        {"temperature": _KO_TEMP_UNITS, "temperature_delta": _KO_TEMP_UNITS, "percent": _KO_PERCENT_UNITS}
    ),
    unit_samples=MappingProxyType(
        {"temperature": ("도",), "temperature_delta": ("도",), "percent": ("퍼센트", "프로")}
    ),
    prefix_patterns=MappingProxyType({"temperature": _KO_TEMP_PREFIX}),
    prefix_words=frozenset({"섭씨", "화씨"}),
    half_words=frozenset({numbers_ko.HALF}),
)
"""Korean: free spacing, :func:`cockpit.nlu.numbers_ko.parse_korean_number`, "도", "퍼센트"."""

LANGUAGES: Mapping[str, LanguageRules] = MappingProxyType({r.code: r for r in (ENGLISH, KOREAN)})
"""The rules of every language the matcher knows, by primary tag."""


def language_rules(tag: str) -> LanguageRules:
    """The rules for BCP 47 ``tag`` (``ko-KR`` -> Korean); languages without rules of their own are
    matched like English (space-separated words, English numbers)."""
    return LANGUAGES.get(primary_language(tag), ENGLISH)
