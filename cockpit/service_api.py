"""The service as transports see it: sessions, turns, state and skills.

The gRPC servicer and the CLI's embedded mode both drive an :class:`AssistantService`. They never
see the pipeline's parts. Errors come out as :class:`cockpit.errors.CockpitError` subclasses
(``InputError`` for bad requests); only the servicer maps them to gRPC status codes.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cockpit.events import EventSink
from cockpit.skill_api import SignalValue, SkillInfo

MAX_TEXT_BYTES = 2048
"""Longest typed utterance accepted, in UTF-8 bytes; longer text is INVALID_ARGUMENT."""


@dataclass(frozen=True)
class SessionInfo:
    """A conversation with one HMI client or one driver."""

    session_id: str
    """Opaque identifier the client passes back on every turn."""
    language: str
    """Language of the session (BCP 47 primary tag, e.g. ``en``)."""


@dataclass(frozen=True)
class HealthReport:
    """What the service says about itself."""

    serving: bool
    """False while shutting down."""
    degraded: tuple[str, ...] = ()
    """Parts that are missing or failing, each a short sentence (empty when all is well)."""


class AssistantService(abc.ABC):
    """The cockpit service, transport-free."""

    @abc.abstractmethod
    def create_session(self, language: str = "en") -> SessionInfo:
        """Open a new session."""

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
