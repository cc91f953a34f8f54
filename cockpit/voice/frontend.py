"""The voice front end of one audio stream: wake word -> endpointing -> speech to text.

Synchronous and transport-free: PCM bytes (or 80 ms frames) in; ``wake``, ``speech_start``,
``speech_end`` and ``transcript`` events out through an :data:`~cockpit.events.EventSink`; each
finished utterance returned as an :class:`Utterance` whose text the caller hands to the text
pipeline (see :class:`cockpit.voice.session.VoiceSession` for the asyncio side).

States: ``listening`` (for the wake word) -> ``waiting`` (wake heard, waiting for speech; times
out) -> ``speech`` (recognising; ends on silence or at the maximum length) -> ``listening``.
Every 80 ms frame also goes into a bounded pre-roll buffer, so the recogniser starts a little
before the VAD's speech start and a command said right after the wake word is not clipped.
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

from cockpit.asr.base import SpeechRecognizer, Transcript
from cockpit.audio.format import FRAME_MS, INTERNAL, AudioFormat
from cockpit.audio.frames import AudioIngest
from cockpit.endpoint.endpointer import EndpointConfig, Endpointer, EndpointEvent
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.events import EventSink, EventType, TurnClock
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

    def feed(self, pcm: bytes) -> list[Utterance]:
        """Take one chunk of PCM in the stream's format; the utterances it completed."""
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
        index = self.frames
        self.frames += 1
        self._recent.append(frame)
        if self._state is State.LISTENING:
            detection = self.wake.process(frame)
            if detection is not None:
                self._wake_frame = index
                self._open_turn(detection)
                self._emit(EventType.WAKE, model=detection.model, score=round(detection.score, 4))
            return None
        event = self._endpointer.update(self.vad.probability(frame))
        if self._state is State.WAITING:
            if event is EndpointEvent.SPEECH_START:
                self._start_speech(index)
            elif event is EndpointEvent.TIMEOUT:
                return self._end_without_speech("timeout")
            return None
        self._recognise(frame)
        if event is EndpointEvent.SPEECH_END:
            return self._close("speech_end")
        if event is EndpointEvent.MAX_LENGTH:
            return self._close("max_length")
        return None

    # -- internals -------------------------------------------------------------------------

    def _emit(self, type_: EventType, **data: object) -> None:
        assert self._turn_clock is not None
        self._sink(self._turn_clock.event(type_, **data))

    def _open_turn(self, detection: WakeDetection | None) -> None:
        self._detection = detection
        self._turn_clock = TurnClock(self._next_turn(), self._clock)
        self._endpointer.reset()
        self.vad.reset()
        self._await_frame = self.frames
        self._state = State.WAITING

    def _start_speech(self, index: int) -> None:
        self._emit(EventType.SPEECH_START)
        self._state = State.SPEECH
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
        if partial is not None:
            text = strip_wake_phrases(partial.text, self.config.strip_phrases)
            if text:
                self._emit(EventType.TRANSCRIPT, text=text, final=False)

    def _close(self, reason: str) -> Utterance:
        self._emit(EventType.SPEECH_END)
        transcript = self.recognizer.finish()
        text = strip_wake_phrases(transcript.text, self.config.strip_phrases)
        self._emit(EventType.TRANSCRIPT, text=text, final=True)
        return self._finish_turn(Utterance(self._turn_index(), self._detection, reason, text, transcript))

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
        if self.config.require_wake:
            self._state = State.LISTENING
        else:
            self._open_turn(None)
        return Utterance(utterance.turn, utterance.wake, utterance.reason, utterance.text, utterance.transcript, clock)


def frames_to_ms(frames: int) -> int:
    """Frames to milliseconds."""
    return frames * FRAME_MS
