"""Issue 12 item 2, the front end's side: after a reply, a command needs no wake word for a while
(the follow-up window), and a question with several answers is answered by one of them.

Fakes stand in for the models (scripted wake word and transcripts; loud frames are speech); the
real models and the real pipeline are in tests/test_follow_up_voice.py.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import replace
from typing import ClassVar

import numpy as np
import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit.app import build_parts
from cockpit.asr.base import Mode, SpeechRecognizer
from cockpit.asr.engines import AsrBackend
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.audio import FRAME_SAMPLES
from cockpit.audio.format import INTERNAL
from cockpit.backends import Backends
from cockpit.events import Event, EventRecorder, EventType
from cockpit.settings import load_settings
from cockpit.testing import LoudnessVad, ScriptedRecognizer, ScriptedWakeWord
from cockpit.voice.factory import VoiceBackends, answer_grammar
from cockpit.voice.frontend import State, Utterance, VoiceConfig, VoiceFrontEnd
from cockpit.voice.session import Question, VoiceSession
from cockpit.voice.windows import with_choices
from cockpit.wake.base import WakeWordDetector
from tests.conftest import Stack, close_stack
from tests.support import eventually
from tests.test_voice_session import WAKE, MarkedWakeWord

QUIET = np.zeros(FRAME_SAMPLES, dtype=np.int16)
LOUD = np.full(FRAME_SAMPLES, 5000, dtype=np.int16)
COMMANDS = CommandGrammar("en", (words("a bit warmer"), words("set the temperature")))
WINDOW = VoiceConfig(follow_up_window_s=2.0, follow_up_min_confidence=0.85)  # 25 frames of 80 ms
SAID = [QUIET] * 3 + [LOUD] * 5 + [QUIET] * 10
"""Something said: quiet, 0.4 s of speech, then enough quiet for the endpointer to end it."""


class FreeFallback(ScriptedRecognizer):
    """A scripted recogniser whose results came from the free decoder (the grammar was unsure)."""

    def _finish(self) -> tuple[str, float]:
        self._decoded_mode = Mode.FREE
        return super()._finish()


def _front(
    texts: list[tuple[str, float]],
    wake_at: tuple[int, ...] = (),
    config: VoiceConfig = WINDOW,
    recognizer: SpeechRecognizer | None = None,
    wake: WakeWordDetector | None = None,
) -> tuple[VoiceFrontEnd, list[Event]]:
    recognizer = recognizer or ScriptedRecognizer(texts)
    recognizer.set_grammar(COMMANDS)
    events: list[Event] = []
    turns = iter(range(7, 100))  # the session's turn counter, already at 7
    front = VoiceFrontEnd(
        wake or ScriptedWakeWord(wake_at),
        LoudnessVad(),
        recognizer,
        events.append,
        config,
        next_turn=turns.__next__,
        answer_grammar=answer_grammar("en"),
    )
    return front, events


def _feed(front: VoiceFrontEnd, frames: list[np.ndarray]) -> list[Utterance]:
    return [u for f in frames for u in front.feed(f.tobytes())]


def test_a_confident_command_in_the_window_needs_no_wake_word() -> None:
    front, events = _front([("a bit warmer", 0.93)])
    front.open_follow_up_window()
    done = _feed(front, SAID)
    assert [(u.text, u.wake, u.turn) for u in done] == [("a bit warmer", None, 7)]
    assert [(e.type.value, e.turn) for e in events] == [("speech_start", 7), ("speech_end", 7), ("transcript", 7)]
    assert events[-1].data == {"text": "a bit warmer", "final": True, "confidence": 0.93}
    stamps = [e.t_ms for e in events]
    assert stamps == sorted(stamps)
    recognizer = front.recognizer
    assert isinstance(recognizer, ScriptedRecognizer)
    assert recognizer.modes == [Mode.GRAMMAR] and recognizer.grammar is COMMANDS  # the command grammar
    assert front.state is State.LISTENING


def test_an_unsure_or_free_decoded_utterance_leaves_no_trace_and_the_window_listens_on() -> None:
    front, events = _front([("set the temperature", 0.6), ("a bit warmer", 0.9)])
    front.open_follow_up_window()
    assert _feed(front, SAID) == []  # 1.4 s: talk the grammar was unsure of, dropped
    assert events == [] and front.ignored == 1 and front.state is State.FOLLOWING
    done = _feed(front, [LOUD] * 5 + [QUIET] * 10)  # still inside the 2 s: a command is taken
    assert [(u.text, u.turn) for u in done] == [("a bit warmer", 7)]  # no turn index went to the dropped one
    assert {e.turn for e in events} == {7}

    free, free_events = _front([], recognizer=FreeFallback([("let us stop for coffee", 0.99)]))
    free.open_follow_up_window()
    assert _feed(free, SAID) == [] and free_events == [] and free.ignored == 1

    # An engine without a free fallback keeps a sure grammar result that is no command: still dropped.
    kept = ScriptedRecognizer([("set the temperature", 0.99)])
    hybrid = HybridRecognizer(kept, is_command=lambda text: text == "a bit warmer", fallback=False)
    vetted, vetted_events = _front([], recognizer=hybrid)
    vetted.open_follow_up_window()
    assert _feed(vetted, SAID) == [] and vetted_events == [] and vetted.ignored == 1


def test_the_window_closes_on_time_and_a_bare_command_is_then_not_heard() -> None:
    front, events = _front([("a bit warmer", 0.95)])
    front.open_follow_up_window()
    _feed(front, [QUIET] * 24)
    assert front.state is State.FOLLOWING
    _feed(front, [QUIET])
    assert front.state is State.LISTENING
    assert _feed(front, SAID) == [] and events == []


def test_the_wake_word_in_the_window_opens_a_normal_turn_without_the_held_speech() -> None:
    # The fake recogniser's cancel uses up a transcript: the first is the abandoned follow-up's.
    front, events = _front([("hey jarvis set", 0.5), ("set the temperature", 0.5)], wake_at=(8,))
    front.open_follow_up_window()
    done = _feed(front, [QUIET] * 3 + [LOUD] * 10 + [QUIET] * 10)  # speech starts, then the wake word
    assert [(u.text, u.wake is not None) for u in done] == [("set the temperature", True)]
    assert [e.type.value for e in events] == ["wake", "speech_start", "speech_end", "transcript"]
    assert {e.turn for e in events} == {7}


def test_no_window_when_it_is_off_or_for_push_to_talk() -> None:
    off, _ = _front([("a bit warmer", 0.95)], config=replace(WINDOW, follow_up_window_s=0.0))
    off.open_follow_up_window()
    assert _feed(off, SAID) == [] and off.state is State.LISTENING
    talk, _ = _front([("a bit warmer", 0.95)], config=replace(WINDOW, require_wake=False))
    talk.open_follow_up_window()
    assert [u.text for u in _feed(talk, SAID)] == ["a bit warmer"]  # heard as push-to-talk is
    assert talk.state is State.WAITING


def test_a_choice_is_decoded_with_the_choices_and_the_yes_no_words() -> None:
    grammar = with_choices(answer_grammar("en"), ("illinois", "missouri"))
    assert grammar is not None
    phrases = set(grammar.phrases())
    assert {"illinois", "the one in missouri", "no", "cancel", "yes"} <= phrases
    assert with_choices(None, ("illinois",)) is None  # no answer grammar: decoded freely

    class Seen(ScriptedRecognizer):
        grammars: ClassVar[list[CommandGrammar]] = []

        def _set_grammar(self, grammar: object) -> None:
            assert isinstance(grammar, CommandGrammar)
            self.grammars.append(grammar)

    recognizer = Seen([("illinois", 0.7)])
    front, _ = _front([], recognizer=recognizer)
    front.open_answer_window(2.0, ("illinois", "missouri"))
    done = _feed(front, SAID)
    assert [(u.text, u.wake) for u in done] == [("illinois", None)]  # an answer: taken at any confidence
    assert "illinois" in recognizer.grammars[1].phrases()  # the answer grammar, then the commands again
    assert recognizer.grammars[-1] is COMMANDS and recognizer.modes == [Mode.GRAMMAR]


async def test_the_session_opens_the_window_a_turn_leaves() -> None:
    asked: list[Question | None] = [None, Question(2.0, ("illinois", "missouri")), None]
    texts: list[str] = []

    async def on_utterance(utterance: Utterance) -> Question | None:
        texts.append(utterance.text)
        return asked[len(texts) - 1]

    script = [("set the temperature", 0.9), ("a bit warmer", 0.9), ("illinois", 0.6)]
    front, _ = _front(script, wake_at=(1,))
    session = VoiceSession(lambda sink: front, lambda event: None, on_utterance)
    for _ in range(3):  # a command after the wake word; a follow-up after its reply; the answer
        for frame in SAID:
            await session.feed(frame.tobytes())
        await session.idle()
    await session.finish()
    assert texts == ["set the temperature", "a bit warmer", "illinois"]
    assert [u.wake is not None for u in session.utterances] == [True, False, False]


async def test_after_a_barge_in_the_window_is_the_later_turns() -> None:
    release = asyncio.Event()
    texts: list[str] = []

    async def on_utterance(utterance: Utterance) -> Question | None:
        texts.append(utterance.text)
        if len(texts) == 1:  # a long answer, interrupted by the next command
            await release.wait()
            return None
        return Question(2.0) if len(texts) == 2 else None

    script = [("set the temperature", 0.9), ("set the temperature", 0.9), ("yes", 0.5)]
    front, _ = _front(script, wake=MarkedWakeWord())
    woken = [QUIET, WAKE, *SAID[2:]]
    session = VoiceSession(lambda sink: front, lambda event: None, on_utterance)
    for frame in woken:
        await session.feed(frame.tobytes())

    async def interrupt() -> None:
        for frame in woken:  # "Hey Jarvis, set the temperature" while the first turn still runs
            await session.feed(frame.tobytes())

    feeding = asyncio.create_task(interrupt())
    while front.state is not State.LISTENING or front.frames < 2 * len(SAID) - 2:
        await asyncio.sleep(0.01)  # the second utterance has ended and waits for the first turn
    release.set()
    await feeding
    await session.idle()
    for frame in SAID:  # the second turn's question is answered without the wake word
        await session.feed(frame.tobytes())
    await session.finish()
    assert texts == ["set the temperature", "set the temperature", "yes"]


# --- the car's own voice -----------------------------------------------------------------------

ECHO = [LOUD] * 12 + [QUIET] * 10
"""The car's spoken reply as the microphone hears it (a head unit without echo cancellation)."""


def test_the_spoken_reply_still_playing_is_not_heard_as_a_follow_up() -> None:
    front, events = _front([("a bit warmer", 0.93), ("a bit warmer", 0.93)])
    front.open_follow_up_window(deaf_s=1.5)  # 1.5 s of reply audio still playing (+ a margin)
    assert _feed(front, ECHO) == [] and events == []  # its own words are not a command
    assert front.state is State.FOLLOWING  # the window is still open after it
    done = _feed(front, SAID)
    assert [(u.text, u.wake) for u in done] == [("a bit warmer", None)]


def test_a_spoken_question_is_not_its_own_answer_and_the_wait_starts_after_it() -> None:
    front, events = _front([("yes", 0.95)])
    front.open_answer_window(2.0 + 1.5, deaf_s=1.5)  # the service adds the question's length to its wait
    assert _feed(front, ECHO) == [] and events == []
    assert front.state is State.ANSWERING
    done = _feed(front, SAID)
    assert [u.text for u in done] == ["yes"]


def test_the_wake_word_is_heard_while_the_reply_plays() -> None:
    front, events = _front([("set the temperature", 0.9)], wake_at=(3,))
    front.open_follow_up_window(deaf_s=1.5)
    done = _feed(front, [QUIET] * 5 + SAID)
    assert [(u.text, u.wake is not None) for u in done] == [("set the temperature", True)]
    assert events[0].type.value == "wake"


@pytest.mark.model  # Piper speaks the reply
async def test_the_service_keeps_the_window_deaf_while_its_spoken_reply_plays() -> None:
    """Through the service: a spoken session's reply (Piper) lasts about a second and a half; the
    echo of it in the microphone right after is not a follow-up, a command after it is."""
    voice = VoiceBackends()
    voice.wake.register("scripted", lambda store, settings: lambda: ScriptedWakeWord([2]))
    voice.vad.register("loudness", lambda store, settings: lambda: LoudnessVad())
    texts = [("turn on the air conditioning", 0.99), ("a bit warmer", 0.99)]
    voice.asr.register(
        "scripted",
        AsrBackend(
            models=lambda store, language: ["scripted-asr"],
            create=lambda engines, model, language: ScriptedRecognizer(list(texts), language),
            installed=lambda store, name: True,
        ),
    )
    overrides = {
        "can.channel": f"deaf-window-{uuid.uuid4().hex[:8]}",
        "llm.enabled": False,
        **{"voice.wake_backend": "scripted", "voice.vad_backend": "loudness", "voice.asr_engine": "scripted"},
    }
    settings = load_settings(overrides=overrides, env={})
    tap = BusTap(BusConfig("virtual", settings.can.channel))
    stack = Stack(build_parts(settings, backends=Backends(voice=voice)), tap)
    try:
        service = stack.parts.service
        sid = service.create_session(speech=True).session_id
        rec = EventRecorder()
        stream = await service.open_audio(sid, INTERNAL, rec)
        for frame in [QUIET] * 4 + [LOUD] * 10 + [QUIET] * 20:  # "Hey Jarvis, turn on the air conditioning"
            await stream.feed(frame.tobytes())
        await eventually(lambda: any(e.data.get("last") for e in rec.of_type(EventType.TTS_AUDIO)), 30.0)
        spoken_s = sum(
            len(base64.b64decode(e.data["pcm_b64"])) / 2 / e.data["sample_rate"]
            for e in rec.of_type(EventType.TTS_AUDIO)
        )
        assert spoken_s > 0.8
        heard_before = len(rec.of_type(EventType.SPEECH_START))
        for frame in [LOUD] * int(spoken_s / 0.08) + [QUIET] * 12:  # the reply, heard back from the loudspeaker
            await stream.feed(frame.tobytes())
        assert len(rec.of_type(EventType.SPEECH_START)) == heard_before  # not taken as speech at all
        assert len(rec.of_type(EventType.INTENT)) == 1
        for frame in SAID:  # "a bit warmer", no wake word, after the reply
            await stream.feed(frame.tobytes())
        await stream.finish()
        await stream.aclose()
        intents = [e.data["intent"] for e in rec.of_type(EventType.INTENT)]
        assert intents == ["climate.set_ac", "climate.adjust_temperature"]
    finally:
        await close_stack(stack)
