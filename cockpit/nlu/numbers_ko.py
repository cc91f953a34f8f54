"""Spoken Korean numbers: "이십일" / "스물한" / "21" -> 21, "이십일 점 오" -> 21.5, and back.

Pure functions, no state; the Korean sibling of :mod:`cockpit.nlu.numbers`. Korean has two sets of
number words and drivers use both:

- Sino-Korean (한자어): 영/공 일 이 삼 사 오 육 칠 팔 구 with the units 십 백 천 and the scale 만,
  written together ("이십일" = 21, "백이십" = 120) or apart, as speech recognisers print them
  ("이십 일"). Temperatures, percentages and decimals use these ("이십일 점 오 도" = 21.5 degrees).
- Native Korean (고유어): 하나 둘 셋 넷 다섯 ... 아홉, 열 스물 서른 ... 아흔, with the forms they take
  before a counter (한 두 세 네 스무, "스물한 도"), up to 99.

Digits may stand for either ("21", "21.5"). A number is one kind: "이십한" mixes the two and is not
read. "반" after a number adds a half ("이십일 반" = 21.5); "영하" (below zero) or "마이너스" before
it makes it negative. Anything else gives ``None``.
"""

from __future__ import annotations

import re

from cockpit.nlu.numbers import Number, tidy

SINO_DIGITS: dict[str, int] = {
    "영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9,
}  # fmt: skip
SINO_UNITS: dict[str, int] = {"십": 10, "백": 100, "천": 1000}
SINO_SCALES: dict[str, int] = {"만": 10_000}
NATIVE_ONES: dict[str, int] = {
    "하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "석": 3, "넷": 4, "네": 4, "넉": 4,
    "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
}  # fmt: skip
NATIVE_TENS: dict[str, int] = {
    "열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90,
}  # fmt: skip
POINT = "점"
"""The decimal point ("이십일 점 오" = 21.5)."""
HALF = "반"
"""A half, after a number ("이십일 반" = 21.5)."""
NEGATIVE = ("영하", "마이너스", "minus")
"""Words before a number that make it negative ("minus" is what the normaliser writes for "-")."""
POSITIVE = ("영상", "플러스")
"""Words before a number that say it is positive."""

KOREAN_NUMBER_WORDS: frozenset[str] = frozenset(
    [*SINO_DIGITS, *SINO_UNITS, *SINO_SCALES, *NATIVE_ONES, *NATIVE_TENS, POINT, HALF, *NEGATIVE, *POSITIVE]
)
"""Every word that may appear inside a spoken Korean number (the matcher builds its number pattern from it)."""

_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_TOKEN = re.compile(
    r"\d+(?:\.\d+)?|" + "|".join(sorted(KOREAN_NUMBER_WORDS, key=len, reverse=True)),
)
_SINO = {**SINO_DIGITS, **SINO_UNITS, **SINO_SCALES}
_NATIVE = {**NATIVE_ONES, **NATIVE_TENS}
_ATTRIBUTIVE_ONLY = frozenset({"스무"})  # "스무" is twenty before a counter, never part of "스물한"


def tokens(text: str) -> list[str] | None:
    """``text`` split into number words ("이십일" -> ["이", "십", "일"]), or None if anything else is in it."""
    joined = "".join(text.split())
    out: list[str] = []
    pos = 0
    while pos < len(joined):
        found = _TOKEN.match(joined, pos)
        if found is None:
            return None
        out.append(found.group())
        pos = found.end()
    return out


def parse_korean_number(text: str) -> Number | None:
    """The number ``text`` says in Korean words or digits, or ``None`` if it is not (only) a number.

    >>> parse_korean_number("이십일")
    21
    >>> parse_korean_number("스물 한")
    21
    >>> parse_korean_number("이십일 점 오")
    21.5
    >>> parse_korean_number("영하 삼")
    -3
    """
    words = tokens(text)
    if not words:
        return None
    sign = 1
    if words[0] in NEGATIVE:
        sign, words = -1, words[1:]
    elif words[0] in POSITIVE:
        words = words[1:]
    half = bool(words) and words[-1] == HALF
    if half:
        words = words[:-1]
    if not words:
        return None
    if POINT in words:
        if half:
            return None
        at = words.index(POINT)
        whole = _whole(words[:at]) if at else 0
        fraction = _fraction(words[at + 1 :])
        if whole is None or fraction is None:
            return None
        return tidy(sign * float(f"{whole}.{fraction}"))
    value = _whole(words)
    if value is None:
        return None
    return tidy(sign * (value + 0.5 if half else value))


def _whole(words: list[str]) -> Number | None:
    if len(words) == 1 and _DIGITS.match(words[0]):
        return int(words[0]) if "." not in words[0] else float(words[0])
    if all(w in _SINO for w in words):
        return _sino(words)
    if all(w in _NATIVE for w in words):
        return _native(words)
    return None


def _fraction(words: list[str]) -> str | None:
    """Digits after "점", read one by one ("오" -> "5", "이 오" -> "25") or written ("25")."""
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        return words[0]
    if not words or not all(w in SINO_DIGITS for w in words):
        return None
    return "".join(str(SINO_DIGITS[w]) for w in words)


def _sino(words: list[str]) -> int | None:
    """Sino-Korean whole numbers: [N 만] [[D] 천] [[D] 백] [[D] 십] [D], or a lone 영."""
    if words == ["영"] or words == ["공"]:
        return 0
    if "만" in words:
        at = words.index("만")
        head = _below_man(words[:at]) if at else 1
        tail = _below_man(words[at + 1 :]) if at + 1 < len(words) else 0
        if head is None or head == 0 or tail is None:
            return None
        return head * 10_000 + tail
    return _below_man(words)


def _below_man(words: list[str]) -> int | None:
    """1..9999: units in decreasing order, each at most once, each with at most one digit before it."""
    if not words:
        return None
    total, digit, last_unit = 0, None, 10_000
    for word in words:
        if word in SINO_DIGITS:
            if digit is not None or SINO_DIGITS[word] == 0:
                return None  # "이삼" (two digits running) or a zero inside a number
            digit = SINO_DIGITS[word]
        elif word in SINO_UNITS:
            unit = SINO_UNITS[word]
            if unit >= last_unit or digit == 1:
                return None  # out of order ("십백"), or "일십" (Korean says "십")
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def _native(words: list[str]) -> int | None:
    """1..99 in native words: [tens] [ones], e.g. "스물 한", "열", "다섯"."""
    if len(words) == 1:
        return _NATIVE[words[0]]
    if len(words) == 2 and words[0] in NATIVE_TENS and words[1] in NATIVE_ONES and words[0] not in _ATTRIBUTIVE_ONLY:
        return NATIVE_TENS[words[0]] + NATIVE_ONES[words[1]]
    return None


_SINO_DIGIT_NAMES = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
_NATIVE_ONE_NAMES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TEN_NAMES = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def sino_words(value: Number, *, spaced: bool = False) -> str:
    """``value`` in Sino-Korean words: 21 -> "이십일", 21.5 -> "이십일 점 오", -3 -> "영하 삼".

    ``spaced`` writes each unit group apart ("이십 일"), as the speech model's vocabulary has them.
    """
    if isinstance(value, float) and not value.is_integer():
        text = repr(abs(value))
        if "e" in text:
            raise ValueError(f"cannot render {value!r} in words")
        whole, _, frac = text.partition(".")
        words = f"{_sino_int(int(whole), spaced)} {POINT} " + " ".join(_SINO_DIGIT_NAMES[int(d)] for d in frac)
    else:
        words = _sino_int(abs(int(value)), spaced)
    return ("영하 " if value < 0 else "") + words


def _sino_int(number: int, spaced: bool) -> str:
    if number >= 100_000_000:
        raise ValueError(f"{number} is too large to render")
    if number == 0:
        return "영"
    parts: list[str] = []
    if number >= 10_000:
        parts.append(_sino_below_man(number // 10_000, spaced) + "만")
        number %= 10_000
    if number:
        parts.append(_sino_below_man(number, spaced))
    return " ".join(parts)


def _sino_below_man(number: int, spaced: bool) -> str:
    parts: list[str] = []
    for unit, name in ((1000, "천"), (100, "백"), (10, "십")):
        digit, number = divmod(number, unit)
        if digit:
            parts.append(("" if digit == 1 else _SINO_DIGIT_NAMES[digit]) + name)
    if number:
        parts.append(_SINO_DIGIT_NAMES[number])
    return (" " if spaced else "").join(parts)


def native_words(value: int, *, spaced: bool = False) -> str:
    """1..99 in native Korean words as said before a counter: 21 -> "스물한", 3 -> "세", 20 -> "스무"."""
    if not 1 <= value <= 99:
        raise ValueError(f"native Korean numbers run from 1 to 99, not {value}")
    tens, ones = divmod(value, 10)
    if tens == 2 and not ones:
        return "스무"
    return (" " if spaced else "").join(p for p in (_NATIVE_TEN_NAMES[tens], _NATIVE_ONE_NAMES[ones]) if p)
