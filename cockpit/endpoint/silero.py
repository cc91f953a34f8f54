"""Silero VAD (the ONNX model shipped in openWakeWord 0.5.1) on ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cockpit.audio.format import SAMPLE_RATE
from cockpit.audio.onnx import OnnxModel
from cockpit.endpoint.vad import VoiceActivityDetector
from cockpit.errors import AudioError

SILERO_CHUNK = 640
"""Samples per Silero call: two per 80 ms frame (as openWakeWord drives this model)."""
SILERO_STATE = (2, 1, 64)
"""Shape of Silero's recurrent state tensors h and c."""
SILERO_MODEL = "silero_vad"
"""Manifest name of the model."""


class SileroVad(VoiceActivityDetector):
    """Silero VAD (the ONNX model shipped in openWakeWord 0.5.1), two 40 ms calls per frame.

    A frame's probability is the larger of its two halves, so a word onset is not averaged away.
    ``model`` is the ONNX file or an already loaded :class:`OnnxModel` (shared between streams;
    the recurrent state is per instance).
    """

    def __init__(self, model: str | Path | OnnxModel) -> None:
        self._model = model if isinstance(model, OnnxModel) else OnnxModel(model, error=AudioError)
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self._reset()

    @classmethod
    def from_store(cls, store: object) -> SileroVad:
        """Build from the verified artefact of a model store (anything with ``path(name)``)."""
        return cls(store.path(SILERO_MODEL))  # type: ignore[attr-defined]

    @staticmethod
    def load(path: str | Path) -> OnnxModel:
        """Load the model once, to share between instances."""
        return OnnxModel(path, error=AudioError)

    def _reset(self) -> None:
        self._h = np.zeros(SILERO_STATE, dtype=np.float32)
        self._c = np.zeros(SILERO_STATE, dtype=np.float32)

    def _probability(self, frame: np.ndarray) -> float:
        best = 0.0
        audio = frame.astype(np.float32) / 32767.0
        for start in range(0, len(audio), SILERO_CHUNK):
            out, self._h, self._c = self._model.run(
                {"input": audio[None, start : start + SILERO_CHUNK], "sr": self._sr, "h": self._h, "c": self._c}
            )
            best = max(best, float(np.asarray(out).reshape(-1)[0]))
        return best
