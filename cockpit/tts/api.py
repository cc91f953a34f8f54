"""What a voice is: text in, 16-bit mono PCM out; and one chunk of a spoken reply."""

from __future__ import annotations

import abc
import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.errors import CockpitError


class SpeechError(CockpitError):
    """A voice cannot be loaded or cannot speak (``tts-unavailable``, ``tts-failed``)."""


@dataclass(frozen=True)
class SpeechAudio:
    """One chunk of a spoken reply: what a ``tts_audio`` event carries."""

    pcm: bytes
    """Signed 16-bit little-endian mono samples (empty on the closing chunk)."""
    sample_rate: int
    """Samples per second of ``pcm``."""
    sequence: int
    """0, 1, 2, ... within the turn's reply."""
    last: bool
    """Whether the reply's audio ends with this chunk."""

    @property
    def seconds(self) -> float:
        """How long the chunk plays."""
        return len(self.pcm) / 2 / self.sample_rate

    def event_fields(self) -> Mapping[str, Any]:
        """The fields of the ``tts_audio`` event (docs/events.md): PCM as base64 text, for JSON lines."""
        return {
            "pcm_b64": base64.b64encode(self.pcm).decode("ascii"),
            "sample_rate": self.sample_rate,
            "seq": self.sequence,
            "last": self.last,
        }

    @classmethod
    def from_event_fields(cls, data: Mapping[str, Any]) -> SpeechAudio:
        """The chunk a ``tts_audio`` event describes (see :meth:`event_fields`)."""
        pcm = base64.b64decode(str(data["pcm_b64"]), validate=True)
        return cls(pcm, int(data["sample_rate"]), int(data["seq"]), bool(data["last"]))


class Synthesizer(abc.ABC):
    """A voice. Implementations provide :meth:`_synthesize`; callers use :meth:`synthesize`."""

    language: str = "en"
    """The language it speaks (BCP 47 primary tag)."""
    sample_rate: int = 22050
    """Rate of the PCM it produces."""

    def synthesize(self, text: str) -> Iterator[bytes]:
        """``text`` spoken, as int16 mono PCM pieces (one per sentence or so); nothing for blank text."""
        text = " ".join(text.split())
        if not text:
            return iter(())
        return self._synthesize(text)

    @abc.abstractmethod
    def _synthesize(self, text: str) -> Iterator[bytes]:
        """PCM pieces for non-blank, whitespace-normalised ``text``; raise :class:`SpeechError`."""
