#!/usr/bin/env python3
"""Fit the wake-word verifier (:mod:`cockpit.wake.verifier`) and choose the thresholds, on the TUNING half.

Usage::

    python script/train_wake_verifier.py [--dry-run]

Scores the tuning half of the spoken evaluation set and of the background audio with the
wake-word head (:mod:`bench.wake_score`), then:

1. cross-fits verifiers by voice (:func:`bench.wake_verifier.cross_fit`) and sweeps the head's
   threshold and the verifier's on the out-of-fold probabilities, so that every wake word is
   judged by a verifier that never heard its voice;
2. picks the fewest misses at no more than 0.5 false wakes per hour (:func:`bench.wake_verifier.choose`);
3. fits the verifier on the whole tuning half, with the chosen verifier threshold, and writes it to
   ``cockpit/wake/verifiers/<model>.json``; the chosen head threshold is printed, to be the
   ``voice.wake_threshold`` default in ``cockpit/settings.py``.

scikit-learn (a dev dependency) fits; the service runs the weights with numpy. The test half is
never read here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wake_background import NEAR_MISS  # noqa: E402
from bench.wake_eval import background_records, detector, eval_records  # noqa: E402
from bench.wake_verifier import choose, cross_fit, fit, sweep  # noqa: E402
from cockpit.settings import VoiceSettings  # noqa: E402
from cockpit.wake.verifier import verifier_path  # noqa: E402
from models.store import ModelStore  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the choice, write nothing")
    args = parser.parse_args(argv)
    scorer = detector(ModelStore())
    tune = eval_records(scorer, ["tune"]) + background_records(scorer, ["tune"])
    rows = sweep(tune, cross_fit(tune).probabilities)
    for row in rows:
        print(row)
    chosen = choose(rows)
    if chosen is None or chosen["verifier_threshold"] is None:
        print(f"no verifier helps on the tuning half (choice: {chosen}); nothing written")
        return 1
    hours = sum(r.hours for r in tune if not r.wake and r.group.get("kind") != NEAR_MISS)
    info = {
        "fitted_on": "tuning half of bench/data/voice_eval.jsonl (script/make_eval_set.py) and of the "
        "background audio (bench/wake_background.py)",
        "head_threshold": chosen["threshold"],
        "tuning_out_of_fold_miss_rate": round(chosen["miss_rate"], 4),
        "tuning_out_of_fold_false_wakes": chosen["false_wakes"],
        "tuning_out_of_fold_near_miss_wake_rate": round(chosen["near_miss_wake_rate"], 4),
        "tuning_hours_without_wake_word": round(hours, 3),
    }
    verifier = fit(tune, chosen["verifier_threshold"], info)
    model = VoiceSettings().wake_models[0]
    print(f"chosen: head threshold {chosen['threshold']} (voice.wake_threshold), verifier {verifier.threshold}")
    if not args.dry_run:
        path = verifier_path(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(verifier.to_json() + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
