"""Policy: the one place every action passes before it reaches the car.

It checks each planned signal write against the signal's range and step, the set of signals
the cockpit may write at all, and a few driving-state interlocks. A refusal carries a reason a
driver can hear. The transmit allow-list for CAN IDs is enforced again, independently, by the
vehicle gateway: a bug in a skill cannot put a foreign frame on the bus.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cockpit import vss
from cockpit.events import PolicyDecision
from cockpit.skill_api import SignalValue, SignalWrite

# Words for a spoken refusal: what the signal is, and its unit as said aloud.
_SPOKEN: Mapping[str, tuple[str, str]] = {
    vss.DRIVER_TEMPERATURE: ("the temperature", "degrees"),
    vss.PASSENGER_TEMPERATURE: ("the temperature", "degrees"),
    vss.DRIVER_FAN_SPEED: ("the fan", "percent"),
    vss.MEDIA_VOLUME: ("the volume", "percent"),
    vss.DRIVER_SEAT_HEATING: ("the seat heating", "percent"),
    vss.PASSENGER_SEAT_HEATING: ("the seat heating", "percent"),
}

LOUD_VOLUME = 85
"""Volumes above this need a spoken confirmation: a misheard number must not deafen anyone."""


@dataclass(frozen=True)
class PolicyResult:
    """The policy's verdict on a plan."""

    decision: PolicyDecision
    """allowed, needs_confirmation or refused."""
    reason: str = ""
    """Why, as a sentence a driver can hear (empty when allowed without remark)."""


ALLOWED = PolicyResult(PolicyDecision.ALLOWED)


def _fmt(x: float) -> str:
    return f"{x:g}"


class Policy:
    """Range, step, writability and interlock checks for planned writes."""

    def __init__(self, signals: Mapping[str, vss.SignalSpec] | None = None, loud_volume: int = LOUD_VOLUME) -> None:
        self._signals = dict(vss.SIGNALS if signals is None else signals)
        self._loud_volume = loud_volume

    def check_write(self, write: SignalWrite, state: Mapping[str, SignalValue]) -> PolicyResult:
        """The verdict on one write, given the car's confirmed state."""
        spec = self._signals.get(write.signal)
        if spec is None or not spec.writable:
            return PolicyResult(PolicyDecision.REFUSED, "I'm not able to change that in this car.")
        if spec.datatype == "boolean":
            if not isinstance(write.value, bool):
                return PolicyResult(PolicyDecision.REFUSED, "That setting can only be switched on or off.")
            return ALLOWED
        if spec.datatype == "string":
            return (
                ALLOWED
                if isinstance(write.value, str) and write.value
                else PolicyResult(PolicyDecision.REFUSED, "I didn't get what to play.")
            )
        return self._check_number(spec, write.value, state)

    def _check_number(self, spec: vss.SignalSpec, value: SignalValue, state: Mapping[str, SignalValue]) -> PolicyResult:
        what, unit = _SPOKEN.get(spec.path, ("that", ""))
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return PolicyResult(PolicyDecision.REFUSED, f"I need a number for {what}.")
        lo, hi = spec.minimum, spec.maximum
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = f"between {_fmt(lo)} and {_fmt(hi)} {unit}".rstrip() if lo is not None and hi is not None else ""
            return PolicyResult(PolicyDecision.REFUSED, f"I can only set {what} {span}.".replace("  ", " "))
        if spec.step and lo is not None:
            steps = (value - lo) / spec.step
            if abs(steps - round(steps)) > 1e-6:
                return PolicyResult(
                    PolicyDecision.REFUSED, f"{what.capitalize()} goes in steps of {_fmt(spec.step)} {unit}."
                )
        if spec.path == vss.MEDIA_VOLUME and value > self._loud_volume:
            current = state.get(vss.MEDIA_VOLUME)
            if not isinstance(current, int | float) or value > current:
                return PolicyResult(
                    PolicyDecision.NEEDS_CONFIRMATION, f"That's very loud: {_fmt(value)} percent. Should I go ahead?"
                )
        return ALLOWED

    def check_plan(self, writes: Iterable[SignalWrite], state: Mapping[str, SignalValue]) -> PolicyResult:
        """The verdict on all writes of a plan: the first refusal wins, then any confirmation."""
        pending: PolicyResult | None = None
        for write in writes:
            result = self.check_write(write, state)
            if result.decision is PolicyDecision.REFUSED:
                return result
            if result.decision is PolicyDecision.NEEDS_CONFIRMATION and pending is None:
                pending = result
        return pending or ALLOWED
