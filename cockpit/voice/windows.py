"""Windows in which speech needs no wake word, for :class:`~cockpit.voice.frontend.VoiceFrontEnd`.

- An *answer window* after a question: the answer is decoded with a small grammar (the yes/no
  words, plus the choices of a question with several: :func:`with_choices`), which
  :class:`AnswerGrammar` puts in force for the answer and takes back after it.
- A *follow-up window* after a reply: decoded with the command grammar, and taken only when it
  is a confident command (:func:`confident_command`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cockpit.asr.base import Mode, SpeechRecognizer, Transcript
from cockpit.asr.grammar import CommandGrammar, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.audio.format import FRAME_MS


@dataclass(frozen=True)
class Window:
    """A window asked for (from any thread); the front end opens it at its next frame if it is
    then listening for the wake word."""

    follow_up: bool
    """A follow-up window (after a reply); else an answer window (after a question)."""
    frames: int
    """How long it stays open (80 ms frames)."""
    grammar: CommandGrammar | None = None
    """What an answer is decoded with (None: free mode); unused for a follow-up."""
    deaf_frames: int = 0
    """Frames at the window's start in which speech is not taken (the wake word still is): the car
    is still playing its own spoken reply, which the microphone hears unless the head unit
    cancels its echo. Counted in ``frames``."""


def frames_for(seconds: float) -> int:
    """Seconds of audio to whole frames (at least one)."""
    return max(1, round(seconds * 1000 / FRAME_MS))


def with_choices(grammar: CommandGrammar | None, choices: Sequence[str]) -> CommandGrammar | None:
    """The answer grammar plus the answers of a question with several ("illinois", "in illinois",
    "the one in illinois", "illinois please"). Without an answer grammar (a language without
    one), None: answers are decoded freely, choices included."""
    said = [" ".join(c.lower().split()) for c in choices]
    phrases = [p for c in said if c for p in (c, f"in {c}", f"the one in {c}", f"{c} please")]
    if grammar is None or not phrases:
        return grammar
    extra = tuple(words(p) for p in phrases)
    return CommandGrammar(grammar.language, (*grammar.sentences, *extra), grammar.rules, grammar.prefix, grammar.suffix)


def confident_command(
    text: str, transcript: Transcript, min_confidence: float, recognizer: SpeechRecognizer | None = None
) -> bool:
    """Whether speech in a follow-up window is taken: words decoded by the command grammar (not
    the free fallback, which is what talk that is no command ends up as) with a calibrated
    confidence of at least ``min_confidence``, which the hybrid ``recognizer``'s ``is_command``
    (if it has one) also takes for a command: an engine that keeps unsure grammar results
    instead of decoding them again (no free fallback) leaves that check to this one."""
    if not text or transcript.mode is not Mode.GRAMMAR or transcript.confidence < min_confidence:
        return False
    check = recognizer.is_command if isinstance(recognizer, HybridRecognizer) else None
    return check is None or check(text)


class AnswerGrammar:
    """Puts an answer's grammar in force on a recogniser, and the command grammar back after it."""

    def __init__(self, recognizer: SpeechRecognizer) -> None:
        self._recognizer = recognizer
        self._commands: CommandGrammar | None = None  # set while an answer grammar is in force
        self._is_command: Callable[[str], bool] | None = None

    def use(self, grammar: CommandGrammar | None) -> Mode:
        """Put ``grammar`` in force (if the recogniser has grammars at all); the mode to decode in."""
        recognizer = self._recognizer
        if grammar is None or recognizer.grammar is None:
            return Mode.FREE
        if self._commands is None:
            self._commands = recognizer.grammar
            recognizer.set_grammar(grammar)
            if isinstance(recognizer, HybridRecognizer):
                # An answer is no command: a sure grammar result stands, an unsure one is decoded freely.
                self._is_command, recognizer.is_command = recognizer.is_command, None
        return Mode.GRAMMAR

    def restore(self) -> None:
        """The command grammar back in force (an utterance in progress is abandoned)."""
        if self._commands is None:
            return
        recognizer = self._recognizer
        if recognizer.active:
            recognizer.cancel()
        recognizer.set_grammar(self._commands)
        if isinstance(recognizer, HybridRecognizer):
            recognizer.is_command = self._is_command
        self._commands = None
        self._is_command = None
