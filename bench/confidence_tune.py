"""The TUNING half's per-recording evidence (``bench/out/confidence_tune.jsonl``), and its key.

Two steps read it: ``script/calibrate_confidence.py fit`` fits the confidence calibration on it,
and :mod:`bench.readback_policy` chooses the read-back threshold on it. Both need every tuning
recording of the held-out spoken set heard through the service's voice path
(:class:`bench.voice_paths.VoicePath`) as the shipped code hears it; :func:`collect_tuning` makes
that, and only the TUNING half is ever decoded here (the test half is :mod:`bench.voice_eval`'s).

**Staleness.** Beside the file, ``confidence_tune.key.json`` holds :func:`decoding_key`: what
decides the records, each part a digest: the set (its cache key), the voice settings, the model
files, the decoding libraries' versions, the decoder's code (wake word, endpointing, audio, the
recognisers, the voice front end, the evidence's form) and the understanding's (intent
templates, skills, catalogue), and the collecting code. A file whose key differs in any part, or
that has no key (made before keys were kept), is thrown away and collected again, and the parts
that differ are printed. The routing weights (``ROUTING_COEFFICIENTS``) are in it: they decide
whether the grammar's words are kept. Not in the key, on purpose: the calibration's coefficients (every reader
recomputes each turn's confidence from its stored evidence, and the calibration is fitted on this
very file, so a refit must not discard it) and the hearing thresholds (applied afterwards, they
decide nothing in decoding); both are recorded in the key file for information. A change outside
those files that changes what is heard needs ``script/calibrate_confidence.py collect --fresh``.

**Collection** goes in a fixed shuffled order (:data:`SEED`) and appends a record a line as it
goes, so a run cut short leaves a sample spread over every voice, speed and noise level, and the
next run decodes only the recordings still missing. ``quick`` or ``limit`` decode only the first
part of that order (a smoke run); a full run then completes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.corpus import ROOT, Unavailable

TURNS = ROOT / "bench" / "out" / "confidence_tune.jsonl"
"""The tuning half's records, one JSON object a line (:func:`bench.voice_eval.run_items`' form)."""
SEED = 11
"""Seed of the order the tuning recordings are heard in."""
QUICK_EVERY = 6
"""With ``quick``, the first 1 / this of that order (as :mod:`bench.voice_eval` runs a sixth)."""
HEARING = ("confirm_below", "reject_below", "confirm_free_text_below")
"""Voice settings applied after decoding (by the policy): not part of the key."""
LIBRARIES = ("pocketsphinx", "openwakeword", "onnxruntime")
"""Packages whose version decides what is heard."""
DECODER_CODE = (
    "cockpit/audio/*.py",
    "cockpit/wake/*.py",
    "cockpit/wake/verifiers/*.json",
    "cockpit/endpoint/*.py",
    "cockpit/asr/*.py",
    "cockpit/voice/*.py",
)
"""Files of the voice path (``cockpit/asr/calibration.py`` only for the evidence's form: see
:func:`decoding_key`)."""
UNDERSTANDING_CODE = (
    "cockpit/nlu/*.py",
    "cockpit/nlu/*.yaml",
    "cockpit/nlu/*.json",
    "cockpit/catalogue.py",
    "cockpit/skill_registry.py",
    "skills/**/*.py",
    "skills/**/*.yaml",
)
"""Files that decide the command grammar and what a transcript is understood as."""

Records = list[dict[str, Any]]
Decoder = Callable[[Sequence[dict[str, Any]]], Iterable[dict[str, Any]]]
"""Manifest items -> their records, one per item, in order."""


def key_path(path: Path = TURNS) -> Path:
    """The key file beside ``path``."""
    return path.with_name(f"{path.stem}.key.json")


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _files(patterns: Sequence[str]) -> list[Path]:
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern) if "__pycache__" not in p.parts})


def decoding_key(set_key: str, model_digests: Mapping[str, str]) -> dict[str, str]:
    """What decides the records, by part (see the module docstring)."""
    import importlib.metadata

    from bench.voice_eval import run_items
    from bench.voice_paths import VoicePath
    from cockpit.asr import calibration
    from cockpit.endpoint.endpointer import EndpointConfig
    from cockpit.settings import VoiceSettings

    settings = {k: v for k, v in dataclasses.asdict(VoiceSettings()).items() if k not in HEARING}
    settings["endpoint"] = dataclasses.asdict(EndpointConfig())
    calibration_file = Path(calibration.__file__).resolve()
    decoder = [p.read_bytes() for p in _files(DECODER_CODE) if p.resolve() != calibration_file]
    # Of the calibration, only what the recogniser records; its coefficients are applied by readers.
    evidence_form = (calibration.Evidence, calibration.Rivals, calibration.NBest, calibration.agreement)
    decoder += [inspect.getsource(o).encode() for o in evidence_form]
    decoder.append(repr(calibration.ROUTING_COEFFICIENTS).encode())  # they decide the route
    path_classes = [c for c in VoicePath.__mro__ if c.__module__.startswith("bench.")]
    collector: list[Any] = [*path_classes, run_items]
    return {
        "set": set_key,
        "settings": _digest([json.dumps(settings, sort_keys=True, default=str).encode()]),
        "models": _digest(f"{n}={d}".encode() for n, d in sorted(model_digests.items())),
        "libraries": ", ".join(f"{n} {importlib.metadata.version(n)}" for n in LIBRARIES),
        "decoder": _digest(decoder),
        "understanding": _digest(p.read_bytes() for p in _files(UNDERSTANDING_CODE)),
        "collector": _digest(inspect.getsource(o).encode() for o in collector),
    }


def stale_parts(key: Mapping[str, str], path: Path = TURNS) -> list[str]:
    """Why ``path`` cannot be used as it is (empty when it can): ``missing``, ``no key`` or the
    parts of its key that differ from ``key``."""
    if not path.exists():
        return ["missing"]
    if not key_path(path).exists():
        return ["no key"]
    stored = json.loads(key_path(path).read_text()).get("key", {})
    return [part for part in sorted(set(key) | set(stored)) if key.get(part) != stored.get(part)]


def load(path: Path = TURNS) -> Records:
    """The records of ``path`` (an error if any is outside the tuning half). A last line cut short
    by an interrupted collection is left out."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    records = []
    for n, line in enumerate(lines):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if n < len(lines) - 1:
                raise
    if any(r["split"] != "tune" for r in records):
        raise ValueError(f"{path} holds recordings outside the tuning half")
    return records


def _start_over(path: Path, key: Mapping[str, str]) -> None:
    from cockpit.asr.calibration import COEFFICIENTS
    from cockpit.settings import VoiceSettings

    path.parent.mkdir(parents=True, exist_ok=True)
    info = {
        "calibration_when_collected": list(COEFFICIENTS),
        "hearing_when_collected": {k: getattr(VoiceSettings(), k) for k in HEARING},
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path.write_text("")
    key_path(path).write_text(json.dumps({"key": dict(key), "info": info}, indent=1) + "\n")


def ensure(
    key: Mapping[str, str],
    items: Sequence[dict[str, Any]],
    decode: Decoder,
    path: Path = TURNS,
    log: Callable[[str], None] = print,
) -> Records:
    """The records of ``path``, after decoding (``decode``) those of ``items`` it lacks; a file
    made with another key (or none) is started over first."""
    stale = stale_parts(key, path)
    if stale:
        log(f"{path.name}: {', '.join(stale)}: collecting the tuning half again")
        _start_over(path, key)
    have = load(path)
    done = {r["file"] for r in have}
    todo = [i for i in items if i["file"] not in done]
    if any(i["split"] != "tune" for i in todo):
        raise ValueError("only the tuning half is decoded for the tuning evidence")
    if not todo:
        return have
    log(f"{path.name}: decoding {len(todo)} tuning recordings ({len(done)} already there)")
    # Rewritten first so that a line cut short by an interrupted run does not join the next one.
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in have))
    start = time.monotonic()
    with path.open("a") as out:
        for n, record in enumerate(decode(todo)):
            out.write(json.dumps(record, default=str) + "\n")
            out.flush()
            if (n + 1) % 25 == 0:
                log(f"{path.name}: {n + 1}/{len(todo)} ({time.monotonic() - start:.0f} s)")
    return load(path)


def tuning_items(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The set's tuning recordings in the order they are heard."""
    items = [i for i in manifest["items"] if i["split"] == "tune"]
    random.Random(SEED).shuffle(items)
    return items


def voice_path_decoder(root: Path) -> Decoder:
    """Each item through the service's voice path (models loaded on the first item)."""

    def decode(items: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from bench.voice_eval import run_items
        from bench.voice_eval_set import load_sentences
        from bench.voice_paths import VoicePath
        from models.store import ModelStore

        sentences = {s.id: s for s in load_sentences()}
        path = VoicePath(ModelStore())
        for item in items:
            yield from run_items(path, root, [item], sentences)

    return decode


def collect_tuning(
    quick: bool = False,
    limit: int | None = None,
    path: Path = TURNS,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
) -> tuple[Records, int]:
    """The tuning half's records, collected first where missing or stale, and how many tuning
    recordings the set has. ``quick``: at least the first sixth of the order; ``limit``: at least
    the first ``limit``. :class:`~bench.corpus.Unavailable` without the models or the set."""
    from bench.voice_eval import VOICE_MODELS, eval_set
    from models.store import ModelStore

    store = ModelStore()
    missing = [n for n in VOICE_MODELS if not store.verify(n)]
    if missing:
        raise Unavailable(f"voice models not installed: {missing}")
    root, manifest = eval_set()
    items = tuning_items(manifest)
    wanted = items
    if quick:
        wanted = wanted[: -(-len(items) // QUICK_EVERY)]
    if limit is not None:
        wanted = wanted[:limit]
    key = decoding_key(root.name, {n: store.entry(n).sha256 for n in VOICE_MODELS})
    return ensure(key, wanted, voice_path_decoder(root), path, log), len(items)
