"""The one audio format cockpit works in, and the checks on audio that arrives in another.

Everything after the audio sources is 16 kHz, mono, signed 16-bit little-endian PCM, moved in
80 ms frames of 1280 samples (DESIGN.md). A client declares its format once per stream; chunks
are then whole samples of that format. Bad audio raises errors whose ``code`` is documented in
:data:`ERROR_CODES`, each an :class:`~cockpit.errors.InputError` so the servicer answers
``INVALID_ARGUMENT`` (or ``RESOURCE_EXHAUSTED`` for oversized chunks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cockpit.errors import AudioError, InputError, ResourceExhaustedError

SAMPLE_RATE = 16_000
"""Samples per second of the internal format."""
SAMPLE_WIDTH = 2
"""Bytes per sample (signed 16-bit little-endian)."""
FRAME_MS = 80
"""Length of one frame in milliseconds."""
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
"""Samples per frame: 1280."""
FRAME_BYTES = FRAME_SAMPLES * SAMPLE_WIDTH
"""Bytes per frame: 2560."""
SUPPORTED_RATES = (8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)
"""Declared sample rates that are accepted (all but 16 kHz are resampled); others are refused."""
MAX_CHANNELS = 2
"""Most channels a stream may declare; stereo is mixed down to mono."""
MAX_CHUNK_SECONDS = 1.0
"""Longest audio one chunk may carry; a bigger chunk is ``RESOURCE_EXHAUSTED``."""

ERROR_CODES = {
    "audio-format-unsupported": "INVALID_ARGUMENT: declared rate, channel count or sample width not accepted",
    "audio-odd-bytes": "INVALID_ARGUMENT: a chunk is not a whole number of samples",
    "audio-chunk-too-large": "RESOURCE_EXHAUSTED: a chunk carries more than MAX_CHUNK_SECONDS of audio",
    "audio-unreadable": "INVALID_ARGUMENT: a file is not a readable PCM WAV",
}
"""Every error code the audio layer raises, with the gRPC status it maps to."""


class BadAudioError(AudioError, InputError):
    """Audio a client sent that cannot be taken (maps to ``INVALID_ARGUMENT``)."""


class AudioChunkTooLarge(AudioError, ResourceExhaustedError):
    """A chunk carries more audio than one message may (maps to ``RESOURCE_EXHAUSTED``)."""


@dataclass(frozen=True)
class AudioFormat:
    """What a client declares about the PCM it will send."""

    sample_rate: int = SAMPLE_RATE
    """Samples per second per channel."""
    channels: int = 1
    """Interleaved channels (1 or 2)."""
    sample_width: int = SAMPLE_WIDTH
    """Bytes per sample; only 2 (signed 16-bit little-endian) is accepted."""

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of audio in this format."""
        return self.sample_rate * self.channels * self.sample_width

    @property
    def max_chunk_bytes(self) -> int:
        """Largest chunk accepted in this format (:data:`MAX_CHUNK_SECONDS` of audio)."""
        return int(self.bytes_per_second * MAX_CHUNK_SECONDS)

    def validate(self) -> AudioFormat:
        """This format, if accepted; otherwise a :class:`BadAudioError` that lists what is."""
        if self.sample_rate not in SUPPORTED_RATES:
            rates = ", ".join(str(r) for r in SUPPORTED_RATES)
            raise BadAudioError(
                "audio-format-unsupported", f"sample rate {self.sample_rate} Hz is not supported; use one of {rates}"
            )
        if not 1 <= self.channels <= MAX_CHANNELS:
            raise BadAudioError(
                "audio-format-unsupported", f"{self.channels} channels are not supported; send mono or stereo"
            )
        if self.sample_width != SAMPLE_WIDTH:
            raise BadAudioError(
                "audio-format-unsupported",
                f"{8 * self.sample_width}-bit samples are not supported; send signed 16-bit little-endian PCM",
            )
        return self


INTERNAL = AudioFormat()
"""The internal format: 16 kHz mono s16le."""


def pcm_to_samples(chunk: bytes, fmt: AudioFormat = INTERNAL) -> np.ndarray:
    """Decode one chunk of ``fmt`` PCM into mono int16 samples (stereo is averaged).

    Raises :class:`BadAudioError` for a chunk that is not whole frames of samples and
    :class:`AudioChunkTooLarge` for one longer than :data:`MAX_CHUNK_SECONDS`.
    """
    if len(chunk) > fmt.max_chunk_bytes:
        raise AudioChunkTooLarge(
            "audio-chunk-too-large",
            f"a chunk of {len(chunk)} bytes is more than {MAX_CHUNK_SECONDS:g} s of audio; send 80 ms chunks",
        )
    step = fmt.channels * fmt.sample_width
    if len(chunk) % step:
        raise BadAudioError(
            "audio-odd-bytes", f"a chunk of {len(chunk)} bytes is not a whole number of {step}-byte samples"
        )
    samples = np.frombuffer(chunk, dtype="<i2")
    if fmt.channels == 1:
        return samples.astype(np.int16, copy=True)
    mixed = samples.reshape(-1, fmt.channels).astype(np.int32).sum(axis=1) // fmt.channels
    return mixed.astype(np.int16)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Round float samples (int16 scale) to int16, clipping what does not fit."""
    return np.clip(np.rint(samples), -32768, 32767).astype(np.int16)
