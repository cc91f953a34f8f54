"""Speed, gear and "is moving" from BYD's powertrain frames. Pure: time comes in as an argument.

Sources, best first:

- ``WHEELSPEED_CLEAN`` (0x1F0): one 16-bit speed, 0.1 km/h, guarded by BYD's checksum.
- ``WHEEL_SPEED`` (0x122): four wheel speeds, 0.1 km/h. The rear-right wheel's high byte is a
  status byte on the real car, so its value is not a speed: the average is over the other three.
  Used only while no fresh clean speed is arriving.
- ``DRIVE_STATE`` (0x242) ``GEAR``: 1 P, 2 R, 4 D. VSS ``SelectedGear`` counts forward gears
  from 1, reverse gears from -1, with 0 neutral, 126 park and 127 drive, so P -> 126, R -> -1,
  D -> 127. Other raw values are unknown on this car and leave the gear as it was.

Safe side: speed is *stale* once no speed frame has arrived for :data:`SPEED_STALE_S`, and then
``Vehicle.IsMoving`` is true whatever the last speed was, until fresh frames return. Before the
first speed frame the car counts as moving too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vehicle_contract import vss
from vehicle_contract.signals import number_of
from vehicle_contract.vss import SignalValue

SPEED_FRAME_PERIOD_S = 0.02
"""BYD sends its speed frames at 50 Hz."""
SPEED_STALE_S = 0.2
"""No speed frame for this long (ten 50 Hz cycles) and the speed is stale. Ten cycles rather than
a handful: a Python process under load (an LLM answer, a test suite) can pause a thread for tens
of milliseconds, and a false "moving" locks the driver out of features; still far below the
second or more a spoken request takes, so no request ever acts on a dead speed signal."""
MOVING_MIN_KMH = 0.5
"""Speeds below this count as standing still (wheel-speed noise is one or two 0.1 km/h steps)."""
GEAR_TO_VSS: Mapping[int, int] = {1: 126, 2: -1, 4: 127}
"""BYD ``DRIVE_STATE.GEAR`` raw value -> VSS ``SelectedGear`` (P 126, R -1, D 127)."""
FRAMES = ("WHEELSPEED_CLEAN", "WHEEL_SPEED", "DRIVE_STATE")
"""The BYD messages the tracker reads."""


class PowertrainTracker:
    """Keeps the latest powertrain readings and turns them into VSS values."""

    def __init__(self, stale_after_s: float = SPEED_STALE_S) -> None:
        self.stale_after_s = stale_after_s
        """Seconds without a speed frame after which the car counts as moving."""
        self._clean: tuple[float, float] | None = None  # (km/h, time)
        self._wheels: tuple[float, float] | None = None
        self._gear: int | None = None

    def on_clean_speed(self, kmh: float, now: float) -> None:
        """A ``WHEELSPEED_CLEAN`` frame whose checksum was verified."""
        self._clean = (kmh, now)

    def on_wheel_speeds(self, front_left: float, front_right: float, rear_left: float, now: float) -> None:
        """A ``WHEEL_SPEED`` frame (rear-right left out: its high byte is a status byte)."""
        self._wheels = ((front_left + front_right + rear_left) / 3.0, now)

    def on_gear(self, raw: int) -> None:
        """A ``DRIVE_STATE`` frame's ``GEAR``."""
        if raw in GEAR_TO_VSS:
            self._gear = GEAR_TO_VSS[raw]

    def on_frame(self, message: str, decoded: Mapping[str, Any], now: float) -> None:
        """One decoded frame of :data:`FRAMES` (``WHEELSPEED_CLEAN``'s checksum already verified)."""
        if message == "WHEELSPEED_CLEAN":
            self.on_clean_speed(number_of(decoded["WHEELSPEED_CLEAN"]), now)
        elif message == "WHEEL_SPEED":
            fl, fr, rl = (number_of(decoded[k]) for k in ("WHEELSPEED_FL", "WHEELSPEED_FR", "WHEELSPEED_BL"))
            self.on_wheel_speeds(fl, fr, rl, now)
        elif message == "DRIVE_STATE":
            self.on_gear(int(number_of(decoded["GEAR"])))

    def _fresh(self, reading: tuple[float, float] | None, now: float) -> bool:
        return reading is not None and now - reading[1] < self.stale_after_s

    def speed(self, now: float) -> tuple[float | None, bool]:
        """(best known speed in km/h or ``None``, whether it is fresh)."""
        if self._fresh(self._clean, now):
            return self._clean[0], True  # type: ignore[index]
        if self._fresh(self._wheels, now):
            return self._wheels[0], True  # type: ignore[index]
        latest = max((r for r in (self._clean, self._wheels) if r is not None), key=lambda r: r[1], default=None)
        return (latest[0] if latest else None), False

    def values(self, now: float) -> dict[str, SignalValue]:
        """``Vehicle.Speed`` (when ever known), ``SelectedGear`` (when known) and ``IsMoving``."""
        speed, fresh = self.speed(now)
        out: dict[str, SignalValue] = {}
        if speed is not None:
            out[vss.SPEED] = round(speed, 1)
        if self._gear is not None:
            out[vss.SELECTED_GEAR] = self._gear
        out[vss.IS_MOVING] = (not fresh) or speed is None or speed >= MOVING_MIN_KMH
        return out
