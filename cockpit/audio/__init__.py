"""Audio in: formats and their checks, resampling, 80 ms framing, WAV files and the microphone.

Imports nothing heavy: the microphone (PyAudio) and ONNX Runtime live in their own modules,
:mod:`cockpit.audio.mic` and :mod:`cockpit.audio.onnx`, imported only by what needs them.
"""

from cockpit.audio.format import (
    FRAME_BYTES,
    FRAME_MS,
    FRAME_SAMPLES,
    SAMPLE_RATE,
    AudioChunkTooLarge,
    AudioFormat,
    BadAudioError,
)
from cockpit.audio.frames import AudioIngest, FrameAssembler, paced_chunks
from cockpit.audio.resample import StreamResampler, resample
from cockpit.audio.wav import read_wav, wav_frames, write_wav

__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AudioChunkTooLarge",
    "AudioFormat",
    "AudioIngest",
    "BadAudioError",
    "FrameAssembler",
    "StreamResampler",
    "paced_chunks",
    "read_wav",
    "resample",
    "wav_frames",
    "write_wav",
]
