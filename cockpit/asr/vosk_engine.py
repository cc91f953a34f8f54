"""Vosk (Kaldi) recognisers: the one module that imports vosk.

Free mode uses the model's own graph. Grammar mode gives Vosk the command grammar as a phrase
list (words the model does not know are pruned first). Vosk streams partial results and reports
the words of the final one with a confidence each; a transcript's confidence is the mean of its
words' (an ``[unk]`` word counts as 0).

Each utterance starts from a new feature pipeline (online CMVN and i-vector statistics): Vosk
drops its pipeline only after ``FinalResult()`` of a running utterance, while ``Reset()`` and
its own endpoints keep it, so an utterance that was cancelled, or ended on a Vosk endpoint,
would otherwise colour the next one (a cancelled command changed the next one's transcript).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vosk

from cockpit.asr.base import Mode, SpeechRecognizer
from cockpit.asr.grammar import CommandGrammar
from cockpit.audio.format import SAMPLE_RATE
from cockpit.errors import SpeechToTextError

UNKNOWN_WORD = "[unk]"
"""Vosk's out-of-grammar token."""
PARTIAL_EVERY_FRAMES = 2
"""Frames between partial results."""

vosk.SetLogLevel(-1)


class VoskModel:
    """A loaded Vosk model directory (loaded once, shared by recognisers)."""

    def __init__(self, path: str | Path) -> None:
        try:
            self.model = vosk.Model(str(path))
        except Exception as err:
            raise SpeechToTextError("asr-load-failed", f"cannot load the Vosk model at {path}: {err}") from err
        self.path = Path(path)
        """Where it was loaded from."""

    def knows(self, word: str) -> bool:
        """Whether the model's vocabulary has ``word``."""
        return bool(self.model.vosk_model_find_word(word) >= 0)


class VoskRecognizer(SpeechRecognizer):
    """Vosk for one language: free mode and grammar mode, streaming partials."""

    engine = "vosk"

    def __init__(self, model: VoskModel, language: str) -> None:
        super().__init__(language)
        self._model = model
        self._free = self._recognizer(None)
        self._grammar: Any = None
        self._grammar_has_unk = False
        self._active: Any = None
        self._segments: list[dict[str, Any]] = []
        self._frames = 0
        self.endpoint = False
        """Whether Vosk's own endpointer saw the end of speech in the current utterance."""

    def _recognizer(self, phrases: list[str] | None) -> Any:
        if phrases is None:
            rec = vosk.KaldiRecognizer(self._model.model, SAMPLE_RATE)
        else:
            rec = vosk.KaldiRecognizer(self._model.model, SAMPLE_RATE, json.dumps(phrases, ensure_ascii=False))
        rec.SetWords(True)
        return rec

    def knows(self, word: str) -> bool:
        """Whether the model's vocabulary has ``word``."""
        return self._model.knows(word)

    def _set_grammar(self, grammar: CommandGrammar) -> None:
        pruned = grammar.pruned(self.knows)
        phrases = pruned.phrases()
        if not phrases:
            raise SpeechToTextError("grammar-empty", "no command phrase is left once unknown words are pruned")
        self._grammar_has_unk = self.knows(UNKNOWN_WORD)
        self._grammar = self._recognizer([*phrases, UNKNOWN_WORD] if self._grammar_has_unk else phrases)

    def _start(self, mode: Mode) -> None:
        self._active = self._grammar if mode is Mode.GRAMMAR else self._free
        # An empty chunk makes the recogniser running whatever state it was left in; the final
        # result then drops its feature pipeline, and the next chunk builds a new one.
        self._active.AcceptWaveform(b"")
        self._active.FinalResult()
        self._segments = []
        self._frames = 0
        self.endpoint = False

    def _accept(self, pcm: bytes) -> str | None:
        self._frames += 1
        if self._active.AcceptWaveform(pcm):
            self.endpoint = True
            self._segments.append(json.loads(self._active.Result()))
            return self._joined("")
        if self._frames % PARTIAL_EVERY_FRAMES:
            return None
        partial = json.loads(self._active.PartialResult()).get("partial", "")
        return self._joined(partial)

    def _joined(self, tail: str) -> str:
        return " ".join([*(s.get("text", "") for s in self._segments), tail]).strip()

    def _finish(self) -> tuple[str, float]:
        self._segments.append(json.loads(self._active.FinalResult()))
        words = [w for s in self._segments for w in s.get("result", [])]
        text = self._joined("")
        if not words:
            return text, 0.0 if not text else 1.0
        confs = [0.0 if w.get("word") == UNKNOWN_WORD else float(w.get("conf", 1.0)) for w in words]
        return text, sum(confs) / len(confs)

    def _cancel(self) -> None:
        self._active.Reset()
