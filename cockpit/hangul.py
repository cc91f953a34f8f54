"""Korean particles that depend on the word before them, for replies built from parts.

Korean marks the topic, subject and object with particles whose form depends on whether the
word before ends in a consonant (받침): 온도는 but 볼륨은, 재즈를 but 클래식을. A reply that puts a
name into a sentence picks the form here rather than writing "은(는)".
"""

from __future__ import annotations

import re

from cockpit.nlu.numbers_ko import sino_words

_FIRST, _LAST = 0xAC00, 0xD7A3  # the precomposed Hangul syllables
_RIEUL = 8  # the final ㄹ: 으로 becomes 로 after it


def is_hangul(char: str) -> bool:
    """Whether ``char`` is one precomposed Hangul syllable."""
    return len(char) == 1 and _FIRST <= ord(char) <= _LAST


def has_hangul(text: str) -> bool:
    """Whether ``text`` holds any Hangul syllable."""
    return any(is_hangul(char) for char in text)


def _final(word: str) -> int | None:
    """The final consonant index of ``word``'s last syllable (0: none), or None when it is not Hangul.
    Digits count as read in Sino-Korean ("30" is 삼십, ending in ㅂ)."""
    digits = re.search(r"\d{1,8}$", word.rstrip())
    last = sino_words(int(digits.group()))[-1:] if digits else word.rstrip()[-1:]
    return (ord(last) - _FIRST) % 28 if is_hangul(last) else None


def particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """``word`` followed by the form of a particle its last syllable takes: ``particle("볼륨", "은", "는")``
    is ``"볼륨은"``. A word not ending in Hangul (a digit, a Latin title) takes the vowel form
    only when it ends in a vowel letter; otherwise the consonant form, as most such words are read."""
    final = _final(word)
    if final is None:
        ends_in_vowel = word.rstrip()[-1:].lower() in ("a", "e", "i", "o", "u", "y")
        return word + (after_vowel if ends_in_vowel else after_consonant)
    if after_consonant == "으로" and final == _RIEUL:
        return word + after_vowel
    return word + (after_consonant if final else after_vowel)
