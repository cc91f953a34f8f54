"""Small, pure geometry and phrasing for navigation: points, great-circle distance, ETA words."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cockpit.units import FEET_PER_MILE, METRIC, is_imperial, km_to_miles

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the usual choice for haversine distances."""


@dataclass(frozen=True)
class GeoPoint:
    """A position on the Earth in WGS84 degrees."""

    latitude: float
    """Degrees north (negative: south)."""
    longitude: float
    """Degrees east (negative: west)."""


@dataclass(frozen=True)
class Place:
    """Somewhere the car can be sent."""

    name: str
    """How the place is said aloud, e.g. ``Beijing, China`` or ``Starbucks Riverside``."""
    point: GeoPoint
    """Where it is."""
    category: str = ""
    """POI category (``coffee``, ...) or ``city``; empty for named places such as home."""

    def as_memory(self) -> dict[str, object]:
        """Plain data for the session memory (follow-ups such as "navigate there")."""
        return {
            "name": self.name,
            "latitude": self.point.latitude,
            "longitude": self.point.longitude,
            "category": self.category,
        }


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle (haversine) distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def offset(origin: GeoPoint, km: float, bearing_deg: float) -> GeoPoint:
    """The point ``km`` kilometres from ``origin`` along the initial bearing ``bearing_deg`` (0 = north)."""
    delta = km / EARTH_RADIUS_KM
    theta = math.radians(bearing_deg)
    lat1, lon1 = math.radians(origin.latitude), math.radians(origin.longitude)
    lat2 = math.asin(math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta))
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1), math.cos(delta) - math.sin(lat1) * math.sin(lat2)
    )
    lon_deg = (math.degrees(lon2) + 540.0) % 360.0 - 180.0
    return GeoPoint(round(math.degrees(lat2), 6), round(lon_deg, 6))


def spoken_distance(km: float, language: str = "en", units: str = METRIC) -> str:
    """``0.35`` -> ``350 metres``; ``4.26`` -> ``4.3 kilometres``; ``1943.2`` -> ``1943 kilometres``.

    In Korean (``language="ko"``): ``350미터``, ``4.3킬로미터``. With ``units="imperial"``: feet
    under a tenth of a mile (``300 feet``), else miles (``2.6 miles``; ``2.6마일``).
    """
    korean = language == "ko"
    if is_imperial(units):
        miles = km_to_miles(km)
        if miles < 0.095:
            feet = max(50, round(miles * FEET_PER_MILE / 50) * 50)
            return f"{feet}피트" if korean else f"{feet} feet"
        return _amount(miles, "마일" if korean else "", "mile")
    if km < 0.995:
        metres = max(10, round(km * 100) * 10)
        return f"{metres}미터" if korean else f"{metres} metres"
    return _amount(km, "킬로미터" if korean else "", "kilometre")


def _amount(value: float, korean_unit: str, unit: str) -> str:
    """``value`` with one decimal under 10, whole above; the Korean unit when given, else ``unit`` in English."""
    text = f"{round(value, 1):g}" if value < 9.95 else f"{value:.0f}"
    if korean_unit:
        return f"{text}{korean_unit}"
    return f"1 {unit}" if text == "1" else f"{text} {unit}s"


def spoken_duration(hours: float, language: str = "en") -> str:
    """A travel time as said aloud: ``less than a minute``, ``12 minutes``, ``2 hours 5 minutes``, ``3 days``.

    In Korean (``language="ko"``): ``1분 미만``, ``12분``, ``2시간 5분``, ``3일``.
    """
    korean = language == "ko"
    minutes = round(hours * 60)
    if minutes < 1:
        return "1분 미만" if korean else "less than a minute"
    if minutes < 60:
        return f"{minutes}분" if korean else _plural(minutes, "minute")
    if minutes < 48 * 60:
        h, m = divmod(minutes, 60)
        if korean:
            return f"{h}시간" + (f" {m}분" if m else "")
        return _plural(h, "hour") + (f" {_plural(m, 'minute')}" if m else "")
    days = round(minutes / (24 * 60))
    return f"{days}일" if korean else _plural(days, "day")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
