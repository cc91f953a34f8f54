"""Drive profiles: what the simulated powertrain does over time. Pure data and interpolation."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from vehicle_contract.errors import ConfigError

GEARS: Mapping[str, int] = MappingProxyType({"P": 1, "R": 2, "D": 4})
"""Gear letter -> BYD ``DRIVE_STATE.GEAR`` raw value (the DBC's value table)."""


@dataclass(frozen=True)
class DrivePoint:
    """One point of a profile: from ``t_s`` on, the car is in ``gear`` and heads for ``speed_kmh``."""

    t_s: float
    """Seconds since the profile started."""
    speed_kmh: float
    """Speed at ``t_s``; speed is interpolated linearly between points."""
    gear: str = "P"
    """``P``, ``R`` or ``D``; held from this point until the next."""

    def __post_init__(self) -> None:
        if self.gear not in GEARS:
            raise ConfigError("bad-profile", f"gear must be one of {', '.join(GEARS)}, not {self.gear!r}")
        if self.speed_kmh < 0 or self.t_s < 0:
            raise ConfigError("bad-profile", "profile times and speeds are not negative")


@dataclass(frozen=True)
class DriveProfile:
    """A named list of points in time order; after the last point the car holds it."""

    name: str
    """Registry name."""
    points: tuple[DrivePoint, ...]
    """At least one, times strictly increasing."""
    description: str = ""
    """One line for people."""

    def __post_init__(self) -> None:
        times = [p.t_s for p in self.points]
        if not times or any(b <= a for a, b in itertools.pairwise(times)):
            raise ConfigError("bad-profile", f"profile {self.name!r} needs points in strictly increasing time")

    @classmethod
    def of(cls, name: str, *points: tuple[float, float, str], description: str = "") -> DriveProfile:
        """Build from ``(t_s, speed_kmh, gear)`` tuples."""
        return cls(name, tuple(DrivePoint(t, v, g) for t, v, g in points), description)

    @property
    def duration_s(self) -> float:
        """Time of the last point."""
        return self.points[-1].t_s

    def at(self, t_s: float) -> tuple[float, str]:
        """(speed in km/h, gear letter) at ``t_s`` seconds."""
        times = [p.t_s for p in self.points]
        i = bisect.bisect_right(times, t_s) - 1
        if i < 0:
            return self.points[0].speed_kmh, self.points[0].gear
        here = self.points[i]
        if i + 1 >= len(self.points):
            return here.speed_kmh, here.gear
        there = self.points[i + 1]
        frac = (t_s - here.t_s) / (there.t_s - here.t_s)
        return here.speed_kmh + frac * (there.speed_kmh - here.speed_kmh), here.gear


PROFILES: Mapping[str, DriveProfile] = MappingProxyType(
    {
        p.name: p
        for p in (
            DriveProfile.of("parked", (0, 0, "P"), description="standing in P (the default)"),
            DriveProfile.of(
                "city",
                (0, 0, "P"),
                (2, 0, "D"),
                (12, 50, "D"),
                (30, 50, "D"),
                (40, 0, "D"),
                (45, 0, "P"),
                description="pull away, 50 km/h for 18 s, stop, park",
            ),
            DriveProfile.of("highway", (0, 0, "D"), (20, 110, "D"), description="accelerate to 110 km/h and cruise"),
            DriveProfile.of(
                "reverse",
                (0, 0, "R"),
                (3, 5, "R"),
                (8, 5, "R"),
                (10, 0, "R"),
                (11, 0, "P"),
                description="back out of a parking space at 5 km/h",
            ),
        )
    }
)
"""Built-in profiles by name."""


STEADY_PREFIX = "steady:"
"""``steady:KMH`` names a profile that drives in D at KMH from the start (``cockpit ask --speed``)."""
STEADY_MAX_KMH = 250.0
"""Fastest steady profile: BYD's clean speed signal tops out well above any real car."""


def steady(speed_kmh: float) -> DriveProfile:
    """In D at ``speed_kmh`` from the first frame on (0: standing in D, idling)."""
    if not 0 <= speed_kmh <= STEADY_MAX_KMH:
        raise ConfigError("bad-profile", f"a steady speed is 0..{STEADY_MAX_KMH:g} km/h, not {speed_kmh:g}")
    return DriveProfile.of(f"{STEADY_PREFIX}{speed_kmh:g}", (0, speed_kmh, "D"), description="steady speed in D")


def profile_named(name: str, profiles: Mapping[str, DriveProfile] = PROFILES) -> DriveProfile:
    """The profile called ``name`` (or ``steady:KMH``); an unknown name's error lists the known ones."""
    if name.startswith(STEADY_PREFIX):
        try:
            speed = float(name.removeprefix(STEADY_PREFIX))
        except ValueError:
            raise ConfigError("bad-profile", f"{name!r}: steady: takes a speed in km/h, e.g. steady:50") from None
        return steady(speed)
    try:
        return profiles[name]
    except KeyError:
        raise ConfigError(
            "unknown-profile", f"no drive profile {name!r}; known: {', '.join(sorted(profiles))}, steady:KMH"
        ) from None
