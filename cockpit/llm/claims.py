"""Checking the language model's words against the car: the code decides, the model talks.

A 0.5B model says "The rear window defroster is turned on." when nothing moved, and "I'm driving
at 80 km/h" in a parked car. :class:`AnswerChecker` reads an answer sentence by sentence, outside
the model, and replaces what does not match the car. It is pure: regular expressions over the
words, the confirmed vehicle state and the VSS paths the same turn confirmed.

The rules, applied to each sentence in this order:

0. **Questions pass** ("Do you want me to turn it on?"): a sentence ending in ``?`` that opens with
   an auxiliary or a question word asks; it claims nothing.
1. **A claimed or promised change needs a confirmed signal of that function.** Subject and tense
   decide what is a claim:

   - the speaker acting on the car: ``I``/``we`` with a past or perfect action verb ("I turned
     it on", "I've set the temperature"), a progressive one ("I'm turning"), or a promise ("I'll
     set", "I'm going to", "let me turn", "I'd be happy to", "I can help you undo that", "Sure, I
     can ..."); the car as the actor ("The car is heating the seat.");
   - a change reported without an actor: a perfect or past passive ("has been set", "was switched
     off"), "now" ("is now 22 degrees", "is on now"), a change verb in the present passive or in a
     clipped report ("is turned up", "Volume increased to 40 percent.", "Muted.", "Done."), a
     leading gerund with no verb after it ("Turning on the rear defroster.", "Now playing jazz.",
     "Okay, navigating to Paris.");
   - a *state* verb in the present passive or a clipped report ("The fan speed is set to 100
     percent.", "Volume set to 90%.", "The rear defroster is turned on."): it passes only when
     rule 2 finds the stated value is the fact.

   Everything else describes and passes: the simple present with a function, a command or a
   gerund as subject ("The rear defroster clears the rear window.", "It turns on the heater.",
   "Turning on the A/C cools the cabin."), modal, conditional and agent passives ("It can be
   turned on from the climate screen.", "... when you turn it on", "... is heated by thin
   wires"), imperatives, negations ("I haven't changed anything in the car."), "you can ...", and
   the speaker's own doings that name nothing of the car ("I played chess as a kid.").

   A claim passes when every function it names (the defrosters, A/C, recirculation, fan,
   temperature, seat heating, volume, mute, media, navigation) has a VSS path in ``confirmed``; a
   claim naming none needs any confirmed path. A claim about something this car cannot control (a
   heated steering wheel, windows, sunroof, doors, lights, ...) never passes. The replacement is
   the ``offer`` when one was given ("Do you want me to turn on the rear defroster?"), else
   :data:`NOTHING_CHANGED` (in the turn's language: :data:`PHRASES`); later such replacements in
   the same answer are dropped (``text == ""``).
2. **A statement of the car's present state must match the facts.** Its subject is the car, the
   cabin, the driver ("I", "you", "we") or the function; it states the speed ("N km/h", stopped,
   parked, moving), the gear (park, drive, reverse, neutral, gear N), a cabin temperature (N
   degrees), a switch (A/C, recirculation, defrosters), the fan or seat heating level, the volume,
   muting, what is playing (title, artist, paused, nothing) or the destination. A statement that
   differs from the state is replaced by the fact (a contradicted state verb of rule 1: by the
   offer when there is one). When the driver's question is about the gear, any "you are in
   <something>" that is not the true gear is a gear statement ("I'm in the passenger seat.").
   Numbers count only when tied to the car this way: "Water boils at 100 degrees." and "Hamlet was
   written around 1600." pass. The amount of a change states no value ("I raised the temperature by
   2 degrees.", "two degrees warmer", "20 percent faster", "up by 10"), nor does the value it
   changed from ("from 21 degrees"): such a sentence is a claimed change (rule 1). What the facts
   do not cover passes (an unknown speed, general knowledge), except that a function the model
   was told nothing about cannot be said to be on or at some level: that counts as a claimed
   change (rule 1); saying it is off passes. A fact already said in the answer is dropped the
   second time.

**Korean.** A Korean sentence (one holding Hangul) is read by the same rules in Korean terms: the
verb's form instead of subject and tense (:mod:`cockpit.llm.claims_ko`: "뒷유리 열선을 켰습니다."
claims, "뒷유리 열선은 성에를 제거합니다." describes) and Korean statements of the state
(:mod:`cockpit.llm.facts_ko`). A replacement, the offer and the facts are said in the turn's
language and the driver's units ("지금 시속 48킬로미터로 달리고 있습니다.", "You're driving at 30 mph."),
whatever language the model answered in.

Build one :class:`AnswerChecker` per answer: it remembers what it has said. This module applies
rule 1 and decides what to say; the rest lives beside it: :mod:`cockpit.llm.sentences` reads an
answer (sentences, contractions, numbers), :mod:`cockpit.llm.car_functions` names the car's
functions and what it cannot control, :mod:`cockpit.llm.facts` applies rule 2, and
:mod:`cockpit.llm.offers` finds the command a question is about and words the offer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.llm.car_functions import UNSUPPORTED_STATE, CarFunction
from cockpit.llm.claims_ko import claim_ko, unsupported_state_ko
from cockpit.llm.facts import MATCH, UNTOLD, StateCheck
from cockpit.llm.sentences import (
    AMOUNT,
    GENERIC,
    INTERJECTION,
    LEAD,
    NEGATION,
    Sentence,
    read_sentence,
    split_sentences,
)
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue

NOTHING_CHANGED = "I haven't changed anything in the car."
"""Said instead of a claimed or promised change when there is no offer to make."""
PHRASES = Phrasebook(
    {
        "en": {"nothing_changed": NOTHING_CHANGED},
        "ko": {"nothing_changed": "차량 설정은 아무것도 바꾸지 않았습니다."},
    }
)
""":data:`NOTHING_CHANGED` in the turn's language (the model may answer a Korean driver in English)."""


@dataclass(frozen=True)
class Checked:
    """The verdict on one sentence."""

    text: str
    """What to say: the sentence itself when it passed, else its replacement ("" = say nothing)."""
    replaced: bool
    """Whether the sentence was replaced (or dropped)."""
    reason: str
    """"" when it passed; else ``claims-change``, ``promises-action``, ``unsupported-function`` or
    ``contradicts-<fact>`` (``speed``, ``gear``, ``temperature``, ``ac``, ``switch``, ``fan``,
    ``seat-heating``, ``volume``, ``mute``, ``media``, ``destination``)."""


# --- rule 1: claims and promises ------------------------------------------------------------

_VERBS = [
    v.split()
    for v in (  # noqa: SIM905
        "turn turned turning|switch switched switching|set set setting|put put putting|change changed changing|"
        "adjust adjusted adjusting|raise raised raising|lower lowered lowering|increase increased increasing|"
        "decrease decreased decreasing|reduce reduced reducing|boost boosted boosting|crank cranked cranking|"
        "bump bumped bumping|activate activated activating|deactivate deactivated deactivating|enable enabled "
        "enabling|disable disabled disabling|start started starting|stop stopped stopping|pause paused pausing|"
        "resume resumed resuming|play played playing|skip skipped skipping|mute muted muting|unmute unmuted "
        "unmuting|navigate navigated navigating|route routed routing|cancel cancelled cancelling|cancel canceled "
        "canceling|undo undone undoing|undo undid undoing|revert reverted reverting|restore restored restoring|"
        "open opened opening|close closed closing|lock locked locking|unlock unlocked unlocking|defrost defrosted "
        "defrosting|heat heated heating|warm warmed warming|cool cooled cooling|reset reset resetting|engage "
        "engaged engaging|update updated updating|take taken taking|dim dimmed dimming|fix fixed fixing"
    ).split("|")
]
"""Action verbs: base, past participle, -ing."""


def _any(words: Iterable[str]) -> str:
    return "(?:" + "|".join(sorted(set(words), key=len, reverse=True)) + ")"


_BASE, _PAST, _ING = (_any(v[i] for v in _VERBS) for i in range(3))
_STATE_PAST = re.compile(
    r"(?:set|(?:turned|switched)\s+(?:on|off)|activated|deactivated|enabled|disabled|muted|unmuted|paused|stopped|"
    r"parked)\b"
)
"""Participles that also describe a state ("is set to 21"): true when the fact agrees."""
_ADV = r"(?:(?:just|now|already|successfully|also|then|(?:gone|went)\s+ahead\s+and)\s+)*"
_IT = r"(?:it|that|this|so)"
_NOT_BEFORE_ME = {"if", "when", "whenever", "can", "could", "should", "would", "do", "did", "shall", "may", "might",
                  "will", "before", "after", "until", "unless", "once", "how", "what", "whether", "that",
                  "where"}  # fmt: skip
_MADE = rf"made\s+(?:it|the\s+(?:car|cabin|music|sound|audio|air|fan|volume|temperature))\s+(?:{AMOUNT}\s+)?\w+er\b"
"""Made it different: "made it warmer", "made the cabin two degrees warmer", "made it a bit louder"."""
_CLAIMS = re.compile(
    rf"\b(?:i|we)\s+(?:have\s+|had\s+)?{_ADV}(?:{_PAST}\b|(?:do(?:ne)?|did)\s+{_IT}\b|{_MADE}|{_BASE}"
    rf"(?=\s+(?:it|that|this|them|the|your|on|off|up|down)\b))|\b(?:i|we)\s+(?:am|are)\s+{_ADV}{_ING}\b|"
    rf"\b(?:the\s+car|the\s+system|the\s+assistant)\s+(?:is\s+{_ADV}{_ING}|has\s+{_ADV}{_PAST})\b"
)
"""Someone acting: "I turned", "I have set", "I am turning", "The car is heating the seat"."""
_PROMISES = re.compile(
    rf"\b(?:i|we)\s+(?:will|shall|am\s+going\s+to|are\s+going\s+to|am\s+gonna|would\s+be\s+(?:happy|glad)\s+to|"
    rf"can\s+help\s+(?:you\s+)?(?:to\s+)?|can\s+go\s+ahead\s+and)\s*{_ADV}(?:go\s+ahead\s+and\s+)?(?:{_BASE}|do\s+"
    rf"{_IT})\b|\blet\s+(?:me|us)\s+(?:just\s+|quickly\s+)?(?:{_BASE}|do\s+{_IT})\b|^(?:{INTERJECTION})+i\s+can\s+"
    rf"{_ADV}(?:{_BASE}\b|do\s+{_IT}\b|help\s+(?:you\s+)?with)|\b(?:i|we)\s+can\s+{_BASE}\b.*\b(?:for\s+you|right\s+"
    rf"away|now)$|\bi\s+can\s+help\s+(?:you\s+)?with\s+{_IT}\b"
)
"""A promise to act: "I'll set", "let me turn", "Sure, I can help you undo that"."""
_OUTCOME = re.compile(
    rf"^{LEAD}(?:done|all\s+set|there\s+you\s+go|consider\s+it\s+done|will\s+do|you\s+got\s+it|(?:it|that)\s+is\s+done)$"
)
_PASSIVE_PAST = re.compile(
    rf"\b(?:was|were|has\s+been|have\s+been|had\s+been|got|gets|is\s+being|are\s+being|is\s+now|are\s+now)\s+"
    rf"{_ADV}(?:been\s+)?{_PAST}\b|(?<!\bis )(?<!\bare )(?<!\bbe )(?<!\byou )\b(?:turned|switched|came|kicked|"
    rf"clicked|powered|flicked|shut)\s+(?:on|off)\b|\b(?:went|(?:has|have)\s+gone)\s+(?:up|down)\b"
)
_PASSIVE_NOW = re.compile(rf"\b(?:is|are)\s+(?:(?:currently|still|already|also)\s+)*(?P<verb>{_PAST})\b")
_NOW = re.compile(r"\b(?:is|are)\s+now\b|\b(?:on|off|muted|playing|paused|running)\s+now\b")
_PRONOUN_SUBJECT = re.compile(rf"^{LEAD}(?:it|that|this|everything|they)\s+(?:is|are|was|were|has|have)\b")
_GERUND = re.compile(
    rf"^(?P<lead>{LEAD})(?:now\s+)?(?P<verb>{_ING}|heading|going\s+back|getting\s+you|bringing\s+you)\b"
)
_GERUND_ALONE = re.compile(r"play|navigat|rout|head|tak|getting|bring|going|skip|mut|unmut|undo|revert|paus|resum")
"""Gerunds that report a change without naming a function ("Playing some Beatles.")."""
_FINITE = re.compile(
    r"\b(?:is|are|was|were|am|be|been|has|have|had|do|does|did|will|would|can|could|shall|should|may|might|must|"
    r"goes|dries|carries|applies|(?:help|make|keep|let|mean|clear|warm|cool|heat|use|reduce|remove|prevent|blow|"
    r"melt|draw|bring|work|save|improve|stop|turn|send|run|need|take|give|allow|require|pull|circulate|recirculate|"
    r"recycle|control|change|set|adjust|lower|raise|increase|decrease|start|play|mute|pause|resume|skip|show|tell|"
    r"guide|plan|find|calculate|avoid|stay|become|cause|cost|depend|affect|feel|sound|look|seem|come|happen|defrost|"
    r"defog|demist|pump|move|get|put|create|provide|protect|add|cut|lead|open|close|sit|connect|enter|exit|leave|"
    r"last|point|read|stand|wait|want|like|love|refer|describe|list|outline|consist|contain|include|belong|differ|"
    r"matter|react|respond|search|follow|hold|pass|rise|fall|fill)s|(?:switch|fix|reach|push|wash|finish|watch|"
    r"catch|touch|teach)es)\b"
)
"""A finite verb, roughly: an auxiliary or the third person of a common verb ("clears", "helps")."""
_HEADLINE = re.compile(
    r"\b(?:turned|switched|set\s+(?:to|at|on|off)|activated|deactivated|enabled|disabled|increased|decreased|"
    r"lowered|raised|reduced|boosted|adjusted|changed|muted|unmuted|resumed|skipped|cancell?ed|undone|reverted|"
    rf"restored|started|opened|closed|locked|unlocked|updated|cranked|bumped|paused)\b|\b{AMOUNT}\s+(?:warmer|cooler|"
    rf"colder|hotter|louder|quieter|softer|higher|lower|faster|slower|stronger|weaker)\b(?!\s+than)"
)
_SUBJECTS = re.compile(r"\b(?:i|you|we|they|he|she|it|this|that|these|those|there|which|who)\b")
_CAR_OBJECT = re.compile(r"\b(?:it|that|this|them|everything|changes?|settings?|the\s+last\s+\w+)\b")
"""With no function named, what the speaker may have changed in the car ("I've undone that")."""


def _claim(s: Sentence) -> str:
    """What the sentence claims to have done or promises (rule 1 of the module docstring)."""
    car = bool(s.functions) or s.unsupported or _CAR_OBJECT.search(s.low) is not None
    for found in _CLAIMS.finditer(s.low) if car else ():
        before = s.low[: found.start()].split()
        if not before or before[-1] not in _NOT_BEFORE_ME:
            return "claims-change"
    if car and _PROMISES.search(s.body):
        return "promises-action"
    if _OUTCOME.match(s.body):
        return "claims-change"
    if GENERIC.search(s.low) or NEGATION.search(s.low):
        return ""
    about = car or _PRONOUN_SUBJECT.match(s.low) is not None
    if about and (_PASSIVE_PAST.search(s.low) or (s.functions and _NOW.search(s.low))):
        return "claims-change"
    gerund = _GERUND.match(s.body)
    reported = gerund and (gerund.group("lead") or s.functions or _GERUND_ALONE.match(gerund.group("verb")))
    if gerund and reported and not _FINITE.search(s.body, gerund.end()):
        return "claims-change"
    verb = ""
    if passive := _PASSIVE_NOW.search(s.low):
        verb = s.low[passive.start("verb") : passive.end() + 5]
    elif not _FINITE.search(s.body) and not _SUBJECTS.search(s.body) and len(s.body.split()) <= 10:
        verb = s.body[headline.start() : headline.end() + 5] if (headline := _HEADLINE.search(s.body)) else ""
    if about and verb:
        return "states" if _STATE_PAST.match(verb) else "claims-change"
    return ""


_WHICH = re.compile(r",\s+which\b", re.IGNORECASE)


def _main_clause(sentence: str) -> str:
    """The clause before ", which ..." as a sentence of its own ("" when there is none): "The car
    is turned on recirculation, which means ..." claims a change however it goes on, and an
    explanation after it must not hide that."""
    found = _WHICH.search(sentence)
    return sentence[: found.start()].rstrip() + "." if found else ""


def _read(raw: str) -> Sentence:
    """``raw`` read, with what it claims (none for a question); a Korean sentence by the Korean rules."""
    s = read_sentence(raw)
    return s if s.question else dataclasses.replace(s, claim=claim_ko(s) if s.korean else _claim(s))


def _unsupported_state(s: Sentence) -> bool:
    if s.korean:
        return unsupported_state_ko(s)
    return UNSUPPORTED_STATE.search(s.low) is not None and not NEGATION.search(s.low)


class AnswerChecker:
    """Checks one answer, sentence by sentence, against the turn's confirmed actions and the car facts."""

    def __init__(
        self,
        state: Mapping[str, SignalValue],
        *,
        confirmed: Collection[str] = (),
        offer: str | None = None,
        question: str = "",
        memory: Mapping[str, Any] | None = None,
        language: str = "en",
        units: str = "metric",
    ) -> None:
        """``state``: the confirmed vehicle state by VSS path (the facts the model was given);
        ``confirmed``: the VSS paths this turn confirmed (chat turns: none); ``offer``: said instead
        of a change claim (see :func:`cockpit.llm.offers.offer_text`, in the same language);
        ``question``: the driver's words (a question about the gear or the speed makes "you are in
        ..." and "going 80" count); ``memory``: the session memory, for the destination's name
        (read as :func:`cockpit.llm.prompt.summarize_state` does); ``language``: the turn's, in
        which :data:`NOTHING_CHANGED` and the facts are said; ``units``: the driver's (the ``units``
        setting), in which the facts give speeds and temperatures."""
        self._state = StateCheck(state, memory or {}, question, language=language, units=units)
        self._confirmed = frozenset(confirmed)
        self._offer = offer
        self._nothing_changed = PHRASES.say(language, "nothing_changed")
        self._said: set[str] = set()
        self._change_said = False

    def revise(self, answer: str) -> str:
        """The whole ``answer`` checked: kept sentences and replacements, joined by spaces."""
        return " ".join(c.text for c in map(self.check, split_sentences(answer)) if c.text)

    def check(self, sentence: str) -> Checked:
        """The verdict on the next sentence of the answer."""
        s = _read(sentence)
        if s.question or not s.body.strip(" \"'.,!?-"):
            return Checked(sentence, False, "")
        if s.unsupported and (s.claim or _unsupported_state(s)):
            return self._no_change("unsupported-function")
        covered = self._covered(s.functions)
        if s.claim in ("claims-change", "promises-action") and not covered:
            return self._no_change(s.claim)
        head = _main_clause(sentence)
        if head and not s.claim and (first := self.check(head)).replaced:
            return first  # the main clause claims what the car did not do; the rest explains it
        finding = self._state.find(s)
        if s.claim == "states" and not covered and (finding is None or finding is UNTOLD):
            return self._no_change("claims-change")
        if finding is None or finding is MATCH or (finding is UNTOLD and covered):
            return Checked(sentence, False, "")
        if finding is UNTOLD or (s.claim == "states" and self._offer):
            return self._no_change("claims-change")
        return self._replace(finding.fact, finding.reason)

    def _replace(self, text: str, reason: str) -> Checked:
        if text in self._said:
            return Checked("", True, reason)
        self._said.add(text)
        return Checked(text, True, reason)

    def _no_change(self, reason: str) -> Checked:
        """The offer, or that nothing changed: once per answer."""
        if self._change_said:
            return Checked("", True, reason)
        self._change_said = True
        return self._replace(self._offer or self._nothing_changed, reason)

    def _covered(self, functions: tuple[CarFunction, ...]) -> bool:
        if not functions:
            return bool(self._confirmed)
        return all(self._confirmed.intersection(f.signals) for f in functions)
