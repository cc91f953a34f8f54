"""Which token owns each session the server opened, and how many sessions anyone may hold.

The server's rules on top of the service's sessions:

- a session belongs to the token that created it; another token that names it is refused with
  ``PERMISSION_DENIED`` (``session-not-yours``) whatever it asks (a turn, ``Converse``, close);
- a token may hold at most ``per_token`` sessions and the server ``total``; past either, the new
  session is refused with ``RESOURCE_EXHAUSTED`` and no live session is ever closed to make room;
- a session no RPC has used for ``idle_s`` seconds (and none is using now) expires: it is closed
  the next time a session is created or when its id comes back (then ``unknown-session``);
- a session may start ``turn_burst`` typed turns back to back and ``turns_per_minute`` on average
  (a token bucket); one more is refused with ``RESOURCE_EXHAUSTED`` (``turn-rate``) before it
  runs, so nothing reaches the car.

Without tokens every caller is the same owner ``""`` and only the total limit applies.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cockpit.errors import ConfigError, InputError, ResourceExhaustedError

MAX_SESSION_ID_CHARS = 64
"""Longest session id looked up (ours are 16 hex digits); a longer one is refused unechoed."""
QUOTE_CHARS = 24
"""Longest part of an unknown id quoted back in an error."""


@dataclass(frozen=True)
class SessionLimits:
    """The session limits of one server (settings ``max_sessions``, ``server.max_sessions_per_token``,
    ``server.session_idle_s``)."""

    total: int = 64
    """Open sessions at once, all tokens together."""
    per_token: int = 16
    """Open sessions at once for one token (only when the server has tokens)."""
    idle_s: float = 1800.0
    """Seconds without any RPC on a session before it expires."""
    turns_per_minute: float = 60.0
    """Typed turns one session may start per minute on average."""
    turn_burst: int = 10
    """Typed turns one session may start back to back."""

    def __post_init__(self) -> None:
        if self.total < 1 or self.per_token < 1 or not self.idle_s > 0:
            raise ConfigError(
                "bad-setting", "max_sessions, server.max_sessions_per_token and server.session_idle_s must be positive"
            )
        if not self.turns_per_minute > 0 or self.turn_burst < 1:
            raise ConfigError("bad-setting", "server.turns_per_minute and server.turn_burst must be positive")


@dataclass
class _Entry:
    owner: str
    last_used: float
    in_use: int = 0
    turn_credit: float = -1.0
    """Turns the session may start now (the token bucket; -1: full, not yet used)."""
    credit_at: float = 0.0
    """When ``turn_credit`` was last brought up to date."""


def quote_id(session_id: str) -> str:
    """``session_id`` for an error message, cut short: an id is echoed only up to a bound."""
    shown = session_id[:QUOTE_CHARS]
    return repr(shown) + ("..." if len(session_id) > QUOTE_CHARS else "")


def check_id(session_id: str) -> str:
    """The id, if it could be one; an empty or oversized id is an :class:`InputError` (not echoed)."""
    if not session_id:
        raise InputError("unknown-session", "session_id is empty; pass the id CreateSession returned")
    if len(session_id) > MAX_SESSION_ID_CHARS:
        raise InputError(
            "unknown-session",
            f"session_id is longer than {MAX_SESSION_ID_CHARS} characters; pass the id CreateSession returned",
        )
    return session_id


class SessionLedger:
    """Owners, limits and idle expiry of the sessions one server opened (one event loop's thread)."""

    def __init__(self, limits: SessionLimits, per_owner: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._per_owner = per_owner
        self._clock = clock
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def expire(self) -> list[str]:
        """Forget the sessions idle past the limit and unused now; returns their ids (to close)."""
        cutoff = self._clock() - self._limits.idle_s
        gone = [sid for sid, e in self._entries.items() if e.in_use == 0 and e.last_used < cutoff]
        for sid in gone:
            del self._entries[sid]
        return gone

    def admit(self, owner: str) -> None:
        """Room for one more session of ``owner``, or a :class:`ResourceExhaustedError`
        (call :meth:`expire` first so idle sessions make room)."""
        if len(self._entries) >= self._limits.total:
            raise ResourceExhaustedError(
                "too-many-sessions",
                f"the server holds its limit of {self._limits.total} sessions; close one (CloseSession) first",
            )
        if self._per_owner:
            held = sum(1 for e in self._entries.values() if e.owner == owner)
            if held >= self._limits.per_token:
                raise ResourceExhaustedError(
                    "too-many-sessions-for-token",
                    f"this token holds its limit of {self._limits.per_token} sessions; close one (CloseSession) first",
                )

    def add(self, session_id: str, owner: str) -> None:
        """Record a session just created for ``owner``."""
        self._entries[session_id] = _Entry(owner, self._clock())

    def check(self, session_id: str, owner: str) -> None:
        """Whether ``owner`` may use ``session_id``: an :class:`InputError` when it is unknown
        (``unknown-session``) or another token's (``session-not-yours``)."""
        entry = self._entries.get(check_id(session_id))
        if entry is not None and entry.in_use == 0 and self._clock() - entry.last_used > self._limits.idle_s:
            entry = None  # expired: the caller's next creation closes it in the service
        if entry is None:
            raise InputError("unknown-session", f"no open session {quote_id(session_id)}; create one first")
        if entry.owner != owner:
            raise InputError("session-not-yours", "this session belongs to another token; create your own")

    def take_turn(self, session_id: str) -> None:
        """Spend one turn of the session's rate, or a :class:`ResourceExhaustedError` (``turn-rate``)."""
        entry = self._entries.get(session_id)
        if entry is None:
            return  # checked by the caller; a session closed meanwhile fails in the service
        now, limits = self._clock(), self._limits
        if entry.turn_credit < 0:
            entry.turn_credit = float(limits.turn_burst)
        else:
            refill = (now - entry.credit_at) * limits.turns_per_minute / 60.0
            entry.turn_credit = min(float(limits.turn_burst), entry.turn_credit + refill)
        entry.credit_at = now
        if entry.turn_credit < 1.0:
            wait_s = (1.0 - entry.turn_credit) * 60.0 / limits.turns_per_minute
            raise ResourceExhaustedError(
                "turn-rate",
                f"this session starts at most {limits.turns_per_minute:g} turns a minute; try again in {wait_s:.1f} s",
            )
        entry.turn_credit -= 1.0

    def remove(self, session_id: str) -> None:
        """Forget a closed session (no error if it is already gone)."""
        self._entries.pop(session_id, None)

    @contextlib.contextmanager
    def using(self, session_id: str, owner: str) -> Iterator[None]:
        """Mark the session in use (it cannot expire) while the block runs; checks it first."""
        self.check(session_id, owner)
        entry = self._entries[session_id]
        entry.in_use += 1
        entry.last_used = self._clock()
        try:
            yield
        finally:
            entry.in_use -= 1
            entry.last_used = self._clock()
