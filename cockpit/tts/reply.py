"""A reply's speech, chunk by chunk: what the service streams as ``tts_audio`` events.

Sentences arrive as the answer is released (the language model's checked sentences, or a
command's one-line reply) and are spoken as they come, so the first audio leaves before the
answer is complete. Audio is cut into chunks of :data:`CHUNK_S`: a player stops within one chunk
when the driver barges in, and a client can start playing after the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from cockpit.langtag import primary_language
from cockpit.tts.api import SpeechAudio, SpeechError, Synthesizer

CHUNK_S = 0.25
"""Longest chunk of audio in one ``tts_audio`` event."""


class Voices:
    """The voice for each reply language, each loaded on first use and then kept."""

    def __init__(self, factories: Mapping[str, Callable[[], Synthesizer]]) -> None:
        """``factories``: primary language tag (``en``, ``ko``) -> what loads its voice."""
        self._factories = dict(factories)
        self._loaded: dict[str, Synthesizer] = {}

    def languages(self) -> list[str]:
        """The languages a voice is configured for."""
        return sorted(self._factories)

    def get(self, language: str) -> Synthesizer:
        """The voice for ``language`` (``ko-KR`` uses ``ko``); :class:`SpeechError` when there is none."""
        primary = primary_language(language)
        if primary not in self._loaded:
            factory = self._factories.get(primary)
            if factory is None:
                raise SpeechError("tts-unavailable", f"no voice speaks {language!r}; voices: {self.languages()}")
            self._loaded[primary] = factory()
        return self._loaded[primary]


class ReplySpeech:
    """The audio of one reply: :meth:`say` each sentence as it comes, then :meth:`finish`."""

    def __init__(self, voice: Synthesizer) -> None:
        self._voice = voice
        self._sequence = 0
        self._finished = False

    def say(self, sentence: str) -> Iterator[SpeechAudio]:
        """``sentence`` spoken, in chunks of at most :data:`CHUNK_S` (none for blank text)."""
        if self._finished:
            raise ValueError("the reply's speech is finished")
        for pcm in self._voice.synthesize(sentence):
            rate = self._voice.sample_rate  # espeak-ng reports its rate with the audio
            step = max(2, int(CHUNK_S * rate) * 2)
            for start in range(0, len(pcm) - len(pcm) % 2, step):
                yield self._chunk(pcm[start : start + step], rate, last=False)

    def finish(self) -> SpeechAudio:
        """The closing chunk (no samples, ``last`` set): the reply's audio is complete."""
        self._finished = True
        return self._chunk(b"", self._voice.sample_rate, last=True)

    def _chunk(self, pcm: bytes, rate: int, last: bool) -> SpeechAudio:
        chunk = SpeechAudio(pcm, rate, self._sequence, last)
        self._sequence += 1
        return chunk
