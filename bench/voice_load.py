"""The audio path while the language model generates, against the same path when the model is idle.

The question is whether wake-word detection and speech recognition keep up with real time
while the embedded model answers (it runs on the same cores, at a lower priority). In one run,
on the same audio, with the same loaded models:

1. idle: the three wake-word heads and each recogniser (the service's hybrid PocketSphinx for
   English; Vosk for Korean when its model is installed) process the fixtures as fast as they
   can; wall-clock seconds and this thread's CPU seconds per second of audio are recorded;
2. load: :class:`cockpit.llm.background.BackgroundGeneration` keeps the configured GGUF
   generating on its own thread (same threads and priority as the responder); its rate is taken
   alone first, then the same audio work is done again while it generates;
3. idle again, so drift over the run lands on both sides; the idle figure is the mean of 1 and 3.

A wall-clock factor below 1 under load means the path still keeps up with real time.
Skipped, with a note, when llama-cpp-python or the GGUF is missing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.common import Figure
from bench.voice import ENGLISH, KOREAN, KOREAN_MODEL, seconds_of, utterances, wake_detector
from cockpit.errors import CockpitError
from models.store import ModelStore

SUITE = "voice_load"
FIRST_TOKEN_TIMEOUT_S = 120.0
"""How long to wait for the background model's first token before giving up."""


@dataclass(frozen=True)
class Cost:
    """Seconds per second of audio."""

    wall: float
    """Wall clock: below 1 keeps up with real time."""
    cpu: float
    """CPU time of the thread doing the work."""

    @staticmethod
    def mean(a: Cost, b: Cost) -> Cost:
        """The mean of two measurements."""
        return Cost((a.wall + b.wall) / 2, (a.cpu + b.cpu) / 2)


def cost(fn: Callable[[], object], audio_s: float) -> Cost:
    """Wall-clock and thread CPU seconds of ``fn()`` per second of audio."""
    wall, cpu = time.perf_counter(), time.thread_time()
    fn()
    return Cost((time.perf_counter() - wall) / audio_s, (time.thread_time() - cpu) / audio_s)


class AudioPath:
    """The work measured: named jobs over fixed audio, each giving its :class:`Cost`."""

    def __init__(self, store: ModelStore, repeats: int) -> None:
        from cockpit.asr.base import SpeechRecognizer
        from cockpit.asr.engines import AsrEngines
        from cockpit.nlu import TemplateIntentRecognizer
        from cockpit.voice.factory import command_grammars

        english = utterances(ENGLISH, repeats)
        frames = [f for u in english for f in u]
        detector = wake_detector(store)
        nlu = TemplateIntentRecognizer.from_paths()
        engines = AsrEngines(
            store, "auto", command_grammars(), is_command=lambda text, lang: nlu.recognize(text, lang) is not None
        )
        self.jobs: dict[str, tuple[Callable[[], object], float]] = {
            "wake word, 3 models": (lambda: [detector.scores(f) for f in frames], seconds_of(english)),
        }

        def decode(rec: SpeechRecognizer, utts: list[list[np.ndarray]]) -> Callable[[], object]:
            return lambda: [rec.decode(u) for u in utts]

        choice = engines.choice("en")
        hybrid = engines.recognizer("en")
        self.jobs[f"ASR, {choice.engine} hybrid (en)"] = (decode(hybrid, english), seconds_of(english))
        if store.verify(KOREAN_MODEL):
            korean = utterances(KOREAN, repeats)
            self.jobs["ASR, vosk (ko, free)"] = (decode(engines.recognizer("ko"), korean), seconds_of(korean))
        else:
            print(f"{SUITE}: {KOREAN_MODEL} is not installed; no Vosk figures", file=sys.stderr)
        self.measure()  # warm-up: first calls allocate and fill caches

    def measure(self) -> dict[str, Cost]:
        """Every job once."""
        return {name: cost(fn, seconds) for name, (fn, seconds) in self.jobs.items()}


def _figures(idle: dict[str, Cost], loaded: dict[str, Cost]) -> list[Figure]:
    figures = []
    for name in idle:
        figures.append(
            Figure(
                SUITE,
                f"{name}: wall time, LLM generating",
                loaded[name].wall,
                "s / s audio",
                idle[name].wall,
                "LLM idle",
            )
        )
        figures.append(
            Figure(
                SUITE, f"{name}: CPU, LLM generating", loaded[name].cpu, "CPU s / s audio", idle[name].cpu, "LLM idle"
            )
        )
    return figures


def _measure(path: AudioPath, alone_s: float) -> list[Figure]:
    from cockpit.llm.background import BackgroundGeneration
    from cockpit.settings import LlmSettings

    first = path.measure()
    try:
        load = BackgroundGeneration.from_settings(LlmSettings(), ModelStore())
    except (CockpitError, ImportError) as err:
        print(f"{SUITE}: skipped, the language model is not available: {err}", file=sys.stderr)
        return []
    with load:
        deadline = time.perf_counter() + FIRST_TOKEN_TIMEOUT_S
        while load.tokens == 0 and load.error is None and time.perf_counter() < deadline:
            time.sleep(0.05)
        t0, n0 = time.perf_counter(), load.tokens
        time.sleep(alone_s)
        t1, n1 = time.perf_counter(), load.tokens
        loaded = path.measure()
        t2, n2 = time.perf_counter(), load.tokens
    if load.error is not None or n0 == 0:
        print(f"{SUITE}: skipped, background generation failed: {load.error or 'no tokens'}", file=sys.stderr)
        return []
    idle = {name: Cost.mean(first[name], c) for name, c in path.measure().items()}
    return [
        *_figures(idle, loaded),
        Figure(
            SUITE,
            "LLM generation while the audio path runs",
            (n2 - n1) / (t2 - t1),
            "tokens/s",
            (n1 - n0) / (t1 - t0),
            "LLM alone",
        ),
    ]


def run(quick: bool) -> list[Figure]:
    """The English fixtures once (``quick``) or three times, the Korean ones as often."""
    try:
        path = AudioPath(ModelStore(), 1 if quick else 3)
    except (ImportError, OSError, CockpitError) as err:
        print(f"{SUITE}: skipped, the voice models are not installed: {err}", file=sys.stderr)
        return []
    return _measure(path, 3.0 if quick else 8.0)
