#!/usr/bin/env python3
"""Fit the wake-word verifier (:mod:`cockpit.wake.verifier`) and choose the thresholds, on the TUNING half.

Usage::

    python script/train_wake_verifier.py [--dry-run] [--new-thresholds]

Scores the tuning half of the spoken evaluation set and of the background audio with the
wake-word head (:mod:`bench.wake_score`), then:

1. cross-fits verifiers by voice (:func:`bench.wake_verifier.cross_fit`) and sweeps the head's
   threshold and the verifier's on the out-of-fold probabilities, so that every wake word is
   judged by a verifier that never heard its voice;
2. picks the fewest misses at no more than 0.5 false wakes per hour (:func:`bench.wake_verifier.choose`);
3. fits the verifier on the whole tuning half and writes it to ``cockpit/wake/verifiers/<model>.json``.

**The thresholds are kept.** Where that file already has a verifier, its threshold and the notes
on how it was chosen are kept, and so is the head's threshold (``voice.wake_threshold`` in
``cockpit/settings.py``, which this script never writes): they were chosen on hours of tuning-side
background (``script/choose_wake_threshold.py``), which step 2's 0.84 h cannot outweigh. Only the
weights are refitted; what was kept, and what step 2 would have chosen, is printed, with the
out-of-fold figures at the kept thresholds; run ``script/choose_wake_threshold.py`` after, to check
the kept thresholds against the new weights on the long background. ``--new-thresholds`` writes
step 2's verifier threshold instead and prints its head threshold, to be the ``voice.wake_threshold``
default.

scikit-learn (a dev dependency) fits; the service runs the weights with numpy. The test half is
never read here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.wake_background import NEAR_MISS  # noqa: E402
from bench.wake_eval import background_records, detector, eval_records  # noqa: E402
from bench.wake_score import Scored  # noqa: E402
from bench.wake_verifier import choose, cross_fit, fit, sweep  # noqa: E402
from cockpit.settings import VoiceSettings  # noqa: E402
from cockpit.wake.verifier import WakeVerifier, verifier_path  # noqa: E402
from models.store import ModelStore  # noqa: E402

FITTED_ON = (
    "tuning half of bench/data/voice_eval.jsonl (script/make_eval_set.py) and of the "
    "background audio (bench/wake_background.py)"
)
"""What the weights are fitted on (the ``fitted_on`` note)."""


def _row_at(rows: Sequence[dict[str, Any]], head: float, verifier: float) -> dict[str, Any] | None:
    """The sweep's row at these thresholds (None when the grid does not have them)."""
    return next(
        (r for r in rows if r["threshold"] == head and r["verifier_threshold"] == verifier),
        None,
    )


def kept_info(
    previous: WakeVerifier, head: float, rows: Sequence[dict[str, Any]], own: dict[str, Any] | None
) -> dict[str, Any]:
    """The previous file's notes on how its thresholds were chosen, with what this refit adds."""
    at = _row_at(rows, head, previous.threshold)
    figures = {k: at[k] for k in ("miss_rate", "false_wakes", "hours", "near_miss_wake_rate")} if at else None
    earlier = {k: v for k, v in previous.info.items() if k not in ("positives", "negatives")}  # the refit counts anew
    return {
        **earlier,
        "fitted_on": FITTED_ON,
        "thresholds_kept": f"head {head}, verifier {previous.threshold}: kept from the previous file when the "
        "weights were refitted (script/train_wake_verifier.py); check them with script/choose_wake_threshold.py",
        "refit_out_of_fold_at_kept_thresholds": figures,
        "refit_own_choice_not_used": None
        if own is None
        else {"threshold": own["threshold"], "verifier_threshold": own["verifier_threshold"]},
    }


def retrain(
    tune: Sequence[Scored],
    path: Path,
    head_setting: float,
    new_thresholds: bool = False,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """Sweep, fit on ``tune`` and write the verifier to ``path``, keeping the thresholds already
    chosen (the file's verifier threshold and ``head_setting``) unless ``new_thresholds``."""
    rows = sweep(tune, cross_fit(tune).probabilities)
    for row in rows:
        say(str(row))
    own = choose(rows)
    previous = WakeVerifier.from_json(path.read_text()) if path.exists() else None
    if previous is not None and not new_thresholds:
        head, threshold = head_setting, previous.threshold
        chosen_head = previous.info.get("head_threshold")
        if chosen_head is not None and chosen_head != head_setting:
            say(f"note: voice.wake_threshold is {head_setting}, the file says {chosen_head} was chosen")
        info = kept_info(previous, head, rows, own)
        say(
            f"kept the chosen thresholds: head {head} (voice.wake_threshold), verifier {threshold} "
            f"({path.name}; {previous.info.get('rule', 'chosen before')}); out of fold there: "
            f"{info['refit_out_of_fold_at_kept_thresholds']}"
        )
        say(f"this script's own choice on the short tuning background, not used: {own} (--new-thresholds to use it)")
    else:
        if own is None or own["verifier_threshold"] is None:
            say(f"no verifier helps on the tuning half (choice: {own}); nothing written")
            return 1
        hours = sum(r.hours for r in tune if not r.wake and r.group.get("kind") != NEAR_MISS)
        head, threshold, near = own["threshold"], own["verifier_threshold"], own["near_miss_wake_rate"]
        info = {
            "fitted_on": FITTED_ON,
            "head_threshold": head,
            "tuning_out_of_fold_miss_rate": round(own["miss_rate"], 4),
            "tuning_out_of_fold_false_wakes": own["false_wakes"],
            "tuning_out_of_fold_near_miss_wake_rate": None if near is None else round(near, 4),
            "tuning_hours_without_wake_word": round(hours, 3),
        }
        say(f"chosen: head threshold {head} (set voice.wake_threshold to it; now {head_setting}), verifier {threshold}")
    verifier = fit(tune, threshold, info)
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(verifier.to_json() + "\n")
        say(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the choice, write nothing")
    parser.add_argument(
        "--new-thresholds",
        action="store_true",
        help="replace the chosen thresholds (script/choose_wake_threshold.py) with this script's own choice",
    )
    args = parser.parse_args(argv)
    scorer = detector(ModelStore())
    tune = eval_records(scorer, ["tune"]) + background_records(scorer, ["tune"])
    settings = VoiceSettings()
    path = verifier_path(settings.wake_models[0])
    return retrain(tune, path, settings.wake_threshold, args.new_thresholds, args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
