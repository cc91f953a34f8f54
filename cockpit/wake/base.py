"""The wake-word seam: :class:`WakeWordDetector` and what it reports."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cockpit.audio.format import FRAME_SAMPLES
from cockpit.errors import WakeWordError


@dataclass(frozen=True)
class WakeDetection:
    """A wake word heard."""

    model: str
    """Name of the model that fired, e.g. ``hey_jarvis_v0.1``."""
    score: float
    """Its score for the frame, 0..1, at or above the threshold."""
    frame: int
    """Index of the 80 ms frame (since the last reset) at which it fired."""


class WakeWordDetector(abc.ABC):
    """Scores each 80 ms frame for each wake-word model; fires at or above the threshold.

    :meth:`process` is the public method: it checks the frame, calls the :meth:`_scores` hook
    and decides. Implementations fill :meth:`_scores`, :meth:`_reset` and :attr:`models`.
    """

    def __init__(self, threshold: float = 0.5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise WakeWordError("bad-threshold", f"wake threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        """Score at or above which a model fires."""
        self.frames = 0
        """Frames scored since the last reset."""

    @property
    @abc.abstractmethod
    def models(self) -> tuple[str, ...]:
        """Names of the wake-word models this detector runs."""

    @abc.abstractmethod
    def _scores(self, frame: np.ndarray) -> Mapping[str, float]:
        """Hook: the score of every model for one checked 1280-sample int16 frame."""

    @abc.abstractmethod
    def _reset(self) -> None:
        """Hook: forget all audio heard so far."""

    def scores(self, frame: np.ndarray) -> dict[str, float]:
        """Score one 80 ms frame (1280 int16 samples) with every model."""
        if frame.dtype != np.int16 or frame.shape != (FRAME_SAMPLES,):
            raise WakeWordError(
                "bad-frame", f"wake-word frames are {FRAME_SAMPLES} int16 samples, not {frame.shape} {frame.dtype}"
            )
        try:
            result = {name: float(score) for name, score in self._scores(frame).items()}
        except WakeWordError:
            raise
        except Exception as err:
            raise WakeWordError("wake-inference-failed", f"wake-word inference failed: {err}") from err
        self.frames += 1
        return result

    def process(self, frame: np.ndarray) -> WakeDetection | None:
        """Score one frame; the best model at or above the threshold, or None."""
        scores = self.scores(frame)
        if not scores:
            return None
        name = max(scores, key=lambda n: scores[n])
        if scores[name] < self.threshold:
            return None
        return WakeDetection(name, scores[name], self.frames - 1)

    def reset(self) -> None:
        """Forget all audio heard so far (call between utterances)."""
        self._reset()
        self.frames = 0
