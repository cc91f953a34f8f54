"""The tool gate: which tool calls, with which values, the model may make for one utterance.

A 0.5B model cannot be trusted to decide when to act, so the decision is made here, from the
driver's own words only (never from vehicle state, song titles, destinations or chat history),
and conservatively: a tool is offered only for a short first-person remark about how the cabin
feels ("I'm freezing", "it's way too hot in here", "the windscreen is fogged up", "it's too loud"),
with the direction and size of the change fixed by those words. The model then chooses among the
calls offered, under a grammar that admits nothing else.

Any sign of an attempt to change the rules, any quoted text, questions, negations, conditions,
numbers and requests about something other than the cue turn the gate off: the turn is answered
in words. The templates handle explicit commands; this gate only covers feelings they cannot.

The remarks themselves (:class:`~cockpit.skill_api.ToolCue`) belong to the skills that act on
them: climate declares "too cold", media "too loud". The gate only reads them from the registry.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.llm.tools import ToolOption

if TYPE_CHECKING:
    from cockpit.skill_api import ToolCue

MAX_WORDS = 12
"""Longer utterances are not a simple remark about the cabin: no tools."""

INJECTION = re.compile(
    r"""<\||\|>|[{}\[\]`<>\\]|\b(?:ignore|disregard|forget|override|overrule|bypass|circumvent|jailbreak|
    pretend|role-?play|act\s+as|you\s+are\s+now|from\s+now\s+on|new\s+(?:rules?|instructions?|persona|mode)|
    developer|dev\s+mode|debug|admin(?:istrator)?|root|sudo|system|prompt|instructions?|rules?|polic(?:y|ies)|
    restrict\w*|safety|unrestricted|unfiltered|dan|simulate|execute|command|function|tool|json|api|payload|
    previous|above|secret|reveal|confidential|hack|exploit|assistant|override|obey|comply|must|now\s+you|
    tool_call|call)\b""",
    re.I | re.X,
)
"""Words and characters of an attempt to rewrite the rules; any match turns the gate off."""

RULE_CHANGE = re.compile(
    r"""<\||\|>|</?tool_call>|\b(?:ignore|disregard|forget|override|overrule|bypass|circumvent|drop|abandon|
    skip|break)\s+(?:\w+\s+){0,4}?(?:instructions?|rules?|prompts?|guidelines?|restrictions?|programming|
    polic(?:y|ies)|safety|limits?|constraints?|directives?|orders?|system)\b|\b(?:jailbreak|jailbroken|
    developer\s+mode|dev\s+mode|god\s+mode|admin\s+mode|debug\s+mode|maintenance\s+mode|unrestricted\s+mode|
    do\s+anything\s+now|system\s+prompt|new\s+instructions?|new\s+rules?|you\s+are\s+now|from\s+now\s+on\s+you|
    pretend\s+(?:you|to\s+be|that)|act\s+as\s+(?:if|an?|my|the)|roleplay\s+as|you\s+have\s+no\s+(?:rules|limits))\b""",
    re.I | re.X,
)
"""An explicit attempt to rewrite the assistant's rules: answered with a fixed refusal."""

_PAUSES = re.compile(r"[,.!;:…]+")
_QUOTES = re.compile(r"[\"“”„«»‘’]|(?:^|\s)'|'(?:\s|$)")
_QUESTION = re.compile(
    r"\?|^(?:hey\s+\w+\s+|ok\s+\w+\s+)?(?:is|are|am|was|were|will|do|does|did|what|what's|whats|how|how's|why|"
    r"when|where|who|whom|which|should|shall|isn't|aren't|have|has)\b",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|nobody|nothing|none|neither|nor|hardly|barely|without|stop|don't|dont|doesn't|"
    r"doesnt|didn't|didnt|isn't|isnt|aren't|arent|wasn't|wasnt|won't|wont|ain't|aint|can't|cant|cannot|"
    r"couldn't|shouldn't|wouldn't|no\s+longer|anymore|any\s+more)\b",
    re.I,
)
_CONDITION = re.compile(
    r"\b(?:if|when|whenever|unless|in\s+case|once|until|before|after|would|will|gonna|going\s+to|"
    r"might|maybe|today|tonight|tomorrow|yesterday|later|earlier|last|next|week|weekend|morning|evening|"
    r"forecast|weather|outside|outdoors|out\s+there|in\s+(?!here\b|the\s+car\b|this\s+car\b)[a-z]+)\b",
    re.I,
)
_COMPOUND = re.compile(r"\b(?:and|then|also|but|plus|or|because|while|after)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|half|degrees?|percent|fahrenheit|celsius)\b",
    re.I,
)
_OTHER_TARGET = re.compile(
    r"\b(?:open|close|shut|unlock|lock|windows?|doors?|trunk|boot|sunroof|roof|engine|brakes?|steer\w*|"
    r"accelerat\w*|speed|drive|driving|park|navigat\w*|route|call|text|message|e-?mail|send|delete|buy|order|"
    r"pay|set|max|maximum|min|minimum|full|highest|lowest|everything|every|disable|enable|all\s+the\s+way|"
    r"song|track|album|play|playing|radio|podcast|movie|film|book|story|joke|news|recipe|food|drink|coffee|"
    r"tea|soup|pizza|wings|sauce|pepper|spicy|shower|water|oven|stove|bath|house|home|room|bedroom|office|"
    r"kitchen|fridge|freezer|heater|heating|fan|lights?|oven|tv|phone|sex\w*|date|movie|weather)\b",
    re.I,
)


@dataclass(frozen=True)
class GateDecision:
    """What the model may do for one utterance."""

    options: tuple[ToolOption, ...]
    """Calls it may make; empty means: answer in words."""
    reason: str
    """Why: the cue's name, or what turned the gate off (for logs and tests)."""


def asks_to_change_rules(text: str) -> bool:
    """Whether ``text`` explicitly tries to rewrite the rules ("ignore your instructions...")."""
    return RULE_CHANGE.search(" ".join(text.split())) is not None


def looks_like_injection(text: str) -> bool:
    """Whether ``text`` contains words or characters of an attempt to change the rules."""
    return INJECTION.search(text) is not None


def decide(text: str, available: Collection[str], cues: Sequence[ToolCue] | None = None) -> GateDecision:
    """The tool calls allowed for the driver's ``text``, restricted to ``available`` intents.

    ``cues`` are the remarks the skills declare, in priority order (default: the built-in skills'
    cues, as the skill registry collects them)."""
    if cues is None:
        from cockpit.skill_registry import builtin_capabilities

        cues = builtin_capabilities().cues
    utterance = " ".join(_PAUSES.sub(" ", text.lower().replace("’", "'")).split())
    for check, reason in (
        (looks_like_injection, "injection"),
        (lambda t: _QUOTES.search(t) is not None, "quoted text"),
        (lambda t: len(t.split()) > MAX_WORDS, "too long"),
        (lambda t: _QUESTION.search(t) is not None, "question"),
        (lambda t: _CONDITION.search(t) is not None, "not about here and now"),
        (lambda t: _NUMBER.search(t) is not None, "explicit numbers"),
        (lambda t: _COMPOUND.search(t) is not None, "more than one request"),
    ):
        if check(utterance):
            return GateDecision((), reason)
    for cue in cues:
        found = cue.pattern.search(utterance)
        if found is None:
            continue
        rest = utterance[: found.start()] + " " + utterance[found.end() :] if cue.allow_negation else utterance
        if _NEGATION.search(rest):
            return GateDecision((), "negation")
        if cue.topical and _OTHER_TARGET.search(utterance):
            return GateDecision((), "about something else")
        option = cue.options(utterance)
        if option.intent not in available:
            return GateDecision((), f"{cue.name}: {option.intent} unavailable")
        return GateDecision((option,), cue.name)
    return GateDecision((), "no cue")
