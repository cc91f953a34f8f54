"""Spoken replies (issue 12, item 1): real Piper and espeak-ng voices, chunked ``tts_audio``
events through the service, speech that starts before the model's answer is complete, and
sessions that did not ask for speech paying nothing."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts, build_voices
from cockpit.events import Event, EventRecorder, EventType
from cockpit.llm.responder import LlmResponder
from cockpit.settings import LlmSettings, load_settings
from cockpit.testing import FakeLanguageModel
from cockpit.tts.api import SpeechAudio, Synthesizer
from cockpit.tts.espeak_voice import EspeakSynthesizer
from cockpit.tts.reply import CHUNK_S, ReplySpeech, Voices
from tests.conftest import Stack, close_stack, make_stack

ROOT = Path(__file__).resolve().parents[1]
CACHE = str(Path.home() / ".cache")  # the installed models, whatever HOME the subprocess gets


def _audio(events: list[Event]) -> list[SpeechAudio]:
    return [SpeechAudio.from_event_fields(e.data) for e in events if e.type is EventType.TTS_AUDIO]


def _seconds_of_speech(chunks: list[SpeechAudio]) -> float:
    """Seconds of samples louder than a whisper (so silence cannot pass for speech)."""
    pcm = np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2").astype(np.float64)
    window = chunks[0].sample_rate // 50
    frames = pcm[: len(pcm) // window * window].reshape(-1, window)
    loud = np.sqrt((frames**2).mean(axis=1)) > 500
    return float(loud.sum()) * window / chunks[0].sample_rate


@pytest.fixture(scope="module")
def english() -> Synthesizer:
    voices = build_voices(load_settings(env={}))
    assert voices is not None
    return voices.get("en")


def test_piper_speaks_a_reply_in_short_chunks_that_end_with_a_closing_one(english: Synthesizer) -> None:
    reply = ReplySpeech(english)
    chunks = [*reply.say("Temperature set to 21 degrees."), *reply.say("Air conditioning on."), reply.finish()]
    assert [c.sequence for c in chunks] == list(range(len(chunks)))
    assert chunks[-1].last and chunks[-1].pcm == b"" and not any(c.last for c in chunks[:-1])
    assert all(0 < c.seconds <= CHUNK_S + 1e-9 for c in chunks[:-1])
    assert english.sample_rate == 22050 and all(c.sample_rate == 22050 for c in chunks)
    assert 1.0 < _seconds_of_speech(chunks) < 6.0  # two short sentences of real speech


def test_blank_text_gives_no_audio(english: Synthesizer) -> None:
    assert list(ReplySpeech(english).say("  \n ")) == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is a system package (script/setup.sh)")
def test_korean_replies_are_spoken_by_espeak_ng() -> None:
    voices = Voices({"ko": lambda: EspeakSynthesizer("ko")})
    reply = ReplySpeech(voices.get("ko-KR"))
    chunks = [*reply.say("운전석 온도를 21도로 설정했습니다."), reply.finish()]
    assert _seconds_of_speech(chunks[:-1]) > 1.0 and chunks[-1].last


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    s = make_stack()
    yield s
    asyncio.run(close_stack(s))


async def test_a_spoken_session_gets_the_reply_as_audio_after_the_text(stack: Stack) -> None:
    service = stack.parts.service
    session = service.create_session(speech=True)
    assert session.speech
    rec = EventRecorder()
    await service.text_turn(session.session_id, "set the temperature to 21 degrees", rec)
    types = rec.types()
    assert types.index("reply") < types.index("tts_audio")
    assert types[-1] == "tts_audio" and rec.events[-1].data["last"] is True  # the turn ends with its audio
    assert rec.of_type(EventType.ACTION)[-1].data["status"] == "confirmed"
    chunks = _audio(rec.events)
    assert [c.sequence for c in chunks] == list(range(len(chunks)))
    assert 0.8 < _seconds_of_speech(chunks) < 5.0  # "Temperature set to 21 degrees."
    assert {e.turn for e in rec.events} == {0}


async def test_a_text_session_gets_no_audio(stack: Stack) -> None:
    rec = await stack.turn("set the temperature to 22 degrees")
    assert "tts_audio" not in rec.types() and "reply" in rec.types()


async def test_speech_cannot_be_asked_of_a_server_with_speech_switched_off() -> None:
    from cockpit.errors import InputError

    quiet = make_stack(**{"tts.enabled": False})
    try:
        with pytest.raises(InputError) as err:
            quiet.parts.service.create_session(speech=True)
        assert err.value.code == "tts-unavailable"
    finally:
        await close_stack(quiet)


def _stack_with(dialogue: LlmResponder) -> Stack:
    """The real stack on its own channel, answering questions with ``dialogue``."""
    channel = f"tts-{id(dialogue)}"
    settings = load_settings(overrides={"can.channel": channel, "llm.turn_deadline_s": 600}, env={})
    return Stack(build_parts(settings, dialogue=dialogue), BusTap(BusConfig("virtual", channel)))


class _HeldModel(FakeLanguageModel):
    """Says its first sentence, then holds the rest until :attr:`release` is set (or 60 s pass)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = threading.Event()

    def _generate(self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event) -> Any:
        for piece in super()._generate(prompt, max_tokens, grammar, cancel):
            yield piece
            if piece.rstrip().endswith(".") and not self.release.is_set():
                self.release.wait(60.0)


async def test_speech_starts_before_the_model_has_finished_its_answer() -> None:
    model = _HeldModel(default="Paris is the capital of France. It lies on the Seine river.")
    held = _stack_with(LlmResponder(lambda: model, LlmSettings(), nice=0))
    try:
        service = held.parts.service
        session = service.create_session(speech=True)
        seen: list[Event] = []

        def sink(event: Event) -> None:
            seen.append(event)
            if event.type is EventType.TTS_AUDIO:
                model.release.set()  # the model may finish only once speech has begun

        await service.text_turn(session.session_id, "what is the capital of france?", sink)
        types = [e.type.value for e in seen]
        tokens = [i for i, t in enumerate(types) if t == "llm_token"]
        assert len(tokens) == 2, types
        assert types.index("tts_audio") < tokens[1]  # audio of sentence one before sentence two existed
        assert types[-1] == "tts_audio" and seen[-1].data["last"] is True
        assert _seconds_of_speech(_audio(seen)) > 2.0  # both sentences were spoken, once
    finally:
        await close_stack(held)


ASOUNDRC = """pcm.!default {{
    type file
    slave.pcm "null"
    file "{outfile}"
    format "raw"
}}
"""


def test_cockpit_ask_speaks_through_portaudio_and_writes_the_same_reply_to_a_wav(tmp_path: Path) -> None:
    """``--speak`` plays through PyAudio -> PortAudio -> ALSA, whose default device here writes what
    it plays to a file; ``--speak-to`` writes the WAV. Both must hold the same samples."""
    pytest.importorskip("pyaudio")
    played = tmp_path / "speaker.raw"
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(outfile=played))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", CACHE))
    command = [sys.executable, "-m", "cockpit.cli.main", "ask", "--speak", "--speak-to", str(tmp_path / "replies")]
    done = subprocess.run(
        [*command, "set the temperature to 21 degrees"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "car> Driver temperature set to 21 degrees." in done.stdout
    with wave.open(str(tmp_path / "replies" / "reply-000.wav")) as reply:
        samples = reply.readframes(reply.getnframes())
        assert reply.getframerate() == 22050 and reply.getnchannels() == 1
    assert len(samples) > 22050 * 2  # more than a second of speech
    assert played.read_bytes() == samples  # what the speaker played is the reply, whole


def test_cockpit_listen_speaks_the_reply_to_a_spoken_command(tmp_path: Path) -> None:
    """``cockpit listen --speak --speak-to DIR``: the spoken command's reply is played through
    PortAudio and ALSA's file plugin and written as a WAV, the same samples in both."""
    pytest.importorskip("pyaudio")
    played = tmp_path / "speaker.raw"
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(outfile=played))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", CACHE))
    env["COCKPIT_LLM_ENABLED"] = "false"
    wav = ROOT / "tests" / "fixtures" / "audio" / "wake_set_temperature_piper.wav"
    command = [sys.executable, "-m", "cockpit.cli.main", "listen", "--wav", str(wav)]
    replies = tmp_path / "replies"
    done = subprocess.run(
        [*command, "--speak", "--speak-to", str(replies)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Driver temperature set to 21 degrees." in done.stdout
    with wave.open(str(replies / "reply-000.wav")) as reply:
        samples = reply.readframes(reply.getnframes())
    assert len(samples) > 22050 * 2  # more than a second of speech
    assert played.read_bytes() == samples
