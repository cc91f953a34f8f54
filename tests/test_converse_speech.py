"""Issue 12's spoken acceptance, through ``Converse`` on the real gRPC server: a spoken question in
a session that wants speech gets ``tts_audio`` before the language model has finished its answer,
and the wake word during the reply stops the audio and the answer.

The real voice models (wake word, VAD, PocketSphinx) hear the demo's recorded question ("Hey
Jarvis. Who wrote the play Hamlet?"); a scripted model answers it (this is about when the words
and the audio go out, not about what the model knows), and Piper speaks the reply.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts
from cockpit.audio import read_wav
from cockpit.events import Event, EventType
from cockpit.llm.responder import LlmResponder
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.settings import LlmSettings, load_settings
from cockpit.testing import FakeLanguageModel
from models.store import ModelStore
from tests.conftest import Stack, close_stack
from tests.support import Conversation

pytestmark = [pytest.mark.model, pytest.mark.slow]

DEMO_AUDIO = Path(__file__).resolve().parents[1] / "cockpit" / "demo_audio"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
TIMEOUT_S = 90.0
SILENCE_1S = bytes(32000)


def _pcm(path: Path) -> bytes:
    return read_wav(path).astype("<i2").tobytes()


class HeldModel(FakeLanguageModel):
    """Says its first sentence, then holds the rest until :attr:`release` is set (at most 60 s)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = threading.Event()
        self.finished = threading.Event()

    def _generate(self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event) -> Any:
        for piece in super()._generate(prompt, max_tokens, grammar, cancel):
            yield piece
            if piece.rstrip().endswith(".") and not self.release.is_set():
                self.release.wait(60.0)
        self.finished.set()


def voice_stack(model: FakeLanguageModel, name: str) -> Iterator[Stack]:
    store = ModelStore()
    missing = [n for n in ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us") if not store.verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")
    dialogue = LlmResponder(lambda: model, LlmSettings(max_reply_tokens=600), nice=0)
    settings = load_settings(overrides={"can.channel": f"converse-speech-{name}", "llm.turn_deadline_s": 600}, env={})
    stack = Stack(build_parts(settings, dialogue=dialogue), BusTap(BusConfig("virtual", settings.can.channel)))
    yield stack
    asyncio.run(close_stack(stack))


async def _converse(stack: Stack, body: Callable[[Conversation], Any]) -> list[Event]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}", timeout_s=TIMEOUT_S) as client:
            session = await client.create_session("en", speech=True)
            talk = Conversation(client, session.session_id, TIMEOUT_S)
            await body(talk)
            return await talk.end()
    finally:
        await server.stop(1.0)


def _of(events: list[Event], turn: int, kind: EventType) -> list[Event]:
    return [e for e in events if e.turn == turn and e.type is kind]


ANSWER = "William Shakespeare wrote the play Hamlet. He wrote it around the year 1600."


@pytest.fixture(scope="module")
def held() -> Iterator[tuple[Stack, HeldModel]]:
    model = HeldModel(default=ANSWER)
    for stack in voice_stack(model, "held"):
        yield stack, model


async def test_spoken_reply_audio_arrives_before_the_model_has_finished(held: tuple[Stack, HeldModel]) -> None:
    stack, model = held

    async def body(talk: Conversation) -> None:
        talk.say(_pcm(DEMO_AUDIO / "who_wrote_hamlet.wav") + SILENCE_1S)
        audio = await talk.until(lambda e: e.type is EventType.TTS_AUDIO)
        assert not model.finished.is_set()  # the model is still holding its second sentence
        tokens = [e for e in talk.events if e.type is EventType.LLM_TOKEN]
        assert [t.data["text"] for t in tokens] == ["William Shakespeare wrote the play Hamlet."]
        assert audio.turn == tokens[0].turn
        model.release.set()
        await talk.until(lambda e: e.type is EventType.TTS_AUDIO and e.data["last"] is True)

    events = await _converse(stack, body)
    turn = next(e.turn for e in events if e.type is EventType.WAKE)
    kinds = [e.type.value for e in events if e.turn == turn and e.type.value not in ("transcript",)]
    first_audio = kinds.index("tts_audio")
    assert kinds[:3] == ["wake", "speech_start", "speech_end"]
    assert [k for k in kinds if k == "llm_token"] == ["llm_token", "llm_token"]
    second_token = [i for i, k in enumerate(kinds) if k == "llm_token"][1]
    assert first_audio < second_token  # speech began while sentence two did not yet exist
    assert _of(events, turn, EventType.REPLY)[-1].data["text"] == ANSWER
    assert kinds[-1] == "tts_audio" and _of(events, turn, EventType.TTS_AUDIO)[-1].data["last"] is True
    seqs = [e.data["seq"] for e in _of(events, turn, EventType.TTS_AUDIO)]
    assert seqs == list(range(len(seqs)))


@pytest.fixture(scope="module")
def talkative() -> Iterator[tuple[Stack, FakeLanguageModel]]:
    model = FakeLanguageModel(default="It is a long story. " * 200, token_delay_s=0.02)
    for stack in voice_stack(model, "talkative"):
        yield stack, model


async def test_the_wake_word_during_the_reply_stops_the_audio_and_the_answer(
    talkative: tuple[Stack, FakeLanguageModel],
) -> None:
    stack, _ = talkative
    state: dict[str, int] = {}

    async def body(talk: Conversation) -> None:
        talk.say(_pcm(DEMO_AUDIO / "who_wrote_hamlet.wav") + SILENCE_1S)
        await talk.until(lambda e: e.type is EventType.TTS_AUDIO)
        state["audio_before"] = len([e for e in talk.events if e.type is EventType.TTS_AUDIO])
        talk.say(_pcm(FIXTURES / "wake_only_piper.wav") + SILENCE_1S * 5)  # "Hey Jarvis" over the reply
        await talk.until(lambda e: e.type is EventType.WAKE and e.turn > 0)

    events = await _converse(stack, body)
    first = next(e.turn for e in events if e.type is EventType.WAKE)
    tokens = _of(events, first, EventType.LLM_TOKEN)
    assert 0 < len(tokens) < 50  # the answer stopped far short of its 200 sentences
    reply = _of(events, first, EventType.REPLY)
    assert len(reply) == 1 and reply[0].data["text"].startswith("It is a long story.")
    audio = _of(events, first, EventType.TTS_AUDIO)
    assert audio and audio[-1].data["last"] is True  # the audio was closed, not left hanging
    spoken_s = sum(len(e.data["pcm_b64"]) * 3 / 4 / 2 / e.data["sample_rate"] for e in audio)
    assert spoken_s < 60  # far less than 200 sentences of speech
    barge = next(e for e in events if e.type is EventType.WAKE and e.turn > first)
    after = [e for e in events[events.index(barge) :] if e.turn == first and e.type is EventType.TTS_AUDIO]
    assert len(after) <= 2  # at most the chunk under way and the closing one
