"""Where a spoken reply goes: WAV files (``--speak-to DIR``) or the speaker (``--speak``, PyAudio).

Both take :class:`~cockpit.tts.api.SpeechAudio` chunks in order, as ``tts_audio`` events bring
them. The speaker is PortAudio through PyAudio, the same path as the microphone; tests point
ALSA's default playback device at a file.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import wave
from pathlib import Path

from cockpit.errors import AudioError
from cockpit.tts.api import SpeechAudio

try:
    import pyaudio
except ImportError:  # pragma: no cover - depends on the optional extra
    pyaudio = None


class WavFiles:
    """Writes each reply as ``reply-000.wav``, ``reply-001.wav``, ... in a directory."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._pcm = bytearray()
        self._rate = 0
        self._count = 0
        self.written: list[Path] = []
        """The files written so far."""

    def play(self, chunk: SpeechAudio) -> None:
        """Add ``chunk``; the reply's file is written at its last chunk."""
        if chunk.sequence == 0:
            self._pcm.clear()
        self._pcm += chunk.pcm
        self._rate = chunk.sample_rate
        if chunk.last:
            path = self._directory / f"reply-{self._count:03d}.wav"
            with wave.open(str(path), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(self._rate)
                out.writeframes(bytes(self._pcm))
            self._count += 1
            self.written.append(path)
            self._pcm.clear()

    def stop(self) -> None:
        """Drop the reply being collected (barge-in): it is not written."""
        self._pcm.clear()

    def close(self) -> None:
        """Nothing to release."""


class Speaker:
    """Plays replies on the default output device (or ``device_index``), on its own thread.

    :meth:`play` only queues the chunk, so the caller (an event sink on the event loop) never
    waits for the sound card; :meth:`close` lets the queued audio play out.
    """

    def __init__(self, device_index: int | None = None) -> None:
        if pyaudio is None:
            raise AudioError("speaker-unavailable", "the speaker needs PyAudio: pip install 'cockpit[mic]'")
        self._pa = pyaudio.PyAudio()
        self._device = device_index
        self._stream: pyaudio.Stream | None = None
        self._rate = 0
        self._queue: queue.Queue[SpeechAudio | None] = queue.Queue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cockpit-speaker", daemon=True)
        self._thread.start()
        self.failure: AudioError | None = None
        """Why playback stopped, if the device failed."""

    def play(self, chunk: SpeechAudio) -> None:
        """Queue ``chunk``; a new reply (``seq`` 0) ends an earlier :meth:`stop`."""
        if chunk.sequence == 0:
            self._stopped.clear()
        if not self._stopped.is_set():
            self._queue.put(chunk)

    def stop(self) -> None:
        """Stop the reply now playing (barge-in): what is queued of it is dropped."""
        self._stopped.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()

    def close(self) -> None:
        """Let the queued audio play out, then release the device."""
        self._queue.put(None)
        self._thread.join()
        if self._stream is not None:
            self._stream.stop_stream()
            self._stream.close()
            self._stream = None
        self._pa.terminate()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._stopped.is_set() or not chunk.pcm or self.failure is not None:
                continue
            try:
                self._open(chunk.sample_rate).write(chunk.pcm)
            except (OSError, AudioError) as err:
                self.failure = err if isinstance(err, AudioError) else AudioError("speaker-failed", str(err))

    def _open(self, rate: int) -> pyaudio.Stream:
        if self._stream is not None and self._rate != rate:
            self._stream.close()
            self._stream = None
        if self._stream is None:
            try:
                self._stream = self._pa.open(
                    format=pyaudio.paInt16, channels=1, rate=rate, output=True, output_device_index=self._device
                )
            except OSError as err:
                raise AudioError("speaker-missing", f"no audio output device: {err}") from err
            self._rate = rate
        return self._stream
