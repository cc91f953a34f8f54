"""The simulated body ECU: four door windows, the sunroof and the rear child locks.

Positions are percent open, 0 closed .. 100 fully open, as ``BODY_CMD`` requests them. The ECU
moves to a requested position at once and reports it (a real window takes seconds; the cockpit's
confirmation only needs the position the ECU settled on). A position outside 0..100 is refused
with ``CMD_RESULT`` 2 (the whole command), and a car without a sunroof answers 3 for it.
Driving-state interlocks are the cockpit's policy, not the ECU's: the ECU does what it is told.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from can_sim.ecu import Request, SimulatedEcu, switch
from vehicle_contract.ack import CmdResult
from vehicle_contract.signals import CanValue

POSITION_MAX = 100
"""Fully open, percent."""
WINDOW_FIELDS = ("WINDOW_FL", "WINDOW_FR", "WINDOW_RL", "WINDOW_RR")
"""The four windows' status fields; each request field is the same name plus ``_REQ``."""


@dataclass(frozen=True)
class BodyState:
    """What the body ECU reports."""

    windows: tuple[int, int, int, int] = (0, 0, 0, 0)
    """Front-left, front-right, rear-left, rear-right, percent open."""
    sunroof: int = 0
    """Sunroof, percent open."""
    child_lock_left: bool = False
    """Rear-left child lock: on, the rear-left window takes no request from the rear seats."""
    child_lock_right: bool = False
    """Rear-right child lock."""


class BodyEcu(SimulatedEcu[BodyState]):
    """Windows, sunroof and child locks."""

    name = "body ECU"
    command_message = "BODY_CMD"
    status_message = "BODY_STATUS"
    default_state = BodyState()

    def __init__(self, *args: Any, has_sunroof: bool = True, **kwargs: Any) -> None:
        """``has_sunroof``: whether the car has one; the rest as :class:`SimulatedEcu`."""
        super().__init__(*args, **kwargs)
        self.has_sunroof = has_sunroof
        """Whether the car has a sunroof; without one a sunroof request is "not available"."""

    def _apply(self, request: Request) -> CmdResult:
        windows = list(self._state.windows)
        for i, field in enumerate(WINDOW_FIELDS):
            if f"{field}_REQ" in request:
                position = _position(request[f"{field}_REQ"])
                if position is None:
                    return CmdResult.REJECTED_LIMIT
                windows[i] = position
        changes: dict[str, object] = {"windows": (windows[0], windows[1], windows[2], windows[3])}
        if "SUNROOF_REQ" in request:
            if not self.has_sunroof:
                return CmdResult.REJECTED_UNAVAILABLE
            sunroof = _position(request["SUNROOF_REQ"])
            if sunroof is None:
                return CmdResult.REJECTED_LIMIT
            changes["sunroof"] = sunroof
        for field, key in (("CHILD_LOCK_LEFT_REQ", "child_lock_left"), ("CHILD_LOCK_RIGHT_REQ", "child_lock_right")):
            on = switch(request, field)
            if on is not None:
                changes[key] = on
        self._state = dataclasses.replace(self._state, **changes)  # type: ignore[arg-type]
        return CmdResult.APPLIED

    def _status(self) -> dict[str, CanValue]:
        s = self._state
        status: dict[str, CanValue] = dict(zip(WINDOW_FIELDS, s.windows, strict=True))
        status.update(
            SUNROOF=s.sunroof, CHILD_LOCK_LEFT=int(s.child_lock_left), CHILD_LOCK_RIGHT=int(s.child_lock_right)
        )
        return status


def _position(raw: float | str) -> int | None:
    """A requested position as whole percent, or ``None`` outside 0..100."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if 0 <= value <= POSITION_MAX else None
