"""Cross-validation of the typed NLU on SLURP devel, split by sentence. Development only (scikit-learn).

Devel is deduplicated by sentence and split into folds by a hash of the normalised text
(:func:`~cockpit.nlu.slurp_eval.fold_of`), so a sentence is never on both sides. For each fold, the
classifier is trained (threshold included, by an inner cross-validation) on the other folds and the
template expansions only, then three recognisers are scored on the held-out fold:

- ``templates``: the templates alone;
- ``classifier``: the classifier alone, as if no template existed;
- ``combined``: the shipped order, templates first and the classifier for what they miss.

Caveat, stated wherever the figures go: the templates were written while looking at all of devel in
earlier work, so ``templates`` and ``combined`` overstate unseen phrasing on every fold (SLURP test,
read once, is the check). ``classifier`` is the figure no tuning step saw, apart from the template
expansions it also trains on.

Usage::

    python -m cockpit.nlu.slurp_cv [--folds 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from cockpit.nlu.classifier import FallbackIntentRecognizer, IntentClassifier, query_excludes
from cockpit.nlu.classifier_train import train
from cockpit.nlu.loader import default_template_paths, load_templates
from cockpit.nlu.model import TemplateFile
from cockpit.nlu.recognizer import IntentRecognizer, Recognition, TemplateIntentRecognizer
from cockpit.nlu.slurp_eval import SlurpReport, Utterance, dedupe, default_split, evaluate, fold_of, load_split


class ClassifierOnlyRecognizer(IntentRecognizer):
    """The classifier with no template in front: what it does on its own."""

    def __init__(self, classifier: IntentClassifier, excluded: Sequence[str]) -> None:
        self.classifier = classifier
        self._excluded = tuple(excluded)

    def _recognize(self, text: str, language: str) -> Recognition:
        return self.classifier.route(text, self._excluded) if language == "en" else None


@dataclass(frozen=True)
class FoldResult:
    """One held-out fold."""

    fold: int
    """Fold index (sentences with :func:`fold_of` equal to it were held out)."""
    sentences: int
    """Held-out sentences."""
    threshold: float
    """The classifier's reject threshold, chosen on the training folds."""
    templates: SlurpReport
    classifier: SlurpReport
    combined: SlurpReport


def cross_validate(rows: Sequence[Utterance], files: Sequence[TemplateFile], folds: int = 2) -> list[FoldResult]:
    """Train on all folds but one, score on that one, for every fold."""
    rows = dedupe(rows)
    templates = TemplateIntentRecognizer(files)
    excluded = query_excludes(files)
    out = []
    for k in range(folds):
        held = [u for u in rows if fold_of(u.sentence, folds) == k]
        tune = [u for u in rows if fold_of(u.sentence, folds) != k]
        model = train(tune, files)
        out.append(
            FoldResult(
                k,
                len(held),
                model.threshold,
                evaluate(held, templates),
                evaluate(held, ClassifierOnlyRecognizer(model, excluded)),
                evaluate(held, FallbackIntentRecognizer(templates, model, excluded)),
            )
        )
    return out


def totals(results: Sequence[FoldResult], which: str) -> dict[str, int]:
    """Summed counts over the folds for ``templates``, ``classifier`` or ``combined``."""
    reports: list[SlurpReport] = [getattr(r, which) for r in results]
    return {
        "media_routed": sum(r.media_routed for r in reports),
        "media_total": sum(r.media_total for r in reports),
        "ood_actuating": sum(len(r.ood_actuating) for r in reports),
        "ood_total": sum(r.ood_total for r in reports),
        "contrary": sum(len(r.media_contrary) for r in reports),
        "navigation_from_transport": sum(len(r.exempt_navigation) for r in reports),
    }


def summary(results: Sequence[FoldResult]) -> dict[str, object]:
    """JSON-ready: per-fold and summed figures (no sentence text, so the held-out folds stay unread)."""
    per_fold = [
        {
            "fold": r.fold,
            "sentences": r.sentences,
            "threshold": r.threshold,
            **{name: _counts(getattr(r, name)) for name in ("templates", "classifier", "combined")},
        }
        for r in results
    ]
    return {
        "folds": len(results),
        "per_fold": per_fold,
        **{n: totals(results, n) for n in ("templates", "classifier", "combined")},
    }


def _counts(report: SlurpReport) -> dict[str, int]:
    return {
        "media_routed": report.media_routed,
        "media_total": report.media_total,
        "ood_actuating": len(report.ood_actuating),
        "ood_offered": len(report.ood_offered),
        "ood_total": report.ood_total,
        "contrary": len(report.media_contrary),
    }


def format_summary(data: dict[str, object]) -> str:
    """The summary for a person."""
    lines = []
    for name in ("templates", "classifier", "combined"):
        t = data[name]
        assert isinstance(t, dict)
        share = t["media_routed"] / t["media_total"] if t["media_total"] else 0.0
        lines.append(
            f"{name:>10}: media {t['media_routed']}/{t['media_total']} = {share:.1%}, out-of-domain acting"
            f" {t['ood_actuating']}/{t['ood_total']}, contrary volume {t['contrary']}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the cross-validated figures; exit 1 if an out-of-domain sentence acted."""
    parser = argparse.ArgumentParser(prog="python -m cockpit.nlu.slurp_cv", description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = cross_validate(load_split(default_split()), load_templates(default_template_paths()), args.folds)
    data = summary(results)
    print(json.dumps(data, indent=2) if args.json else format_summary(data))
    return 1 if any(r.combined.ood_actuating or r.classifier.ood_actuating for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
