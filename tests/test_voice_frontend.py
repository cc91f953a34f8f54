"""The voice front end end to end: fixtures in, the event stream and the hand-over to the text pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from cockpit.audio import FRAME_BYTES, read_wav
from cockpit.audio.format import BadAudioError
from cockpit.endpoint.endpointer import EndpointConfig
from cockpit.events import EventRecorder, EventType
from cockpit.settings import VoiceSettings
from cockpit.testing import LoudnessVad, ScriptedRecognizer, ScriptedWakeWord
from cockpit.voice import State, Utterance, VoiceConfig, VoiceFrontEnd
from models.store import ModelStore

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
ACCEPT = "set the temperature to twenty one degrees"


def _pcm(name: str) -> bytes:
    return read_wav(FIXTURES / f"{name}.wav").astype("<i2").tobytes()


def test_state_machine_with_fakes() -> None:
    recorder = EventRecorder()
    speech = np.full(1280, 4000, np.int16)
    quiet = np.zeros(1280, np.int16)
    front = VoiceFrontEnd(
        ScriptedWakeWord([3]), LoudnessVad(), ScriptedRecognizer([("hey jarvis turn on the ac", 0.9)]), recorder
    )
    frames = [quiet] * 4 + [quiet] * 2 + [speech] * 10 + [quiet] * 12
    done = [u for f in frames if (u := front.feed_frame(f)) is not None]
    assert recorder.types() == ["wake", "speech_start", "speech_end", "transcript"]
    assert done[0].text == "turn on the ac" and done[0].reason == "speech_end" and done[0].turn == 0
    assert front.state is State.LISTENING


def test_timeout_when_nothing_is_said() -> None:
    recorder = EventRecorder()
    config = VoiceConfig(endpoint=EndpointConfig(no_speech_timeout_s=0.8))
    front = VoiceFrontEnd(ScriptedWakeWord([0]), LoudnessVad(), ScriptedRecognizer([]), recorder, config)
    done = [u for _ in range(20) if (u := front.feed_frame(np.zeros(1280, np.int16))) is not None]
    assert [u.reason for u in done] == ["timeout"] and recorder.types() == ["wake"]


def test_maximum_utterance_length() -> None:
    recorder = EventRecorder()
    config = VoiceConfig(endpoint=EndpointConfig(max_utterance_s=1.0))
    recognizer = ScriptedRecognizer([("next track", 1.0)])
    front = VoiceFrontEnd(ScriptedWakeWord([0]), LoudnessVad(), recognizer, recorder, config)
    done = [u for _ in range(40) if (u := front.feed_frame(np.full(1280, 5000, np.int16))) is not None]
    assert done[0].reason == "max_length" and done[0].text == "next track"


def test_preroll_reaches_the_recogniser() -> None:
    recognizer = ScriptedRecognizer([("next track", 1.0)])
    front = VoiceFrontEnd(ScriptedWakeWord([2]), LoudnessVad(), recognizer, EventRecorder())
    frames = [np.zeros(1280, np.int16)] * 6 + [np.full(1280, 5000, np.int16)] * 5 + [np.zeros(1280, np.int16)] * 10
    for frame in frames:
        front.feed_frame(frame)
    # 5 speech frames + up to 4 frames of pre-roll before the detected start + the trailing silence.
    assert recognizer.frames_seen[0] >= 5 + 4


@pytest.fixture(scope="module")
def stack() -> object:
    factory = pytest.importorskip("cockpit.voice.factory")
    try:
        return factory.VoiceStack(ModelStore(), VoiceSettings(), factory.command_grammars())
    except Exception as err:
        pytest.skip(f"voice models not installed: {err}")


async def _stream(stack: object, pcm: bytes, realtime: bool = False, chunk: int = FRAME_BYTES) -> tuple[list, list]:
    recorder = EventRecorder()
    texts: list[tuple[str, int]] = []

    async def on_text(utterance: Utterance) -> None:
        texts.append((utterance.text, utterance.turn))

    session = stack.session(recorder, on_text)  # type: ignore[attr-defined]
    for i in range(0, len(pcm), chunk):
        await session.feed(pcm[i : i + chunk])
        if realtime:
            await asyncio.sleep(0.08 * chunk / FRAME_BYTES)
    await session.finish()
    return recorder.events, texts


async def test_wake_then_command_gives_the_transcript_in_order(stack: object) -> None:
    events, texts = await _stream(stack, _pcm("wake_set_temperature_piper"))
    types = [e.type for e in events if not (e.type is EventType.TRANSCRIPT and not e.data["final"])]
    assert types == [EventType.WAKE, EventType.SPEECH_START, EventType.SPEECH_END, EventType.TRANSCRIPT]
    assert events[0].data["model"] == "hey_jarvis_v0.1" and events[0].data["score"] >= 0.5
    assert events[-1].data == {"text": ACCEPT, "final": True, "confidence": events[-1].data["confidence"]}
    assert 0.0 < events[-1].data["confidence"] <= 1.0
    assert texts == [(ACCEPT, 0)]
    assert all(e.turn == 0 for e in events)


@pytest.mark.parametrize("name", ["wake_set_temperature_espeak", "wake_set_temperature_piper_noisy"])
async def test_other_voice_and_noise(stack: object, name: str) -> None:
    _, texts = await _stream(stack, _pcm(name))
    assert texts == [(ACCEPT, 0)]


async def test_command_right_after_the_wake_word_is_not_clipped(stack: object) -> None:
    _, texts = await _stream(stack, _pcm("wake_ac_on_runon_piper"))
    assert texts == [("turn on the air conditioning", 0)]


async def test_no_wake_word_no_transcript(stack: object) -> None:
    events, texts = await _stream(stack, _pcm("nowake_set_temperature_piper"))
    assert events == [] and texts == []


async def test_wake_word_alone_times_out_quietly(stack: object) -> None:
    pcm = _pcm("wake_only_piper") + bytes(16000 * 2 * 5)
    events, texts = await _stream(stack, pcm)
    assert [e.type for e in events] == [EventType.WAKE] and texts == []


async def test_bad_audio_is_ignored_or_refused(stack: object) -> None:
    rng = np.random.default_rng(3)
    silence = bytes(16000 * 2 * 60)
    noise = rng.integers(-20000, 20000, 16000 * 10).astype("<i2").tobytes()
    loud = read_wav(FIXTURES / "nowake_radio_espeak.wav").astype(np.int32) * 20
    clipped = np.clip(loud, -32768, 32767).astype("<i2")
    for pcm in (silence, noise, clipped.tobytes()):
        events, texts = await _stream(stack, pcm, chunk=32000)
        assert events == [] and texts == []
    session = stack.session(EventRecorder(), None)  # type: ignore[attr-defined]
    with pytest.raises(BadAudioError):
        await session.feed(b"\x01\x02\x03")
    await session.feed(bytes(FRAME_BYTES))  # the session is still usable afterwards


async def test_other_rates_are_resampled(stack: object) -> None:
    from cockpit.audio import AudioFormat
    from cockpit.audio.format import to_int16
    from cockpit.audio.resample import resample

    audio = read_wav(FIXTURES / "wake_set_temperature_piper.wav")
    pcm48 = to_int16(resample(audio.astype(np.float64), 16000, 48000)).astype("<i2").tobytes()
    recorder = EventRecorder()
    texts: list[tuple[str, int]] = []

    async def on_text(utterance: Utterance) -> None:
        texts.append((utterance.text, utterance.turn))

    session = stack.session(recorder, on_text, fmt=AudioFormat(48000))  # type: ignore[attr-defined]
    for i in range(0, len(pcm48), 3 * FRAME_BYTES):
        await session.feed(pcm48[i : i + 3 * FRAME_BYTES])
    await session.finish()
    assert texts == [(ACCEPT, 0)]
