"""Fakes of the voice seams (wake word, voice activity, speech recogniser), for tests that need no model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cockpit.asr.base import Mode, SpeechRecognizer
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.wake.base import WakeWordDetector


class ScriptedWakeWord(WakeWordDetector):
    """Fires ``model`` at the given frame indices (counted from the start of the stream, not reset)."""

    def __init__(self, fire_at: Sequence[int], model: str = "hey_jarvis_v0.1", threshold: float = 0.5) -> None:
        super().__init__(threshold)
        self._fire_at = set(fire_at)
        self._model = model
        self._seen = 0

    @property
    def models(self) -> tuple[str, ...]:
        """The one scripted model."""
        return (self._model,)

    def _scores(self, frame: np.ndarray) -> Mapping[str, float]:
        self._seen += 1
        return {self._model: 0.99 if self._seen - 1 in self._fire_at else 0.0}

    def _reset(self) -> None:
        return None


class LoudnessVad(VoiceActivityDetector):
    """Speech wherever a frame's peak is above ``level`` (for synthetic test signals)."""

    def __init__(self, level: int = 1000) -> None:
        self.level = level
        """Peak (int16) at which a frame is speech."""

    def _probability(self, frame: np.ndarray) -> float:
        return 1.0 if int(np.abs(frame.astype(np.int32)).max()) >= self.level else 0.0

    def _reset(self) -> None:
        return None


class ScriptedRecognizer(SpeechRecognizer):
    """Returns scripted transcripts, one per utterance, and records the frames it was given."""

    engine = "scripted"

    def __init__(self, texts: Sequence[tuple[str, float]], language: str = "en") -> None:
        super().__init__(language)
        self._texts = list(texts)
        self.frames_seen: list[int] = []
        """Frames accepted in each finished utterance."""
        self.modes: list[Mode] = []
        """The mode of each utterance started."""
        self._count = 0

    def _start(self, mode: Mode) -> None:
        self.modes.append(mode)
        self._count = 0

    def _accept(self, pcm: bytes) -> str | None:
        self._count += 1
        return None

    def _finish(self) -> tuple[str, float]:
        self.frames_seen.append(self._count)
        return self._texts.pop(0) if self._texts else ("", 0.0)

    def _set_grammar(self, grammar: object) -> None:
        return None
