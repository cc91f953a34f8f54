"""Fitting the wake-word verifier (:mod:`cockpit.wake.verifier`) and choosing its thresholds.

Examples come from scored recordings (:mod:`bench.wake_score`): on a recording with the wake word,
the frames around its best score in the first :data:`PEAK_SEARCH` frames are positives and the
frames from :data:`NEGATIVE_AFTER` after it (the command) negatives; every kept frame of audio
without the wake word is a negative. Only the **tuning** half is ever fitted on.

The thresholds (the head's, then the verifier's) are chosen on out-of-fold probabilities:
the tuning recordings are cut into :data:`FOLDS` folds **by voice** (background segments by
file), a verifier is fitted on all folds but one and scores that one, so every wake word is
judged by a verifier that never heard its voice (:func:`cross_fit`). The same fold models give
the held-out half's "unseen voice" figure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.wake_background import NEAR_MISS, NEAR_MISSES
from bench.wake_score import Rule, Scored, false_wakes, misses, plain, verified
from cockpit.wake.verifier import WakeVerifier

PEAK_SEARCH = 40
"""Frames at the start of a recording where its wake word's best score is looked for."""
POSITIVE_SPAN = 2
"""Frames either side of that best score that are positives."""
NEGATIVE_AFTER = 20
"""Frames after it from which a wake-word recording's frames are negatives (past the head's window)."""
REGULARISATION = 0.1
"""Inverse regularisation strength of the logistic regression (scikit-learn's ``C``)."""
FOLDS = 6
"""Folds of the cross-fit (two voices each)."""
PLAIN_THRESHOLDS = (0.02, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)
"""Head thresholds tried without a verifier."""
GATES = (0.01, 0.02, 0.03, 0.05, 0.1, 0.2)
"""Head thresholds tried in front of the verifier."""
VERIFIER_THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
"""Verifier thresholds tried."""
TARGET_PER_HOUR = 0.5
"""Issue 11: at most this many false wakes per hour."""


def examples(records: Sequence[Scored]) -> tuple[np.ndarray, np.ndarray]:
    """Summaries and labels (1: ends on the wake word) of every usable kept frame."""
    xs, ys = [], []
    for r in records:
        frames = r.kept
        if r.wake:
            peak = int(np.argmax(r.scores[:PEAK_SEARCH]))
            pos = np.abs(frames - peak) <= POSITIVE_SPAN
            neg = frames >= peak + NEGATIVE_AFTER
        else:
            pos = np.zeros(len(frames), dtype=bool)
            neg = np.ones(len(frames), dtype=bool)
        xs += [r.summaries[pos], r.summaries[neg]]
        ys += [np.ones(int(pos.sum())), np.zeros(int(neg.sum()))]
    return np.concatenate(xs), np.concatenate(ys)


def fit(records: Sequence[Scored], threshold: float = 0.5, info: dict[str, Any] | None = None) -> WakeVerifier:
    """A verifier fitted on ``records`` (classes balanced), accepting at ``threshold``."""
    from sklearn.linear_model import LogisticRegression

    x, y = examples(records)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=2000)
    model.fit((x - mean) / scale, y)
    facts = {"positives": int(y.sum()), "negatives": int(len(y) - y.sum()), **(info or {})}
    return WakeVerifier(mean, scale, model.coef_[0].astype(np.float32), float(model.intercept_[0]), threshold, facts)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


@dataclass(frozen=True)
class CrossFit:
    """Verifiers each fitted without one fold of the tuning half, and the fold of any recording."""

    voices: tuple[str, ...]
    """Voices of the evaluation set, sorted; voice ``i`` is in fold ``i % FOLDS``."""
    models: tuple[WakeVerifier, ...]
    """Model ``k`` never saw fold ``k``."""

    def fold(self, record: Scored) -> int:
        """A recording's fold: by voice, or (background) by a hash of its file name."""
        voice = record.group.get("voice")
        if voice is not None and voice in self.voices:
            return self.voices.index(voice) % FOLDS
        return _digest(record.file) % FOLDS

    def probabilities(self, record: Scored) -> np.ndarray:
        """Verifier probabilities of a recording's kept frames, by the model that did not see its fold."""
        return np.asarray(self.models[self.fold(record)].probability_of(record.summaries))


def cross_fit(tune: Sequence[Scored]) -> CrossFit:
    """Fit :data:`FOLDS` verifiers on the tuning records, each without one fold."""
    voices = tuple(sorted({r.group["voice"] for r in tune if "voice" in r.group}))
    blank = CrossFit(voices, ())
    models = tuple(fit([r for r in tune if blank.fold(r) != k], info={"fold_left_out": k}) for k in range(FOLDS))
    return CrossFit(voices, models)


def cached(probabilities: Callable[[Scored], np.ndarray]) -> Callable[[Scored], np.ndarray]:
    """``probabilities`` computed once per recording."""
    memo: dict[str, np.ndarray] = {}

    def get(r: Scored) -> np.ndarray:
        if r.file not in memo:
            memo[r.file] = probabilities(r)
        return memo[r.file]

    return get


def settings_grid(
    probabilities: Callable[[Scored], np.ndarray],
    plain_thresholds: Sequence[float] = PLAIN_THRESHOLDS,
    gates: Sequence[float] = GATES,
    verifier_thresholds: Sequence[float] = VERIFIER_THRESHOLDS,
) -> list[tuple[dict[str, Any], Rule]]:
    """Every setting the sweep tries: the head alone, and the head then the verifier."""
    grid: list[tuple[dict[str, Any], Rule]] = [
        ({"threshold": t, "verifier_threshold": None}, plain(t)) for t in plain_thresholds
    ]
    grid += [
        ({"threshold": g, "verifier_threshold": v}, verified(g, probabilities, v))
        for g in gates
        for v in verifier_thresholds
    ]
    return grid


def sweep(
    records: Sequence[Scored],
    probabilities: Callable[[Scored], np.ndarray],
    grid: Callable[[Callable[[Scored], np.ndarray]], list[tuple[dict[str, Any], Rule]]] = settings_grid,
) -> list[dict[str, Any]]:
    """Miss rate, false wakes per hour and the near-miss wake rate (:data:`NEAR_MISS` segments
    count only there) of ``records`` at every setting of ``grid``."""
    rows = []
    probabilities = cached(probabilities)
    stress = [r for r in records if r.group.get("kind") == NEAR_MISS]
    ordinary = [r for r in records if r.group.get("kind") != NEAR_MISS]
    for setting, rule in grid(probabilities):
        missed = misses(ordinary, rule).get("all")
        woke = false_wakes(ordinary, rule).get("all")
        near = near_miss_wakes(stress, rule)
        rows.append(
            {
                **setting,
                "miss_rate": None if missed is None else missed.rate,
                "false_wakes": None if woke is None else woke.wakes,
                "hours": None if woke is None else round(woke.hours, 3),
                "false_wakes_per_hour": None if woke is None else woke.per_hour,
                "near_miss_wake_rate": near[1] / near[0] if near[0] else None,
            }
        )
    return rows


def near_miss_wakes(records: Sequence[Scored], rule: Rule) -> tuple[int, int]:
    """Near-miss phrases said in ``records`` and wakes on them (each phrase can wake once)."""
    phrases = sum(len(NEAR_MISSES[r.split]) for r in records)
    return phrases, sum(len(rule(r)) for r in records)


MAX_NEAR_MISS_WAKES = 0.05
"""Most sound-alike phrases ("Hey Travis") a chosen rule may wake on: a false wake starts listening
for a command, and the background audio alone has too few near misses to weigh them."""


def choose(
    rows: Sequence[dict[str, Any]], target: float = TARGET_PER_HOUR, near_misses: float = MAX_NEAR_MISS_WAKES
) -> dict[str, Any] | None:
    """The row with the fewest misses at no more than ``target`` false wakes per hour and at most
    ``near_misses`` of the sound-alike phrases waking; ties go to fewer false wakes, then the
    higher head threshold, then the higher verifier threshold."""
    ok = [
        r
        for r in rows
        if r["false_wakes_per_hour"] is not None
        and r["false_wakes_per_hour"] <= target
        and (r.get("near_miss_wake_rate") is None or r["near_miss_wake_rate"] <= near_misses)
    ]
    if not ok:
        return None
    return min(ok, key=lambda r: (r["miss_rate"], r["false_wakes"], -r["threshold"], -(r["verifier_threshold"] or 1.0)))
