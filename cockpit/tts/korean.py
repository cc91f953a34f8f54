"""Korean reply text as the Korean voice should read it: numbers in Sino-Korean words.

Replies write numbers as digits ("22도", "40퍼센트", "21.5도"). espeak-ng's Korean voice reads
whole numbers in Sino-Korean (이십이) but drops a decimal point ("21.5" comes out as 이십일 오) and
reads "%" and "km/h" in English. So before synthesis every number becomes Sino-Korean words
(:func:`cockpit.nlu.numbers_ko.sino_words`, the inverse of the parser the recogniser uses:
"21.5" -> 이십일 점 오) and the unit signs Korean words. Digits inside a Latin name ("M83",
"UB40") are left to the voice.
"""

from __future__ import annotations

import re

from cockpit.nlu.numbers_ko import sino_words

MAX_READ = 99_999_999
"""Largest number read as words (:func:`sino_words` stops below 억); larger ones stay digits."""

_UNITS = (
    (re.compile(r"\s*km/h\b", re.IGNORECASE), "킬로미터"),
    (re.compile(r"\s*(?:°C|℃)"), "도"),
    (re.compile(r"\s*%"), "퍼센트"),
)
_NUMBER = re.compile(
    r"(?<![A-Za-z\d.,])(?P<sign>(?<![\w-])-)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![A-Za-z\d]|[.,]\d)"
)


def _words(found: re.Match[str]) -> str:
    digits = found.group("number").replace(",", "")
    value: float | int = float(digits) if "." in digits else int(digits)
    if value > MAX_READ:
        return found.group()
    if found.group("sign"):
        value = -value
    return sino_words(value)


def speakable_korean(text: str) -> str:
    """``text`` with its numbers in Sino-Korean words and %, °C and km/h in Korean:
    "볼륨을 40퍼센트로" -> "볼륨을 사십퍼센트로", "21.5도" -> "이십일 점 오도"."""
    for pattern, word in _UNITS:
        text = pattern.sub(word, text)
    return _NUMBER.sub(_words, text)
