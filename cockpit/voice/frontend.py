"""The voice front end of one audio stream: wake word -> endpointing -> speech to text.

Synchronous and transport-free: PCM bytes (or 80 ms frames) in; ``wake``, ``speech_start``,
``speech_end`` and ``transcript`` events out through an :data:`~cockpit.events.EventSink`; each
finished utterance returned as an :class:`Utterance` whose text the caller hands to the text
pipeline (see :class:`cockpit.voice.session.VoiceSession` for the asyncio side).

States: ``listening`` (for the wake word) -> ``waiting`` (wake heard, waiting for speech; times
out) -> ``speech`` (recognising; ends on silence or at the maximum length) -> ``listening``.
Every 80 ms frame also goes into a bounded pre-roll buffer, so the recogniser starts a little
before the VAD's speech start and a command said right after the wake word is not clipped.

After a turn that asked the driver a question ("Did you say ...?"), the caller opens an *answer
window* (:meth:`VoiceFrontEnd.open_answer_window`): state ``answering``, in which speech is
taken without the wake word and decoded with a small yes/no grammar, for a few seconds of audio.
The wake word still opens a normal turn meanwhile; silence past the window closes it quietly.
"""

from __future__ import annotations

import enum
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

import numpy as np

from cockpit.asr.base import Mode, SpeechRecognizer, Transcript
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.audio.format import FRAME_MS, INTERNAL, AudioFormat
from cockpit.audio.frames import AudioIngest
from cockpit.endpoint.endpointer import EndpointConfig, Endpointer, EndpointEvent
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.events import EventSink, Payload, SpeechEnd, SpeechStart, TurnClock, Wake
from cockpit.events import Transcript as Heard
from cockpit.wake.base import WakeDetection, WakeWordDetector

PREROLL_FRAMES = 6
"""Frames of audio kept before the current one (480 ms): the pre-roll buffer's size."""

WAKE_PHRASES: dict[str, tuple[str, ...]] = {
    "hey_jarvis": ("hey jarvis", "jarvis"),
    "alexa": ("alexa",),
    "hey_mycroft": ("hey mycroft", "mycroft"),
}
"""What each wake-word model's phrase may appear as at the start of a transcript."""


class State(enum.StrEnum):
    """Where the front end is in an utterance."""

    LISTENING = "listening"
    """Waiting for the wake word."""
    WAITING = "waiting"
    """Wake word heard; waiting for speech to start."""
    SPEECH = "speech"
    """Speech started; recognising until it ends."""
    ANSWERING = "answering"
    """A question was asked: speech without the wake word is taken as the answer, for a while."""


@dataclass(frozen=True)
class VoiceConfig:
    """How the front end endpoints and what it strips."""

    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    """Endpointer thresholds and times (maximum utterance, no-speech timeout)."""
    preroll_frames: int = 4
    """Frames before the VAD's speech start that the recogniser also gets.

    With the endpointer's ``start_frames`` it must fit in :data:`PREROLL_FRAMES`."""
    wake_overlap_frames: int = 1
    """Frames before the wake detection that may be part of the pre-roll (the wake word's tail)."""
    require_wake: bool = True
    """False: every utterance is a command, no wake word needed (push-to-talk)."""
    strip_phrases: tuple[str, ...] = ("hey jarvis", "jarvis", "alexa", "hey mycroft", "mycroft")
    """Wake phrases removed from the start of a transcript."""
    answer_window_s: float = 6.0
    """Longest answer window (seconds of audio) after a question, whatever the caller asks for."""


@dataclass(frozen=True)
class Utterance:
    """One utterance after a wake word, as it ended."""

    turn: int
    """Turn index of the utterance."""
    wake: WakeDetection | None
    """The wake word that opened it (None without a wake word)."""
    reason: str
    """``speech_end``, ``max_length``, ``timeout`` (nothing said) or ``flush`` (stream ended)."""
    text: str = ""
    """Final transcript with wake phrases stripped; what goes on to intent recognition."""
    transcript: Transcript | None = None
    """The recogniser's final transcript (None when no speech started)."""
    clock: TurnClock | None = None
    """The turn's clock, so later stages can stamp their events from the same origin."""


def strip_wake_phrases(text: str, phrases: Sequence[str]) -> str:
    """``text`` without wake phrases (and a leading "hey") at its start."""
    ordered = sorted(phrases, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for phrase in (*ordered, "hey"):
            if text == phrase or text.startswith(phrase + " "):
                text = text[len(phrase) :].strip()
                changed = True
    return re.sub(r"\s+", " ", text)


class VoiceFrontEnd:
    """Wake word, endpointing and recognition for one audio stream.

    ``next_turn`` hands out turn indices (e.g. ``session.next_turn``); by default 0, 1, 2, ...
    ``fmt`` is the stream's declared format (checked here; other rates are resampled).
    ``answer_grammar`` is what answers are decoded with in an answer window (yes/no phrases;
    None: the recogniser's free mode).
    """

    def __init__(
        self,
        wake: WakeWordDetector,
        vad: VoiceActivityDetector,
        recognizer: SpeechRecognizer,
        sink: EventSink,
        config: VoiceConfig | None = None,
        next_turn: Callable[[], int] | None = None,
        fmt: AudioFormat = INTERNAL,
        clock: Callable[[], float] = time.perf_counter,
        answer_grammar: CommandGrammar | None = None,
    ) -> None:
        self.wake = wake
        """The wake-word detector."""
        self.vad = vad
        """The voice activity detector."""
        self.recognizer = recognizer
        """The speech recogniser (usually a hybrid one)."""
        self.config = config or VoiceConfig()
        """Endpointing and stripping."""
        if self.config.preroll_frames + self.config.endpoint.start_frames > PREROLL_FRAMES:
            raise ValueError(f"preroll_frames + endpoint.start_frames must be at most {PREROLL_FRAMES}")
        self._sink = sink
        self._next_turn = next_turn or count().__next__
        self._clock = clock
        self._ingest = AudioIngest(fmt)
        self._endpointer = Endpointer(self.config.endpoint)
        self._recent: deque[np.ndarray] = deque(maxlen=PREROLL_FRAMES)
        self.answer_grammar = answer_grammar
        """The yes/no grammar answers are decoded with (None: free mode)."""
        self._command_grammar: CommandGrammar | None = None  # set while the answer grammar is in force
        self._is_command: Callable[[str], bool] | None = None
        self._answer_request: int | None = None  # set from another thread; taken at the next frame
        self._answer_until = 0
        self._answering = False
        self.frames = 0
        """Frames processed since the stream began."""
        self.reset()

    @property
    def state(self) -> State:
        """Where the front end is."""
        return self._state

    def reset(self) -> None:
        """Abandon any utterance and listen for the wake word again; buffers are cleared."""
        if self.recognizer.active:
            self.recognizer.cancel()
        self._answering = False
        self._answer_request = None
        self._restore_grammar()
        self.wake.reset()
        self.vad.reset()
        self._endpointer.reset()
        self._recent.clear()
        self._ingest.reset()
        self._turn_clock: TurnClock | None = None
        self._detection: WakeDetection | None = None
        self._wake_frame = -1
        self._await_frame = 0
        self._state = State.LISTENING if self.config.require_wake else State.WAITING
        if not self.config.require_wake:
            self._open_turn(None)

    def open_answer_window(self, seconds: float) -> None:
        """Take speech without the wake word as an answer for the next ``seconds`` of audio.

        Safe to call from another thread than the one feeding audio: the window opens at the
        next frame, if the front end is then listening for the wake word (a turn already under
        way keeps its course). At most :attr:`VoiceConfig.answer_window_s`.
        """
        seconds = min(seconds, self.config.answer_window_s)
        if seconds > 0 and self.config.require_wake:
            self._answer_request = max(1, round(seconds * 1000 / FRAME_MS))

    def feed(self, pcm: bytes) -> list[Utterance]:
        """Take one chunk of PCM in the stream's format; the utterances it completed."""
        if not self._answering:
            self._restore_grammar()  # after an answer, before the next command's audio
        done = []
        for frame in self._ingest.push(pcm):
            utterance = self.feed_frame(frame)
            if utterance is not None:
                done.append(utterance)
        return done

    def flush(self) -> list[Utterance]:
        """End of stream: process what is buffered and close an open utterance."""
        done = [u for u in (self.feed_frame(f) for f in self._ingest.flush()) if u is not None]
        if self._state is State.SPEECH:
            done.append(self._close("flush"))
        elif self._state is State.WAITING and self._detection is not None:
            ended = self._end_without_speech("flush")
            if ended is not None:
                done.append(ended)
        return done

    def feed_frame(self, frame: np.ndarray) -> Utterance | None:
        """Take one 80 ms frame (1280 int16 samples); an utterance if this frame ended one."""
        request, self._answer_request = self._answer_request, None
        if request is not None and self._state is State.LISTENING:
            self._open_answer_window(request)
        index = self.frames
        self.frames += 1
        self._recent.append(frame)
        if self._state is State.ANSWERING:
            self._answer_frame(frame, index)
            return None
        if self._state is State.LISTENING:
            detection = self.wake.process(frame)
            if detection is not None:
                self._wake_frame = index
                self._open_turn(detection)
                self._emit(Wake(detection.model, round(detection.score, 4)))
            return None
        event = self._endpointer.update(self.vad.probability(frame))
        if self._state is State.WAITING:
            if event is EndpointEvent.SPEECH_START:
                self._start_speech(index)
            elif event is EndpointEvent.TIMEOUT:
                return self._end_without_speech("timeout")
            return None
        if self._answering and self._answer_woken(frame, index):
            return None
        self._recognise(frame)
        if event is EndpointEvent.SPEECH_END:
            return self._close("speech_end")
        if event is EndpointEvent.MAX_LENGTH:
            return self._close("max_length")
        return None

    # -- internals -------------------------------------------------------------------------

    def _emit(self, payload: Payload) -> None:
        assert self._turn_clock is not None
        self._sink(self._turn_clock.event(payload))

    def _open_turn(self, detection: WakeDetection | None) -> None:
        self._detection = detection
        self._turn_clock = TurnClock(self._next_turn(), self._clock)
        self._endpointer.reset()
        self.vad.reset()
        self._await_frame = self.frames
        self._state = State.WAITING

    def _open_answer_window(self, frames: int) -> None:
        self._state = State.ANSWERING
        self._answer_until = self.frames + frames
        self._endpointer.reset()
        self.vad.reset()
        self._await_frame = self.frames

    def _answer_frame(self, frame: np.ndarray, index: int) -> None:
        """One frame of an answer window: the wake word, speech (the answer), or the window's end."""
        detection = self.wake.process(frame)
        if detection is not None:  # a new command instead of an answer
            self._wake_frame = index
            self._open_turn(detection)
            self._emit(Wake(detection.model, round(detection.score, 4)))
            return
        event = self._endpointer.update(self.vad.probability(frame))
        if event is EndpointEvent.SPEECH_START:
            self._detection = None
            self._turn_clock = TurnClock(self._next_turn(), self._clock)
            self._answering = True
            self._start_speech(index)
        elif index + 1 >= self._answer_until:
            self._state = State.LISTENING  # silence past the window: the question lapses
            self._endpointer.reset()
        elif event is EndpointEvent.TIMEOUT:  # the window, not the endpointer, decides
            self._endpointer.reset()
            self._await_frame = index + 1

    def _answer_woken(self, frame: np.ndarray, index: int) -> bool:
        """While an answer is spoken: whether the wake word turned it into a normal turn."""
        detection = self.wake.process(frame)
        if detection is None:
            return False
        self.recognizer.cancel()
        self._answering = False
        self._restore_grammar()
        self._wake_frame = index
        clock = self._turn_clock
        self._open_turn(detection)
        self._turn_clock = clock  # the same turn: its speech turned out to start with the wake word
        self._emit(Wake(detection.model, round(detection.score, 4)))
        return True

    def _use_answer_grammar(self) -> Mode:
        """Put the yes/no grammar in force; the mode to decode the answer in."""
        if self.answer_grammar is None or self.recognizer.grammar is None:
            return Mode.FREE
        if self._command_grammar is None:
            self._command_grammar = self.recognizer.grammar
            self.recognizer.set_grammar(self.answer_grammar)
            if isinstance(self.recognizer, HybridRecognizer):
                # An answer is no command: a sure grammar result stands, an unsure one is decoded freely.
                self._is_command, self.recognizer.is_command = self.recognizer.is_command, None
        return Mode.GRAMMAR

    def _restore_grammar(self) -> None:
        if self._command_grammar is None:
            return
        if self.recognizer.active:
            self.recognizer.cancel()
        self.recognizer.set_grammar(self._command_grammar)
        if isinstance(self.recognizer, HybridRecognizer):
            self.recognizer.is_command = self._is_command
        self._command_grammar = None
        self._is_command = None

    def _start_speech(self, index: int) -> None:
        self._emit(SpeechStart())
        self._state = State.SPEECH
        if self._answering:
            self.recognizer.start(self._use_answer_grammar())
        else:
            self._restore_grammar()
            self.recognizer.start()
        # The endpointer starts speech a few frames after it began; feed those and a little before.
        start = self._await_frame + (self._endpointer.start_frame or 0)
        first = max(start - self.config.preroll_frames, self._wake_frame + 1 - self.config.wake_overlap_frames)
        if not self.config.require_wake:
            first = max(first, 0)
        held = list(self._recent)
        oldest = index - len(held) + 1
        for i, frame in enumerate(held):
            if oldest + i >= first:
                self._recognise(frame)

    def _recognise(self, frame: np.ndarray) -> None:
        partial = self.recognizer.accept(frame)
        # An answer's partials are not shown: it may yet turn out to be the wake word.
        if partial is not None and not self._answering:
            text = strip_wake_phrases(partial.text, self.config.strip_phrases)
            if text:
                self._emit(Heard(text, final=False))

    def _close(self, reason: str) -> Utterance:
        self._emit(SpeechEnd())
        transcript = self.recognizer.finish()
        text = strip_wake_phrases(transcript.text, self.config.strip_phrases)
        self._emit(Heard(text, final=True, confidence=round(transcript.confidence, 3)))
        answered = self._answering
        utterance = self._finish_turn(Utterance(self._turn_index(), self._detection, reason, text, transcript))
        if answered and not text and self.frames < self._answer_until:
            self._open_answer_window(self._answer_until - self.frames)  # nothing heard: keep listening
        return utterance

    def _end_without_speech(self, reason: str) -> Utterance | None:
        if not self.config.require_wake:
            self._endpointer.reset()  # push-to-talk: keep waiting in the same turn
            self._await_frame = self.frames
            return None
        return self._finish_turn(Utterance(self._turn_index(), self._detection, reason))

    def _turn_index(self) -> int:
        assert self._turn_clock is not None
        return self._turn_clock.turn

    def _finish_turn(self, utterance: Utterance) -> Utterance:
        clock = self._turn_clock
        self.wake.reset()
        self._recent.clear()
        self._detection = None
        self._turn_clock = None
        self._answering = False
        if self.config.require_wake:
            self._state = State.LISTENING
        else:
            self._open_turn(None)
        return Utterance(utterance.turn, utterance.wake, utterance.reason, utterance.text, utterance.transcript, clock)


def frames_to_ms(frames: int) -> int:
    """Frames to milliseconds."""
    return frames * FRAME_MS
