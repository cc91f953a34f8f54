"""SLURP development split: media routing and out-of-domain safety of the shipped recogniser
(templates, then the committed classifier), and of the classifier trained on one half only.

Only the development split is read here (never the test split). The cross-validated figures are
``make bench`` (``bench/slurp.py``): training a model per fold with its inner threshold search is too
slow for a test.
"""

from __future__ import annotations

import pytest

from cockpit.nlu import TemplateIntentRecognizer
from cockpit.nlu.classifier import FallbackIntentRecognizer, IntentClassifier, query_excludes
from cockpit.nlu.loader import default_template_paths, load_templates
from cockpit.nlu.slurp_eval import (
    EXEMPT,
    NEAR_DOMAIN_SCENARIOS,
    SlurpReport,
    Utterance,
    dedupe,
    default_split,
    evaluate,
    fold_of,
    load_split,
)

MEDIA_ROUTING_FLOOR = 0.92
"""Shipped recogniser on all of devel: measured 0.941 (255/271) when written. The classifier trained
on all of devel, so this is a regression check, not a generalisation figure (that is the bench's)."""
HELD_OUT_FLOOR = 0.86
"""Templates plus a classifier trained on half 0 only, on half 1: measured 0.901 (118/131; templates
alone 112) when written."""

OUT_OF_DOMAIN = {
    "qa", "calendar", "email", "general", "weather", "lists", "news", "datetime", "recommendation",
    "social", "alarm", "cooking", "takeaway", "iot", "transport",
}  # fmt: skip


@pytest.fixture(scope="module")
def rows() -> list[Utterance]:
    path = default_split()
    if not path.exists():
        pytest.skip(f"SLURP development split not found at {path}")
    return load_split(path)


@pytest.fixture(scope="module")
def report(rows: list[Utterance]) -> SlurpReport:
    return evaluate(rows, FallbackIntentRecognizer.from_paths())


def test_split_covers_the_scenarios(rows: list[Utterance], report: SlurpReport) -> None:
    assert {row.scenario for row in rows} >= OUT_OF_DOMAIN
    expected = sum(1 for row in rows if row.scenario in OUT_OF_DOMAIN or row.intent == "play_game")
    assert report.ood_total == expected
    assert report.total == len(rows)


def test_media_requests_route_to_media(report: SlurpReport) -> None:
    assert report.media_total > 200
    assert report.media_fraction >= MEDIA_ROUTING_FLOOR, "\n".join(
        f"{e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.media_misses
    )
    assert report.media_contrary == ()


def test_out_of_domain_utterances_never_actuate(report: SlurpReport) -> None:
    assert report.ood_actuating == (), "\n".join(
        f"{e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.ood_actuating
    )
    for scenario in NEAR_DOMAIN_SCENARIOS:
        assert report.near_domain_totals[scenario] > 0
        assert report.near_domain_actuating[scenario] == 0


def test_only_genuine_route_requests_are_exempt(report: SlurpReport) -> None:
    for example in report.exempt_navigation:
        assert (example.slurp_intent, example.result) in EXEMPT
        # "what's the quickest way to grand central" asks for a route as plainly as "directions to"
        cues = ("directions", "get to", "navigate", "route", "take me", "way to")
        assert any(cue in example.sentence for cue in cues)


def test_recognition_is_fast(report: SlurpReport) -> None:
    assert report.mean_ms < 2.0, f"{report.mean_ms:.3f} ms per utterance"


def test_splits_by_sentence(rows: list[Utterance]) -> None:
    unique = dedupe(rows)
    assert len({u.sentence.lower() for u in unique}) == len(unique)
    # every spelling of one sentence lands in the same fold
    assert fold_of("Play some Jazz!", 2) == fold_of("play some jazz", 2)
    halves = [sum(1 for u in unique if fold_of(u.sentence, 2) == k) for k in (0, 1)]
    assert min(halves) > 0.4 * len(unique)


def test_a_classifier_trained_on_one_half_helps_on_the_other_and_never_acts_out_of_domain(
    rows: list[Utterance],
) -> None:
    pytest.importorskip("sklearn")
    from cockpit.nlu.classifier_train import Example, fit_model, slurp_label, template_examples

    files = load_templates(default_template_paths())
    unique = dedupe(rows)
    tune = [u for u in unique if fold_of(u.sentence, 2) == 0]
    held = [u for u in unique if fold_of(u.sentence, 2) == 1]
    shipped = IntentClassifier.load()
    # the committed threshold, not a fresh inner search (too slow for a test; the bench does it)
    model = fit_model(
        [*template_examples(files), *(Example(u.sentence, slurp_label(u)) for u in tune)], shipped.threshold
    )
    templates = TemplateIntentRecognizer(files)
    alone = evaluate(held, templates)
    both = evaluate(held, FallbackIntentRecognizer(templates, model, query_excludes(files)))
    assert both.media_routed > alone.media_routed
    assert both.media_fraction >= HELD_OUT_FLOOR
    assert both.ood_actuating == ()  # the templates never act out of domain
    assert len(both.ood_offered) <= 3  # the classifier's are only offered: "Do you want me to ...?"
    assert both.media_contrary == ()
