"""Streaming rational resampling to 16 kHz, in numpy alone.

A polyphase FIR with the same design as ``scipy.signal.resample_poly`` (Kaiser window, beta 5,
ten zero crossings per side), kept stateful so a stream resampled chunk by chunk gives the same
samples as the whole signal resampled at once.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from cockpit.audio.format import SAMPLE_RATE

HALF_ZERO_CROSSINGS = 10
"""Half-length of the filter in zero crossings of the lower rate (as resample_poly)."""
KAISER_BETA = 5.0
"""Kaiser window shape (as resample_poly)."""


class StreamResampler:
    """Resamples a stream of float samples from ``rate_in`` to ``rate_out``.

    :meth:`process` takes any number of new input samples and returns the output samples they
    complete; :meth:`flush` returns the rest once the input has ended. The total output length
    is ``ceil(n_in * rate_out / rate_in)``, as for ``resample_poly``.
    """

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError("sample rates must be positive")
        g = gcd(rate_in, rate_out)
        self.up = rate_out // g
        """Interpolation factor."""
        self.down = rate_in // g
        """Decimation factor."""
        widest = max(self.up, self.down)
        half_len = HALF_ZERO_CROSSINGS * widest
        n = 2 * half_len + 1
        cutoff = 1.0 / widest
        h = cutoff * np.sinc(cutoff * (np.arange(n) - half_len)) * np.kaiser(n, KAISER_BETA)
        h *= self.up / h.sum()
        self._taps = -(-n // self.up)
        padded = np.zeros(self._taps * self.up)
        padded[:n] = h
        # _phases[p, j] = h[p + up * j]: the taps that meet input x[i_max - j] for output phase p.
        self._phases = padded.reshape(self._taps, self.up).T.copy()
        self._delay = half_len
        self.reset()

    def reset(self) -> None:
        """Forget the stream so far."""
        self._history = np.zeros(self._taps)
        self._base = -self._taps  # absolute input index of _history[0]; negative indices are silence
        self._received = 0
        self._next_out = 0

    def _available(self) -> int:
        """One past the last output index whose inputs have all arrived."""
        last = (self.up * self._received - 1 - self._delay) // self.down
        return max(last + 1, 0)

    def _produce(self, stop: int) -> np.ndarray:
        if stop <= self._next_out:
            return np.zeros(0)
        ks = np.arange(self._next_out, stop, dtype=np.int64)
        pos = ks * self.down + self._delay
        newest = pos // self.up - self._base
        idx = newest[:, None] - np.arange(self._taps)[None, :]
        out: np.ndarray = (self._history[idx] * self._phases[pos % self.up]).sum(axis=1)
        self._next_out = stop
        # Keep only what the next output still needs.
        keep_from = (self._next_out * self.down + self._delay) // self.up - self._taps + 1 - self._base
        if keep_from > 0:
            self._history = self._history[keep_from:]
            self._base += keep_from
        return out

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Take new input samples; return the output samples now complete (float, same scale)."""
        if self.up == self.down:
            return np.asarray(samples, dtype=np.float64)
        self._history = np.concatenate((self._history, np.asarray(samples, dtype=np.float64)))
        self._received += len(samples)
        return self._produce(self._available())

    def flush(self) -> np.ndarray:
        """The remaining output samples once the input has ended (the stream is then reset)."""
        if self.up == self.down:
            return np.zeros(0)
        total = -(-self._received * self.up // self.down)
        self._history = np.concatenate((self._history, np.zeros(self._delay // self.up + self._taps + 1)))
        out = self._produce(total)
        self.reset()
        return out


def resample(samples: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    """Resample a whole signal (float output, same scale as the input)."""
    if rate_in == rate_out:
        return np.asarray(samples, dtype=np.float64)
    stream = StreamResampler(rate_in, rate_out)
    return np.concatenate((stream.process(samples), stream.flush()))
