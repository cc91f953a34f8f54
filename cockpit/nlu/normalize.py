"""Text normalisation shared by utterances and template literals.

Both sides go through :func:`normalize`, so a template written as "driver's" matches an
utterance "Driver’s". The result is lowercase ASCII-ish words (and Hangul syllables) separated by
single spaces:

- accents folded ("café" -> "cafe"), curly quotes straightened, apostrophes dropped inside
  words ("driver's" -> "drivers", "let's" -> "lets"), because recognisers and people spell
  them both ways;
- "a/c", "A.C." -> "a c"; hyphens and other punctuation -> spaces ("co-driver" -> "co driver");
- units: "°F" / "21F" -> "degrees fahrenheit", "°C" / "21C" -> "degrees celsius", "°" -> "degrees",
  "%" -> "percent";
- numbers: "21,5" -> "21.5" (a decimal comma has one or two digits after it),
  "1,600" -> "1600" (a thousands comma has three);
- Korean: Hangul is kept, composed ("에어컨 켜 줘"); compatibility jamo (a lone "ㅋ") are dropped.
  Korean spacing is left as written: the Korean matcher ignores it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_MINUS = re.compile(r"(?<![\w.])[-−](?=\d)")
_DEGREE_F = re.compile(r"\s*°\s*f\b|(?<=\d)\s*f\b")
_DEGREE_C = re.compile(r"\s*°\s*c\b|(?<=\d)\s*c\b")
_DEGREE = re.compile(r"\s*°")
_PERCENT = re.compile(r"\s*%")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}\b)")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_NOT_WORD = re.compile(r"[^a-z0-9.\uac00-\ud7a3]+")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces; see the module docstring for the rules."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)  # NFKD split Hangul syllables into jamo: put them back
    text = _MINUS.sub(" minus ", text)
    text = _DEGREE_F.sub(" degrees fahrenheit", text)
    text = _DEGREE_C.sub(" degrees celsius", text)
    text = _DEGREE.sub(" degrees", text)
    text = _PERCENT.sub(" percent", text)
    text = _DECIMAL_COMMA.sub(".", text)
    text = _THOUSANDS_COMMA.sub("", text)
    text = _APOSTROPHE.sub("", text)
    text = _STRAY_DOT.sub(" ", _NOT_WORD.sub(" ", text))  # keeps only the dot of "21.5"
    return " ".join(text.split())


def strip_fillers(text: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> str:
    """Drop leading wake words and courtesy ("hey olly", "please", "can you") and trailing
    courtesy ("please", "thanks", "now"), repeatedly. Phrases must be normalised already and
    are tried longest first. Never strips the text down to nothing.
    """
    words = text.split()
    pre = sorted((p.split() for p in prefixes), key=len, reverse=True)
    post = sorted((s.split() for s in suffixes), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for phrase in pre:
            if len(words) > len(phrase) and words[: len(phrase)] == phrase:
                words = words[len(phrase) :]
                changed = True
                break
        for phrase in post:
            if len(words) > len(phrase) and words[-len(phrase) :] == phrase:
                words = words[: -len(phrase)]
                changed = True
                break
    return " ".join(words)
