"""Distances and speeds in the driver's units: the one place kilometres become miles.

The car, the CAN frames and VSS are metric (km, km/h); only what is said changes with the
``units`` setting (:class:`cockpit.skill_api.SkillContext.units`). Lengths and speeds, which
navigation (distances, arrival times) and the drive skill (the speed) both say, and the
Celsius/Fahrenheit conversion every reply shares; how the climate skill reads and checks
temperatures is its own (:mod:`skills.climate.units`).
"""

from __future__ import annotations

import math

METRIC, IMPERIAL = "metric", "imperial"
"""The values of the ``units`` setting."""

KM_PER_MILE = 1.609344
"""The international mile, exactly."""
FEET_PER_MILE = 5280
"""Feet in a mile: short imperial distances are said in feet."""


def to_fahrenheit(celsius: float) -> float:
    """``celsius`` in degrees Fahrenheit."""
    return celsius * 9.0 / 5.0 + 32.0


def whole_fahrenheit(celsius: float) -> int:
    """``celsius`` as the whole Fahrenheit degree a driver hears (halves round up): 21.0 -> 70."""
    return math.floor(to_fahrenheit(celsius) + 0.5)


def to_celsius(fahrenheit: float) -> float:
    """``fahrenheit`` in degrees Celsius."""
    return (fahrenheit - 32.0) * 5.0 / 9.0


def is_imperial(units: str) -> bool:
    """Whether ``units`` (the setting's value) asks for miles and mph; anything else is metric."""
    return units.strip().lower() == IMPERIAL


def km_to_miles(km: float) -> float:
    """Kilometres as miles."""
    return km / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    """Miles as kilometres."""
    return miles * KM_PER_MILE


def kmh_to_mph(kmh: float) -> float:
    """A speed in km/h as miles per hour."""
    return kmh / KM_PER_MILE


def distance_in(km: float, units: str) -> float:
    """``km`` in the driver's long-distance unit: kilometres (metric) or miles (imperial)."""
    return km_to_miles(km) if is_imperial(units) else km


def speed_in(kmh: float, units: str) -> float:
    """``kmh`` in the driver's speed unit: km/h (metric) or mph (imperial)."""
    return kmh_to_mph(kmh) if is_imperial(units) else kmh
