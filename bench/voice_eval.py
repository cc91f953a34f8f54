"""The held-out spoken evaluation: the TEST half of the generated set through the real voice path.

The set (:mod:`bench.voice_eval_set`, synthesised by ``script/make_eval_set.py`` into the cache
on first use) has sentences none of the project's templates were written from, said by a dozen
voices at several speeds, clean and in cabin noise at 20, 10 and 5 dB SNR. Only its test half
is run here; the tuning half is for tuning.

Each recording goes through what a gRPC ``Converse`` stream or ``cockpit listen`` does with
audio, built as the service builds it (:class:`cockpit.voice.VoiceStack` with the default voice
settings): the wake word, end-of-speech detection, the hybrid recogniser (the command grammar
first, its results checked against the intent templates, free decoding otherwise), then intent
recognition of each final transcript. The language model is not run: what no template accepts
counts as no action (it would go to the language model as conversation).

Reported per voice, per SNR and overall (see :class:`bench.voice_eval_set.Tally`): intent
accuracy, wrong-action rate, no-action rate, the rate at which questions and background talk
would act, wake-word misses and false wakes. Every recording's transcript, confidence and
outcome, and the tables, go to ``bench/out/voice_eval.json``; the tables are printed.

Then the hearing policy is applied as the pipeline applies it (:class:`cockpit.policy.Policy`
``check_hearing`` with the default :class:`~cockpit.settings.VoiceSettings` thresholds, on the
recogniser's calibrated confidence; see :class:`~bench.voice_gate.Gate`): per voice and per SNR,
the commands that act right at once, the **wrong actions** that act without a read-back, the
confirmation (read-back) rate, and questions and background talk that act. The calibration's reliability
curve on the test half (confidence bucket vs the fraction of turns heard right) goes beside the
JSON as ``voice_eval_reliability.png`` and into the JSON.

Another sentence file of the same form is read with ``python -m bench.voice_eval --sentences PATH``
or a held-out list by name, ``--held-out NAME`` (:data:`HELD_OUT`; ``--fresh``, ``--third``,
``--fourth`` and ``--fifth`` for short: ``bench/data/voice_eval_<name>.jsonl``, whose sentences are all ``test``,
so all of it is reported): its audio is synthesised into a cache folder of its own, and its results go to
``bench/out/<file stem>.json`` and ``<file stem>_reliability.png``. ``make bench`` runs only the
committed list. ``--typed`` judges the reference texts alone (no audio, no voice models). A
file other than the committed list whose results are already there is not read again without
``--again``: a held-out set is read once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import Figure, render
from bench.corpus import ROOT, Unavailable, load_script
from bench.reliability_plot import reliability_png
from bench.voice_eval_set import (
    HELD_OUT,
    SENTENCES,
    Heard,
    Sentence,
    Tally,
    judge,
    load_sentences,
)
from bench.voice_gate import default_hearing, group_gates, policy_for
from bench.voice_paths import TextPath, VoicePath
from bench.voice_report import (
    SUITE,
    TEST_HALF,
    calibration_pairs,
    figures,
    gate_figures,
    gate_table,
    group_tallies,
    reliability,
    snr_label,
    table,
    typed_baseline,
    typed_report,
)
from models.store import ModelStore

SCRIPT = ROOT / "script" / "make_eval_set.py"
"""The generator of the set."""
OUT = ROOT / "bench" / "out" / "voice_eval.json"
"""Where the per-recording results and the tables are written."""
PLOT = OUT.with_name("voice_eval_reliability.png")
"""The test half's reliability curve."""
QUICK_EVERY = 6
"""With ``--quick``, one test recording in this many."""
VOICE_MODELS = ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us")
"""What the run needs installed."""


def outputs(sentences_path: Path = SENTENCES) -> tuple[Path, Path]:
    """Where a sentence file's results and reliability plot go (:data:`OUT`, :data:`PLOT` for the
    committed list; ``bench/out/<file stem>.json`` and ``..._reliability.png`` for another)."""
    if sentences_path.resolve() == SENTENCES.resolve():
        return OUT, PLOT
    out = OUT.with_name(f"{sentences_path.stem}.json")
    return out, out.with_name(f"{sentences_path.stem}_reliability.png")


def set_label(sentences_path: Path = SENTENCES) -> str:
    """How the figures name what they were measured on."""
    if sentences_path.resolve() == SENTENCES.resolve():
        return TEST_HALF
    return f"held-out {sentences_path.stem}, its test sentences"


def eval_script() -> ModuleType:
    """``script/make_eval_set.py`` as a module (imported once)."""
    return load_script(SCRIPT)


def eval_set(sentences_path: Path = SENTENCES) -> tuple[Path, dict[str, Any]]:
    """The set's directory and manifest (of the committed list, or of ``sentences_path``),
    synthesised first if missing (:class:`Unavailable` without the synthesisers)."""
    script = eval_script()
    try:
        out: Path = script.default_out(sentences_path)
        manifest = out / "manifest.json"
        if manifest.exists():
            return out, json.loads(manifest.read_text())
        print(f"{SUITE}: synthesising the evaluation set into {out} (once)", file=sys.stderr, flush=True)

        def log(message: str) -> None:
            print(f"{SUITE}: {message}", file=sys.stderr, flush=True)

        return out, script.build(out, log=log, sentences_path=sentences_path)
    except script.Unavailable as err:
        raise Unavailable(str(err)) from err


def run_items(
    path: VoicePath, root: Path, items: Sequence[dict[str, Any]], sentences: dict[str, Sentence]
) -> list[dict[str, Any]]:
    """Every item heard and judged: the manifest entry plus ``woke``, ``turns`` and ``outcome``."""
    records = []
    start = time.monotonic()
    for n, item in enumerate(items):
        heard = path.hear(root / item["file"])
        turns = [Heard(t["intent"], t["slots"], t["actuates"]) for t in heard["turns"]]
        outcome = judge(sentences[item["sentence_id"]], turns)
        records.append({**item, **heard, "outcome": outcome.value})
        if (n + 1) % 50 == 0:
            print(f"{SUITE}: {n + 1}/{len(items)} ({time.monotonic() - start:.0f} s)", file=sys.stderr, flush=True)
    return records


def run(quick: bool, sentences_path: Path = SENTENCES) -> list[Figure]:
    """The test sentences of the committed list (its test half), or of ``sentences_path``, through
    the voice path (one recording in :data:`QUICK_EVERY` with ``quick``)."""
    store = ModelStore()
    missing = [n for n in VOICE_MODELS if not store.verify(n)]
    if missing:
        print(f"{SUITE}: voice models not installed: {missing}; no figures", file=sys.stderr)
        return []
    try:
        root, manifest = eval_set(sentences_path)
    except Unavailable as err:
        print(f"{SUITE}: no figures: {err}", file=sys.stderr)
        return []
    sentences = {s.id: s for s in load_sentences(sentences_path)}
    items = [i for i in manifest["items"] if i["split"] == "test"]
    if quick:
        items = items[::QUICK_EVERY]
    path = VoicePath(store)
    start = time.monotonic()
    records = run_items(path, root, items, sentences)
    seconds = time.monotonic() - start
    typed = typed_baseline(path, sentences.values())
    return report(records, sentences, typed, {**manifest, "quick": quick, "wall_seconds": seconds}, sentences_path)


def report(
    records: Sequence[dict[str, Any]],
    sentences: dict[str, Sentence],
    typed: Tally,
    run_info: dict[str, Any],
    sentences_path: Path = SENTENCES,
    out: Path | None = None,
) -> list[Figure]:
    """Tables of ``records`` (by voice, SNR, speed; with the hearing policy), written to the JSON of
    ``sentences_path`` (:func:`outputs`; ``out`` and its ``_reliability.png`` instead when given)
    and printed; the headline figures. ``run_info`` has the manifest's fields, ``quick`` and
    ``wall_seconds``."""
    out, plot = outputs(sentences_path) if out is None else (out, out.with_name(f"{out.stem}_reliability.png"))
    label = set_label(sentences_path)
    overall = group_tallies(records, sentences, lambda r: "all")
    by_voice = group_tallies(records, sentences, lambda r: str(r["voice"]))
    by_snr = group_tallies(records, sentences, lambda r: snr_label(r["snr_db"]))
    by_speed = group_tallies(records, sentences, lambda r: f"x{r['speed']:g}")
    tables = {
        "overall": {k: t.rates() for k, t in overall.items()},
        "typed_reference_text": typed.rates(),
        "by_voice": {k: t.rates() for k, t in by_voice.items()},
        "by_snr": {k: t.rates() for k, t in by_snr.items()},
        "by_speed": {k: t.rates() for k, t in by_speed.items()},
    }
    hearing = default_hearing()
    policy = policy_for(hearing)
    gates = {
        name: group_gates(records, sentences, key, policy)
        for name, key in (
            ("overall", lambda r: "all"),
            ("by_voice", lambda r: str(r["voice"])),
            ("by_snr", lambda r: snr_label(r["snr_db"])),
        )
    }
    curve = reliability(calibration_pairs(records, sentences))
    out.parent.mkdir(parents=True, exist_ok=True)
    reliability_png(curve, plot)
    seconds = float(run_info["wall_seconds"])
    out.write_text(
        json.dumps(
            {
                "split": "test",
                "quick": run_info["quick"],
                "recordings": len(records),
                "wall_seconds": round(seconds, 1),
                "set": {k: run_info.get(k) for k in ("sentences", "sentences_sha256", "synthesisers", "renderings")},
                "tables": tables,
                "policy": {
                    "thresholds": hearing,
                    **{name: {k: g.rates() for k, g in groups.items()} for name, groups in gates.items()},
                },
                "reliability": [
                    {"low": lo, "high": hi, "turns": n, "observed_right": rate} for lo, hi, n, rate in curve
                ],
                "records": records,
            },
            indent=1,
            default=str,
        )
        + "\n"
    )
    print(f"\n{SUITE}: {label}, {len(records)} recordings ({seconds:.0f} s); details in {out}")
    for title, groups in (("voice", by_voice), ("SNR", by_snr), ("speed", by_speed), ("overall", overall)):
        print(table(title, groups) + "\n")
    print(f"{SUITE}: with the hearing policy {hearing}")
    for title, name, accuracy in (
        ("voice", "by_voice", by_voice),
        ("SNR", "by_snr", by_snr),
        ("overall", "overall", overall),
    ):
        print(gate_table(title, gates[name], accuracy) + "\n")
    print(f"{SUITE}: reliability ({label}; confidence bucket, turns, fraction right) -> {plot}")
    print("\n".join(f"  {lo:.1f}-{hi:.1f}  {n:4d}  {'' if r is None else f'{r:.2f}'}" for lo, hi, n, r in curve))
    n = len(records)
    return figures(overall["all"], typed, n, label) + gate_figures(gates["overall"]["all"], n, label)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.voice_eval [--sentences PATH | --held-out NAME | --fresh | --third | --fourth
    | --fifth] [--quick] [--typed] [--again]``."""
    parser = argparse.ArgumentParser(prog="bench.voice_eval", description=(__doc__ or "").split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sentences", type=Path, default=SENTENCES, help="sentence file (default: the committed list)")
    which.add_argument(
        "--held-out", choices=sorted(HELD_OUT), default=None, help="a held-out list by name (read it once)"
    )
    for name in HELD_OUT:
        which.add_argument(f"--{name}", dest="held_out", action="store_const", const=name, help=f"--held-out {name}")
    parser.add_argument("--quick", action="store_true", help=f"one test recording in {QUICK_EVERY}")
    parser.add_argument("--typed", action="store_true", help="judge the typed reference texts only (no audio)")
    parser.add_argument("--again", action="store_true", help="read another sentence file although it has been read")
    args = parser.parse_args(argv)
    sentences_path = HELD_OUT[args.held_out] if args.held_out else args.sentences
    if args.typed:
        print(typed_report(TextPath(), load_sentences(sentences_path)))
        return 0
    done = outputs(sentences_path)[0]
    if sentences_path.resolve() != SENTENCES.resolve() and done.exists() and not args.again:
        # A held-out file is read once: a second reading after changes tunes on it.
        print(f"{SUITE}: {sentences_path} was already read ({done}); --again to read it again", file=sys.stderr)
        return 2
    found = run(args.quick, sentences_path)
    print(render(found))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
