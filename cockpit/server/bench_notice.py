"""Command frames the Bench puts on the bus, made visible to the cockpit.

The Bench may send a command frame the cockpit itself would send (``HVAC_CMD``, ``MEDIA_CMD``, ...),
and the ECU carries it out as if the driver had asked. Nothing may change the car silently, so
each such frame is

- logged as a WARNING naming the token that sent it and the writes it asks for, and
- told to every open ``Converse`` stream as one ``action`` event per requested write, status
  ``sent``, outside any turn (turn 0, ``t_ms`` 0), with a ``reason`` that starts with
  :data:`BENCH_REASON` (``"bench: injected by token 'bench-laptop' (HVAC_CMD)"``).

The ECU's answer then reaches the confirmed state as any status frame does (``WatchVehicleState``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import can

from can_sim.decode import DbcSet
from cockpit.events import Action, ActionStatus, Event
from cockpit.listeners import Listeners
from cockpit.vehicle.mapping import COMMANDS, ECUS, CommandBinding
from vehicle_contract.vss import SignalValue

log = logging.getLogger(__name__)

BENCH_REASON = "bench:"
"""How the ``reason`` of an action the Bench injected begins."""

Listener = Callable[[Event], None]


def requested_writes(
    message: str, decoded: Mapping[str, Any], commands: Mapping[str, CommandBinding] = COMMANDS
) -> dict[str, SignalValue]:
    """The VSS writes a decoded command frame asks for (fields saying "no request" are left out)."""
    out: dict[str, SignalValue] = {}
    for binding in commands.values():
        if binding.message != message:
            continue
        try:
            value = binding.conversion.from_can(decoded)
        except (KeyError, TypeError, ValueError):  # a field this frame lacks, or one that does not convert
            continue
        if value is not None:
            out[binding.path] = value
    return out


class CommandNotices:
    """Watches what the Bench sends for the cockpit's command messages, and tells listeners."""

    def __init__(self, dbcs: DbcSet, commands: Mapping[str, CommandBinding] = COMMANDS) -> None:
        self._dbcs = dbcs
        self._bindings = commands
        self._commands = {}
        for link in ECUS:
            info = dbcs.find(link.command)
            if info is not None:
                self._commands[(info.frame_id, info.is_extended)] = info
        self._listeners: Listeners[Listener] = Listeners()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with each notice event (from the thread that injected); returns the unsubscribe."""
        return self._listeners.subscribe(listener)

    def injected(self, msg: can.Message, who: str) -> None:
        """``msg`` was put on the bus by the Bench for token ``who`` (``""``: no tokens)."""
        info = self._commands.get((msg.arbitration_id, msg.is_extended_id))
        if info is None or msg.is_error_frame or msg.is_remote_frame:
            return
        decoded: Mapping[str, Any] = {}
        try:
            result = info.message.decode(bytes(msg.data), decode_choices=True, scaling=True, allow_truncated=True)
            decoded = result if isinstance(result, Mapping) else {}
        except Exception:  # cantools raises several types; an undecodable frame still gets its warning
            log.debug("cannot decode an injected %s frame", info.name, exc_info=True)
        writes = requested_writes(info.name, decoded, self._bindings)
        by = f"token {who!r}" if who else "a client (no tokens)"
        shown = ", ".join(f"{path}={value!r}" for path, value in writes.items()) or "no decodable write"
        log.warning("the Bench put a %s command frame on the bus for %s: %s", info.name, by, shown)
        reason = f"{BENCH_REASON} injected by {by} ({info.name})"
        events = [Event.of(Action(p, v, ActionStatus.SENT, reason, source="bench"), 0, 0.0) for p, v in writes.items()]
        listeners = self._listeners.current()
        for event in events:
            for listener in listeners:
                listener(event)
