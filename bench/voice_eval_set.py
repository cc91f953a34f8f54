"""The held-out spoken evaluation set: its sentences, their split, and how a heard turn is judged.

**Sentences** (``bench/data/voice_eval.jsonl``, one JSON object a line) were written by hand,
independently of the skills' templates and of the template expander: real SLURP *devel*
commands that this car can carry out (SLURP's test split is never read), hand-written
paraphrases, open questions and requests outside the catalogue, and talk that is not for the
assistant. Each has:

- ``id``: ``slurp-<slurp_id>`` or ``hand-<domain>-NN``;
- ``text``: what is said after the wake word (or without one);
- ``kind``: ``command`` (the car should do it), ``question`` (the wake word, then an open
  question or a request the car cannot carry out) or ``background`` (talk not addressed to the
  assistant: no wake word, or the wake word and then chatter);
- ``wake``: whether "hey jarvis" is said first;
- ``intent`` and ``slots``: the catalogue intent and the slots that must come out of it
  (``"none"`` and ``{}`` for questions and background). A slot's expected value is a literal
  (compared for equality), ``{"sign": 1}`` / ``{"sign": -1}`` (a signed change in that
  direction, any size) or ``{"contains": "words"}`` (free text that must contain these words);
- ``source``: ``slurp-devel:<slurp_id>`` or ``hand``;
- ``split``: ``tune`` or ``test``, decided **by sentence** (:func:`split_of`, a hash of the
  normalised text), so every rendering of a sentence is on the same side and no test sentence
  is ever tuned on.

**The fresh set** (``bench/data/voice_eval_fresh.jsonl``, :data:`FRESH_SENTENCES`) has the same
fields, written later and in the same way (ids ``fresh-slurp-<slurp_id>`` and
``fresh-hand-<domain>-NN``; no sentence and no SLURP id of the list above), for a measure once
the list's test half has been read too often to be held out. It has **no tuning half**: every
sentence is ``test``, whatever :func:`split_of` says, and nothing may be tuned on it. Questions
about the car's own state are commands there (``climate.query``, ``drive.query``, ...), as the
catalogue answers them. ``script/make_eval_set.py --fresh`` synthesises it into a cache folder of
its own; ``python -m bench.voice_eval --fresh`` reads it. ``make bench`` never does: it is read
once, by hand.

**The third set** (``bench/data/voice_eval_third.jsonl``, :data:`THIRD_SENTENCES`) is a third
held-out list, written by hand after the other two had both been read, in the same way and with
the same fields (ids ``third-hand-<domain>-NN``, source ``hand``; no sentence of either list
above; every sentence ``test``). It is spoken by the other sets' voices and by Festival's voices,
which no tuning step has heard (``script/make_eval_set.py``'s ``FESTIVAL_VOICES``).
``script/make_eval_set.py --third`` synthesises it into a cache folder of its own;
``python -m bench.voice_eval --third`` reads it, once, by hand.

**The fourth set** (``bench/data/voice_eval_fourth.jsonl``, :data:`FOURTH_SENTENCES`) is a fourth
held-out list, written by hand after the other three had all been read, in the same way and with
the same fields (ids ``fourth-hand-<domain>-NN``, source ``hand``; no sentence of the three lists
above; every sentence ``test``). When the driver names no seat ("my side", "for me") it expects no
``zone``: the car uses the speaker's seat. It is spoken by the third set's voices.
``script/make_eval_set.py --fourth`` (or ``--held-out fourth``) synthesises it into a cache folder
of its own; ``python -m bench.voice_eval --fourth`` reads it, once, by hand.

**The fifth set** (``bench/data/voice_eval_fifth.jsonl``, :data:`FIFTH_SENTENCES`) is a fifth
held-out list, written by hand after the other four had all been read, in the same way and with
the same fields (ids ``fifth-hand-<domain>-NN``, source ``hand``; no sentence of the four lists
above; every sentence ``test``). As in the fourth, a driver who names no seat ("my side", "for me",
"my seat") expects no ``zone``. It is spoken by the third and fourth sets' voices.
``script/make_eval_set.py --fifth`` (or ``--held-out fifth``) synthesises it into a cache folder
of its own; ``python -m bench.voice_eval --fifth`` reads it, once, by hand.

**Judging** (:func:`judge`) is a pure function of the sentence and what the turn understood:
the intent's name, its slots and whether it actuates (writes to the car).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SENTENCES = Path(__file__).resolve().parent / "data" / "voice_eval.jsonl"
"""The committed sentence list."""
FRESH_SENTENCES = SENTENCES.with_name("voice_eval_fresh.jsonl")
"""The fresh held-out list: every sentence ``test``, none tuned on, read once (see above)."""
THIRD_SENTENCES = SENTENCES.with_name("voice_eval_third.jsonl")
"""The third held-out list, for voices no tuning step heard: every sentence ``test``, read once (see above)."""
FOURTH_SENTENCES = SENTENCES.with_name("voice_eval_fourth.jsonl")
"""The fourth held-out list, spoken by the third's voices: every sentence ``test``, read once (see above)."""
FIFTH_SENTENCES = SENTENCES.with_name("voice_eval_fifth.jsonl")
"""The fifth held-out list, spoken by the third's voices: every sentence ``test``, read once (see above)."""
HELD_OUT: dict[str, Path] = {
    "fresh": FRESH_SENTENCES,
    "third": THIRD_SENTENCES,
    "fourth": FOURTH_SENTENCES,
    "fifth": FIFTH_SENTENCES,
}
"""The held-out sentence lists by name (``--held-out NAME`` in ``script/make_eval_set.py`` and
:mod:`bench.voice_eval`): each is read once."""
KINDS = ("command", "question", "background")
"""Kinds of sentence."""
SPLITS = ("tune", "test")
"""The two halves: tune on the first, report on the second."""
NO_INTENT = "none"
"""The expected intent of a question or background talk."""


def normalise(text: str) -> str:
    """Lower case, letters, digits and apostrophes only, single spaces: what the split hashes."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def split_of(text: str) -> str:
    """``test`` or ``tune`` for a sentence: the parity of the first byte of sha256(normalised text)."""
    return SPLITS[hashlib.sha256(normalise(text).encode()).digest()[0] % 2]


@dataclass(frozen=True)
class Sentence:
    """One sentence of the evaluation set."""

    id: str
    """Stable identifier (``slurp-2360``, ``hand-climate-03``)."""
    text: str
    """What is said (after the wake word, if any)."""
    kind: str
    """``command``, ``question`` or ``background``."""
    wake: bool
    """Whether the wake word is said first."""
    intent: str
    """Expected catalogue intent, or ``none``."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """Slots that must come out, with their expected values (see the module docstring)."""
    source: str = "hand"
    """``slurp-devel:<id>`` or ``hand``."""
    split: str = "test"
    """``tune`` or ``test``."""


def load_sentences(path: Path = SENTENCES) -> list[Sentence]:
    """Every sentence of the list, in file order (checked: kinds, splits, unique ids and texts)."""
    sentences = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        sentence = Sentence(
            str(row["id"]),
            str(row["text"]),
            str(row["kind"]),
            bool(row["wake"]),
            str(row["intent"]),
            dict(row.get("slots") or {}),
            str(row.get("source", "hand")),
            str(row["split"]),
        )
        if sentence.kind not in KINDS or sentence.split not in SPLITS:
            raise ValueError(f"{path}:{number}: bad kind or split in {row}")
        sentences.append(sentence)
    for what in ("id", "text"):
        keys = [s.id if what == "id" else normalise(s.text) for s in sentences]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"{path}: duplicate {what}s: {dupes}")
    return sentences


# -- judging ------------------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    """What a spoken turn did, against what was said."""

    RIGHT = "right"
    """A command understood as said: its intent with every expected slot."""
    WRONG_ACTION = "wrong_action"
    """The car would move in a way nobody asked for: an actuating intent other than the one
    said, the right intent with wrong slots, or any actuating intent after a question or
    background talk."""
    NO_ACTION = "no_action"
    """A command that did nothing: no wake word, no transcript, no intent, or an intent that
    does not actuate (a question for the language model, an unsupported feature)."""
    IGNORED = "ignored"
    """A question or background talk that moved nothing (what should happen)."""


@dataclass(frozen=True)
class Heard:
    """What one spoken turn was understood as."""

    intent: str | None
    """Catalogue intent name, or None when nothing was recognised."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """Its slot values."""
    actuates: bool = False
    """Whether carrying it out writes to the car."""


def slot_matches(expected: Any, value: Any) -> bool:
    """Whether one heard slot value meets its expectation (literal, ``sign`` or ``contains``)."""
    if isinstance(expected, Mapping):
        if "sign" in expected:
            return isinstance(value, int | float) and not isinstance(value, bool) and value * expected["sign"] > 0
        if "contains" in expected:
            wanted = normalise(str(expected["contains"])).split()
            words = normalise(str(value)).split() if value is not None else []
            return any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))
        raise ValueError(f"unknown slot expectation {expected!r}")
    if isinstance(expected, str) and isinstance(value, str):
        return normalise(expected) == normalise(value)
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return bool(expected == value)


def judge_one(sentence: Sentence, heard: Heard) -> Outcome:
    """The outcome of one understood turn for ``sentence``."""
    if sentence.kind != "command":
        return Outcome.WRONG_ACTION if heard.actuates else Outcome.IGNORED
    if heard.intent == sentence.intent:
        if all(k in heard.slots and slot_matches(v, heard.slots[k]) for k, v in sentence.slots.items()):
            return Outcome.RIGHT
        return Outcome.WRONG_ACTION if heard.actuates else Outcome.NO_ACTION
    return Outcome.WRONG_ACTION if heard.actuates else Outcome.NO_ACTION


def judge(sentence: Sentence, turns: Sequence[Heard]) -> Outcome:
    """The outcome of a whole recording, which may have opened no turn, one, or several.

    Any wrong action outweighs everything else; then a right one; otherwise nothing happened.
    """
    outcomes = [judge_one(sentence, heard) for heard in turns]
    for worst in (Outcome.WRONG_ACTION, Outcome.RIGHT):
        if worst in outcomes:
            return worst
    return Outcome.NO_ACTION if sentence.kind == "command" else Outcome.IGNORED


# -- tallies ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of outcomes in one group (a voice, an SNR, everything)."""

    commands: int = 0
    """Command recordings."""
    right: int = 0
    """Commands understood as said."""
    wrong_action: int = 0
    """Commands that did another action (or the right one with wrong slots)."""
    no_action: int = 0
    """Commands that did nothing."""
    others: int = 0
    """Question and background recordings."""
    others_acted: int = 0
    """Questions and background talk that would have moved the car."""
    wakes_expected: int = 0
    """Recordings that start with the wake word."""
    wakes_missed: int = 0
    """Of those, how many opened no turn."""
    no_wake: int = 0
    """Recordings without the wake word."""
    false_wakes: int = 0
    """Of those, how many opened a turn anyway."""

    def add(self, sentence: Sentence, outcome: Outcome, woke: bool) -> None:
        """Count one recording."""
        if sentence.wake:
            self.wakes_expected += 1
            self.wakes_missed += not woke
        else:
            self.no_wake += 1
            self.false_wakes += woke
        if sentence.kind == "command":
            self.commands += 1
            self.right += outcome is Outcome.RIGHT
            self.wrong_action += outcome is Outcome.WRONG_ACTION
            self.no_action += outcome is Outcome.NO_ACTION
        else:
            self.others += 1
            self.others_acted += outcome is Outcome.WRONG_ACTION

    def rates(self) -> dict[str, float | int | None]:
        """The reported figures: fractions (None when the group has nothing to divide by) and counts."""

        def frac(a: int, b: int) -> float | None:
            return a / b if b else None

        return {
            "commands": self.commands,
            "intent_accuracy": frac(self.right, self.commands),
            "wrong_action_rate": frac(self.wrong_action, self.commands),
            "no_action_rate": frac(self.no_action, self.commands),
            "non_commands": self.others,
            "non_command_act_rate": frac(self.others_acted, self.others),
            "wake_miss_rate": frac(self.wakes_missed, self.wakes_expected),
            "false_wake_rate": frac(self.false_wakes, self.no_wake),
        }


def tally(records: Iterable[tuple[Sentence, Outcome, bool]]) -> Tally:
    """One tally over ``(sentence, outcome, woke)`` records."""
    total = Tally()
    for sentence, outcome, woke in records:
        total.add(sentence, outcome, woke)
    return total
