"""Policy: the one place every action passes before it reaches the car.

It checks each planned signal write against the signal's range and step, the set of signals
the cockpit may write at all, and the driving-state interlocks (:mod:`cockpit.interlocks`). A
refusal carries a reason a driver can hear. The transmit allow-list for CAN IDs is enforced
again, independently, by the vehicle gateway: a bug in a skill cannot put a foreign frame on the bus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cockpit import interlocks, vss
from cockpit.events import PolicyDecision
from cockpit.skill_api import SignalValue, SignalWrite, finite_number

# Words for a spoken refusal: what the signal is, and its unit as said aloud.
_SPOKEN: Mapping[str, tuple[str, str]] = {
    vss.DRIVER_TEMPERATURE: ("the temperature", "degrees"),
    vss.PASSENGER_TEMPERATURE: ("the temperature", "degrees"),
    vss.DRIVER_FAN_SPEED: ("the fan", "percent"),
    vss.MEDIA_VOLUME: ("the volume", "percent"),
    vss.DRIVER_SEAT_HEATING: ("the seat heating", "percent"),
    vss.PASSENGER_SEAT_HEATING: ("the seat heating", "percent"),
    **{window: ("the window", "percent") for window in vss.WINDOWS},
    vss.SUNROOF_POSITION: ("the sunroof", "percent"),
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
DIDNT_CATCH = "Sorry, I didn't catch that."
"""Said, with nothing done, for a spoken command heard too unsure to read back."""


@dataclass(frozen=True)
class Hearing:
    """How sure the car must be of a spoken command before it acts on it."""

    confirm_below: float = 0.6
    """Below this confidence the command is read back and waits for a yes."""
    reject_below: float = 0.2
    """Below this it is not acted on at all."""
    confirm_free_text_below: float = 0.9
    """Commands with a free-text slot (a destination, what to play) are read back below this."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.reject_below <= self.confirm_below <= 1.0:
            raise ValueError("hearing thresholds must satisfy 0 <= reject_below <= confirm_below <= 1")


def _fmt(x: float) -> str:
    return f"{x:g}"


class Policy:
    """Range, step, writability and interlock checks for planned writes."""

    def __init__(
        self,
        signals: Mapping[str, vss.SignalSpec] | None = None,
        loud_volume: int = LOUD_VOLUME,
        hearing: Hearing | None = None,
    ) -> None:
        self._signals = dict(vss.SIGNALS if signals is None else signals)
        self._loud_volume = loud_volume
        self._hearing = hearing or Hearing()

    def check_hearing(self, heard: str, confidence: float, free_text: bool) -> PolicyResult:
        """The verdict on acting on a spoken command ``heard`` with ``confidence`` (0..1).

        Unsure: read it back ("Did you say: ...?") and wait for a yes. Very unsure: do nothing
        and say so. ``free_text``: the command carries a destination or a query, which a
        mishearing turns into another real place or title, so it needs more certainty.
        """
        hearing = self._hearing
        if confidence < hearing.reject_below:
            return PolicyResult(PolicyDecision.REFUSED, DIDNT_CATCH)
        limit = max(hearing.confirm_below, hearing.confirm_free_text_below) if free_text else hearing.confirm_below
        if confidence < limit:
            return PolicyResult(PolicyDecision.NEEDS_CONFIRMATION, f"Did you say: {heard}?")
        return ALLOWED

    def check_write(
        self, write: SignalWrite, state: Mapping[str, SignalValue], speaker: str = "driver"
    ) -> PolicyResult:
        """The verdict on one write, given the car's confirmed state and the speaker's seat: the
        signal's type and range first, then the driving-state interlocks (:mod:`cockpit.interlocks`)."""
        result = self._check_value(write, state)
        if result.decision is PolicyDecision.REFUSED:
            return result
        row = interlocks.check(write, state, speaker)
        if row is not None and (row.decision is PolicyDecision.REFUSED or result is ALLOWED):
            return PolicyResult(row.decision, row.say(state))
        return result

    def _check_value(self, write: SignalWrite, state: Mapping[str, SignalValue]) -> PolicyResult:
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
        number = finite_number(value)
        if number is None:
            return PolicyResult(PolicyDecision.REFUSED, f"I need a number for {what}.")
        value = number
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

    def check_plan(
        self, writes: Iterable[SignalWrite], state: Mapping[str, SignalValue], speaker: str = "driver"
    ) -> PolicyResult:
        """The verdict on all writes of a plan: the first refusal wins, then any confirmation."""
        pending: PolicyResult | None = None
        for write in writes:
            result = self.check_write(write, state, speaker)
            if result.decision is PolicyDecision.REFUSED:
                return result
            if result.decision is PolicyDecision.NEEDS_CONFIRMATION and pending is None:
                pending = result
        return pending or ALLOWED
