"""Evaluate the typed recogniser on a SLURP split (templates, then the fallback classifier).

Two figures:

(a) **media routing**: of the utterances SLURP labels as media or volume requests
    (:data:`MEDIA_INTENTS`), the fraction the recogniser routes to a ``media.*`` intent;
(b) **out-of-domain safety**: of the utterances from every other scenario (plus SLURP's
    ``play_game``), how many produce an *actuating* catalogue intent (``IntentSpec.actuates``).
    The target is zero. ``iot`` and ``transport`` are "near-domain" and counted separately too.
    One exemption, reported on its own: a ``transport_query`` utterance recognised as
    ``navigation.navigate_to`` is a genuine route request ("directions to disney world").

Usage::

    python -m cockpit.nlu.slurp_eval [--split PATH] [--json] [--templates-only]

Tune on devel only; SLURP test is read once, by ``python -m bench.slurp --test-once``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cockpit.catalogue import CATALOGUE, CLASSIFIER_SOURCE, IntentMatch
from cockpit.nlu.classifier import FallbackIntentRecognizer
from cockpit.nlu.normalize import normalize
from cockpit.nlu.recognizer import IntentRecognizer, TemplateIntentRecognizer, Unsupported

MEDIA_INTENTS = frozenset(
    {
        "play_music",
        "play_radio",
        "play_podcasts",
        "play_audiobook",
        "music",
        "audio_volume_up",
        "audio_volume_down",
        "audio_volume_mute",
    }
)
"""SLURP intents that are media or volume requests."""
IN_DOMAIN_SCENARIOS = frozenset({"play", "music", "audio"})
"""SLURP scenarios whose utterances may legitimately actuate media."""
NEAR_DOMAIN_SCENARIOS = ("iot", "transport")
"""Out-of-domain scenarios close to a car's own (lights, vacuum, travel): reported separately."""
EXEMPT = (("transport_query", "navigation.navigate_to"),)
"""(SLURP intent, recognised intent) pairs that are genuine navigation, not a false actuation."""


def default_split() -> Path:
    """The development split: ``$COCKPIT_SLURP_DEVEL``, else ``../shared/data/slurp/devel.jsonl`` beside the repo."""
    env = os.environ.get("COCKPIT_SLURP_DEVEL")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data" / "slurp" / "devel.jsonl"


@dataclass(frozen=True)
class Utterance:
    """One SLURP example."""

    sentence: str
    """The transcript."""
    scenario: str
    """SLURP scenario, e.g. ``play``."""
    intent: str
    """SLURP intent, e.g. ``play_music``."""


@dataclass(frozen=True)
class Example:
    """One utterance and what the recogniser made of it."""

    sentence: str
    """The transcript."""
    slurp_intent: str
    """SLURP's label."""
    result: str
    """Recognised intent name, ``unsupported:<feature>`` or ``none``."""


@dataclass(frozen=True)
class SlurpReport:
    """The evaluation figures."""

    media_total: int
    """Number of media/volume utterances."""
    media_routed: int
    """How many of them the recogniser routed to ``media.*``."""
    ood_total: int
    """Number of out-of-domain utterances (including ``play_game``)."""
    ood_actuating: tuple[Example, ...]
    """Out-of-domain utterances that produced an actuating intent (target: none)."""
    near_domain_totals: dict[str, int] = field(default_factory=dict)
    """Utterances per near-domain scenario."""
    near_domain_actuating: dict[str, int] = field(default_factory=dict)
    """Actuating results per near-domain scenario (also counted in ``ood_actuating``)."""
    exempt_navigation: tuple[Example, ...] = ()
    """``transport_query`` utterances recognised as navigation (allowed, listed for review)."""
    media_misses: tuple[Example, ...] = ()
    """Media utterances not routed to ``media.*``."""
    total: int = 0
    """Utterances evaluated."""
    mean_ms: float = 0.0
    """Mean recognition time per utterance in milliseconds."""
    media_contrary: tuple[Example, ...] = ()
    """Volume requests that did the opposite (louder for "quieter", unmute for "mute"); target: none."""
    ood_offered: tuple[Example, ...] = ()
    """Out-of-domain utterances the statistical classifier turned into an action. The service only
    offers those ("Do you want me to ...?") and acts after a yes, so they are not in ``ood_actuating``."""

    @property
    def media_fraction(self) -> float:
        """(a): media utterances routed to ``media.*``, 0..1."""
        return self.media_routed / self.media_total if self.media_total else 0.0


def load_split(path: str | Path) -> list[Utterance]:
    """Read a SLURP JSON-lines file."""
    out = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                out.append(Utterance(row["sentence"], row["scenario"], row["intent"]))
    return out


def dedupe(utterances: Iterable[Utterance]) -> list[Utterance]:
    """One utterance per sentence (normalised text), first kept: SLURP has several recordings per
    sentence, and a sentence must not sit on both sides of a split."""
    seen: set[str] = set()
    out = []
    for utt in utterances:
        key = normalize(utt.sentence)
        if key not in seen:
            seen.add(key)
            out.append(utt)
    return out


def fold_of(sentence: str, folds: int) -> int:
    """The fold (0..folds-1) of a sentence: a hash of its normalised text, so the same on every
    machine and run, and every recording of one sentence in the same fold."""
    digest = hashlib.sha1(normalize(sentence).encode("utf-8")).hexdigest()
    return int(digest, 16) % folds


def _name(result: object) -> str:
    if isinstance(result, IntentMatch):
        return result.intent
    if isinstance(result, Unsupported):
        return f"unsupported:{result.feature}"
    return "none"


_CONTRARY = {
    "audio_volume_up": ("media.adjust_volume:-", "media.mute:on", "media.pause"),
    "audio_volume_down": ("media.adjust_volume:+", "media.mute:off"),
    "audio_volume_mute": ("media.adjust_volume:+", "media.mute:off", "media.play", "media.resume"),
}
"""Per SLURP volume intent: results that do the opposite of what was asked."""


def _action(result: object) -> str:
    """The result with its direction: ``media.adjust_volume:+``, ``media.mute:off`` ..."""
    if isinstance(result, IntentMatch):
        if result.intent == "media.adjust_volume":
            return f"{result.intent}:{'-' if result.slots.get('delta_percent', 0) < 0 else '+'}"
        if result.intent == "media.mute":
            return f"{result.intent}:{'on' if result.slots.get('on') else 'off'}"
    return _name(result)


def evaluate(utterances: Iterable[Utterance], recognizer: IntentRecognizer) -> SlurpReport:
    """Run ``recognizer`` over ``utterances`` and compute the report."""
    media_total = media_routed = ood_total = total = 0
    elapsed = 0.0
    offending: list[Example] = []
    offered: list[Example] = []
    exempt: list[Example] = []
    misses: list[Example] = []
    contrary: list[Example] = []
    near_totals = dict.fromkeys(NEAR_DOMAIN_SCENARIOS, 0)
    near_bad = dict.fromkeys(NEAR_DOMAIN_SCENARIOS, 0)
    for utt in utterances:
        start = time.perf_counter()
        result = recognizer.recognize(utt.sentence)
        elapsed += time.perf_counter() - start
        total += 1
        example = Example(utt.sentence, utt.intent, _name(result))
        if utt.intent in MEDIA_INTENTS:
            media_total += 1
            if example.result.startswith("media."):
                media_routed += 1
            else:
                misses.append(example)
            if _action(result) in _CONTRARY.get(utt.intent, ()):
                contrary.append(Example(utt.sentence, utt.intent, _action(result)))
        if utt.scenario in IN_DOMAIN_SCENARIOS and utt.intent != "play_game":
            continue
        ood_total += 1
        if utt.scenario in near_totals:
            near_totals[utt.scenario] += 1
        if not isinstance(result, IntentMatch) or not CATALOGUE[result.intent].actuates:
            continue
        if (utt.intent, result.intent) in EXEMPT:
            exempt.append(example)
            continue
        if result.source == CLASSIFIER_SOURCE:
            offered.append(example)
            continue
        offending.append(example)
        if utt.scenario in near_bad:
            near_bad[utt.scenario] += 1
    return SlurpReport(
        media_total,
        media_routed,
        ood_total,
        tuple(offending),
        near_totals,
        near_bad,
        tuple(exempt),
        tuple(misses),
        total,
        elapsed * 1000.0 / total if total else 0.0,
        tuple(contrary),
        tuple(offered),
    )


def format_report(report: SlurpReport, examples: int = 20) -> str:
    """The report as text for a person."""
    lines = [
        f"utterances: {report.total}, mean recognition time: {report.mean_ms:.3f} ms",
        f"(a) media routing: {report.media_routed}/{report.media_total} = {report.media_fraction:.1%}",
        f"(b) out-of-domain actuating: {len(report.ood_actuating)} of {report.ood_total} (target 0)",
    ]
    for scenario in NEAR_DOMAIN_SCENARIOS:
        lines.append(
            f"    near-domain {scenario}: {report.near_domain_actuating.get(scenario, 0)} actuating"
            f" of {report.near_domain_totals.get(scenario, 0)}"
        )
    lines += [f"    OFFENDING {e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.ood_actuating]
    lines.append(f"    offered by the classifier, acted on only after a yes: {len(report.ood_offered)}")
    lines += [f"    offered {e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.ood_offered[:examples]]
    lines.append(f"contrary volume actions: {len(report.media_contrary)} (target 0)")
    lines += [f"    CONTRARY {e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.media_contrary]
    lines.append(f"exempt genuine navigation (transport_query -> navigate_to): {len(report.exempt_navigation)}")
    lines += [f"    {e.sentence!r}" for e in report.exempt_navigation]
    lines.append(f"media misses: {len(report.media_misses)} (first {examples})")
    lines += [f"    {e.slurp_intent}: {e.sentence!r} -> {e.result}" for e in report.media_misses[:examples]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the report (text or ``--json``); exit 1 if anything out of domain actuates."""
    parser = argparse.ArgumentParser(prog="python -m cockpit.nlu.slurp_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--split", type=Path, default=None, help="SLURP JSON-lines file (default: devel)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--templates-only", action="store_true", help="without the fallback classifier")
    args = parser.parse_args(argv)
    recognizer: IntentRecognizer = (
        TemplateIntentRecognizer.from_paths() if args.templates_only else FallbackIntentRecognizer.from_paths()
    )
    report = evaluate(load_split(args.split or default_split()), recognizer)
    if args.json:
        print(json.dumps({**asdict(report), "media_fraction": report.media_fraction}, indent=2))
    else:
        print(format_report(report))
    return 1 if report.ood_actuating else 0


if __name__ == "__main__":
    sys.exit(main())
