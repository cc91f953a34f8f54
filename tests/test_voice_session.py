"""The asyncio voice session: turns run while audio keeps flowing, a wake word interrupts a long
answer (barge-in), and a stream's turns never overlap. Fakes stand in for the models (the real
ones are exercised in test_voice_frontend.py and test_e2e_voice.py); the pipeline, responder and
car are real."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import numpy as np

from cockpit.app import build_parts
from cockpit.events import EventRecorder, EventType
from cockpit.llm.responder import LlmResponder
from cockpit.settings import LlmSettings, load_settings
from cockpit.testing import FakeLanguageModel, LoudnessVad, ScriptedRecognizer
from cockpit.voice import Utterance, VoiceFrontEnd, VoiceSession
from cockpit.wake.base import WakeWordDetector

SILENCE = np.zeros(1280, np.int16)
SPEECH = np.full(1280, 5000, np.int16)
WAKE = np.full(1280, 300, np.int16)  # too quiet for the VAD; the marked wake word for the fake


class MarkedWakeWord(WakeWordDetector):
    """Fires on the marked frame, wherever it comes in the stream."""

    @property
    def models(self) -> tuple[str, ...]:
        """The one model it stands for."""
        return ("hey_jarvis_v0.1",)

    def _scores(self, frame: np.ndarray) -> Mapping[str, float]:
        return {self.models[0]: 0.99 if int(frame[0]) == int(WAKE[0]) else 0.0}

    def _reset(self) -> None:
        return None


def _utterance_frames() -> list[np.ndarray]:
    """Quiet, the wake word, half a second of speech, then a second of quiet."""
    return [SILENCE, WAKE] + [SPEECH] * 6 + [SILENCE] * 12


def _session(
    texts: list[tuple[str, float]],
    sink: EventRecorder,
    on_utterance: object,
    on_barge_in: object = None,
) -> VoiceSession:
    def build(collect: object) -> VoiceFrontEnd:
        return VoiceFrontEnd(MarkedWakeWord(), LoudnessVad(), ScriptedRecognizer(texts), collect)  # type: ignore[arg-type]

    return VoiceSession(build, sink, on_utterance, on_barge_in)  # type: ignore[arg-type]


async def _feed(session: VoiceSession, frames: list[np.ndarray]) -> None:
    for frame in frames:
        await session.feed(frame.astype("<i2").tobytes())


async def test_audio_keeps_flowing_while_a_turn_runs() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    seen: list[str] = []

    async def on_utterance(utterance: Utterance) -> None:
        seen.append(utterance.text)
        started.set()
        await release.wait()

    recorder = EventRecorder()
    session = _session([("first", 1.0), ("second", 1.0)], recorder, on_utterance)
    await _feed(session, _utterance_frames())
    await asyncio.wait_for(started.wait(), 5)
    # The first turn is still running: the second wake word is heard all the same (barge-in).
    await _feed(session, _utterance_frames()[:3])
    assert session.busy and session.barge_ins == 1
    assert [e.type for e in recorder.events][-1] is EventType.WAKE
    release.set()
    await _feed(session, _utterance_frames()[3:])
    await session.finish()
    assert seen == ["first", "second"]  # one after the other, in order
    await session.aclose()


async def test_a_wake_word_interrupts_the_models_answer_but_not_the_car() -> None:
    model = FakeLanguageModel(default="word " * 400, token_delay_s=0.01)
    dialogue = LlmResponder(lambda: model, LlmSettings(max_reply_tokens=600), nice=0)
    settings = load_settings(overrides={"can.channel": "barge-in", "voice.enabled": False}, env={})
    parts = build_parts(settings, dialogue=dialogue)
    try:
        service = parts.service
        session = service._sessions.get(service.create_session().session_id)  # type: ignore[attr-defined]
        recorder = EventRecorder()

        async def on_utterance(utterance: Utterance) -> None:
            await parts.pipeline.run_text(session, utterance.text, recorder, utterance.turn, clock=utterance.clock)

        voice = _session(
            [("tell me a long story", 1.0), ("turn on the ac", 1.0)],
            recorder,
            on_utterance,
            lambda: parts.pipeline.interrupt(session),
        )
        await _feed(voice, _utterance_frames())
        while not recorder.of_type(EventType.LLM_TOKEN):
            await asyncio.sleep(0.01)
        await _feed(voice, _utterance_frames())  # "Hey Jarvis, turn on the AC" over the story
        await asyncio.wait_for(voice.finish(), 10)
        await voice.aclose()
    finally:
        await service.aclose()
    tokens = [e for e in recorder.of_type(EventType.LLM_TOKEN) if e.turn == 0]
    assert 0 < len(tokens) < 100  # the story stopped well before its 400 words
    replies = {e.turn: e.data["text"] for e in recorder.of_type(EventType.REPLY)}
    assert replies[0].startswith("word") and "air conditioning" in replies[1].lower()
    actions = [(e.turn, e.data["status"]) for e in recorder.of_type(EventType.ACTION)]
    assert actions == [(1, "sent"), (1, "confirmed")]
    order = [(e.turn, e.type) for e in recorder.events]
    assert order.index((0, EventType.REPLY)) < order.index((1, EventType.INTENT))  # turns never overlap


async def test_a_closed_stream_cancels_its_turn_and_releases_the_recogniser() -> None:
    released: list[object] = []
    blocked = asyncio.Event()

    async def on_utterance(utterance: Utterance) -> None:
        blocked.set()
        await asyncio.sleep(60)

    def build(collect: object) -> VoiceFrontEnd:
        return VoiceFrontEnd(MarkedWakeWord(), LoudnessVad(), ScriptedRecognizer([("x", 1.0)]), collect)  # type: ignore[arg-type]

    session = VoiceSession(build, EventRecorder(), on_utterance, release=released.append)
    await _feed(session, _utterance_frames())
    await asyncio.wait_for(blocked.wait(), 5)
    await asyncio.wait_for(session.aclose(), 1)
    await session.aclose()
    assert not session.busy and released == [session.front_end]
