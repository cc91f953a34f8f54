"""Several commands in one utterance, split without the language model.

"Navigate to Shenzhen and turn on my seat heater" is two commands; "play rock and roll" and
"navigate to Barnes and Noble" are one. The utterance is cut at every joining word ("and",
"then", a comma, "그리고"), and the cuts are kept only where every piece they make is a command
the templates recognise on its own (or a request this car cannot do, which is refused by name).
Of the ways to cut, the one with the most pieces wins; an utterance with no such way is left
whole. So a joining word inside a slot (a destination, a title) never splits it, because the
piece after it is no command.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from cockpit.catalogue import IntentMatch, Recognition, Unsupported

MAX_CUTS = 5
"""Joining words considered in one utterance (2**5 ways to cut; more is not a spoken request)."""

_JOIN = re.compile(
    r"\s*,?\s+(?:and\s+then|and\s+also|and|then|also|plus)\s+(?=\S)|\s*[,;]\s*(?=\S)|\s*(?:그리고|그\s?다음에?)\s*(?=\S)",
    re.IGNORECASE,
)


def split_commands(text: str, recognize: Callable[[str], Recognition]) -> list[IntentMatch | Unsupported] | None:
    """The recognition results of the commands in ``text`` in order, when it holds two or more;
    None when it is one request (or none).

    ``recognize(piece)`` is the template recogniser: an :class:`IntentMatch`, an unsupported
    request (:class:`Unsupported`), or None. At least one piece must be an intent.
    """
    pieces = _JOIN.split(text.strip())
    if len(pieces) < 2 or len(pieces) > MAX_CUTS + 1:
        return None
    seen: dict[str, Recognition] = {}

    def result(words: str) -> Recognition:
        if words not in seen:
            seen[words] = recognize(words)
        return seen[words]

    joints = _JOIN.findall(text.strip())
    for cuts in range(len(pieces) - 1, 0, -1):  # the most commands first
        for chosen in itertools.combinations(range(len(joints)), cuts):
            groups = _groups(pieces, joints, chosen)
            results = [result(g) for g in groups]
            commands = [r for r in results if r is not None]
            if len(commands) == len(results) and any(isinstance(r, IntentMatch) for r in commands):
                return commands
    return None


def _groups(pieces: list[str], joints: list[str], cuts: tuple[int, ...]) -> list[str]:
    """``pieces`` joined back (with their original joining words) except at ``cuts``."""
    groups, current = [], pieces[0]
    for index, joint in enumerate(joints):
        if index in cuts:
            groups.append(current)
            current = pieces[index + 1]
        else:
            current += joint + pieces[index + 1]
    groups.append(current)
    return groups
