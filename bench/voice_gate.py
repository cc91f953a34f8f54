"""The hearing policy applied to the evaluation's records, as the pipeline applies it.

:class:`Gate` counts, per group of recordings, what :class:`cockpit.policy.Policy`'s
``check_hearing`` (with :func:`default_hearing`'s thresholds, or others) lets act, reads back or
refuses; :func:`turn_right` says whether one turn heard its sentence right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.voice_eval_set import Heard, Outcome, Sentence, judge_one


def turn_right(sentence: Sentence, turn: dict[str, Any]) -> bool:
    """Whether a turn heard ``sentence`` right: a command as said, anything else as no action."""
    heard = Heard(turn["intent"], turn["slots"], turn["actuates"])
    if sentence.kind != "command":
        return not heard.actuates
    return judge_one(sentence, heard) is Outcome.RIGHT


def _must_read_back(turn: Mapping[str, Any]) -> bool:
    """Whether the turn's command is read back whatever its confidence, as the pipeline reads it
    back (:func:`cockpit.policy.must_read_back`)."""
    from cockpit.catalogue import CATALOGUE
    from cockpit.policy import must_read_back

    spec = CATALOGUE.get(turn["intent"]) if turn.get("intent") else None
    return spec is not None and must_read_back(spec, turn.get("slots") or {})


@dataclass
class Gate:
    """What the hearing policy lets through, in one group: acting, read back, refused.

    A turn whose intent actuates is checked as the pipeline checks it: below ``reject_below`` it
    is refused, below ``confirm_below`` (``confirm_free_text_below`` with a destination or a
    query) it is read back and waits for a yes, otherwise it acts. A recording acts wrongly when
    any of its turns acts with an intent or slots other than what was said.
    """

    commands: int = 0
    """Command recordings."""
    acted_right: int = 0
    """Commands carried out as said, without a read-back."""
    acted_wrong: int = 0
    """Commands that set off another action (or wrong slots) without a read-back."""
    read_back: int = 0
    """Commands with a turn read back ("Did you say ...?")."""
    read_back_right: int = 0
    """Of those, read back as said (a yes carries them out)."""
    read_back_wrong: int = 0
    """Of those, read back misheard (a no stops them): wrong actions caught."""
    refused: int = 0
    """Commands with a turn refused as too unsure."""
    others: int = 0
    """Question and background recordings."""
    others_acted: int = 0
    """Of those, how many moved the car without a read-back."""
    others_read_back: int = 0
    """Of those, how many were read back."""

    def add(self, sentence: Sentence, turns: Sequence[dict[str, Any]], policy: Any) -> None:
        """Count one recording's turns under ``policy`` (a :class:`cockpit.policy.Policy`)."""
        from cockpit.events import PolicyDecision

        acts, backs, refused = [], [], False
        for t in turns:
            right = turn_right(sentence, t)
            if not t["actuates"] or t["confidence"] is None:
                # Nothing to write to the car, so no read-back: a right one (a question about
                # the car's state, say) is simply answered.
                if right and t["intent"] is not None and sentence.kind == "command":
                    acts.append(True)
                continue
            verdict = policy.check_hearing(
                t["text"], float(t["confidence"]), bool(t.get("free_text")), always=_must_read_back(t)
            )
            if verdict.decision is PolicyDecision.ALLOWED:
                acts.append(right)
            elif verdict.decision is PolicyDecision.NEEDS_CONFIRMATION:
                backs.append(right)
            else:
                refused = True
        if sentence.kind != "command":
            self.others += 1
            self.others_acted += bool(acts)
            self.others_read_back += bool(backs)
            return
        self.commands += 1
        self.acted_wrong += not all(acts)
        self.acted_right += all(acts) and any(acts)
        self.read_back += bool(backs)
        self.read_back_right += bool(backs) and all(backs)
        self.read_back_wrong += bool(backs) and not all(backs)
        self.refused += refused

    def rates(self) -> dict[str, float | int | None]:
        """The reported figures (None when the group has nothing to divide by)."""

        def frac(a: int, b: int) -> float | None:
            return a / b if b else None

        return {
            "commands": self.commands,
            "acts_right_rate": frac(self.acted_right, self.commands),
            "wrong_action_rate": frac(self.acted_wrong, self.commands),
            "confirmation_rate": frac(self.read_back, self.commands),
            "right_after_yes_rate": frac(self.acted_right + self.read_back_right, self.commands),
            "caught_wrong_rate": frac(self.read_back_wrong, self.commands),
            "refused_rate": frac(self.refused, self.commands),
            "non_commands": self.others,
            "non_command_act_rate": frac(self.others_acted, self.others),
            "non_command_confirm_rate": frac(self.others_read_back, self.others),
        }


def default_hearing() -> dict[str, float]:
    """The default voice settings' hearing thresholds (as :class:`cockpit.policy.Hearing` fields)."""
    from cockpit.settings import VoiceSettings

    voice = VoiceSettings()
    return {
        "confirm_below": voice.confirm_below,
        "reject_below": voice.reject_below,
        "confirm_free_text_below": voice.confirm_free_text_below,
    }


def policy_for(hearing: dict[str, float]) -> Any:
    """The pipeline's policy with these hearing thresholds."""
    from cockpit.policy import Hearing, Policy

    return Policy(hearing=Hearing(**hearing))


def group_gates(
    records: Sequence[dict[str, Any]], sentences: dict[str, Sentence], key: Callable[[dict[str, Any]], str], policy: Any
) -> dict[str, Gate]:
    """Policy tallies of ``records`` grouped by ``key(record)``, in sorted key order."""
    groups: dict[str, Gate] = {}
    for r in records:
        groups.setdefault(key(r), Gate()).add(sentences[r["sentence_id"]], r["turns"], policy)
    return {k: groups[k] for k in sorted(groups)}
