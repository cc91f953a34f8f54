"""Typed understanding on SLURP: cross-validated on devel, and SLURP test read once.

``make bench`` (or ``python -m bench --only slurp``):

1. **Cross-validation on devel, by sentence** (:mod:`cockpit.nlu.slurp_cv`): two halves by a hash
   of the sentence; the classifier is trained on one half (and the template expansions) and scored
   on the other, both ways. Reported for the templates alone, the classifier alone and the shipped
   combination: media and volume requests routed to ``media.*``, out-of-domain sentences that act,
   volume requests that did the opposite. Half 1 is the *sealed* half: no sentence of it was read
   while the templates and the classifier were changed in this work (the templates had seen all
   of devel in earlier work: the caveat in :mod:`cockpit.nlu.slurp_cv`).
2. **The shipped recogniser on all of devel**: no out-of-domain sentence of any scenario may act.
3. **SLURP test**, from the record written by ``python -m bench.slurp --test-once``, which reads
   ``test.jsonl`` once, with the shipped recogniser, and refuses to run again once the record
   (``bench/data/slurp_test_once.json``, committed) exists.

Everything goes to ``bench/out/slurp.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import Figure

SUITE = "slurp"
OUT = Path(__file__).parent / "out" / "slurp.json"
TEST_RECORD = Path(__file__).parent / "data" / "slurp_test_once.json"
"""Written once, by ``--test-once``; its presence forbids a second read of SLURP test."""


def _share(counts: dict[str, int]) -> float:
    return counts["media_routed"] / counts["media_total"] if counts["media_total"] else 0.0


def _shipped_on(path: Path) -> dict[str, Any]:
    """The shipped recogniser (templates, then the committed classifier) on one SLURP file."""
    from cockpit.nlu.classifier import FallbackIntentRecognizer
    from cockpit.nlu.slurp_eval import evaluate, load_split

    report = evaluate(load_split(path), FallbackIntentRecognizer.from_paths())
    return {
        "file": path.name,
        "utterances": report.total,
        "media_routed": report.media_routed,
        "media_total": report.media_total,
        "media_fraction": report.media_fraction,
        "ood_actuating": len(report.ood_actuating),
        "ood_offered": len(report.ood_offered),
        "ood_total": report.ood_total,
        "near_domain_actuating": report.near_domain_actuating,
        "contrary": len(report.media_contrary),
        "navigation_from_transport": len(report.exempt_navigation),
        "offending": [asdict(e) for e in report.ood_actuating],
        "mean_ms": report.mean_ms,
    }


def _provenance() -> dict[str, Any]:
    """Which code produced a figure: commit, whether the tree differed from it, model and templates hashes."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    digest = hashlib.sha256()
    files = sorted(root.glob("cockpit/nlu/*.py")) + sorted(root.glob("cockpit/nlu/*.yaml"))
    files += [root / "cockpit/nlu/classifier_weights.json", *sorted(root.glob("skills/*/templates*.yaml"))]
    for file in files:
        digest.update(file.read_bytes())
    return {
        "commit": git("rev-parse", "HEAD"),
        "tree_modified": bool(git("status", "--porcelain", "--", "cockpit/nlu", "skills")),
        "nlu_sha256": digest.hexdigest(),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def run(quick: bool) -> list[Figure]:
    """Cross-validation (two halves), the shipped recogniser on devel, and the recorded test figures."""
    from cockpit.nlu.loader import default_template_paths, load_templates
    from cockpit.nlu.slurp_cv import cross_validate, summary
    from cockpit.nlu.slurp_eval import default_split, load_split

    split = default_split()
    if not split.exists():
        print(f"{SUITE}: SLURP devel not found at {split}; no figures", file=sys.stderr)
        return []
    start = time.monotonic()
    cv = summary(cross_validate(load_split(split), load_templates(default_template_paths()), folds=2))
    devel = _shipped_on(split)
    test = json.loads(TEST_RECORD.read_text(encoding="utf-8")) if TEST_RECORD.exists() else None
    here = _provenance()
    same = test is not None and test.get("nlu_sha256") == here["nlu_sha256"]
    if test is not None and not same:
        print(f"{SUITE}: the test figures are of an earlier NLU (changed since the one read)", file=sys.stderr)
    data = {
        "cross_validation": cv,
        "shipped_on_devel": devel,
        "test_read_once": test,
        "test_is_of_this_nlu": same,
        **here,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(f"{SUITE}: {time.monotonic() - start:.0f} s, details in {OUT}", file=sys.stderr)
    figures = []
    for name in ("templates", "classifier", "combined"):
        counts = cv[name]
        assert isinstance(counts, dict)
        figures.append(Figure(SUITE, f"devel CV media routed, {name}", _share(counts), "fraction"))
        figures.append(
            Figure(SUITE, f"devel CV out-of-domain acting, {name}", counts["ood_actuating"], "utt", target="0")
        )
    sealed = cv["per_fold"][1]["combined"]  # type: ignore[index]
    figures.append(Figure(SUITE, "devel sealed half media routed, combined", _share(sealed), "fraction"))
    figures.append(Figure(SUITE, "devel all out-of-domain acting, shipped", devel["ood_actuating"], "utt", target="0"))
    if test is not None:
        which = "" if same else ", earlier NLU"
        figures.append(
            Figure(SUITE, f"test (read once{which}) media routed", test["media_fraction"], "fraction", target=">= 0.80")
        )
        figures.append(
            Figure(SUITE, f"test (read once{which}) out-of-domain acting", test["ood_actuating"], "utt", target="0")
        )
    return figures


def test_once(path: Path) -> int:
    """Read SLURP test with the shipped recogniser and record the figures, unless already done."""
    if TEST_RECORD.exists():
        print(f"SLURP test was already read ({TEST_RECORD}); it is read once. Not reading it again.", file=sys.stderr)
        return 1
    record = {**_provenance(), **_shipped_on(path), "note": "SLURP test read once, with the shipped recogniser"}
    TEST_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in record.items() if k != "offending"}, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``--test-once``: the one read of SLURP test. Without it: the suite, as ``python -m bench --only slurp``."""
    parser = argparse.ArgumentParser(prog="python -m bench.slurp", description=__doc__.split("\n")[0])
    parser.add_argument("--test-once", action="store_true", help="read SLURP test once and record the figures")
    parser.add_argument("--split", type=Path, default=None, help="the test file (default: test.jsonl beside devel)")
    args = parser.parse_args(argv)
    if args.test_once:
        from cockpit.nlu.slurp_eval import default_split

        return test_once(args.split or default_split().with_name("test.jsonl"))
    for figure in run(quick=False):
        print(figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
