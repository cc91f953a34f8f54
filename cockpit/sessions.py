"""Sessions: one conversation each, with its own turn counter and memory."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.catalogue import IntentMatch
from cockpit.errors import InputError, ResourceExhaustedError
from cockpit.skill_api import SkillPlan

SEATS = ("driver", "passenger", "rear-left", "rear-right")
"""The seats a speaker can sit in (a session's ``zone``)."""


def validate_zone(zone: str) -> str:
    """``zone`` when it names a seat (empty: ``driver``); else an :class:`InputError` (``zone-unknown``)."""
    if not zone:
        return "driver"
    if zone not in SEATS:
        raise InputError("zone-unknown", f"zone must be one of {', '.join(SEATS)}")
    return zone


@dataclass(frozen=True)
class PendingConfirmation:
    """An action waiting for the driver's yes: a plan the policy wants confirmed, or an offer."""

    match: IntentMatch
    """The intent that produced the plan (or that was offered)."""
    plan: SkillPlan | None = None
    """The writes and replies waiting for a yes; None for an offer, which is planned and checked
    by the policy only once the driver says yes."""
    expires_at: float = math.inf
    """Monotonic time after which the question lapses: a later "yes" no longer carries it out."""
    choices: Mapping[str, IntentMatch] = field(default_factory=dict)
    """For a question with several answers ("Springfield in Illinois, Missouri or
    Massachusetts?"): each answer's words and the command it means; empty for a yes/no question."""


@dataclass
class Session:
    """One conversation."""

    session_id: str
    """Opaque identifier."""
    language: str = "en"
    """Language (BCP 47 primary tag)."""
    turns: int = 0
    """Turns started so far; the next turn's index."""
    memory: dict[str, Any] = field(default_factory=dict)
    """Facts earlier turns left for follow-ups."""
    pending: PendingConfirmation | None = None
    """A plan waiting for the driver's yes or no."""
    last_used: float = 0.0
    """Monotonic time of the last turn."""
    speech: bool = False
    """Whether replies are spoken (``tts_audio`` events); text-only clients pay nothing."""
    zone: str = "driver"
    """The speaker's seat (:data:`SEATS`): what "my" and an unnamed zone or window mean."""

    def next_turn(self) -> int:
        """Claim the next turn index."""
        index = self.turns
        self.turns += 1
        return index


class SessionStore:
    """Open sessions, bounded: at ``capacity`` a new session is refused
    (:class:`ResourceExhaustedError`, ``too-many-sessions``). A live session is never closed to
    make room: a driver's session must not vanish because another client opened many."""

    def __init__(self, capacity: int = 64, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def create(self, language: str = "en", speech: bool = False, zone: str = "driver") -> Session:
        """Open a session with a fresh unguessable id, if there is room."""
        if len(self._sessions) >= self._capacity:
            raise ResourceExhaustedError(
                "too-many-sessions", f"{self._capacity} sessions are open, the limit; close one first"
            )
        session = Session(secrets.token_hex(8), language, last_used=self._clock(), speech=speech, zone=zone)
        self._sessions[session.session_id] = session
        return session

    def get(self, session_id: str) -> Session:
        """The open session ``session_id``; an unknown id is an :class:`InputError`."""
        session = self._sessions.get(session_id)
        if session is None:
            raise InputError("unknown-session", f"no open session {session_id[:24]!r}; create one first")
        session.last_used = self._clock()
        return session

    def close(self, session_id: str) -> None:
        """Forget a session; an unknown id is an :class:`InputError`."""
        if self._sessions.pop(session_id, None) is None:
            raise InputError("unknown-session", f"no open session {session_id[:24]!r}")

    def __len__(self) -> int:
        return len(self._sessions)
