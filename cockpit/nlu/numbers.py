"""Spoken numbers: "twenty one point five" -> 21.5, and back.

Pure functions, no state. :func:`parse_number` reads the number phrases a driver says (and that
speech recognisers print): digits (``21``, ``21.5``, ``21,5``), cardinal words up to the
millions ("one hundred and five", "a hundred", "nine hundred and eighty seven"), decimals
("twenty one point five", "point two five"), halves ("twenty and a half", "half"), "a couple",
and a sign ("minus three", "negative two"). :func:`parse_ordinal` reads "third" or "twenty
first". :func:`to_words` renders a number the way people say it, so tests can round-trip.

Anything else gives ``None``: the caller decides what an unreadable number means.
"""

from __future__ import annotations

import re

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000}
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}  # fmt: skip

_OTHER_WORDS = ("hundred", "and", "a", "point", "half", "couple", "of", "minus", "negative", "plus")
NUMBER_WORDS: frozenset[str] = frozenset([*UNITS, *TEENS, *TENS, *SCALES, *_OTHER_WORDS])
"""Every word that may appear inside a spoken number (the matcher builds its number pattern from it)."""

_DIGITS = re.compile(r"^\d+(?:\.\d+|,\d{1,2})?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")

Number = int | float
"""A parsed number: ``int`` when it has no fractional part as spoken, else ``float``."""


def tidy(value: float) -> Number:
    """``21.0`` -> ``21``; other values unchanged (slots read better without ``.0``)."""
    return int(value) if float(value).is_integer() else value


def parse_number(text: str) -> Number | None:
    """The number ``text`` says, or ``None`` if it is not (only) a number.

    >>> parse_number("twenty one point five")
    21.5
    >>> parse_number("one hundred and five")
    105
    >>> parse_number("minus three")
    -3
    """
    tokens = text.lower().replace("-", " ").split()
    if not tokens:
        return None
    sign = 1
    if tokens[0] in ("minus", "negative"):
        sign, tokens = -1, tokens[1:]
    elif tokens[0] == "plus":
        tokens = tokens[1:]
    value = _unsigned(tokens)
    return None if value is None else tidy(sign * value)


def _unsigned(tokens: list[str]) -> Number | None:
    if len(tokens) == 1 and _THOUSANDS.match(tokens[0]):
        return int(tokens[0].replace(",", ""))
    if len(tokens) == 1 and _DIGITS.match(tokens[0]):
        digits = tokens[0].replace(",", ".")
        return int(digits) if "." not in digits else float(digits)
    if tokens in (["half"], ["a", "half"]):
        return 0.5
    if tokens in (["couple"], ["a", "couple"], ["couple", "of"], ["a", "couple", "of"]):
        return 2
    if "point" in tokens:
        at = tokens.index("point")
        whole = _cardinal(tokens[:at]) if at else 0
        fraction = _fraction_digits(tokens[at + 1 :])
        if whole is None or fraction is None:
            return None
        return float(f"{whole}.{fraction}")
    if tokens[-2:] == ["a", "half"] and len(tokens) >= 4 and tokens[-3] == "and":
        whole = _cardinal(tokens[:-3])
        return None if whole is None else whole + 0.5
    return _cardinal(tokens)


def _fraction_digits(tokens: list[str]) -> str | None:
    """Digits after "point", spoken one by one ("two five") or written ("25")."""
    if not tokens:
        return None
    out = []
    for tok in tokens:
        if tok in UNITS:
            out.append(str(UNITS[tok]))
        elif tok.isascii() and tok.isdigit():
            out.append(tok)
        else:
            return None
    return "".join(out)


def _cardinal(tokens: list[str]) -> int | None:
    """Whole numbers: [N million] [N thousand] [N hundred] [and] [tens [unit] | teen | unit]."""
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isascii() and tokens[0].isdigit():
        return int(tokens[0])
    total, pos = 0, 0
    for scale in ("million", "thousand"):
        if scale in tokens[pos:]:
            at = tokens.index(scale, pos)
            head = tokens[pos:at]
            group = 1 if head == ["a"] else _below_thousand(head, allow_a=True)
            if group is None or group == 0:
                return None
            total += group * SCALES[scale]
            pos = at + 1
    rest = tokens[pos:]
    if not rest:
        return total if pos else None
    if pos and rest[0] == "and":
        rest = rest[1:]
        if not rest:
            return None
    group = _below_thousand(rest, allow_a=True)
    if group is None or (pos and group == 0):
        return None
    return total + group


def _below_thousand(tokens: list[str], allow_a: bool) -> int | None:
    """0..999 spoken: "a hundred", "nine hundred and eighty seven", "twenty one", "seven"."""
    if not tokens:
        return None
    value = 0
    if "hundred" in tokens:
        at = tokens.index("hundred")
        head = tokens[:at]
        if head == ["a"] and allow_a:
            value = 100
        elif len(head) == 1 and head[0] in UNITS and UNITS[head[0]] > 0:
            value = UNITS[head[0]] * 100
        elif len(head) == 1 and head[0] in TEENS:  # "fifteen hundred"
            value = TEENS[head[0]] * 100
        else:
            return None
        tokens = tokens[at + 1 :]
        if not tokens:
            return value
        if tokens[0] == "and":
            tokens = tokens[1:]
        tail = _below_hundred(tokens)
        return None if tail is None or tail == 0 else value + tail
    if tokens[0] == "a":
        return None
    return _below_hundred(tokens)


def _below_hundred(tokens: list[str]) -> int | None:
    if len(tokens) == 1:
        tok = tokens[0]
        for table in (UNITS, TEENS, TENS):
            if tok in table:
                return table[tok]
        return None
    if len(tokens) == 2 and tokens[0] in TENS and tokens[1] in UNITS and UNITS[tokens[1]] > 0:
        return TENS[tokens[0]] + UNITS[tokens[1]]
    return None


def parse_ordinal(text: str) -> int | None:
    """The ordinal ``text`` says ("third" -> 3, "twenty first" -> 21, "3rd" -> 3), or ``None``."""
    tokens = text.lower().replace("-", " ").split()
    if len(tokens) == 1:
        match = re.match(r"^(\d+)(?:st|nd|rd|th)$", tokens[0])
        if match:
            return int(match.group(1))
        return ORDINALS.get(tokens[0])
    if len(tokens) == 2 and tokens[0] in TENS and tokens[1] in ORDINALS and ORDINALS[tokens[1]] < 10:
        return TENS[tokens[0]] + ORDINALS[tokens[1]]
    return None


_UNIT_NAMES = {v: k for k, v in UNITS.items()}
_TEEN_NAMES = {v: k for k, v in TEENS.items()}
_TEN_NAMES = {v: k for k, v in TENS.items()}


def to_words(value: Number, *, use_and: bool = True) -> str:
    """Render ``value`` as spoken English: 105 -> "one hundred and five", -2.5 -> "minus two point five".

    Floats are rendered with the digits of their shortest ``repr`` after "point", one word each.
    """
    if isinstance(value, float) and not value.is_integer():
        text = repr(abs(value))
        if "e" in text:
            raise ValueError(f"cannot render {value!r} in words")
        whole, _, frac = text.partition(".")
        words = _int_words(int(whole), use_and) + " point " + " ".join(_UNIT_NAMES[int(d)] for d in frac)
        return ("minus " if value < 0 else "") + words
    number = int(value)
    return ("minus " if number < 0 else "") + _int_words(abs(number), use_and)


def _int_words(number: int, use_and: bool) -> str:
    if number >= 1_000_000_000:
        raise ValueError(f"{number} is too large to render")
    if number == 0:
        return "zero"
    parts: list[str] = []
    for scale, name in ((1_000_000, "million"), (1_000, "thousand")):
        if number >= scale:
            parts.append(f"{_below_thousand_words(number // scale, use_and)} {name}")
            number %= scale
    if number:
        if parts and number < 100 and use_and:
            parts.append("and")
        parts.append(_below_thousand_words(number, use_and))
    return " ".join(parts)


def _below_thousand_words(number: int, use_and: bool) -> str:
    parts: list[str] = []
    if number >= 100:
        parts.append(f"{_UNIT_NAMES[number // 100]} hundred")
        number %= 100
        if number and use_and:
            parts.append("and")
    if number >= 20:
        parts.append(_TEN_NAMES[number // 10 * 10])
        number %= 10
        if number:
            parts.append(_UNIT_NAMES[number])
    elif number >= 10:
        parts.append(_TEEN_NAMES[number])
    elif number:
        parts.append(_UNIT_NAMES[number])
    return " ".join(parts)
