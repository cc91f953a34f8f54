"""The service as transports see it: sessions, turns, state and skills.

The gRPC servicer and the CLI's embedded mode both drive an :class:`AssistantService`. They never
see the pipeline's parts. Errors come out as :class:`cockpit.errors.CockpitError` subclasses
(``InputError`` for bad requests); only the servicer maps them to gRPC status codes.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cockpit.errors import AudioError
from cockpit.events import EventSink
from cockpit.skill_api import SignalValue, SkillInfo

if TYPE_CHECKING:
    from cockpit.audio.format import AudioFormat

MAX_TEXT_BYTES = 2048
"""Longest typed utterance accepted, in UTF-8 bytes; longer text is INVALID_ARGUMENT."""


@dataclass(frozen=True)
class SessionInfo:
    """A conversation with one HMI client or one driver."""

    session_id: str
    """Opaque identifier the client passes back on every turn."""
    language: str
    """Language of the session (BCP 47 primary tag, e.g. ``en``)."""
    speech: bool = False
    """Whether its replies are spoken: ``tts_audio`` events follow the text."""
    zone: str = "driver"
    """The speaker's seat: ``driver``, ``passenger``, ``rear-left`` or ``rear-right``."""


@dataclass(frozen=True)
class HealthReport:
    """What the service says about itself."""

    serving: bool
    """False while shutting down."""
    degraded: tuple[str, ...] = ()
    """Open dialogue: what is missing or failing, each a short sentence (empty when all is well)."""
    voice: tuple[str, ...] = ()
    """The voice front end: what is missing or failing (empty when well, or not loaded yet)."""


class AudioStream(Protocol):
    """One stream of spoken audio in a session (see :meth:`AssistantService.open_audio`).

    Chunks are PCM in the format the stream was opened with. Events (``wake``,
    ``speech_start``, ``speech_end``, ``transcript``, then each turn's ``intent`` ... ``reply``)
    go to the sink given at opening, as they happen; a turn runs while audio keeps flowing.
    """

    async def feed(self, pcm: bytes) -> object:
        """Take one chunk. Bad audio raises ``BadAudioError`` (``audio-odd-bytes``) or
        ``AudioChunkTooLarge`` (``audio-chunk-too-large``) and is dropped; the stream stays usable."""

    async def idle(self) -> None:
        """Wait for the turn in flight, if any (before a typed turn in the same session)."""

    async def finish(self) -> object:
        """End of audio: close an open utterance and wait for its turn."""

    async def aclose(self) -> None:
        """Release the stream (a running turn is cancelled); call it once, last."""


class AssistantService(abc.ABC):
    """The cockpit service, transport-free."""

    @abc.abstractmethod
    def create_session(self, language: str = "en", speech: bool = False, zone: str = "") -> SessionInfo:
        """Open a new session; with ``speech`` its replies are also spoken (``tts_audio`` events);
        ``zone`` is the speaker's seat (empty: the driver's; another name: ``zone-unknown``)."""

    @abc.abstractmethod
    def close_session(self, session_id: str) -> None:
        """Forget a session; unknown ids raise ``InputError("unknown-session")``."""

    @abc.abstractmethod
    async def text_turn(self, session_id: str, text: str, sink: EventSink) -> None:
        """Run one typed turn, reporting every event to ``sink`` in order.

        Raises ``InputError`` before any event for empty text (``text-empty``), text over
        :data:`MAX_TEXT_BYTES` (``text-too-long``) and unknown sessions (``unknown-session``).
        Failures inside the turn are reported as ``error`` events, not raised.
        """

    async def open_audio(self, session_id: str, fmt: AudioFormat, sink: EventSink, wake: bool = True) -> AudioStream:
        """Open a stream of spoken audio for ``session_id``, reporting to ``sink``. ``wake`` False is
        push-to-talk: every utterance of the stream is a turn, with no wake word.

        Raises before any event: ``InputError`` for an unknown session, ``BadAudioError``
        (``audio-format-unsupported``) for a format that is not accepted, ``AudioError``
        (``voice-disabled``) when the service has no voice front end, ``ModelStoreError`` when
        its models are missing, ``SpeechToTextError`` (``no-asr-for-language``) when no
        recogniser covers the session's language.
        """
        raise AudioError("voice-disabled", "this service has no voice front end; send text turns")

    @abc.abstractmethod
    def vehicle_state(self) -> Mapping[str, SignalValue]:
        """Confirmed vehicle state by VSS path."""

    @abc.abstractmethod
    def watch_state(self, listener: Callable[[str, SignalValue], None]) -> Callable[[], None]:
        """Call ``listener`` on every confirmed change; returns the unsubscribe function."""

    @abc.abstractmethod
    def skills(self) -> list[SkillInfo]:
        """The registered skills."""

    @abc.abstractmethod
    def health(self) -> HealthReport:
        """Current health."""
