"""Streaming filters for the recogniser's input (numpy only)."""

from __future__ import annotations

import numpy as np

from cockpit.audio.format import SAMPLE_RATE, to_int16

HIGH_PASS_HZ = 200.0
"""Default cut-off: below it a cabin has engine hum and road rumble, and speech little to recognise."""
HIGH_PASS_TAPS = 161
"""FIR length (10 ms at 16 kHz): odd, so the filter has a whole-sample delay of 80 samples."""


class HighPass:
    """A linear-phase FIR high-pass (windowed sinc), stateful across frames.

    Delays the signal by ``(taps - 1) / 2`` samples; :meth:`reset` between utterances.
    """

    def __init__(self, cutoff_hz: float = HIGH_PASS_HZ, taps: int = HIGH_PASS_TAPS, rate: int = SAMPLE_RATE) -> None:
        if taps % 2 == 0:
            raise ValueError("taps must be odd")
        m = np.arange(taps) - (taps - 1) / 2
        fc = cutoff_hz / rate
        low = 2 * fc * np.sinc(2 * fc * m) * np.hamming(taps)
        low /= low.sum()
        self._kernel = -low
        self._kernel[(taps - 1) // 2] += 1.0
        self._history = np.zeros(taps - 1)

    def reset(self) -> None:
        """Forget past samples."""
        self._history[:] = 0.0

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Filter the next int16 samples; returns as many int16 samples."""
        x = np.concatenate((self._history, samples.astype(np.float64)))
        self._history = x[len(x) - len(self._history) :]
        return to_int16(np.convolve(x, self._kernel, mode="valid"))
