"""False wakes per hour on hours of background audio, with a bound that means something.

:mod:`bench.wake_eval` hears 0.81 h of held-out background; no false wake there still allows
3.7 an hour (95 %). Showing 0.5 an hour or fewer takes about 6 h without one (Poisson: 3.0 / 6 h).
This suite makes that much and scores it with the shipped detector: on the **test** side for the
figures, and (``--split tune``) as much again on the **tuning** side, to choose thresholds on
(``script/choose_wake_threshold.py``).

- **What is said.** The kinds of :mod:`bench.wake_background`, made by its functions (the
  evaluation set's 12 voices, speeds, levelling and cabin noise; radio speech over a music bed;
  cabin noise with clicks and gusts), segment by segment in the cycle :data:`CYCLE` (half talk,
  a third radio, a sixth noise by time, whenever the run stops). Talk and radio say SLURP *devel*
  sentences (:func:`bench.voice_eval_set.split_of`; ``test.jsonl`` is never read),
  :data:`SENTENCES_PER_SEGMENT` drawn per segment. Held out: that side's 1,040 sentences; eight
  hours say 6,942, so a sentence is said about 7 times (1 to 17) in eight hours and twice that in
  sixteen, each time by other voices, at other speeds, over other noise or music; nothing here is
  in the tuning half. Tuning side: the 332 tuning sentences that the verifier's own background
  (:mod:`bench.wake_background`'s ``tune`` segments, which ``script/train_wake_verifier.py`` fits
  on) does not say (:func:`split_sentences`), so that its false wakes, like the held-out ones,
  are on sentences the verifier never heard; its segments are named and seeded apart (:data:`PREFIX`).
- **No hours of WAV on disk.** Each segment is synthesised, written to a temporary WAV, scored,
  and deleted; ``results.jsonl`` under ``<model cache>/../wake-long/<key>`` keeps one line per
  segment: its kind, length, the sha256 of its WAV (the audio is seeded, so a rerun can check it
  made the same sound) and every **candidate frame** (the head scoring at least
  :data:`~bench.wake_candidates.CANDIDATE_SCORE`) with the head's score and the shipped verifier's probability, from
  which the wakes of any head threshold from there up and any verifier threshold are counted
  again exactly (:func:`bench.wake_candidates.wakes_of`) without the audio. The verifier's input at the kept frames is
  saved beside it (``summaries/``, to try or fit another verifier). Segments on which the
  defaults woke are kept as WAV (``woken/``), to be listened to. The key digests what decides the
  audio (:func:`audio_key`; on the tuning side also its sentences) and what decides the scores
  (the wake models' pinned digests, the shipped verifier's weights, ``cockpit/wake`` and
  :mod:`bench.wake_score`; not the thresholds), so a rerun with the same key resumes, a longer run
  extends a shorter one, and a new threshold is counted from the same lines.
- **Scored as the service runs.** :func:`bench.wake_eval.detector` and
  :func:`bench.wake_eval.default_rule`: the head's threshold and verifier from the default
  :class:`~cockpit.settings.VoiceSettings`, counted as :mod:`bench.wake_score` counts (a wake
  opens a turn; firings within :data:`~bench.wake_score.REFRACTORY_S` of it are the same wake).
  Beside them, the head alone at that threshold and at openWakeWord's usual 0.5. On the test
  side, the misses are the evaluation set's held-out recordings with the wake word, scored again
  in the same run.

``python -m bench.wake_long [--hours H] [--max-minutes M] [--split test|tune]`` (``make bench``
runs the test side at :data:`DEFAULT_HOURS`; ``--quick`` at :data:`QUICK_HOURS`;
``--max-minutes 0`` counts again what is cached). Results go to ``bench/out/wake_long.json``
(``wake_long_tune.json``); the table is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import itertools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bench import wake_background as wb
from bench.common import Figure
from bench.corpus import ROOT, Unavailable
from bench.wake_background import Segment
from bench.wake_candidates import Setting, candidates, carry_over, verifier_scores, wakes_of
from bench.wake_eval import (
    BASELINE_THRESHOLD,
    QUICK_EVERY,
    WAKE_MODELS,
    default_rule,
    detector,
    eval_records,
)
from bench.wake_long_report import SUITE, figures, out_path, print_report, tally
from bench.wake_score import FRAME_S, REFRACTORY_S, Rule, misses, plain, score_file
from models.store import ModelStore, default_cache_dir

DEFAULT_HOURS = 16.0
"""Hours of background ``make bench`` hears (no false wake in 6 h would bound the rate at 0.5 an
hour, 2 in 13 h, 3 in 16 h). Set to 16 h before the run that extended the first 8 h (2 false wakes
with today's settings) on 2026-12-05, and kept whatever it found: it found 3 in 16 h."""
QUICK_HOURS = 0.05
"""Hours with ``--quick`` (a few segments: a smoke run, not a figure)."""
CYCLE = ("talk", "radio", "talk", "noise", "talk", "radio")
"""Kinds of the segments in turn: talk, radio and noise about 1/2, 1/3 and 1/6 of the time."""
SENTENCES_PER_SEGMENT = wb.SENTENCES_PER_SEGMENT
"""Sentences said in one talk or radio segment (about a minute with the pauses)."""
SETTINGS = ("defaults", "head_alone", "baseline")
"""Settings whose wakes are counted: the service's defaults, its head without the verifier, the
head alone at :data:`BASELINE_THRESHOLD`."""
KIND_CODE = {"talk": 1, "radio": 2, "noise": 3}
"""Seeds the sentence draw apart per kind."""
SPLITS = ("test", "tune")
"""``test`` (held out, the figures) or ``tune`` (the tuning side, to choose thresholds on)."""
PREFIX = {"test": "long_", "tune": "long_tune_"}
"""File-name prefix of a split's segments (the held-out names are those of the first 8 h run)."""
TUNE_SEED = 2
"""Seeds the tuning side's sentence draw apart from the held-out side's."""
RECORD_VERSION = 2
"""Version of a results line (2: candidate frames instead of wake times)."""


def plan(split: str = "test") -> Iterator[Segment]:
    """The segments of ``split`` in the order they are made, without end."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    counts: dict[str, int] = {}
    for n in itertools.count():
        kind = CYCLE[n % len(CYCLE)]
        k = counts[kind] = counts.get(kind, -1) + 1
        yield Segment(f"{PREFIX[split]}{kind}_{k:04d}.wav", kind, split, k)


def held_out_sentences() -> list[str]:
    """The SLURP devel sentences of the held-out side (never the tuning side, never SLURP test)."""
    return wb.background_sentences()["test"]


def split_sentences(split: str) -> list[str]:
    """The SLURP devel sentences a side's long background says (never SLURP test): the held-out
    side's, or the tuning side's that the verifier's own background does not say
    (:func:`verifier_sentences`), so that false wakes here are on sentences it never heard, as
    they are on the held-out side."""
    pool = wb.background_sentences()
    if split == "test":
        return pool["test"]
    heard = verifier_sentences()
    return [s for s in pool[split] if s not in heard]


TUNE_FOLDS = 4
"""The tuning side's sentences are cut into this many folds (by a hash of their text) and each
tuning segment says the sentences of one fold only, so that a verifier fitted without a fold's
segments has never heard what they say (``script/choose_wake_threshold.py`` cross-fits so)."""


def sentence_fold(text: str) -> int:
    """A tuning sentence's fold."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % TUNE_FOLDS


def segment_fold(segment: Segment) -> int:
    """A tuning segment's fold (its number among its kind's)."""
    return segment.index % TUNE_FOLDS


def segment_pool(segment: Segment, pool: Sequence[str]) -> list[str]:
    """The sentences a segment draws from: on the tuning side, those of its fold only."""
    if segment.split != "tune":
        return list(pool)
    return [text for text in pool if sentence_fold(text) == segment_fold(segment)]


def verifier_sentences() -> set[str]:
    """Sentences of :mod:`bench.wake_background`'s tuning segments: ``script/train_wake_verifier.py``
    fits the verifier on those."""
    pool = wb.background_sentences()
    return {
        text
        for segment in wb.plan()
        if segment.split == "tune" and segment.kind in SENTENCES_PER_SEGMENT
        for text in wb.segment_sentences(segment, pool)
    }


def segment_sentences(segment: Segment, pool: Sequence[str]) -> list[str]:
    """What a talk or radio segment says: :data:`SENTENCES_PER_SEGMENT` distinct sentences of
    ``pool``, drawn by the segment's kind and number (and side: the held-out draw is that of the
    first run, so its audio, and its sha256, is unchanged)."""
    seed = [wb.SEED, KIND_CODE[segment.kind], segment.index] + ([TUNE_SEED] if segment.split == "tune" else [])
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(pool), SENTENCES_PER_SEGMENT[segment.kind], replace=False)
    return [pool[int(i)] for i in picked]


def _noise_seed(segment: Segment) -> int:
    return int.from_bytes(hashlib.sha256(f"noise:{segment.file}".encode()).digest()[:4], "big")


def render(segment: Segment, pool: Sequence[str], script: ModuleType, fx: ModuleType) -> np.ndarray:
    """One segment's audio, made as :func:`bench.wake_background.render` makes its kind."""
    if not segment.file.startswith(PREFIX[segment.split]) or segment.file.startswith(PREFIX["tune"]) != (
        segment.split == "tune"
    ):
        raise ValueError(f"{segment.file}: not a {segment.split} segment of the long background")
    if segment.kind == "noise":
        return np.asarray(wb.noise(segment, fx))
    said = segment_sentences(segment, pool)
    if segment.kind == "radio":
        return np.asarray(wb.radio(segment, said, script))
    audio = wb.speech(segment, said, script)
    snr = wb.TALK_SNRS[segment.index % len(wb.TALK_SNRS)]
    return audio if snr is None else np.asarray(fx.add_noise(audio, snr, _noise_seed(segment)))


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def audio_key() -> str:
    """Digest of what decides the audio: :func:`bench.wake_background.set_key` and this module's
    plan, sentence draw and synthesis (not its reporting, so that a change there keeps the results)."""
    made_by: list[Callable[..., Any]] = [plan, segment_sentences, _noise_seed, render]
    parts = [wb.set_key().encode(), json.dumps([CYCLE, KIND_CODE, SENTENCES_PER_SEGMENT]).encode()]
    return _digest(parts + [inspect.getsource(f).encode() for f in made_by])


def scoring_key(store: ModelStore) -> str:
    """Digest of what decides the recorded scores: the models, the scoring code and the shipped
    verifier's weights (not its threshold nor the head's: those are applied when counting)."""
    from cockpit.settings import VoiceSettings
    from cockpit.wake.verifier import shipped_verifier

    wake = ROOT / "cockpit" / "wake"
    verifier = shipped_verifier(VoiceSettings().wake_models[0])
    parts = [store.entry(n).sha256.encode() for n in WAKE_MODELS] + [str(RECORD_VERSION).encode()]
    parts += [(ROOT / "bench" / "wake_score.py").read_bytes()]
    parts += [p.read_bytes() for p in sorted(wake.glob("*.py"))]
    if verifier is not None:
        parts += [a.tobytes() for a in (verifier.mean, verifier.scale, verifier.coef)]
        parts.append(repr(verifier.intercept).encode())
    return _digest(parts)


Scorer = Callable[[Path], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""A WAV file -> its per-frame scores, kept frames and summaries (:func:`bench.wake_score.score_file`)."""


Probabilities = Callable[[np.ndarray], np.ndarray]
"""Summaries -> the shipped verifier's probabilities."""


def hear(
    segment: Segment,
    audio: np.ndarray,
    scorer: Scorer,
    settings: dict[str, Setting],
    keep: Path,
    probability: Probabilities | None = None,
) -> dict[str, Any]:
    """One segment scored from a temporary WAV; its results line: its candidate frames (with the
    verifier's probability), and the summaries of its kept frames saved to ``keep/../summaries``
    (to fit or try another verifier); its WAV kept in ``keep`` if the defaults woke on it."""
    from cockpit.audio.wav import write_wav

    with tempfile.TemporaryDirectory(prefix="wake-long-") as tmp:
        path = Path(tmp) / segment.file
        write_wav(path, audio)
        data = path.read_bytes()
        scores, kept, summaries = scorer(path)
        probabilities = None if probability is None or not len(kept) else probability(summaries)
        entry = {
            "file": segment.file,
            "kind": segment.kind,
            "split": segment.split,
            "index": segment.index,
            "seconds": round(len(audio) / wb.SAMPLE_RATE, 3),
            "hours": len(scores) * FRAME_S / 3600,
            "frames": len(scores),
            "sha256": hashlib.sha256(data).hexdigest(),
            "max_score": round(float(scores.max()) if len(scores) else 0.0, 4),
            "candidates": candidates(scores, kept, probabilities),
        }
        if len(kept):
            stash = keep.parent / "summaries"
            stash.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(stash / f"{Path(segment.file).stem}.npz", kept=kept, summaries=summaries)
        if "defaults" in settings and wakes_of(entry, settings["defaults"]):
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, keep / segment.file)
    return entry


def measure(
    hours: float,
    results: Path,
    make: Callable[[Segment], np.ndarray],
    scorer: Scorer,
    settings: dict[str, Setting],
    segments: Iterable[Segment] | None = None,
    deadline: float | None = None,
    log: Callable[[str], None] | None = None,
    probability: Probabilities | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Segments in order until ``hours`` of audio are heard (or ``deadline``, a monotonic time,
    passes): each from ``results/results.jsonl`` if scored before, else made and scored now.
    Their lines, and whether ``hours`` were reached."""
    results.mkdir(parents=True, exist_ok=True)
    lines = results / "results.jsonl"
    done = {}
    if lines.exists():
        done = {e["file"]: e for e in map(json.loads, lines.read_text().splitlines()) if e}
    out: list[dict[str, Any]] = []
    total = 0.0
    start = time.monotonic()
    for segment in plan() if segments is None else segments:
        if total >= hours:
            return out, True
        entry = done.get(segment.file)
        if entry is None:
            if deadline is not None and time.monotonic() > deadline:
                return out, False
            entry = hear(segment, make(segment), scorer, settings, results / "woken", probability)
            with lines.open("a") as fh:
                fh.write(json.dumps(entry) + "\n")
            if log is not None:
                log(
                    f"{segment.file}: {entry['seconds']:.0f} s, {total + entry['hours']:.2f} h heard "
                    f"({time.monotonic() - start:.0f} s), {len(entry['candidates'])} candidate frames"
                )
        out.append(entry)
        total += float(entry["hours"])
    return out, total >= hours


def settings_of(setting: dict[str, Any]) -> dict[str, Setting]:
    """The settings of :data:`SETTINGS`, from the defaults' description."""
    return {
        "defaults": (setting["threshold"], setting["verifier_threshold"]),
        "head_alone": (setting["threshold"], None),
        "baseline": (BASELINE_THRESHOLD, None),
    }


def rules_of(setting: dict[str, Any], defaults: Rule) -> dict[str, Rule]:
    """The settings of :data:`SETTINGS` as rules on whole recordings."""
    return {"defaults": defaults, "head_alone": plain(setting["threshold"]), "baseline": plain(BASELINE_THRESHOLD)}


def held_out_misses(detector: Any, rules: dict[str, Rule], every: int) -> dict[str, Any]:
    """The evaluation set's held-out wake-word recordings (one in ``every``) missed by each setting."""
    records = eval_records(detector, ["test"], every)
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        overall = misses(records, rule)
        by_snr = misses(records, rule, lambda r: r.group["snr"])
        out[name] = {
            k: {"recordings": c.recordings, "missed": c.missed, "rate": c.rate}
            for k, c in {**overall, **{f"snr {s}": v for s, v in by_snr.items()}}.items()
        }
    return out


def results_dir(store: ModelStore, split: str) -> Path:
    """The cache directory of a split's results lines (the held-out side's has no prefix)."""
    key = f"{audio_key()}-{scoring_key(store)}"
    if split == "test":
        return default_cache_dir().parent / "wake-long" / key
    made_by = [inspect.getsource(f).encode() for f in (sentence_fold, segment_fold, segment_pool)]
    pool = _digest([text.encode() for text in split_sentences(split)] + [str(TUNE_FOLDS).encode(), *made_by])
    return default_cache_dir().parent / "wake-long" / f"{split}-{pool}-{key}"


def run(
    quick: bool,
    hours: float | None = None,
    max_minutes: float | None = None,
    split: str = "test",
    reuse: Path | None = None,
) -> list[Figure]:
    """Hear ``hours`` (default :data:`DEFAULT_HOURS`, :data:`QUICK_HOURS` with ``quick``) of
    background of ``split`` and, held out, the held-out wake words; report."""
    from cockpit.settings import VoiceSettings
    from cockpit.wake.verifier import shipped_verifier

    hours = (QUICK_HOURS if quick else DEFAULT_HOURS) if hours is None else hours
    store = ModelStore()
    missing = [n for n in WAKE_MODELS if not store.verify(n)]
    if missing:
        print(f"{SUITE}: wake-word models not installed: {missing}; no figures", file=sys.stderr)
        return []
    scorer = detector(store)
    rule, setting = default_rule()
    settings = settings_of(setting)
    ship = shipped_verifier(VoiceSettings().wake_models[0])
    results = results_dir(store, split)
    probability = None if ship is None else lambda x: np.asarray(ship.probability_of(x))
    if reuse is not None:
        print(f"{SUITE}: {carry_over(reuse, results, probability)} segments carried over from {reuse}", file=sys.stderr)
    script, fx, pool = wb.eval_script(), wb.fixture_script(), split_sentences(split)
    start = time.monotonic()
    deadline = None if max_minutes is None else start + 60 * max_minutes
    try:
        entries, complete = measure(
            hours,
            results,
            lambda s: render(s, segment_pool(s, pool), script, fx),
            lambda p: score_file(scorer, p),
            settings,
            segments=plan(split),
            deadline=deadline,
            log=lambda m: print(f"{SUITE}: {m}", file=sys.stderr, flush=True),
            probability=probability,
        )
        rules = rules_of(setting, rule)
        missed = held_out_misses(scorer, rules, QUICK_EVERY if quick else 1) if split == "test" else {}
    except (script.Unavailable, Unavailable) as err:
        print(f"{SUITE}: no figures: {err}", file=sys.stderr)
        return []
    seconds = time.monotonic() - start
    body = {
        "quick": quick,
        "split": split,
        "hours_asked": hours,
        "complete": complete,
        "defaults": setting,
        "baseline": {"threshold": BASELINE_THRESHOLD, "verifier_threshold": None},
        "refractory_s": REFRACTORY_S,
        "wall_seconds": round(seconds, 1),
        "results_dir": str(results),
        "audio_key": audio_key(),
        "false_wakes": tally(entries, settings),
        "misses": missed,
        "segments": [
            {
                **{k: v for k, v in e.items() if k != "candidates"},
                "wakes": {n: [round(f * FRAME_S, 2) for f in wakes_of(e, st)] for n, st in settings.items()},
                "verifier_scores": verifier_scores(e, settings["head_alone"]),
            }
            for e in entries
        ],
    }
    out = out_path(split)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(body, indent=1) + "\n")
    print_report(body)
    return figures(body) if split == "test" else []


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.wake_long``: the suite alone, with its own length."""
    parser = argparse.ArgumentParser(prog="bench.wake_long", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, help=f"hours of background to hear (default {DEFAULT_HOURS:g})")
    parser.add_argument("--max-minutes", type=float, help="stop making new segments after this long (wall)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_HOURS:g} h and a quarter of the wake words")
    parser.add_argument(
        "--split", choices=SPLITS, default="test", help="held-out side (the figures) or tuning side (to choose on)"
    )
    parser.add_argument(
        "--reuse", type=Path, help="a results directory of the same audio scored with another verifier: counted again"
    )
    args = parser.parse_args(argv)
    from bench.common import render as table

    print(table(run(args.quick, args.hours, args.max_minutes, args.split, args.reuse)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
