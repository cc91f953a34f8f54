"""WAV files in and out: any PCM WAV becomes 16 kHz mono 80 ms frames."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from cockpit.audio.format import SAMPLE_RATE, SAMPLE_WIDTH, AudioFormat, BadAudioError
from cockpit.audio.frames import AudioIngest

READ_BLOCK_FRAMES = 8192
"""WAV frames read per block, so a long file is never held in memory twice."""


def _open(path: str | Path) -> wave.Wave_read:
    try:
        return wave.open(str(path), "rb")
    except (OSError, EOFError, wave.Error) as err:
        raise BadAudioError("audio-unreadable", f"{path} is not a readable PCM WAV file: {err}") from err


def wav_format(path: str | Path) -> AudioFormat:
    """The declared format of a WAV file (not yet checked against what cockpit accepts)."""
    with _open(path) as wav:
        return AudioFormat(wav.getframerate(), wav.getnchannels(), wav.getsampwidth())


def wav_frames(path: str | Path) -> Iterator[np.ndarray]:
    """The file as 16 kHz mono int16 frames of 1280 samples (the last one padded with silence)."""
    fmt = wav_format(path)
    ingest = AudioIngest(fmt)
    with _open(path) as wav:
        step = max(1, int(fmt.max_chunk_bytes // (fmt.channels * fmt.sample_width)))
        block = min(READ_BLOCK_FRAMES, step)
        while True:
            data = wav.readframes(block)
            if not data:
                break
            yield from ingest.push(data)
    yield from ingest.flush()


def read_wav(path: str | Path) -> np.ndarray:
    """The whole file as 16 kHz mono int16 samples (resampled and mixed down as needed).

    The length is the resampled length, not padded to whole frames.
    """
    fmt = wav_format(path)
    with _open(path) as wav:
        n = wav.getnframes()
    frames = list(wav_frames(path))
    samples = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
    return samples[: -(-n * SAMPLE_RATE // fmt.sample_rate)]


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write mono int16 samples as a PCM WAV file."""
    data = np.asarray(samples, dtype=np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(sample_rate)
        wav.writeframes(data.astype("<i2").tobytes())
