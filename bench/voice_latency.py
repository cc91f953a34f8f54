"""End of speech -> confirmed vehicle action, p50 and p95, over the spoken command fixtures.

Both paths run in-process on the real service parts (``cockpit.app.build_parts``: templates,
skills, policy, the CAN gateway and the simulated car), in the same run, on the same audio:

- **voice**: the fixture's PCM goes through ``VoiceStack.session`` (wake word, VAD endpointing,
  hybrid grammar/free recognition, off the event loop) whose utterance handler runs
  ``TurnPipeline.run_text`` with the utterance's turn clock. Latency is the ``action`` event
  with status ``confirmed`` minus the ``speech_end`` event, both stamped by that one clock
  (``time.perf_counter``). The events' own stamps are used rather than the time the sink sees
  them: the session hands a chunk's events to the sink only after the chunk's worker thread is
  done, final decoding included, so a stamp taken in the sink would leave decoding out.
- **bare engine** (baseline): the stack's engine without the hybrid wrapper
  (``stack.asr.bare``, grammar mode) gets exactly the frames the voice path's recogniser got;
  latency runs from just after the last frame was accepted through ``finish()``, wake-phrase
  stripping and ``run_text`` on its transcript to the confirmed action.

Audio is fed in 80 ms chunks as fast as the front end takes them (not paced to real time);
only the time after the end of speech is measured. Both paths keep their decoder from run to
run (the voice path through the stack's recogniser pool, as the service does). A run that
confirms no action is left out of its path's percentiles; the counts, and any transcript that
differs from what was said, are printed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from bench.common import Figure, percentile
from bench.corpus import Fixture, load_fixtures
from bench.wer import words
from cockpit.asr.base import SpeechRecognizer
from cockpit.audio import FRAME_BYTES, FRAME_SAMPLES, read_wav
from cockpit.errors import CockpitError
from cockpit.events import Event, EventType
from models.store import ModelStore

SUITE = "voice_latency"
COMMANDS = (
    "wake_set_temperature_piper",
    "wake_set_temperature_espeak",
    "wake_set_temperature_piper_noisy",
    "wake_ac_on_runon_piper",
    "wake_next_track_espeak_noisy",
)
"""Fixtures with a wake word and a command that ends in a vehicle write (see ``fixtures.json``)."""


class _FrameTap(SpeechRecognizer):
    """Stands in for the recogniser to learn which frames the front end gives it (no decoding)."""

    engine = "tap"

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.frames: list[np.ndarray] = []

    def _start(self, mode: object) -> None:
        self.frames = []

    def _accept(self, pcm: bytes) -> str | None:
        self.frames.append(np.frombuffer(pcm, dtype=np.int16).copy())
        return None

    def _finish(self) -> tuple[str, float]:
        return "", 0.0


@dataclass
class _Samples:
    """Latencies of one path (runs that confirmed no action have none), and what it heard."""

    ms: list[float] = field(default_factory=list)
    """End of speech to the confirmed action."""
    final_ms: list[float] = field(default_factory=list)
    """End of speech to the final transcript."""
    runs: int = 0
    """Runs so far."""
    misheard: Counter[str] = field(default_factory=Counter)
    """``fixture: transcript`` of runs whose transcript was not what was said, counted."""

    def add(self, name: str, said: str, heard: str, final_ms: float | None, done_ms: float | None) -> None:
        """Record one run of fixture ``name``."""
        self.runs += 1
        if heard != said:
            self.misheard[f"{name}: {heard!r}"] += 1
        if final_ms is not None:
            self.final_ms.append(final_ms)
        if done_ms is not None:
            self.ms.append(done_ms)


def _whole_frames(audio: np.ndarray) -> np.ndarray:
    return audio[: len(audio) - len(audio) % FRAME_SAMPLES]


def _confirmed(event: Event) -> bool:
    return event.type is EventType.ACTION and event.data.get("status") == "confirmed"


class _Bench:
    """The service parts, a voice stack and a session, built once for every run."""

    def __init__(self) -> None:
        from cockpit.app import build_parts
        from cockpit.nlu import TemplateIntentRecognizer
        from cockpit.sessions import Session
        from cockpit.settings import load_settings
        from cockpit.voice.factory import VoiceStack, command_grammars

        self.settings = load_settings(None, overrides={"llm.enabled": False})
        self.parts = build_parts(self.settings)
        voice = self.settings.voice
        nlu = TemplateIntentRecognizer.from_paths()
        self.stack = VoiceStack(
            ModelStore(),
            voice,
            command_grammars(wake_models=voice.wake_models),
            is_command=lambda text, language: nlu.recognize(text, language) is not None,
        )
        # The pipeline only needs a session's turn counter and memory; the service keeps its own
        # store private, so the benchmark holds its session directly, as the pipeline tests do.
        self.session = Session("bench-voice-latency")
        self.engine = self.stack.asr.bare("en")

    async def aclose(self) -> None:
        await self.parts.service.aclose()

    def speech_frames(self, audio: np.ndarray) -> list[np.ndarray]:
        """The frames the front end hands its recogniser for the one utterance in ``audio``."""
        front = self.stack.front_end(lambda event: None)
        self.stack.asr.release(front.recognizer)  # back to the pool for the timed sessions
        tap = _FrameTap("en")
        front.recognizer = tap
        ends = (front.feed_frame(audio[i : i + FRAME_SAMPLES]) for i in range(0, len(audio), FRAME_SAMPLES))
        ended = [u for u in ends if u is not None and u.reason == "speech_end"]
        if len(ended) != 1:
            raise RuntimeError(f"expected one utterance ending in silence, got {ended}")
        return tap.frames

    async def voice_turn(self, pcm: bytes) -> list[Event]:
        """One spoken turn through the voice session and the pipeline; its events."""
        from cockpit.voice.frontend import Utterance

        events: list[Event] = []
        pipeline = self.parts.pipeline

        async def on_utterance(utterance: Utterance) -> None:
            await pipeline.run_text(self.session, utterance.text, events.append, utterance.turn, clock=utterance.clock)

        voice = self.stack.session(events.append, on_utterance, next_turn=self.session.next_turn)
        try:
            for i in range(0, len(pcm), FRAME_BYTES):
                await voice.feed(pcm[i : i + FRAME_BYTES])
            await voice.finish()
        finally:
            await voice.aclose()  # the recogniser goes back to the pool, as when a stream ends
        return events

    async def bare_turn(self, frames: list[np.ndarray]) -> tuple[float, float | None, str]:
        """The bare engine on the same frames, then the pipeline: ms from the last frame to the
        final transcript and to the confirmed action (None if none), and the text."""
        from cockpit.voice.frontend import strip_wake_phrases

        done_at: list[float] = []

        def sink(event: Event) -> None:
            if not done_at and _confirmed(event):
                done_at.append(time.perf_counter())

        self.engine.start()
        for frame in frames:
            self.engine.accept(frame)
        start = time.perf_counter()
        text = strip_wake_phrases(self.engine.finish().text, self.stack.config.strip_phrases)
        final = (time.perf_counter() - start) * 1000.0
        await self.parts.pipeline.run_text(self.session, text, sink)
        return final, ((done_at[0] - start) * 1000.0 if done_at else None), text


def _after_speech_end(events: list[Event]) -> tuple[float | None, float | None, str]:
    """ms from speech_end to the final transcript and to the confirmed action, by the turn's
    clock, and the final transcript."""
    end = next((e for e in events if e.type is EventType.SPEECH_END), None)
    if end is None:
        return None, None, ""
    final = next((e for e in events if e.type is EventType.TRANSCRIPT and e.data["final"] and e.turn == end.turn), None)
    done = next((e for e in events if _confirmed(e) and e.turn == end.turn), None)
    return (
        None if final is None else final.t_ms - end.t_ms,
        None if done is None else done.t_ms - end.t_ms,
        "" if final is None else str(final.data.get("text", "")),
    )


async def _measure(rounds: int) -> list[Figure]:
    fixtures: dict[str, Fixture] = load_fixtures()
    bench = _Bench()
    try:
        from cockpit.voice.frontend import strip_wake_phrases

        said = {
            n: strip_wake_phrases(" ".join(words(fixtures[n].text)), bench.stack.config.strip_phrases) for n in COMMANDS
        }
        audio = {name: _whole_frames(read_wav(fixtures[name].path)) for name in COMMANDS}
        pcm = {name: a.astype("<i2").tobytes() for name, a in audio.items()}
        frames = {name: bench.speech_frames(a) for name, a in audio.items()}
        # "navigate to" and similar wait for indexes the skills build at start-up; one turn each way warms up.
        await bench.voice_turn(pcm[COMMANDS[0]])
        await bench.bare_turn(frames[COMMANDS[0]])
        voice, bare = _Samples(), _Samples()
        for _ in range(rounds):
            for name in COMMANDS:  # alternate the paths so machine noise lands on both alike
                final_ms, done_ms, text = _after_speech_end(await bench.voice_turn(pcm[name]))
                voice.add(name, said[name], text, final_ms, done_ms)
                final_ms, done_ms, text = await bench.bare_turn(frames[name])
                bare.add(name, said[name], text, final_ms, done_ms)
    finally:
        await bench.aclose()
    for label, samples in (("voice", voice), ("bare engine", bare)):
        print(
            f"{SUITE}: {label}: {samples.runs} runs, {len(samples.ms)} confirmed; misheard: {dict(samples.misheard)}",
            file=sys.stderr,
        )
    if not voice.ms or not bare.ms:
        print(f"{SUITE}: no confirmed actions on one of the paths; no figures", file=sys.stderr)
        return []
    figures = [
        Figure(
            SUITE,
            f"p{q} speech_end -> confirmed action",
            percentile(voice.ms, q),
            "ms",
            percentile(bare.ms, q),
            "bare engine finish() + run_text",
        )
        for q in (50, 95)
    ]
    figures += [
        Figure(
            SUITE,
            f"p{q} speech_end -> final transcript",
            percentile(voice.final_ms, q),
            "ms",
            percentile(bare.final_ms, q),
            "bare engine finish()",
            "<= 1.10",
        )
        for q in (50, 95)
    ]
    return figures


def run(quick: bool) -> list[Figure]:
    """p50 and p95 over the five command fixtures: 3 rounds with ``quick``, else 20."""
    try:
        return asyncio.run(_measure(3 if quick else 20))
    except (ImportError, OSError, CockpitError) as err:
        print(f"{SUITE}: skipped, the voice models are not installed: {err}", file=sys.stderr)
        return []
