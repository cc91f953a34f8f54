"""Replies in languages Piper has no PyPI voice for (Korean), with espeak-ng from Debian.

espeak-ng is robotic next to Piper, but it is offline, small and speaks Korean; the README says so.
Korean text is read with its numbers in Sino-Korean words (:mod:`cockpit.tts.korean`).
It runs as a subprocess per sentence (text on stdin, a WAV on stdout), so nothing touches this
process's file descriptors.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Iterator

from cockpit.langtag import primary_language
from cockpit.tts.api import SpeechError, Synthesizer
from cockpit.tts.korean import speakable_korean

TIMEOUT_S = 30.0
"""Longest one sentence may take (espeak-ng speaks a sentence in milliseconds)."""


class EspeakSynthesizer(Synthesizer):
    """espeak-ng with one of its voices (``ko``, ``en-us``, ...)."""

    def __init__(self, voice: str = "ko", words_per_minute: int = 165, executable: str = "espeak-ng") -> None:
        """A missing espeak-ng is a :class:`SpeechError` (``tts-unavailable``), now rather than mid-reply."""
        found = shutil.which(executable)
        if found is None:
            raise SpeechError("tts-unavailable", f"{executable} is not installed (Debian package espeak-ng)")
        self._command = [found, "-v", voice, "-s", str(words_per_minute), "--stdout"]
        self.language = primary_language(voice)  # espeak-ng names voices by language tag
        self.sample_rate = 22050

    def _synthesize(self, text: str) -> Iterator[bytes]:
        if self.language == "ko":  # replies write numbers as digits; the voice drops a decimal point
            text = speakable_korean(text)
        try:
            done = subprocess.run(self._command, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise SpeechError("tts-failed", f"espeak-ng could not speak {text[:40]!r}: {err}") from err
        if done.returncode != 0:
            raise SpeechError("tts-failed", f"espeak-ng failed: {done.stderr.decode(errors='replace')[-200:]}")
        yield self._pcm(done.stdout)

    def _pcm(self, wav: bytes) -> bytes:
        try:
            with wave.open(io.BytesIO(wav)) as reader:
                if reader.getsampwidth() != 2 or reader.getnchannels() != 1:
                    raise SpeechError("tts-failed", "espeak-ng did not produce 16-bit mono audio")
                self.sample_rate = reader.getframerate()
                # espeak-ng writes the WAV to a pipe, so its header cannot know the length: read it all.
                return reader.readframes(2**31 - 1)
        except (wave.Error, EOFError) as err:
            raise SpeechError("tts-failed", f"espeak-ng produced no WAV: {err}") from err
