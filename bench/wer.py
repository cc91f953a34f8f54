"""Word error rate: word-level Levenshtein distance over a set of utterances.

``WER = (substitutions + deletions + insertions) / reference words``, summed over the whole set
(not averaged per utterance, so long utterances weigh more, as is usual). Texts are compared as
lower-case words with punctuation removed, so "Set the temperature." and "set the temperature"
are the same three words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_PUNCTUATION = re.compile(r"[^\w\s']|_")


def words(text: str) -> list[str]:
    """``text`` as the words WER compares: lower case, punctuation removed (any script)."""
    return _PUNCTUATION.sub(" ", text.lower()).split()


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """The fewest substitutions, deletions and insertions that turn ``reference`` into ``hypothesis``."""
    if len(reference) < len(hypothesis):  # keep the row as short as the shorter sequence
        reference, hypothesis = hypothesis, reference
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def word_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """WER over ``(reference, hypothesis)`` texts; 0.0 for no reference words and no hypothesis words."""
    errors = total = 0
    for reference, hypothesis in pairs:
        ref = words(reference)
        errors += word_errors(ref, words(hypothesis))
        total += len(ref)
    if total == 0:
        return 0.0 if errors == 0 else float("inf")
    return errors / total
