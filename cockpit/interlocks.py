"""Driving state, and the interlocks that guard body functions by it. The table is data.

The driving state comes from the BYD speed and gear frames the cockpit already reads
(:mod:`cockpit.vehicle.powertrain`): *moving* when ``Vehicle.IsMoving`` (which is also true while
the speed is stale or unknown: the safe side), *parked* when standing in P, *idling* when standing
in any other gear.

Each :class:`Interlock` names the signals it guards, when it applies, and what the driver is told.
:func:`check` runs a planned write through the table; the policy calls it for every write. A
speed limit applies when the car is faster than the limit *or* its speed is not known.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from cockpit import vss
from cockpit.events import PolicyDecision
from cockpit.langtag import primary_language
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, SignalWrite
from cockpit.vehicle.powertrain import MOVING_MIN_KMH

SUNROOF_MAX_KMH = 80.0
"""The sunroof does not open above this speed."""
WINDOW_FULL_KMH = 80.0
"""Opening a window fully above this speed needs a yes."""
REAR_SEATS = frozenset({"rear-left", "rear-right"})
"""Seat zones the child locks keep away from the rear windows and the locks themselves."""
PARK = 126
"""VSS ``SelectedGear`` of P."""


class DrivingState(enum.Enum):
    """What the car is doing, as the interlocks and the replies see it."""

    PARKED = "parked"
    IDLING = "idling"
    MOVING = "moving"


def driving_state(state: Mapping[str, SignalValue]) -> DrivingState:
    """The driving state from the confirmed speed, gear and ``IsMoving`` (unknown counts as moving)."""
    if state.get(vss.IS_MOVING, True) is not False:
        return DrivingState.MOVING
    return DrivingState.PARKED if state.get(vss.SELECTED_GEAR) == PARK else DrivingState.IDLING


def _speed(state: Mapping[str, SignalValue]) -> float | None:
    """The speed in km/h, or ``None`` when unknown or stale (moving, by ``IsMoving``, yet standing)."""
    speed = state.get(vss.SPEED)
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        return None
    if state.get(vss.IS_MOVING) is True and speed < MOVING_MIN_KMH:
        return None
    return float(speed)


@dataclass(frozen=True)
class Interlock:
    """One row of the table: which writes it guards, when, and what the driver hears."""

    name: str
    """Short id, as listed in the README."""
    signals: frozenset[str]
    """VSS paths it guards."""
    decision: PolicyDecision
    """``refused`` or ``needs_confirmation``."""
    reason: str
    """The sentence said; ``{limit}`` is the speed limit, ``{speed}`` the car's speed."""
    above_kmh: float | None = None
    """Applies only above this speed (or when the speed is unknown); ``None``: at any speed."""
    opening: bool = False
    """Applies only to a write that opens further than the confirmed position."""
    fully: bool = False
    """Applies only to a write that opens all the way (100 %)."""
    locked_by: Mapping[str, str] | None = None
    """Applies only while this child lock (value) is on for the written window (key)."""
    rear_speaker: bool = False
    """Applies only when the speaker sits in a rear seat."""

    def applies(self, write: SignalWrite, state: Mapping[str, SignalValue], speaker: str) -> bool:
        """Whether this row stops ``write`` in ``state`` when ``speaker``'s seat asked for it."""
        if write.signal not in self.signals or (self.rear_speaker and speaker not in REAR_SEATS):
            return False
        value = write.value if isinstance(write.value, int | float) and not isinstance(write.value, bool) else None
        current = state.get(write.signal, 0)
        if self.opening and (value is None or not isinstance(current, int | float) or value <= current):
            return False
        if self.fully and (value is None or value < 100):
            return False
        if self.locked_by is not None and state.get(self.locked_by[write.signal]) is not True:
            return False
        if self.above_kmh is not None:
            speed = _speed(state)
            return speed is None or speed > self.above_kmh
        return True

    def say(self, state: Mapping[str, SignalValue], language: str = "en") -> str:
        """The reason in ``language``, with the limit and the speed filled in. A row of the shipped
        table is said from :data:`REASONS`; any other row in its own (English) words."""
        speed = _speed(state)
        limit = self.above_kmh or 0
        if primary_language(language) == "ko" and _SHIPPED.get(self.name) == self.reason:
            said = "확인되지 않은 상태" if speed is None else f"시속 {speed:g}킬로미터"
            return REASONS.say(language, self.name, limit=f"시속 {limit:g}킬로미터", speed=said)
        said = "an unknown speed" if speed is None else f"{speed:g} km/h"
        return self.reason.format(limit=f"{limit:g} km/h", speed=said)


_REAR_LOCKS = {
    vss.REAR_DRIVER_SIDE_WINDOW: vss.REAR_DRIVER_SIDE_CHILD_LOCK,
    vss.REAR_PASSENGER_SIDE_WINDOW: vss.REAR_PASSENGER_SIDE_CHILD_LOCK,
}

INTERLOCKS: tuple[Interlock, ...] = (
    Interlock(
        "sunroof-speed",
        frozenset({vss.SUNROOF_POSITION}),
        PolicyDecision.REFUSED,
        "I can't open the sunroof above {limit}; the car is at {speed}.",
        above_kmh=SUNROOF_MAX_KMH,
        opening=True,
    ),
    Interlock(
        "child-lock-window",
        frozenset(_REAR_LOCKS),
        PolicyDecision.REFUSED,
        "The child lock is on, so that window can't be opened from the back seat.",
        opening=True,
        locked_by=_REAR_LOCKS,
        rear_speaker=True,
    ),
    Interlock(
        "child-lock-switch",
        frozenset(_REAR_LOCKS.values()),
        PolicyDecision.REFUSED,
        "Only the front seats can change the child lock.",
        rear_speaker=True,
    ),
    Interlock(
        "window-full-speed",
        frozenset(vss.WINDOWS),
        PolicyDecision.NEEDS_CONFIRMATION,
        "Open the window all the way at {speed}? It will be loud. Should I go ahead?",
        above_kmh=WINDOW_FULL_KMH,
        opening=True,
        fully=True,
    ),
)
"""The interlock table, in the order it is checked (the README lists it)."""

_SHIPPED = {row.name: row.reason for row in INTERLOCKS}

REASONS = Phrasebook(
    {
        "en": _SHIPPED,
        "ko": {
            "sunroof-speed": "{limit}가 넘으면 선루프를 열 수 없습니다. 지금 속도는 {speed}입니다.",
            "child-lock-window": "차일드 락이 켜져 있어서 뒷좌석에서는 그 창문을 열 수 없습니다.",
            "child-lock-switch": "차일드 락은 앞좌석에서만 바꿀 수 있습니다.",
            "window-full-speed": "{speed}에서 창문을 끝까지 열까요? 소리가 클 거예요. 그대로 할까요?",
        },
    }
)
"""Each row's reason by language, keyed by the row's name."""


def check(
    write: SignalWrite,
    state: Mapping[str, SignalValue],
    speaker: str = "driver",
    table: tuple[Interlock, ...] = INTERLOCKS,
) -> Interlock | None:
    """The first row of ``table`` that stops ``write``, or ``None``."""
    return next((row for row in table if row.applies(write, state, speaker)), None)
