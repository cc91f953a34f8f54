"""Long background audio without the wake word, for the wake-word false-wake rate per hour.

Three kinds, each cut into segments of about a minute (one WAV each), every segment on one side
of the tuning/test split:

- ``talk``: people talking in the cabin. SLURP *devel* sentences (never ``test``) that do not
  contain the wake word, said one after another by the evaluation set's voices (Piper, flite,
  espeak-ng; :data:`VOICES_PER_SEGMENT` of them take turns in a segment) at its speeds, with
  pauses, clean or with cabin noise at 20 or 10 dB;
- ``radio``: the car radio. Other SLURP devel sentences, band-limited to a loudspeaker's band in
  most segments, over a synthetic music bed (chords and a melody of harmonic tones, a bass line
  and percussion bursts) and with music-only stretches between them;
- ``noise``: cabin noise alone at several levels, with indicator clicks and gusts of broadband
  noise (rain, a window) in some segments;
- ``near-miss``: not background but a stress test, kept apart from the hourly rates: phrases that
  sound like the wake word ("Hey Travis", "Hey Mavis"; :data:`NEAR_MISSES`, other phrases on each
  side of the split), each voice saying every phrase of one side, :data:`NEAR_MISS_GAP_S` apart.

A sentence's side is the evaluation set's split (:func:`bench.voice_eval_set.split_of`, a hash of
its text), so the tuning and the held-out background talk share no sentence; noise segments
alternate. Synthesis is the evaluation set's (``script/make_eval_set.py``: its voices, ``say`` and
``level``) and the fixtures' cabin noise. Everything is seeded; the audio is cached under
``<model cache>/../wake-background/<key>`` with a ``manifest.json`` (file, kind, split, seconds,
sha256), ``key`` digesting this module, the fixture script, the sentences and, of the evaluation
set's generator, only what decides its voices' audio (its ``synthesis_fingerprint``: voices,
synthesisers' versions, ``SYNTHESIS_REVISION``...) and its speeds, not its bytes, so that an
unrelated edit there keeps these hours of audio. Missing segments are synthesised on use.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import wave
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bench.corpus import FIXTURE_SCRIPT, ROOT, fixture_script, load_script
from bench.voice_eval_set import split_of
from cockpit.audio.format import SAMPLE_RATE, to_int16
from cockpit.audio.wav import write_wav
from models.store import default_cache_dir

SLURP_DEVEL = Path("/work/shared/data/slurp/devel.jsonl")
"""SLURP's devel split: the sentences the background talk says (its test split is never read)."""
EVAL_SCRIPT = ROOT / "script" / "make_eval_set.py"
"""The evaluation set's generator, whose voices and synthesis are reused."""
KINDS = ("talk", "radio", "noise", "near-miss")
"""Kinds of background audio."""
NEAR_MISS = "near-miss"
"""The kind that is a stress test rather than background."""
NEAR_MISSES = {
    "tune": (
        "Hey Travis.",
        "Hey Harvey.",
        "Hey service.",
        "Hey Marvin.",
        "Hey Charlie.",
        "Hey Janice.",
        "Hey there.",
        "Hey Carlos.",
    ),
    "test": (
        "Hey Davis.",
        "Hey Mavis.",
        "Hey Jared.",
        "Hey Garvey.",
        "Harvest.",
        "Hey Travers.",
        "Hey Marcus.",
        "Hey Carla.",
    ),
}
"""Phrases that sound like "Hey Jarvis", by split."""
NEAR_MISS_GAP_S = 2.5
"""Silence between two near-miss phrases (longer than a wake's turn, so each can wake once)."""
SEGMENTS = {"talk": 52, "radio": 32, "noise": 24}
"""Segments per kind (half tuning, half held out); about a minute each, 1.8 h in all."""
SENTENCES_PER_SEGMENT = {"talk": 18, "radio": 12}
"""Sentences said in one segment of talk or radio (about a minute with the pauses)."""
NOISE_SEGMENT_S = 60.0
"""Length of one noise segment."""
VOICES_PER_SEGMENT = 3
"""Voices taking turns in one talk or radio segment."""
PAUSE_RANGE_S = (0.2, 1.5)
"""Pause between two sentences, drawn uniformly."""
TALK_SNRS: tuple[float | None, ...] = (None, 20.0, 10.0)
"""Cabin-noise levels of talk segments (speech to noise, dB)."""
RADIO_BAND_HZ = (300.0, 3400.0)
"""A small loudspeaker's band; most radio segments' speech is limited to it."""
MUSIC_DB_RANGE = (-12.0, 0.0)
"""Music bed level relative to the radio speech, drawn per segment."""
NOISE_RMS_RANGE = (300.0, 3000.0)
"""Cabin-noise RMS (int16 units) of noise segments; speech in the set is levelled to 3000."""
WAKE_WORDS = re.compile(r"\bjarvis\b", re.IGNORECASE)
"""Sentences with the wake word are never background."""
SEED = 20261204
"""Seed of everything random here (each segment seeds from it and its name)."""


@dataclass(frozen=True)
class Segment:
    """One background WAV, as ``manifest.json`` lists it."""

    file: str
    """WAV file name in the set's directory."""
    kind: str
    """``talk``, ``radio`` or ``noise``."""
    split: str
    """``tune`` or ``test``."""
    index: int
    """Its number among the segments of its kind and split."""


def eval_script() -> ModuleType:
    """``script/make_eval_set.py`` as a module (its voices, ``say``, ``level``)."""
    return load_script(EVAL_SCRIPT)


def background_sentences(path: Path = SLURP_DEVEL) -> dict[str, list[str]]:
    """SLURP devel sentences without the wake word, by split, deduplicated, in file order."""
    out: dict[str, list[str]] = {"tune": [], "test": []}
    seen: set[str] = set()
    for line in path.read_text().splitlines():
        text = str(json.loads(line)["sentence"]).strip()
        if not text or text in seen or WAKE_WORDS.search(text):
            continue
        seen.add(text)
        out[split_of(text)].append(text)
    return out


def plan() -> list[Segment]:
    """Every segment: per kind, alternately tuning and held out (near misses: one per voice and split)."""
    counts = {**SEGMENTS, NEAR_MISS: 2 * len(eval_script().VOICES)}
    return [
        Segment(f"{kind}_{split}_{i:03d}.wav", kind, split, i)
        for kind in KINDS
        for split in ("tune", "test")
        for i in range(counts[kind] // 2)
    ]


def near_miss_voice(segment: Segment) -> str:
    """The voice of a near-miss segment."""
    return str(eval_script().VOICES[segment.index].name)


def near_misses(segment: Segment, script: ModuleType) -> np.ndarray:
    """Every near-miss phrase of the segment's side, said by its voice, levelled, with gaps."""
    voice = script.VOICES[segment.index]
    gap = np.zeros(int(NEAR_MISS_GAP_S * SAMPLE_RATE), dtype=np.int16)
    pieces = [gap]
    for phrase in NEAR_MISSES[segment.split]:
        pieces += [script.level(script.say(voice, phrase, 1.0)), gap]
    return np.concatenate(pieces)


def _rng(segment: Segment) -> np.random.Generator:
    return np.random.default_rng([SEED, int.from_bytes(hashlib.sha256(segment.file.encode()).digest()[:4], "big")])


def segment_sentences(segment: Segment, sentences: dict[str, list[str]]) -> list[str]:
    """The sentences a talk or radio segment says: its own slice of its split's sentences
    (talk from the front of the list, radio from the back, so the two never share one)."""
    pool = sentences[segment.split]
    n = SENTENCES_PER_SEGMENT[segment.kind]
    start = segment.index * n
    picked = pool[start : start + n] if segment.kind == "talk" else pool[::-1][start : start + n]
    if len(picked) < n:
        raise ValueError(f"not enough {segment.split} sentences for {segment.file}")
    return picked


def speech(segment: Segment, sentences: Sequence[str], script: ModuleType) -> np.ndarray:
    """``sentences`` said in turn by :data:`VOICES_PER_SEGMENT` voices, each levelled, with pauses."""
    rng = _rng(segment)
    voices = [script.VOICES[i] for i in rng.choice(len(script.VOICES), VOICES_PER_SEGMENT, replace=False)]
    pieces = []
    for k, text in enumerate(sentences):
        speed = float(rng.choice(script.SPEEDS))
        pieces.append(script.level(script.say(voices[k % len(voices)], text + ".", speed)))
        pieces.append(np.zeros(int(rng.uniform(*PAUSE_RANGE_S) * SAMPLE_RATE), dtype=np.int16))
    return np.concatenate(pieces)


def band_limit(audio: np.ndarray, band: tuple[float, float] = RADIO_BAND_HZ) -> np.ndarray:
    """``audio`` (float) with everything outside ``band`` removed (an FFT brick wall)."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    spectrum[(freqs < band[0]) | (freqs > band[1])] = 0
    return np.asarray(np.fft.irfft(spectrum, len(audio)))


def _tone(freq: float, n: int, harmonics: int = 5) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    wave_ = sum(np.sin(2 * np.pi * freq * k * t) / k**1.5 for k in range(1, harmonics + 1))
    envelope = np.minimum(1.0, np.arange(n) / (0.01 * SAMPLE_RATE)) * np.exp(-2.5 * t)
    return np.asarray(wave_ * envelope)


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """A music-like bed at unit RMS: chords, a melody, a bass line and percussion on the beat."""
    beat = int(SAMPLE_RATE * 60 / rng.uniform(80, 140))
    root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    scale = np.array([0, 2, 4, 7, 9, 12, 14, 16])  # a pentatonic-ish major scale, in semitones
    out = np.zeros(n + 4 * beat)
    for start in range(0, n, beat):
        if start % (4 * beat) == 0:  # a chord every bar
            for step in rng.choice(scale[:5], 3, replace=False):
                out[start : start + 4 * beat] += 0.4 * _tone(root * 2 ** (step / 12), 4 * beat)
            out[start : start + 2 * beat] += 0.6 * _tone(root / 2, 2 * beat, 3)
        if rng.random() < 0.8:
            note = root * 2 * 2 ** (rng.choice(scale) / 12)
            length = beat * int(rng.integers(1, 3))
            out[start : start + length] += 0.5 * _tone(note, length, 8)
        hit = min(int(0.05 * SAMPLE_RATE), n - start)
        out[start : start + hit] += rng.standard_normal(hit) * np.exp(-np.arange(hit) / 200) * 0.8
    out = out[:n]
    return np.asarray(out / np.sqrt(np.mean(out**2)))


def radio(segment: Segment, sentences: Sequence[str], script: ModuleType) -> np.ndarray:
    """Radio speech (mostly band-limited) over a music bed, with music-only stretches."""
    rng = _rng(segment)
    talk = speech(segment, sentences, script).astype(np.float64)
    if segment.index % 3 != 2:
        talk = band_limit(talk)
    interlude = np.zeros(int(rng.uniform(5, 12) * SAMPLE_RATE))
    voice = np.concatenate([interlude, talk[: len(talk) // 2], interlude, talk[len(talk) // 2 :]])
    level = float(np.sqrt(np.mean(voice[np.abs(voice) > 0] ** 2)))
    bed = music(len(voice), rng) * level * 10 ** (rng.uniform(*MUSIC_DB_RANGE) / 20)
    mixed = voice + bed
    return to_int16(mixed * min(1.0, 20000.0 / float(np.abs(mixed).max())))


def noise(segment: Segment, fx: ModuleType) -> np.ndarray:
    """Cabin noise at a drawn level; indicator clicks and broadband gusts in some segments."""
    rng = _rng(segment)
    n = int(NOISE_SEGMENT_S * SAMPLE_RATE)
    out = fx.cabin_noise(n, int(rng.integers(1 << 30))) * rng.uniform(*NOISE_RMS_RANGE)
    if segment.index % 2:  # the indicator: a click every 0.4 s for a few seconds at a time
        for start in range(0, n, int(rng.uniform(8, 15) * SAMPLE_RATE)):
            for tick in range(start, min(n, start + 4 * SAMPLE_RATE), int(0.4 * SAMPLE_RATE)):
                m = min(400, n - tick)
                out[tick : tick + m] += 4000 * rng.standard_normal(m) * np.exp(-np.arange(m) / 60)
    if segment.index % 3 == 0:  # gusts: rain on the roof, an open window
        for start in range(0, n, int(rng.uniform(6, 12) * SAMPLE_RATE)):
            m = min(int(rng.uniform(1, 3) * SAMPLE_RATE), n - start)
            out[start : start + m] += 1500 * rng.standard_normal(m) * np.hanning(m)
    return to_int16(out)


def render(segment: Segment, sentences: dict[str, list[str]], script: ModuleType, fx: ModuleType) -> np.ndarray:
    """One segment's audio."""
    if segment.kind == "noise":
        return noise(segment, fx)
    if segment.kind == NEAR_MISS:
        return near_misses(segment, script)
    said = segment_sentences(segment, sentences)
    if segment.kind == "radio":
        return radio(segment, said, script)
    audio = speech(segment, said, script)
    snr = TALK_SNRS[segment.index % len(TALK_SNRS)]
    return audio if snr is None else fx.add_noise(audio, snr, SEED + segment.index)


def set_key() -> str:
    """Digest of everything that decides the audio (of the evaluation script, what its voices
    sound like and its speeds: see the module docstring)."""
    script = eval_script()
    h = hashlib.sha256()
    for path in (Path(__file__), FIXTURE_SCRIPT, SLURP_DEVEL):
        h.update(path.read_bytes())
    synthesis = {"synthesis": script.synthesis_fingerprint(script.VOICES), "speeds": list(script.SPEEDS)}
    h.update(json.dumps(synthesis, sort_keys=True).encode())
    return h.hexdigest()[:16]


def default_dir() -> Path:
    """Where the background audio is cached."""
    return default_cache_dir().parent / "wake-background" / set_key()


def build(
    out: Path, segments: Sequence[Segment] | None = None, log: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """Synthesise the missing ``segments`` (default all) into ``out``; their manifest entries.

    ``manifest.json`` there lists every segment built so far."""
    script, fx = eval_script(), fixture_script()
    segments = plan() if segments is None else list(segments)
    sentences = background_sentences()
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    known = {e["file"]: e for e in json.loads(manifest_path.read_text())} if manifest_path.exists() else {}
    entries = []
    for n, segment in enumerate(segments):
        path = out / segment.file
        if segment.file not in known or not path.exists():
            write_wav(path, render(segment, sentences, script, fx))
            data = path.read_bytes()
            with wave.open(io.BytesIO(data)) as wav:
                seconds = wav.getnframes() / wav.getframerate()
            known[segment.file] = {**asdict(segment), "seconds": round(seconds, 3), "sha256": _sha(data)}
            manifest_path.write_text(json.dumps(sorted(known.values(), key=lambda e: e["file"]), indent=1) + "\n")
            if log is not None:
                log(f"background {n + 1}/{len(segments)}: {segment.file} ({seconds:.0f} s)")
        entries.append(known[segment.file])
    return entries


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
