#!/usr/bin/env python3
"""Fit the spoken-turn confidence calibration (:mod:`cockpit.asr.calibration`) on the TUNING half.

Usage::

    python script/calibrate_confidence.py collect [--limit N] [--fresh]  # tuning half (slow)
    python script/calibrate_confidence.py fit       # fit, print coefficients and the curve

``collect`` sends every TUNING recording of the held-out spoken set through the same voice path as
``bench/voice_eval.py`` and writes each turn's evidence, transcript, understanding and judgement to
:data:`TURNS` (:func:`bench.confidence_tune.collect_tuning`, which ``make bench``'s
``readback_policy`` suite also calls when the file is missing or stale): only the recordings not
already there with the same key; ``--fresh`` starts over, ``--limit N`` stops after the first N
of the fixed order (a smoke run). ``fit`` trains a small L2-regularised logistic regression (scikit-learn, a dev
dependency: the run time applies the printed coefficients with plain math) on the turns that
found an intent. The target is 1 when the turn's intent and slots are what was said (judged as
``bench/voice_eval.py`` judges), and for a question or background talk when it moves nothing.
It prints the coefficients to paste into ``COEFFICIENTS``, the tuning-half reliability curve and
what each threshold would do. The test half is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.confidence_tune import TURNS, collect_tuning, key_path, load  # noqa: E402
from bench.voice_eval_set import Sentence, load_sentences  # noqa: E402
from bench.voice_gate import Gate, policy_for, turn_right  # noqa: E402
from bench.voice_report import reliability  # noqa: E402
from cockpit.asr.calibration import FEATURE_NAMES, Evidence, calibrated, features  # noqa: E402

C = 1.0
"""Inverse L2 strength of the logistic regression."""
CONFIRM = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9)
"""``confirm_below`` values tried."""
CONFIRM_FREE = (0.8, 0.9, 0.95)
"""``confirm_free_text_below`` values tried."""
REJECT = (0.1, 0.2, 0.3)
"""``reject_below`` values tried."""


def collect(limit: int | None = None, fresh: bool = False) -> None:
    """The tuning half through the voice path into :data:`TURNS` (:mod:`bench.confidence_tune`)."""
    if fresh:
        TURNS.unlink(missing_ok=True)
        key_path(TURNS).unlink(missing_ok=True)
    records, total = collect_tuning(limit=limit, log=print)
    print(f"{len(records)} of {total} tuning recordings in {TURNS}")


def load_turns(source: Path | None = None, variant: str = "") -> list[dict[str, Any]]:
    """The records ``collect`` wrote, or one variant's records of a ``bench.asr_variants`` run
    (only tuning ones: anything else is an error)."""
    records = json.loads(source.read_text())["records"][variant] if source is not None else load(TURNS)
    if any(r["split"] != "tune" for r in records):
        raise SystemExit(f"{source or TURNS} holds recordings outside the tuning half")
    return records


def turns_of(
    records: Sequence[dict[str, Any]], sentences: dict[str, Sentence]
) -> list[tuple[Evidence, bool, dict[str, Any]]]:
    """Every turn that found an intent: its evidence, whether it was right, the turn."""
    rows = []
    for record in records:
        sentence = sentences[record["sentence_id"]]
        for turn in record["turns"]:
            if turn["intent"] is None or turn.get("evidence") is None:
                continue
            rows.append((Evidence.from_dict(turn["evidence"]), turn_right(sentence, turn), turn))
    return rows


def recalibrated(records: Sequence[dict[str, Any]], coefficients: tuple[float, ...]) -> list[dict[str, Any]]:
    """``records`` with every turn's confidence recomputed from its evidence with ``coefficients``."""
    out = []
    for record in records:
        turns = [
            {
                **t,
                "confidence": calibrated(Evidence.from_dict(t["evidence"]), coefficients) if t.get("evidence") else 0.0,
            }
            for t in record["turns"]
        ]
        out.append({**record, "turns": turns})
    return out


def sweep(records: Sequence[dict[str, Any]], sentences: dict[str, Sentence]) -> None:
    """What each combination of thresholds does on ``records``."""
    print("\nthresholds (tuning half): reject, confirm, confirm free text -> commands: wrong acts, acts right,")
    print("read back, right after yes; non-commands: act")
    for reject in REJECT:
        for confirm in CONFIRM:
            for free in CONFIRM_FREE:
                if free < confirm:
                    continue
                policy = policy_for({"confirm_below": confirm, "reject_below": reject, "confirm_free_text_below": free})
                gate = Gate()
                for r in records:
                    gate.add(sentences[r["sentence_id"]], r["turns"], policy)
                g = gate.rates()
                print(
                    f"  {reject:.2f} {confirm:.2f} {free:.2f} -> wrong {g['wrong_action_rate']:.3f}  "
                    f"right {g['acts_right_rate']:.3f}  read back {g['confirmation_rate']:.3f}  "
                    f"after yes {g['right_after_yes_rate']:.3f}  non-cmd acts {g['non_command_act_rate']:.3f}"
                )


def fit(source: Path | None = None, variant: str = "") -> None:
    """Fit the coefficients on :data:`TURNS` (or a variant's records in ``source``) and print them
    with the tuning-half curve."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    records = load_turns(source, variant)
    sentences = {s.id: s for s in load_sentences()}
    rows = turns_of(records, sentences)
    print(f"{len(records)} tuning recordings")
    x = np.array([features(e)[1:] for e, _, _ in rows])
    y = np.array([ok for _, ok, _ in rows], dtype=int)
    model = LogisticRegression(C=C, max_iter=1000).fit(x, y)
    fitted = [float(model.intercept_[0]), *(float(w) for w in model.coef_[0])]
    free, fallback = FEATURE_NAMES.index("route_free"), FEATURE_NAMES.index("route_fallback")
    if not any(e.route == "free" for e, _, _ in rows):
        # No turn was decoded without a grammar: value one like a fallback with no grammar evidence.
        fitted[free] = fitted[fallback]
        print("no free-route turns: route_free copies route_fallback")
    coefficients = tuple(round(c, 3) for c in fitted)
    print(f"{len(rows)} tuning turns with an intent, {int(y.sum())} right")
    print("COEFFICIENTS: tuple[float, ...] = (" + ", ".join(f"{c:.3f}" for c in coefficients) + ")")
    for name, c in zip(FEATURE_NAMES, coefficients, strict=True):
        print(f"  {name:20s} {c:+.3f}")
    pairs = [(calibrated(e, coefficients), ok) for e, ok, _ in rows]
    print("\nreliability (tuning half): bucket, turns, observed right")
    for lo, hi, n, rate in reliability(pairs):
        print(f"  {lo:.1f}-{hi:.1f}  {n:4d}  {'' if rate is None else f'{rate:.2f}'}")
    sweep(recalibrated(records, coefficients), sentences)


def main(argv: Sequence[str] | None = None) -> int:
    """``collect`` or ``fit``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("collect", "fit"))
    parser.add_argument("--from", dest="source", type=Path, help="fit on a bench.asr_variants JSON instead")
    parser.add_argument("--variant", default="", help="the variant of --from to fit on")
    parser.add_argument("--limit", type=int, help="collect: only the first N tuning recordings of the order")
    parser.add_argument("--fresh", action="store_true", help="collect: start over, even when the key matches")
    args = parser.parse_args(argv)
    if args.step == "collect":
        collect(args.limit, args.fresh)
    else:
        fit(args.source, args.variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
