"""Reading an answer: sentences, numbers and the words the checks share.

:func:`split_sentences` cuts an answer, :func:`read_sentence` normalises one (quotes, spaces,
contractions) into a :class:`Sentence` that knows whether it asks and which car functions it
names, and :func:`parse_number` reads a :data:`NUMBER` in digits or words. Part of the answer
checker: the rules are in :mod:`cockpit.llm.claims`, which fills in :attr:`Sentence.claim`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.hangul import has_hangul
from cockpit.llm.car_functions import CarFunction, mentions
from cockpit.llm.speech import SentenceSplitter

# --- reading a sentence ---------------------------------------------------------------------

_CONTRACTIONS = tuple(
    (re.compile(pattern, re.I), repl)
    for pattern, repl in (
        (r"\b(\w+)'s\s+been\b", r"\1 has been"),
        (r"\b(i|you|we|they)'ve\b", r"\1 have"),
        (r"\b(i)'m\b", r"\1 am"),
        (r"\b(you|we|they)'re\b", r"\1 are"),
        (r"\b(i|you|we|they|it|that|he|she)'ll\b", r"\1 will"),
        (r"\b(i|you|we|they)'d\b", r"\1 would"),
        (r"\b(it|that|there|here|what|he|she|who|this|everything)'s\b", r"\1 is"),
        (r"\bcan't\b|\bcannot\b", "can not"),
        (r"\bwon't\b", "will not"),
        (r"\b(\w+)n't\b", r"\1 not"),
        (r"\blet's\b", "let us"),
        (r"(\w)'s(?=\s+(?:on|off|now|set|at|turned|switched|playing|running|not|muted|paused|parked|in)\b)", r"\1 is"),
    )
)
_QUOTE_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "`": "'"})
INTERJECTION = (
    r"(?:okay|ok|sure|alright|all\s+right|got\s+it|right\s+away|certainly|of\s+course|yes|yeah|yep|no|"
    r"absolutely|no\s+problem|great|perfect|fine|well|oh|hmm|so)\s*[,!.:;-]*\s+"
)
"""One word or phrase of assent or hesitation opening a sentence ("Sure, ", "Okay! ")."""
LEAD = rf"(?:{INTERJECTION})*"
"""Any number of :data:`INTERJECTION` at the start."""
_ASKS = re.compile(
    LEAD + r"(?:do|does|did|would|will|shall|should|can|could|may|might|is|are|am|was|were|have|has|what|"
    r"which|who|whom|whose|where|when|why|how|want|anything|need|any)\b"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer, as the checks read it."""

    text: str
    """Normalised (quotes, spaces, contractions), case kept."""
    low: str
    """The same in lower case (same positions)."""
    body: str
    """``low`` without closing punctuation."""
    question: bool
    """Whether it asks (ends in "?" and opens with an auxiliary or a question word)."""
    functions: tuple[CarFunction, ...]
    """The car functions it names (see :func:`~cockpit.llm.car_functions.mentions`)."""
    unsupported: bool
    """Whether it names something this car cannot control."""
    claim: str = ""
    """``claims-change``, ``promises-action``, ``states`` (a state verb: rule 2 decides) or ""."""
    korean: bool = False
    """Whether it is Korean (holds Hangul): the Korean rules read it (:mod:`cockpit.llm.claims_ko`)."""


def read_sentence(raw: str) -> Sentence:
    """``raw`` normalised and read: whether it asks, the functions it names; ``claim`` left "" (rule 1
    of :mod:`cockpit.llm.claims` decides it)."""
    text = " ".join(raw.translate(_QUOTE_MARKS).split())
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    low = text.lower()
    korean = has_hangul(low)
    # A Korean question ends in "?" (its ending asks: 켤까요?, 켰어요?); no auxiliary opens it.
    question = low.rstrip(" \"')").endswith("?") and (korean or _ASKS.match(low) is not None)
    return Sentence(text, low, low.rstrip(" .!?…;:\"')~"), question, *mentions(low), korean=korean)


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences, at the boundaries the streamed answer is released at
    (:class:`~cockpit.llm.speech.SentenceSplitter`); empty pieces dropped."""
    splitter = SentenceSplitter()
    return [*splitter.feed(text), *filter(None, [splitter.rest()])]


# --- numbers --------------------------------------------------------------------------------

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + "|hundred)"
NUMBER = rf"(?:\d+(?:\.\d+)?|{_WORD}(?:(?:\s+and\s+|[\s-]+){_WORD})*(?:\s+point\s+{_WORD})?)"
"""A number in digits ("21.5") or words ("twenty one", "one hundred and five", "twenty point five")."""


def parse_number(text: str) -> float | None:
    """The value of a :data:`NUMBER`, else None (never raises)."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    whole, _, fraction = text.partition(" point ")
    words = [w for w in re.split(r"[\s-]+", whole) if w and w != "and"]
    if not words or any(w != "hundred" and w not in _NUMBER_WORDS for w in words):
        return None
    total = 0
    for word in words:
        total = (total or 1) * 100 if word == "hundred" else total + _NUMBER_WORDS[word]
    digits = [_NUMBER_WORDS.get(w, 10) for w in fraction.split()]
    if any(d > 9 for d in digits):
        return None
    return float(f"{total}." + "".join(map(str, digits))) if digits else float(total)


# --- words the rules share ------------------------------------------------------------------

NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|neither|nor|without|unable)\b")
"""A negation: a negated change claims nothing, a negated state is the opposite one."""
_UNIT = r"(?:degrees?|percent|per\s+cent|points?|steps?|notch(?:es)?|levels?)"
_A_BIT = (
    r"(?:a\s+(?:little\s+)?bit|a\s+little|a\s+lot|a\s+touch|a\s+tad|a\s+notch|slightly|somewhat|"
    rf"a\s+(?:few|couple\s+of|couple)\s+{_UNIT})"
)
_MEASURED = rf"{NUMBER}(?:\s*(?:°|%)|\s+{_UNIT})(?!\w)"
AMOUNT = rf"(?:{_A_BIT}|{_MEASURED}|{NUMBER}(?!\w))"
"""How much a change changed: "a bit", "two degrees", "20 percent", "10" (see :func:`states_change`)."""
GENERIC = re.compile(
    r"\b(?:when|whenever|if|once|until|unless|usually|typically|normally|generally|often|sometimes|automatically|"
    r"can\s+be|could\s+be|should\s+be|may\s+be|might\s+be|must\s+be|you\s+can|you\s+could|so\s+that|in\s+order|"
    rf"where|which)\b|\bby\b(?!\s+(?:about\s+|around\s+|roughly\s+|another\s+|a\s+further\s+)?(?:{_A_BIT}|{_MEASURED}|"
    rf"{NUMBER}(?=\s*(?:$|[,.;!?)])|\s+(?:to|and|so|now|for|from|more|less)\b)))"
)
"""Words of a general description or a condition: passives with them claim nothing. "by" counts
("is heated by thin wires", "by default", "by 2 wires"), but not before an amount: "raised by 2
degrees", "turned up by 10." report a change."""
_CHANGE_BEFORE = re.compile(
    r"(?:\b(?:by|up|down|from|another)|\b(?:an?\s+)?(?:extra|additional|further))\s+(?:(?:about|around|roughly|"
    r"approximately|almost|nearly|just|only|another|a\s+further)\s+)*$|\b(?:rais|lower|increas|decreas|reduc|"
    r"boost|bump|dropp|crank)(?:ed|ing)\s+(?:(?!(?:to|at|from|is|are|was|were|and|but|so|of|now)\b)[\w']+\s+){0,4}$"
)
"""Words before the amount of a change ("by", "up", "another", "raised the temperature") or the
value it changed from ("from")."""
_CHANGE_AFTER = re.compile(
    r"\s*(?:°\s*[cf]?|%|degrees?(?:\s+(?:celsius|fahrenheit|c|f))?|deg|percent|per\s+cent|points?|steps?|"
    r"notch(?:es)?|levels?|units?)?\s*(?:more|less|higher|lower|warmer|cooler|colder|hotter|louder|quieter|softer|"
    r"faster|slower|stronger|weaker|above|below|(?:up|down)(?!\s+from))\b"
)
"""Words after the amount of a change: "2 degrees warmer", "20 percent more", "two steps up"."""


def states_change(low: str, start: int, end: int) -> bool:
    """Whether the number at ``low[start:end]`` is the amount of a change ("by 2 degrees", "20
    percent faster", "two steps up") or the value it changed from ("from 21 degrees"): not a value
    the sentence states the car has now."""
    return _CHANGE_BEFORE.search(low, 0, start) is not None or _CHANGE_AFTER.match(low, end) is not None
