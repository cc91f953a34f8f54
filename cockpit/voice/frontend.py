"""The voice front end of one audio stream: wake word -> endpointing -> speech to text.

Synchronous and transport-free: PCM bytes (or 80 ms frames) in; ``wake``, ``speech_start``,
``speech_end`` and ``transcript`` events out through an :data:`~cockpit.events.EventSink`; each
finished utterance returned as an :class:`Utterance` whose text the caller hands to the text
pipeline (see :class:`cockpit.voice.session.VoiceSession` for the asyncio side).

States: ``listening`` (for the wake word) -> ``waiting`` (wake heard, waiting for speech; times
out) -> ``speech`` (recognising; ends on silence or at the maximum length) -> ``listening``.
Every 80 ms frame also goes into a bounded pre-roll buffer, so the recogniser starts a little
before the VAD's speech start and a command said right after the wake word is not clipped.

After a turn that asked the driver a question ("Did you say ...?", "Springfield in Illinois,
Missouri or Massachusetts?"), the caller opens an *answer window*
(:meth:`VoiceFrontEnd.open_answer_window`): state ``answering``, in which speech is taken without
the wake word and decoded with a small grammar (the yes/no words, and the question's choices),
for a few seconds of audio.

After any other spoken reply the caller opens a *follow-up window*
(:meth:`VoiceFrontEnd.open_follow_up_window`): state ``following``, for
:attr:`VoiceConfig.follow_up_window_s` of audio, in which a command needs no wake word ("a bit
warmer"). It is decoded with the full command grammar, but no wake word vouched for it, and
talk in the cabin after a reply is normal, so it is taken only when it is a *confident command*:
decoded by the command grammar (not the free fallback) with a calibrated confidence at or above
:attr:`VoiceConfig.follow_up_min_confidence` (``voice.follow_up_min_confidence``; a command taken
is then judged like any other, and read back below ``voice.confirm_below``). Anything else is
dropped without a trace: its ``speech_start``,
``speech_end`` and ``transcript`` are held back until the decision and then discarded, no turn
index is used, and the window listens on until it ends. So background talk is neither acted on
nor answered ("Sorry, I didn't catch that").

In either window the wake word still opens a normal turn; silence past the window closes it
quietly and the front end listens for the wake word again. Push-to-talk streams (no wake word
at all) have no windows.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import count

import numpy as np

from cockpit.asr.base import SpeechRecognizer, Transcript
from cockpit.asr.grammar import CommandGrammar
from cockpit.audio.format import FRAME_MS, INTERNAL, AudioFormat
from cockpit.audio.frames import AudioIngest
from cockpit.endpoint.endpointer import EndpointConfig, Endpointer, EndpointEvent
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.events import Event, EventSink, Payload, SpeechEnd, SpeechStart, TurnClock, Wake
from cockpit.events import Transcript as Heard
from cockpit.voice.windows import AnswerGrammar, Window, confident_command, frames_for, with_choices
from cockpit.wake.base import WakeDetection, WakeWordDetector

log = logging.getLogger(__name__)

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
    FOLLOWING = "following"
    """A reply was given: a confident command without the wake word is taken, for a while."""


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
    follow_up_window_s: float = 0.0
    """The follow-up window after a reply (seconds of audio); 0: none."""
    follow_up_min_confidence: float = 0.85
    """Calibrated confidence a grammar-decoded command in the follow-up window needs to be taken."""


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
        self._answer_grammar = AnswerGrammar(recognizer)
        self._window_request: Window | None = None  # set from another thread; taken at the next frame
        self._window: Window | None = None  # the window open now (or that the current speech began in)
        self._answer_until = 0
        self._deaf_until = 0
        self._answering = False  # the current speech is an answer (answer grammar) or a follow-up
        self._held: list[Event] | None = None  # a follow-up's events, until it proves a command
        self.frames = 0
        """Frames processed since the stream began."""
        self.ignored = 0
        """Utterances in follow-up windows dropped as not a confident command."""
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
        self._held = None
        self._window = self._window_request = None
        self._answer_grammar.restore()
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

    def open_answer_window(self, seconds: float, choices: Sequence[str] = (), deaf_s: float = 0.0) -> None:
        """Take speech without the wake word as an answer for the next ``seconds`` of audio.

        ``choices``: the answers of a question with several ("illinois", "missouri"), decoded
        beside the yes/no words. Safe to call from another thread than the one feeding audio:
        the window opens at the next frame, if the front end is then listening for the wake word
        or in another window, which it replaces (a turn already under way keeps its course). At
        most :attr:`VoiceConfig.answer_window_s` after ``deaf_s``: the seconds of the spoken
        question still playing, in which speech is not taken as the answer.
        """
        seconds = min(seconds - deaf_s, self.config.answer_window_s) + deaf_s
        if seconds > 0 and self.config.require_wake:
            grammar = with_choices(self.answer_grammar, choices)
            self._window_request = Window(False, frames_for(seconds), grammar, _deaf_frames(deaf_s))

    def open_follow_up_window(self, deaf_s: float = 0.0) -> None:
        """After a reply: take a confident command without the wake word, for
        :attr:`VoiceConfig.follow_up_window_s` of audio (none when that is 0, or for push-to-talk),
        after ``deaf_s`` seconds of the spoken reply still playing.

        Safe to call from another thread, like :meth:`open_answer_window`.
        """
        seconds = self.config.follow_up_window_s
        if seconds > 0 and self.config.require_wake:
            deaf = _deaf_frames(deaf_s)
            self._window_request = Window(True, frames_for(seconds) + deaf, deaf_frames=deaf)

    def feed(self, pcm: bytes) -> list[Utterance]:
        """Take one chunk of PCM in the stream's format; the utterances it completed."""
        if not self._answering:
            self._answer_grammar.restore()  # after an answer, before the next command's audio
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
            closed = self._close("flush")
            if closed is not None:
                done.append(closed)
        elif self._state is State.WAITING and self._detection is not None:
            ended = self._end_without_speech("flush")
            if ended is not None:
                done.append(ended)
        return done

    def feed_frame(self, frame: np.ndarray) -> Utterance | None:
        """Take one 80 ms frame (1280 int16 samples); an utterance if this frame ended one."""
        request, self._window_request = self._window_request, None
        if request is not None and self._state in (State.LISTENING, State.ANSWERING, State.FOLLOWING):
            self._window = request
            self._open_window(request.frames)
        index = self.frames
        self.frames += 1
        self._recent.append(frame)
        if self._state in (State.ANSWERING, State.FOLLOWING):
            self._window_frame(frame, index)
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
        event = self._turn_clock.event(payload)
        if self._held is not None:
            self._held.append(event)
        else:
            self._sink(event)

    def _open_turn(self, detection: WakeDetection | None) -> None:
        self._detection = detection
        self._window = None
        self._turn_clock = TurnClock(self._next_turn(), self._clock)
        self._endpointer.reset()
        self.vad.reset()
        self._await_frame = self.frames
        self._state = State.WAITING

    def _open_window(self, frames: int) -> None:
        assert self._window is not None
        self._state = State.FOLLOWING if self._window.follow_up else State.ANSWERING
        self._answer_until = self.frames + frames
        self._deaf_until = self.frames + self._window.deaf_frames
        self._endpointer.reset()
        self.vad.reset()
        self._await_frame = self.frames

    def _window_frame(self, frame: np.ndarray, index: int) -> None:
        """One frame of a window: the wake word, speech (an answer or a follow-up), or the window's end."""
        detection = self.wake.process(frame)
        if detection is not None:  # a new command instead of an answer
            self._wake_frame = index
            self._open_turn(detection)
            self._emit(Wake(detection.model, round(detection.score, 4)))
            return
        if index < self._deaf_until:  # the car's own reply is still playing: not the driver's answer
            self._endpointer.reset()
            self._await_frame = index + 1
            return
        event = self._endpointer.update(self.vad.probability(frame))
        if event is EndpointEvent.SPEECH_START:
            self._detection = None
            self._answering = True
            if self._state is State.FOLLOWING:  # held back, and no turn index, until it proves a command
                self._held = []
                self._turn_clock = TurnClock(-1, self._clock)
            else:
                self._turn_clock = TurnClock(self._next_turn(), self._clock)
            self._start_speech(index)
        elif index + 1 >= self._answer_until:
            self._state = State.LISTENING  # silence past the window: the question lapses
            self._window = None
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
        self._answer_grammar.restore()
        self._wake_frame = index
        clock = self._turn_clock
        following, self._held = self._held is not None, None  # a follow-up's held events are dropped
        self._open_turn(detection)
        if not following:
            self._turn_clock = clock  # the same turn: its speech turned out to start with the wake word
        self._emit(Wake(detection.model, round(detection.score, 4)))
        return True

    def _start_speech(self, index: int) -> None:
        self._emit(SpeechStart())
        following = self._held is not None
        self._state = State.SPEECH
        if self._answering and not following:
            grammar = self._window.grammar if self._window is not None else self.answer_grammar
            self.recognizer.start(self._answer_grammar.use(grammar))
        else:
            self._answer_grammar.restore()
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

    def _close(self, reason: str) -> Utterance | None:
        self._emit(SpeechEnd())
        transcript = self.recognizer.finish()
        text = strip_wake_phrases(transcript.text, self.config.strip_phrases)
        self._emit(Heard(text, final=True, confidence=round(transcript.confidence, 3)))
        window = self._window if self._answering else None
        held, self._held = self._held, None
        minimum = self.config.follow_up_min_confidence
        if held is not None and not confident_command(text, transcript, minimum, self.recognizer):
            self.ignored += 1
            log.debug("follow-up window: dropped %s speech at confidence %.2f", transcript.mode, transcript.confidence)
            self._finish_turn(Utterance(-1, None, reason))
            self._reopen(window)
            return None
        if held is not None:  # a follow-up: it gets its turn index now, and its events go out
            assert self._turn_clock is not None
            self._turn_clock.turn = self._next_turn()
            for event in held:
                self._sink(replace(event, turn=self._turn_clock.turn))
        utterance = self._finish_turn(Utterance(self._turn_index(), self._detection, reason, text, transcript))
        if window is not None and not text:
            self._reopen(window)  # nothing heard: keep listening
        return utterance

    def _reopen(self, window: Window | None) -> None:
        """Listen on in ``window`` for what is left of it (after speech that was not taken)."""
        if window is not None and self.frames < self._answer_until and self.config.require_wake:
            self._window = window
            self._open_window(self._answer_until - self.frames)

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
        self._window = None
        if self.config.require_wake:
            self._state = State.LISTENING
        else:
            self._open_turn(None)
        return Utterance(utterance.turn, utterance.wake, utterance.reason, utterance.text, utterance.transcript, clock)


def frames_to_ms(frames: int) -> int:
    """Frames to milliseconds."""
    return frames * FRAME_MS


ECHO_MARGIN_S = 0.3
"""Added to a spoken reply's length for the deaf start of a window: the audio reaches the
loudspeaker a little after it was sent."""


def _deaf_frames(deaf_s: float) -> int:
    """Frames of a window's deaf start for ``deaf_s`` seconds of the car's own speech (0 for none)."""
    return frames_for(deaf_s + ECHO_MARGIN_S) if deaf_s > 0 else 0
