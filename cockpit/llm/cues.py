"""Words for writing tool cues: how a driver says how the cabin feels, and how strongly.

A skill declares its cues (:class:`cockpit.skill_api.ToolCue`); these patterns and helpers let
them read alike. The gate (:mod:`cockpit.llm.gate`) has already refused anything but a short,
plain remark by the time a cue is tried.
"""

from __future__ import annotations

import re

SUBJECT = (
    r"(?:i'?m|i\s+am|im|we'?re|we\s+are|i\s+feel|we\s+feel|feeling|getting|it'?s|it\s+is|its|it\s+feels|"
    r"feels|(?:my|the)\s+passenger\s+(?:is|feels)|(?:the\s+)?passenger'?s|(?:the\s+)?car\s+is|"
    r"(?:the\s+)?cabin\s+is)"
)
"""Who or what the remark is about: the speaker, the passenger, the cabin."""
INTENSITY = (
    r"(?:\s+(?:so|too|way\s+too|far\s+too|really|very|pretty|quite|rather|super|extremely|a\s+bit|"
    r"a\s+little|a\s+little\s+bit|kind\s+of|kinda|slightly|somewhat|getting|still))*"
)
"""Words of degree between the subject and the feeling."""
STRONG = re.compile(
    r"\b(?:freezing|freezin|frozen|icy|shivering|boiling|roasting|sweltering|baking|burning\s+up|melting|"
    r"way\s+too|far\s+too|so|too|really|very|super|extremely)\b",
    re.I,
)
"""A strongly felt remark: the larger changes are offered."""
MILD = re.compile(r"\b(?:a\s+bit|a\s+little|slightly|somewhat|kind\s+of|kinda)\b", re.I)
"""A mild remark: only the smallest change is offered."""


def feeling(words: str) -> re.Pattern[str]:
    """A remark that the speaker (or the cabin) feels ``words``: "I'm so cold", "too cold", "cold in here"."""
    return re.compile(
        rf"\b{SUBJECT}{INTENSITY}\s+{words}\b|\b(?:too|so|way\s+too){INTENSITY}\s+{words}\b|"
        rf"\b{words}\s+in\s+here\b|^(?:brr+\s*)?{words}$",
        re.I,
    )


def magnitudes(
    text: str, mild: tuple[float, ...], plain: tuple[float, ...], strong: tuple[float, ...]
) -> tuple[float, ...]:
    """The sizes of change a remark asks for: ``mild``, ``plain`` or ``strong`` by its words."""
    if MILD.search(text):
        return mild
    if STRONG.search(text):
        return strong
    return plain


def zone(text: str) -> str | None:
    """Whose seat the remark is about: ``passenger``, ``all`` (we, everyone), or None: the
    speaker's own ("I'm cold"), which the skill takes from the session's seat."""
    if re.search(r"\bpassenger", text):
        return "passenger"
    if re.search(r"\b(?:we'?re|we\s+are|we\s+feel|everyone|everybody|all\s+of\s+us|both\s+of\s+us)\b", text):
        return "all"
    return None
