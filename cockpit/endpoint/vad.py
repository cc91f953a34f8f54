"""Voice activity: the :class:`VoiceActivityDetector` seam and a dependency-free energy VAD."""

from __future__ import annotations

import abc

import numpy as np

from cockpit.audio.format import FRAME_SAMPLES
from cockpit.errors import AudioError


class VoiceActivityDetector(abc.ABC):
    """Says, for each 80 ms frame, how likely it holds speech.

    :meth:`probability` is the public method; implementations fill :meth:`_probability` and
    :meth:`_reset`.
    """

    @abc.abstractmethod
    def _probability(self, frame: np.ndarray) -> float:
        """Hook: speech probability of one checked frame."""

    @abc.abstractmethod
    def _reset(self) -> None:
        """Hook: forget the audio so far."""

    def probability(self, frame: np.ndarray) -> float:
        """Speech probability (0..1) of one 80 ms frame of 1280 int16 samples."""
        if frame.dtype != np.int16 or frame.shape != (FRAME_SAMPLES,):
            raise AudioError("bad-frame", f"VAD frames are {FRAME_SAMPLES} int16 samples, not {frame.shape}")
        return float(self._probability(frame))

    def reset(self) -> None:
        """Forget the audio so far (call between utterances)."""
        self._reset()


class EnergyVad(VoiceActivityDetector):
    """A dependency-free stand-in: speech when the frame's RMS is above a fixed level.

    Meant for tests and as a fallback where no VAD model is installed; Silero is far better in noise.
    """

    def __init__(self, rms_threshold: float = 500.0) -> None:
        self.rms_threshold = rms_threshold
        """RMS (int16 scale) at which a frame counts fully as speech."""

    def _probability(self, frame: np.ndarray) -> float:
        rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
        return min(1.0, rms / self.rms_threshold)

    def _reset(self) -> None:
        return None
