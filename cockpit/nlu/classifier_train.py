"""Train the fallback intent classifier (:mod:`cockpit.nlu.classifier`). Development only: needs scikit-learn.

Training data:

- **template expansions**: sentences drawn from every English template, labelled with what the
  template means: media play, volume up / down, mute / unmute by name, the other media commands as
  ``media.control``, climate, navigation and drive as ``car``, "can't do that" templates as
  ``unsupported``;
- **SLURP sentences** of the tuning fold: media and volume requests as the media label, the rest of
  the music/audio scenarios as ``media.other`` (never routed), every other scenario as ``none``.

The reject threshold is chosen on sentences the model did not train on: an inner cross-validation
over the SLURP training sentences gives each one a held-out probability, and the threshold is set
above the most confident out-of-domain sentence that would have been routed (plus a margin).

Usage (writes ``cockpit/nlu/classifier_weights.json`` from all of SLURP devel)::

    python -m cockpit.nlu.classifier_train [--split PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.nlu.classifier import WEIGHTS_PATH, IntentClassifier, features, query_excludes
from cockpit.nlu.expand import sample_sentence
from cockpit.nlu.loader import default_template_paths, load_templates
from cockpit.nlu.model import TemplateFile, TemplateGroup
from cockpit.nlu.recognizer import IntentRecognizer, TemplateIntentRecognizer
from cockpit.nlu.slurp_eval import (
    IN_DOMAIN_SCENARIOS,
    MEDIA_INTENTS,
    Utterance,
    dedupe,
    default_split,
    fold_of,
    load_split,
)

PER_TEMPLATE = 12
"""Sentences drawn from each template."""
TEMPLATE_WEIGHT = 0.3
"""Weight of a drawn sentence relative to a SLURP sentence (there are many more of them)."""
C = 4.0
"""Inverse L2 regularisation strength (scikit-learn's ``C``)."""
INNER_FOLDS = 4
"""Inner cross-validation folds for the threshold."""
INNER_REPEATS = 2
"""Inner cross-validations (different fold draws) for the threshold."""
MARGIN = 0.05
"""Added to the most confident out-of-domain held-out probability."""
FLOOR = 0.5
"""The threshold is never below this."""
PRUNE = 0.08
"""Weights smaller than this (in absolute value) are dropped from the committed model."""
MIN_COUNT = 2
"""A feature seen in fewer training sentences than this is not used (keeps the model small)."""

_MEDIA_LABELS = {
    "audio_volume_up": "media.volume_up",
    "audio_volume_down": "media.volume_down",
    "audio_volume_mute": "media.mute",
}


@dataclass(frozen=True)
class Example:
    """One training sentence."""

    text: str
    label: str
    weight: float = 1.0


def slurp_label(utt: Utterance) -> str:
    """The classifier label of a SLURP sentence."""
    if utt.intent in MEDIA_INTENTS:
        return _MEDIA_LABELS.get(utt.intent, "media.play")
    if utt.scenario in IN_DOMAIN_SCENARIOS and utt.intent != "play_game":
        return "media.other"
    return "none"


def template_label(group: TemplateGroup) -> str:
    """The classifier label of a template group."""
    if group.is_unsupported:
        return "unsupported"
    if group.target == "media.adjust_volume":
        return "media.volume_down" if group.sign.get("delta_percent", 1) < 0 else "media.volume_up"
    if group.target == "media.mute":
        return "media.mute" if group.slots.get("on", True) else "media.unmute"
    if group.target == "media.play":
        return group.target
    if group.target.startswith("media."):
        return "media.control"  # pause, resume, skip, set volume, questions: never routed by the classifier
    return "car"  # climate, navigation, drive: never routed by the classifier


def template_examples(files: Sequence[TemplateFile], per_template: int = PER_TEMPLATE, seed: int = 7) -> list[Example]:
    """Sentences drawn from every English template, deduplicated."""
    draw = random.Random(seed)
    seen: set[str] = set()
    out = []
    for file in files:
        if file.language != "en":
            continue
        for group in file.groups:
            label = template_label(group)
            for template in group.sentences:
                for _ in range(per_template):
                    text = sample_sentence(template.body, file.lists, draw.choice).text
                    if text not in seen:
                        seen.add(text)
                        out.append(Example(text, label, TEMPLATE_WEIGHT))
    return out


def fit_model(
    examples: Sequence[Example], threshold: float = 1.0, meta: Mapping[str, Any] | None = None
) -> IntentClassifier:
    """Fit a logistic regression to ``examples`` (scikit-learn) and keep its weights as an :class:`IntentClassifier`."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for ex in examples for f in set(features(ex.text)))
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, ex in enumerate(examples):
        for f in features(ex.text):
            if counts[f] >= MIN_COUNT:
                rows.append(i)
                cols.append(vocab.setdefault(f, len(vocab)))
                vals.append(1.0)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(examples), len(vocab)))
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(matrix, [ex.label for ex in examples], sample_weight=[ex.weight for ex in examples])
    classes = tuple(str(c) for c in model.classes_)
    coef = model.coef_
    weights: dict[str, dict[int, float]] = {}
    for feature, column in vocab.items():
        row = {k: round(float(coef[k, column]), 2) for k in range(len(classes)) if abs(coef[k, column]) >= PRUNE}
        if row:
            weights[feature] = row
    bias = tuple(round(float(b), 4) for b in model.intercept_)
    return IntentClassifier(classes, bias, weights, threshold, dict(meta or {}))


def choose_threshold(
    slurp: Sequence[Utterance],
    drawn: Sequence[Example],
    excluded: Sequence[str] = (),
    templates: IntentRecognizer | None = None,
    folds: int = INNER_FOLDS,
) -> float:
    """Above every out-of-domain SLURP sentence's held-out routing probability (inner cross-validation,
    :data:`INNER_REPEATS` times over differently drawn folds: the maximum of one draw rests on a
    sentence or two and moves with the draw).

    With ``templates``, only the sentences they do not match count: the classifier is asked about
    nothing else ("play monopoly" is "can't do that" before it gets there)."""
    ood = [u for u in slurp if slurp_label(u) == "none"]
    asked = {u.sentence for u in ood if templates is None or templates.recognize(u.sentence) is None}
    worst = 0.0
    for repeat in range(INNER_REPEATS):
        salt = f"inner {repeat} "
        for k in range(folds):
            train = [u for u in slurp if fold_of(salt + u.sentence, folds) != k]
            held = [u for u in ood if fold_of(salt + u.sentence, folds) == k and u.sentence in asked]
            model = fit_model([*drawn, *(Example(u.sentence, slurp_label(u)) for u in train)], threshold=0.0)
            for utt in held:
                routed = model.route(utt.sentence, excluded)
                if routed is not None:
                    worst = max(worst, routed.confidence)
    return max(FLOOR, round(worst + MARGIN, 3))


def train(
    slurp: Sequence[Utterance], files: Sequence[TemplateFile], meta: Mapping[str, Any] | None = None
) -> IntentClassifier:
    """The classifier trained on ``slurp`` (the tuning sentences) and the templates, threshold included."""
    slurp = dedupe(slurp)
    drawn = template_examples(files)
    threshold = choose_threshold(slurp, drawn, query_excludes(files), TemplateIntentRecognizer(files))
    info = {"slurp_sentences": len(slurp), "template_sentences": len(drawn), **(meta or {})}
    return fit_model([*drawn, *(Example(u.sentence, slurp_label(u)) for u in slurp)], threshold, info)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train on the whole development split and write the committed weights."""
    parser = argparse.ArgumentParser(prog="python -m cockpit.nlu.classifier_train", description=__doc__.split("\n")[0])
    parser.add_argument("--split", type=Path, default=None, help="SLURP JSON-lines file (default: devel)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="where to write the model")
    args = parser.parse_args(argv)
    split = args.split or default_split()
    model = train(load_split(split), load_templates(default_template_paths()), {"trained_on": f"SLURP {split.name}"})
    args.out.write_text(model.to_json(), encoding="utf-8")
    print(f"{args.out}: {len(model.classes)} classes, {len(model.weights)} features, threshold {model.threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
