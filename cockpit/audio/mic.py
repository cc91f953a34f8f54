"""The microphone through PyAudio (PortAudio): the one module that imports pyaudio.

PyAudio is an optional extra (it builds against PortAudio's development package). The device
is opened at 16 kHz mono int16 when it supports that, otherwise at its own default rate and
resampled; either way :meth:`MicrophoneSource.frames` yields 80 ms frames of 1280 samples.

For tests, ALSA's ``file`` plugin makes the default capture device play a raw file (see
DESIGN.md): PortAudio then reads that file as if it were a microphone.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

import numpy as np

from cockpit.audio.format import FRAME_SAMPLES, SAMPLE_RATE, AudioFormat
from cockpit.audio.frames import AudioIngest
from cockpit.errors import AudioError

try:
    import pyaudio
except ImportError:  # pragma: no cover - depends on the optional extra
    pyaudio = None


def microphone_available() -> bool:
    """Whether PyAudio is installed."""
    return pyaudio is not None


class MicrophoneSource:
    """Capture from an input device (the default one unless ``device_index`` is given)."""

    def __init__(self, device_index: int | None = None, frames_per_buffer: int = FRAME_SAMPLES) -> None:
        if pyaudio is None:
            raise AudioError("mic-unavailable", "the microphone needs PyAudio: pip install 'cockpit[mic]'")
        self._pa = pyaudio.PyAudio()
        try:
            info = (
                self._pa.get_default_input_device_info()
                if device_index is None
                else self._pa.get_device_info_by_index(device_index)
            )
        except OSError as err:
            self._pa.terminate()
            raise AudioError("mic-missing", f"no audio input device: {err}") from err
        index = int(info["index"])
        rate = SAMPLE_RATE
        try:
            self._pa.is_format_supported(
                SAMPLE_RATE, input_device=index, input_channels=1, input_format=pyaudio.paInt16
            )
        except ValueError:
            rate = int(info.get("defaultSampleRate", SAMPLE_RATE))
        self.rate = rate
        """The rate the device was opened at (resampled to 16 kHz when different)."""
        self._chunk = max(1, frames_per_buffer * rate // SAMPLE_RATE)
        try:
            self._stream = self._pa.open(
                format=pyaudio.paInt16,
                channels=1,
                rate=rate,
                input=True,
                input_device_index=index,
                frames_per_buffer=self._chunk,
            )
        except OSError as err:
            self._pa.terminate()
            raise AudioError("mic-open-failed", f"cannot open the audio input device: {err}") from err
        self._ingest = AudioIngest(AudioFormat(rate, 1, 2))

    def read(self) -> list[np.ndarray]:
        """Block for the next buffer; the 80 ms frames it completes (overflows are not errors)."""
        try:
            data = self._stream.read(self._chunk, exception_on_overflow=False)
        except OSError as err:
            raise AudioError("mic-read-failed", f"reading the microphone failed: {err}") from err
        return self._ingest.push(data)

    def frames(self, limit: int | None = None) -> Iterator[np.ndarray]:
        """80 ms frames as they are captured (forever, or ``limit`` frames)."""
        count = 0
        while limit is None or count < limit:
            for frame in self.read():
                yield frame
                count += 1
                if limit is not None and count >= limit:
                    return

    def close(self) -> None:
        """Stop capturing and release the device."""
        try:
            self._stream.stop_stream()
            self._stream.close()
        finally:
            self._pa.terminate()

    def __enter__(self) -> MicrophoneSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
