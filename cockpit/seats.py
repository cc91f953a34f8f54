"""Seats and sides: which seat "left" and "right" name depends on where the steering wheel is.

The car's contract names zones by role (VSS ``Row1.Driver``/``Row1.Passenger`` for climate,
``Row2.DriverSide``/``Row2.PassengerSide`` for the rear doors), while people in the car say
"left" and "right". The ``drive_side`` setting (``left``: left-hand drive, the default; ``right``)
maps one to the other, in one place.
"""

from __future__ import annotations

DRIVE_SIDES = ("left", "right")
"""The values of the ``drive_side`` setting."""


def front_seat(side: str, drive_side: str = "left") -> str:
    """``driver`` or ``passenger`` for the front seat on ``side`` (``left`` or ``right``)."""
    _check(side, drive_side)
    return "driver" if side == drive_side else "passenger"


def rear_on_driver_side(side: str, drive_side: str = "left") -> bool:
    """Whether the rear seat (door, window) on ``side`` is behind the driver."""
    _check(side, drive_side)
    return side == drive_side


def _check(side: str, drive_side: str) -> None:
    if side not in DRIVE_SIDES or drive_side not in DRIVE_SIDES:
        raise ValueError(f"side and drive_side are 'left' or 'right', not {side!r} and {drive_side!r}")
