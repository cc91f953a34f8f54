"""The wake-word seam: :class:`WakeWordDetector` and what it reports."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cockpit.audio.format import FRAME_SAMPLES
from cockpit.errors import WakeWordError

PEAK_SCORE = 0.5
"""A head score this high is already at the end of the wake word: fire without waiting for the peak."""
MAX_HOLD_FRAMES = 6
"""Longest a detection waits for its score to peak (480 ms)."""


@dataclass(frozen=True)
class WakeDetection:
    """A wake word heard."""

    model: str
    """Name of the model that fired, e.g. ``hey_jarvis_v0.1``."""
    score: float
    """Its best score, 0..1, from the frame it passed the threshold to the frame it fired."""
    frame: int
    """Index of the 80 ms frame (since the last reset) at which it fired."""


class WakeWordDetector(abc.ABC):
    """Scores each 80 ms frame for each wake-word model; fires when the best score is at or above
    the threshold and the second stage (:meth:`_confirm`, if any) agrees.

    With a low threshold that can happen while the wake word is still being said, and what follows
    the detection goes to the recogniser. So the detection is held until the score peaks (it falls,
    or reaches :data:`PEAK_SCORE`), for at most :data:`MAX_HOLD_FRAMES`.

    :meth:`process` is the public method: it checks the frame, calls the :meth:`_scores` hook
    and decides. Implementations fill :meth:`_scores`, :meth:`_reset` and :attr:`models`, and
    may fill :meth:`_confirm`.
    """

    def __init__(self, threshold: float = 0.5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise WakeWordError("bad-threshold", f"wake threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        """Score at or above which a model fires (or, with a second stage, is checked by it)."""
        self.frames = 0
        """Frames scored since the last reset."""
        self._held: WakeDetection | None = None
        self._previous = 0.0

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
        """Score one frame; the best model if the detector fires on this frame, or None."""
        scores = self.scores(frame)
        if not scores:
            return None
        name = max(scores, key=lambda n: scores[n])
        score, previous, self._previous = scores[name], self._previous, scores[name]
        if self._held is None:
            if score < self.threshold or not self._confirm(name):
                return None
            self._held = WakeDetection(name, score, self.frames - 1)
        held = self._held
        if score >= held.score:
            held = WakeDetection(held.model, score, held.frame)
        peaked = score < previous or score >= PEAK_SCORE or self.frames - 1 - held.frame >= MAX_HOLD_FRAMES
        if not peaked:
            self._held = held
            return None
        self._held = None
        return WakeDetection(held.model, held.score, self.frames - 1)

    def _confirm(self, model: str) -> bool:
        """Hook: whether the second stage agrees that ``model``, over threshold on the frame just
        scored, heard its wake word (no second stage: always)."""
        return True

    def reset(self) -> None:
        """Forget all audio heard so far (call between utterances)."""
        self._reset()
        self.frames = 0
        self._held = None
        self._previous = 0.0
