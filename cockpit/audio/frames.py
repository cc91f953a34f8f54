"""Chunks of any size in, fixed 80 ms frames out.

:class:`FrameAssembler` cuts 16 kHz int16 samples into 1280-sample frames; what is left over
(always less than one frame) waits for the next chunk. :class:`AudioIngest` puts the checks of
:mod:`cockpit.audio.format`, resampling and framing together: it is what a gRPC stream, a WAV
file and the microphone all feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import numpy as np

from cockpit.audio.format import (
    FRAME_BYTES,
    FRAME_MS,
    FRAME_SAMPLES,
    INTERNAL,
    SAMPLE_RATE,
    AudioFormat,
    pcm_to_samples,
    to_int16,
)
from cockpit.audio.resample import StreamResampler


class FrameAssembler:
    """Collects int16 samples and hands them out in whole 80 ms frames."""

    def __init__(self, frame_samples: int = FRAME_SAMPLES) -> None:
        self.frame_samples = frame_samples
        """Samples per frame."""
        self._pending = np.zeros(0, dtype=np.int16)

    @property
    def pending(self) -> int:
        """Samples waiting for the rest of their frame (always fewer than one frame)."""
        return len(self._pending)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        """Add samples; return every frame now complete, oldest first."""
        data = np.concatenate((self._pending, np.asarray(samples, dtype=np.int16)))
        whole = len(data) - len(data) % self.frame_samples
        self._pending = data[whole:].copy()
        return [data[i : i + self.frame_samples].copy() for i in range(0, whole, self.frame_samples)]

    def flush(self) -> list[np.ndarray]:
        """The last partial frame, padded with silence (empty if nothing is pending)."""
        if not len(self._pending):
            return []
        frame = np.zeros(self.frame_samples, dtype=np.int16)
        frame[: len(self._pending)] = self._pending
        self._pending = np.zeros(0, dtype=np.int16)
        return [frame]

    def reset(self) -> None:
        """Drop what is pending."""
        self._pending = np.zeros(0, dtype=np.int16)


class AudioIngest:
    """PCM chunks in a declared format in, 16 kHz mono 80 ms frames out.

    The format is checked once, here; every chunk is checked as it arrives (see
    :func:`~cockpit.audio.format.pcm_to_samples`). Empty chunks are ignored.
    """

    def __init__(self, fmt: AudioFormat = INTERNAL) -> None:
        self.format = fmt.validate()
        """The declared format."""
        self._resampler = None if fmt.sample_rate == SAMPLE_RATE else StreamResampler(fmt.sample_rate, SAMPLE_RATE)
        self._frames = FrameAssembler()
        self.samples_in = 0
        """Input samples (per channel) accepted so far."""

    def push(self, chunk: bytes) -> list[np.ndarray]:
        """Decode, resample and frame one chunk; returns the frames it completes."""
        if not chunk:
            return []
        samples = pcm_to_samples(chunk, self.format)
        self.samples_in += len(samples)
        return self.push_samples(samples)

    def push_samples(self, samples: np.ndarray) -> list[np.ndarray]:
        """Like :meth:`push` for mono samples already decoded (int16 scale)."""
        if self._resampler is None:
            return self._frames.push(np.asarray(samples, dtype=np.int16))
        return self._frames.push(to_int16(self._resampler.process(samples)))

    def flush(self) -> list[np.ndarray]:
        """The frames still held back, the last one padded with silence."""
        frames: list[np.ndarray] = []
        if self._resampler is not None:
            frames += self._frames.push(to_int16(self._resampler.flush()))
        return frames + self._frames.flush()

    def reset(self) -> None:
        """Forget the stream so far (format kept)."""
        if self._resampler is not None:
            self._resampler.reset()
        self._frames.reset()
        self.samples_in = 0


async def paced_chunks(pcm: bytes, realtime: bool = True) -> AsyncGenerator[bytes, None]:
    """``pcm`` (16 kHz mono s16) in 80 ms chunks; with ``realtime``, each when a microphone would
    have captured it (paced against the start, so the pace does not drift with the time the
    consumer takes)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index, offset in enumerate(range(0, len(pcm), FRAME_BYTES)):
        if realtime:
            await asyncio.sleep(max(0.0, start + (index + 1) * FRAME_MS / 1000 - loop.time()))
        yield pcm[offset : offset + FRAME_BYTES]
