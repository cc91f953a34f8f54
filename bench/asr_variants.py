"""English decoder variants compared on the same audio: accuracy, wrong actions and cost.

The policy columns apply the committed calibration (:data:`cockpit.asr.calibration.COEFFICIENTS`),
fitted for the default decoding only: for another variant refit it on its records first
(``script/calibrate_confidence.py fit --from bench/out/asr_variants.json --variant NAME``).

Every variant decodes exactly the same endpointed utterances (:mod:`bench.asr_frames`: each
recording of the held-out spoken set once through the service's wake word and end-of-speech
detection), and its transcripts are judged as :mod:`bench.voice_eval` judges them: intent
accuracy, the wrong-action rate before any read-back, and after the hearing policy (default
thresholds) the wrong actions that still act at once. Beside that, its cost:

- **CPU**: this thread's CPU seconds per second of utterance audio, streaming and finishing;
- **p95 finish**: end of speech (the last frame accepted) -> final transcript, ms at p95, and its
  ratio to the bare engine's p95 on the same utterances (one PocketSphinx decoder with the
  command grammar and PocketSphinx's default lattice rescoring, nothing beside it: the
  ``grammar only`` variant, the engine's grammar search as it was before the variants).

``make bench`` uses a third of the TUNING half (a tenth with ``--quick``); ``python -m
bench.asr_variants`` all of it. Choosing a variant is done on the tuning half only;
``python -m bench.asr_variants --split test --only NAME`` runs a chosen variant on the test half
once. Results go to ``bench/out/asr_variants.json``, with
every turn's evidence (``script/calibrate_confidence.py fit --from`` reads them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Figure, percentile
from bench.corpus import ROOT
from bench.voice_eval import HELD_OUT, VOICE_MODELS, eval_set
from bench.voice_eval_set import SENTENCES, Heard, Sentence, judge, load_sentences
from bench.voice_gate import Gate, default_hearing, policy_for
from bench.voice_report import group_tallies
from cockpit.audio import FRAME_SAMPLES

SUITE = "asr_variants"
OUT = ROOT / "bench" / "out" / "asr_variants.json"
QUICK_EVERY = 10
"""``make bench`` with ``--quick``: one tuning recording in this many."""
BENCH_EVERY = 3
"""``make bench``: one tuning recording in this many (every variant on all 405 takes about an hour
on two busy cores; ``python -m bench.asr_variants`` runs them all)."""
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Variant:
    """One way of decoding English commands."""

    name: str
    search: str
    """``fsg`` (the grammar automaton) or ``lm`` (the domain language model)."""
    phone_rival: bool
    free_rival: bool
    fallback: bool
    """Decode again in free mode when unsure."""
    nbest: int = 0
    """N-best hypotheses rescored with the template NLU (0: none)."""
    rival_lm: str = "general"
    """The free rival's model (``general`` or ``domain``)."""
    bestpath: bool = True
    """Lattice rescoring at the end of each utterance."""
    fast_rival: bool = False
    """Narrow beams and no flat pass for the general free rival."""
    rescue: bool = False
    """Take the free rival's words when they are a command and the grammar's are not."""
    reuse_rival: bool = False
    """Fall back to the free rival's words instead of decoding again."""
    fallback_below: float | None = None
    """Fall back when the grammar result's calibrated confidence is below this (None: when its raw
    confidence is below the hybrid's ``min_confidence``)."""


VARIANTS = (
    Variant("careful (the default): hybrid, rival's words as fallback", "fsg", True, True, True, reuse_rival=True),
    Variant(
        "lean (the default for part of 2026-12-05)",
        "fsg", True, True, True, bestpath=False, fast_rival=True, reuse_rival=True, fallback_below=0.3,
    ),
    Variant("hybrid with a second free pass (the default until 2026-12-05)", "fsg", True, True, True),
    Variant("grammar only", "fsg", False, False, False),
    Variant("grammar, no bestpath", "fsg", False, False, False, bestpath=False),
    Variant("grammar + phone loop, no bestpath", "fsg", True, False, False, bestpath=False),
    Variant("grammar + phone loop, no bestpath, free fallback", "fsg", True, False, True, bestpath=False),
    Variant("domain LM only", "lm", False, False, False),
    Variant("domain LM + N-best", "lm", False, False, False, nbest=10),
    Variant("domain LM + N-best + phone loop", "lm", True, False, False, nbest=10),
    Variant(
        "grammar + phone loop + domain LM beside, no bestpath",
        "fsg", True, True, False, rival_lm="domain", bestpath=False, rescue=True,
    ),
    Variant("hybrid, no bestpath", "fsg", True, True, True, bestpath=False),
    Variant(
        "hybrid, no bestpath, rival's words as fallback", "fsg", True, True, True, bestpath=False, reuse_rival=True
    ),
    Variant(
        "grammar + phone loop + fast free rival, no bestpath, grammar kept",
        "fsg", True, True, False, bestpath=False, fast_rival=True,
    ),
    Variant(
        "grammar + phone loop + fast free rival, no bestpath, rival's words as fallback",
        "fsg", True, True, True, bestpath=False, reuse_rival=True, fast_rival=True,
    ),
)  # fmt: skip
"""The variants compared; the bare-engine baseline is ``grammar only``."""
BARE = "grammar only"


class Runner:
    """Loaded grammar and NLU, and a recogniser per variant."""

    def __init__(self, mllr: str | None = None) -> None:
        from cockpit.catalogue import CATALOGUE, IntentMatch
        from cockpit.nlu import TemplateIntentRecognizer
        from cockpit.settings import VoiceSettings
        from cockpit.voice.factory import command_grammars, wake_phrases
        from cockpit.voice.frontend import VoiceConfig
        from models.store import ModelStore

        self.settings = VoiceSettings()
        self.nlu = TemplateIntentRecognizer.from_paths()
        self.grammar = command_grammars(["en"], wake_models=self.settings.wake_models)["en"]
        self.strip = wake_phrases(tuple(self.settings.wake_models)) or VoiceConfig().strip_phrases
        """Wake phrases stripped from transcripts (and before the command check, as the service does)."""
        self.store = ModelStore()
        self.mllr = mllr
        """An MLLR transform every variant's decoders read (None: the model as shipped)."""
        self._catalogue, self._match = CATALOGUE, IntentMatch

    def recognizer(self, v: Variant) -> Any:
        from cockpit.asr.hybrid import HybridRecognizer
        from cockpit.asr.sphinx_engine import Decoding, PocketSphinxRecognizer
        from cockpit.voice.frontend import strip_wake_phrases

        inner = PocketSphinxRecognizer(
            self.store.path("pocketsphinx-en-us"),
            "en",
            decoding=Decoding(
                v.search,
                v.phone_rival,
                v.free_rival,
                v.nbest,
                v.rival_lm,
                v.fast_rival,
                v.bestpath,
                fallback=v.fallback,
                fallback_below=v.fallback_below,
                reuse_rival=v.reuse_rival,
                mllr=self.mllr,
            ),
        )
        inner.set_grammar(self.grammar)
        return HybridRecognizer(
            inner,
            is_command=lambda text: self.nlu.recognize(strip_wake_phrases(text, self.strip), "en") is not None,
            fallback=v.fallback,
            rescore=v.nbest > 0,
            rescue=v.rescue,
            reuse_rival=v.reuse_rival,
        )

    def understand(self, text: str) -> dict[str, Any]:
        match = self.nlu.recognize(text, "en")
        if not isinstance(match, self._match):
            return {"intent": None, "slots": {}, "actuates": False, "free_text": False}
        from cockpit.policy import text_filled

        spec = self._catalogue[match.intent]
        free = text_filled(spec, match.slots)
        return {"intent": match.intent, "slots": dict(match.slots), "actuates": spec.actuates, "free_text": free}


def decode(rec: Any, audio: np.ndarray) -> tuple[Any, float, float]:
    """The final transcript of one utterance, its thread CPU seconds and finish wall ms."""
    frames = [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio), FRAME_SAMPLES)]
    cpu = time.thread_time()
    rec.start()
    for f in frames:
        rec.accept(f)
    wall = time.perf_counter()
    result = rec.finish()
    finish_ms = (time.perf_counter() - wall) * 1000
    return result, time.thread_time() - cpu, finish_ms


def run_variant(
    runner: Runner, v: Variant, items: Sequence[dict[str, Any]], audio: dict[str, Any], sentences: dict[str, Sentence]
) -> dict[str, Any]:
    """Every item decoded by ``v``: records (as :mod:`bench.voice_eval` writes them) and costs."""
    from cockpit.voice.frontend import strip_wake_phrases

    rec = runner.recognizer(v)
    strip = runner.strip
    records, cpu, seconds, finishes = [], 0.0, 0.0, []
    for item in items:
        woke, utts = audio[item["file"]]
        turns = []
        for u in utts:
            result, c, ms = decode(rec, u)
            cpu, seconds = cpu + c, seconds + len(u) / SAMPLE_RATE
            finishes.append(ms)
            text = strip_wake_phrases(result.text, strip)
            if not text:
                continue
            evidence = getattr(rec, "last_evidence", None)
            grammar = getattr(rec, "last_grammar", None)
            rivals = getattr(getattr(rec, "inner", None), "last_rivals", None)
            rival_text = None if rivals is None else rivals.free_text
            turns.append(
                {
                    "text": text,
                    "grammar_text": None if grammar is None else strip_wake_phrases(grammar.text, strip),
                    "rival_text": None if rival_text is None else strip_wake_phrases(rival_text, strip),
                    "confidence": round(result.confidence, 4),
                    "mode": str(result.mode),
                    **runner.understand(text),
                    "evidence": None if evidence is None else evidence.as_dict(),
                }
            )
        heard = [Heard(t["intent"], t["slots"], t["actuates"]) for t in turns]
        outcome = judge(sentences[item["sentence_id"]], heard)
        records.append({**item, "woke": woke, "turns": turns, "outcome": outcome.value})
    return {
        "records": records,
        "cpu_per_audio_s": cpu / seconds if seconds else float("nan"),
        "finish_ms": finishes,
    }


def summary(result: dict[str, Any], sentences: dict[str, Sentence], bare_p95: float | None) -> dict[str, Any]:
    """The variant's figures."""
    records = result["records"]
    rates = group_tallies(records, sentences, lambda r: "all")["all"].rates()
    gate = Gate()
    policy = policy_for(default_hearing())
    for r in records:
        gate.add(sentences[r["sentence_id"]], r["turns"], policy)
    g = gate.rates()
    p95 = percentile(result["finish_ms"], 95) if result["finish_ms"] else float("nan")
    return {
        "recordings": len(records),
        "intent_accuracy": rates["intent_accuracy"],
        "wrong_action_rate": rates["wrong_action_rate"],
        "non_command_act_rate": rates["non_command_act_rate"],
        "policy_wrong_action_rate": g["wrong_action_rate"],
        "policy_acts_right_rate": g["acts_right_rate"],
        "policy_confirmation_rate": g["confirmation_rate"],
        "policy_non_command_act_rate": g["non_command_act_rate"],
        "cpu_per_audio_s": result["cpu_per_audio_s"],
        "finish_p95_ms": p95,
        "finish_p95_ratio_to_bare": p95 / bare_p95 if bare_p95 else None,
    }


COLUMNS = (
    ("intent_accuracy", "intent acc"),
    ("wrong_action_rate", "wrong act"),
    ("policy_wrong_action_rate", "wrong act (policy)"),
    ("policy_acts_right_rate", "acts right (policy)"),
    ("policy_non_command_act_rate", "non-cmd acts (policy)"),
    ("cpu_per_audio_s", "CPU s/s"),
    ("finish_p95_ms", "p95 finish ms"),
    ("finish_p95_ratio_to_bare", "p95 / bare"),
)


def table(rows: dict[str, dict[str, Any]]) -> str:
    """Plain text table of every variant's figures."""
    out = [("variant", *[h for _, h in COLUMNS])]
    for name, s in rows.items():
        out.append((name, *["" if s[k] is None else f"{s[k]:.3f}" for k, _ in COLUMNS]))
    widths = [max(len(r[i]) for r in out) for i in range(len(out[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in out)


def sentence_part(sentence_id: str) -> str:
    """``A`` or ``B``: the half of the sentences a sentence is in (for cross-fitting within a split;
    ``script/adapt_acoustic.py --part`` uses the same halves)."""
    import hashlib

    return "AB"[hashlib.sha256(sentence_id.encode()).digest()[0] % 2]


def compare(
    split: str,
    every: int,
    only: Sequence[str] = (),
    out: Path = OUT,
    bare: bool = True,
    part: str | None = None,
    mllr: str | None = None,
    sentences_path: Path = SENTENCES,
) -> dict[str, dict[str, Any]]:
    """Run the variants (all, or those named in ``only``, plus the bare engine unless not
    ``bare``) on ``split`` (on one :func:`sentence_part` of it with ``part``) of the set of
    ``sentences_path`` (a held-out set: its ``test`` split, all of it), their decoders reading the
    MLLR transform ``mllr`` if given."""
    from bench.asr_frames import load_or_capture

    root, manifest = eval_set(sentences_path)
    sentences = {s.id: s for s in load_sentences(sentences_path)}
    items = [i for i in manifest["items"] if i["split"] == split and part in (None, sentence_part(i["sentence_id"]))][
        ::every
    ]
    audio = load_or_capture(root, list(manifest["items"]))
    runner = Runner(mllr)
    chosen = [v for v in VARIANTS if not only or (bare and v.name == BARE) or v.name in only]
    chosen.sort(key=lambda v: v.name != BARE)  # the baseline first
    results: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    bare_p95: float | None = None
    for v in chosen:
        start = time.monotonic()
        results[v.name] = run_variant(runner, v, items, audio, sentences)
        rows[v.name] = summary(results[v.name], sentences, bare_p95)
        if v.name == BARE:
            bare_p95 = rows[v.name]["finish_p95_ms"]
            rows[v.name]["finish_p95_ratio_to_bare"] = 1.0
        print(f"{SUITE}: {v.name}: {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "split": split,
                "every": every,
                "part": part,
                "mllr": mllr,
                "variants": rows,
                "records": {k: r["records"] for k, r in results.items()},
            },
            indent=1,
            default=str,
        )
        + "\n"
    )
    print(f"\n{SUITE}: {split} half, {len(items)} recordings (one in {every}); details in {out}")
    print(table(rows))
    return rows


def run(quick: bool) -> list[Figure]:
    """``make bench``: every variant on a third of the tuning half (a tenth with ``quick``)."""
    from models.store import ModelStore

    store = ModelStore()
    if any(not store.verify(n) for n in VOICE_MODELS):
        print(f"{SUITE}: voice models not installed; no figures", file=sys.stderr)
        return []
    rows = compare("tune", QUICK_EVERY if quick else BENCH_EVERY)
    bare = rows[BARE]
    figures: list[Figure] = []
    for name, s in rows.items():
        figures += [
            Figure(SUITE, f"intent accuracy, {name} (tuning half)", s["intent_accuracy"], "fraction"),
            Figure(
                SUITE,
                f"wrong actions after the policy, {name} (tuning half)",
                s["policy_wrong_action_rate"],
                "fraction",
            ),
            Figure(SUITE, f"CPU per audio second, {name}", s["cpu_per_audio_s"], "CPU s/s", target="<= 0.3"),
            Figure(
                SUITE,
                f"p95 end of speech -> transcript, {name}",
                s["finish_p95_ms"],
                "ms",
                bare["finish_p95_ms"],
                f"bare engine ({BARE})",
                "<= 1.10",
            ),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.asr_variants", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "test"), default="tune")
    parser.add_argument("--every", type=int, default=1, help="one recording in this many")
    parser.add_argument("--only", action="append", default=[], help="variant name (repeatable)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--part", choices=("A", "B"), default=None, help="one half of the split's sentences")
    parser.add_argument("--mllr", default=None, help="MLLR transform for every decoder (script/adapt_acoustic.py)")
    parser.add_argument("--no-bare", action="store_true", help="leave out the bare engine (no latency ratio)")
    parser.add_argument(
        "--held-out", choices=sorted(HELD_OUT), default=None, help="a held-out set (with --split test) instead"
    )
    args = parser.parse_args(argv)
    path = HELD_OUT[args.held_out] if args.held_out else SENTENCES
    compare(args.split, args.every, args.only, args.out, not args.no_bare, args.part, args.mllr, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
