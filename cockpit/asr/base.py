"""The speech-recognition seam: :class:`SpeechRecognizer`, its modes and what it returns.

A recogniser decodes one utterance at a time, streaming: :meth:`~SpeechRecognizer.start` it in
a mode, :meth:`~SpeechRecognizer.accept` 80 ms frames (each may give a partial transcript),
then :meth:`~SpeechRecognizer.finish` for the final one. The public methods live here and check
their input, keep the state and wrap engine failures; an engine fills the small hooks.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from cockpit.asr.grammar import CommandGrammar
from cockpit.audio.format import FRAME_SAMPLES
from cockpit.errors import SpeechToTextError

T = TypeVar("T")


class Mode(enum.StrEnum):
    """How an utterance is decoded."""

    GRAMMAR = "grammar"
    """Constrained to the command grammar compiled from the skills' templates."""
    FREE = "free"
    """The engine's open vocabulary (its language model), for dialogue."""


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard."""

    text: str
    """Lower-case words separated by single spaces ("" when nothing was recognised)."""
    final: bool
    """False for a partial result that may still change."""
    mode: Mode
    """The mode it was decoded in."""
    confidence: float = 1.0
    """0..1: how sure the engine is that ``text`` is what was said (1.0 for partials)."""
    engine: str = ""
    """Name of the engine that produced it."""


def normalise(text: str) -> str:
    """Lower-case, single-spaced, engine markers such as ``<unk>`` or ``[unk]`` removed."""
    words = [w for w in text.lower().split() if not (w.startswith(("[", "<")) and w.endswith(("]", ">")))]
    return " ".join(words)


class SpeechRecognizer(abc.ABC):
    """Streaming speech to text for one language, in free mode and, given a grammar, grammar mode."""

    engine = "abstract"
    """Short engine name (``vosk``, ``pocketsphinx``, ...)."""

    def __init__(self, language: str) -> None:
        self.language = language
        """BCP 47 primary language tag this recogniser decodes."""
        self.grammar: CommandGrammar | None = None
        """The command grammar in force, if any."""
        self._mode: Mode | None = None
        self._partial = ""
        self._decoded_mode: Mode | None = None
        """Set by a ``_finish`` hook that decoded in another mode than it started in (hybrid)."""

    # -- hooks -----------------------------------------------------------------------------

    @abc.abstractmethod
    def _start(self, mode: Mode) -> None:
        """Hook: begin decoding an utterance in ``mode``."""

    @abc.abstractmethod
    def _accept(self, pcm: bytes) -> str | None:
        """Hook: decode one frame (16 kHz s16le); return the partial text, or None if not known."""

    @abc.abstractmethod
    def _finish(self) -> tuple[str, float]:
        """Hook: end the utterance; return the final text and its confidence (0..1)."""

    def _cancel(self) -> None:
        """Hook: abandon the utterance (default: finish it and drop the result)."""
        self._finish()

    def _set_grammar(self, grammar: CommandGrammar) -> None:
        """Hook: compile ``grammar`` for grammar mode (default: grammar mode unsupported)."""
        raise SpeechToTextError("grammar-unsupported", f"the {self.engine} recogniser has no grammar mode")

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the engine's vocabulary (default: assume it is)."""
        return True

    # -- public ----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether an utterance is being decoded."""
        return self._mode is not None

    def set_grammar(self, grammar: CommandGrammar) -> None:
        """Compile and keep the command grammar used by :attr:`Mode.GRAMMAR`."""
        if self.active:
            raise SpeechToTextError("asr-busy", "cannot change the grammar in the middle of an utterance")
        self._guard(lambda: self._set_grammar(grammar), "grammar-compile-failed")
        self.grammar = grammar

    def start(self, mode: Mode | None = None) -> None:
        """Begin an utterance (an unfinished one is cancelled first).

        Without a ``mode``: grammar mode when there is a grammar, else free mode.
        """
        if mode is None:
            mode = Mode.GRAMMAR if self.grammar is not None else Mode.FREE
        if mode is Mode.GRAMMAR and self.grammar is None:
            raise SpeechToTextError("no-grammar", "grammar mode needs a command grammar; call set_grammar() first")
        if self.active:
            self.cancel()
        self._guard(lambda: self._start(mode), "asr-start-failed")
        self._mode = mode
        self._partial = ""
        self._decoded_mode = None

    def accept(self, frame: np.ndarray) -> Transcript | None:
        """Decode one 80 ms frame; a partial transcript when the partial text changed."""
        if self._mode is None:
            raise SpeechToTextError("asr-not-started", "call start() before accept()")
        if frame.dtype != np.int16 or frame.ndim != 1 or len(frame) > FRAME_SAMPLES:
            raise SpeechToTextError("bad-frame", f"frames are up to {FRAME_SAMPLES} int16 samples, not {frame.shape}")
        raw = self._guard(lambda: self._accept(frame.tobytes()), "asr-stream-failed")
        if raw is None:
            return None
        text = normalise(raw)
        if not text or text == self._partial:
            return None
        self._partial = text
        return Transcript(text, False, self._mode, 1.0, self.engine)

    def finish(self) -> Transcript:
        """End the utterance; the final transcript."""
        mode = self._mode
        if mode is None:
            raise SpeechToTextError("asr-not-started", "call start() before finish()")
        try:
            text, confidence = self._guard(self._finish, "asr-stream-failed")
        finally:
            self._mode = None
        text = normalise(text)
        confidence = max(0.0, min(1.0, confidence)) if text else 0.0
        return Transcript(text, True, self._decoded_mode or mode, confidence, self.engine)

    def cancel(self) -> None:
        """Abandon the utterance being decoded, if any."""
        if self._mode is None:
            return
        try:
            self._guard(self._cancel, "asr-stream-failed")
        finally:
            self._mode = None

    def decode(self, frames: Iterable[np.ndarray], mode: Mode | None = None) -> Transcript:
        """Decode a whole utterance (no partials); the final transcript (mode as :meth:`start`)."""
        self.start(mode)
        try:
            for frame in frames:
                self.accept(frame)
        except BaseException:
            self.cancel()
            raise
        return self.finish()

    def _guard(self, call: Callable[[], T], code: str) -> T:
        """Run an engine call; wrap anything unexpected in :class:`SpeechToTextError`."""
        try:
            return call()
        except SpeechToTextError:
            raise
        except Exception as err:
            raise SpeechToTextError(code, f"{self.engine} recogniser failed: {err}") from err
