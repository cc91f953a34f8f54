"""Simulated places around the car: named places (home, the airport), POIs by category and brand.

Everything is derived from ``places.json`` and the origin, deterministically: the same origin
gives the same places on every run and every machine (offsets come from SHA-256 of the
category and index, never from :func:`hash` or a random generator's global state).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills.navigation.cities import normalise
from skills.navigation.geo import GeoPoint, Place, distance_km, offset

DEFAULT_PLACES_PATH = Path(__file__).with_name("places.json")
"""The places data shipped with the skill."""

MIN_POI_KM = 0.3
"""Closest a simulated POI is placed to the origin."""
MAX_POI_KM = 9.0
"""Farthest a simulated POI is placed from the origin."""

_LEADING_FILLERS = frozenset(
    {"to", "the", "a", "an", "nearest", "closest", "nearby", "any", "some", "go", "take", "me", "please"}
)
_TRAILING_FILLERS = (("near", "me"), ("nearby",), ("around", "here"), ("please",), ("close", "by"))


def strip_fillers(text: str) -> str:
    """The normalised core of a spoken place: ``"the nearest Starbucks please"`` -> ``starbucks``."""
    words = normalise(text).split()
    while words and words[0] in _LEADING_FILLERS:
        words.pop(0)
    changed = True
    while changed:
        changed = False
        for tail in _TRAILING_FILLERS:
            if len(words) > len(tail) and tuple(words[-len(tail) :]) == tail:
                del words[-len(tail) :]
                changed = True
    return " ".join(words)


@dataclass(frozen=True)
class Poi:
    """One simulated point of interest."""

    place: Place
    """Its spoken name (brand + area), position and category."""
    brand: str
    """The brand alone, e.g. ``Starbucks``."""


class SimulatedPlaces:
    """Named places and POIs laid out around ``origin``."""

    def __init__(self, origin: GeoPoint, data: Mapping[str, Any] | None = None) -> None:
        """``data`` has the shape of ``places.json``; by default that file is read."""
        config = data if data is not None else load_places(DEFAULT_PLACES_PATH)
        self.origin = origin
        """Where the car is (the centre of the simulated places)."""
        self._named: dict[str, Place] = {}
        self._korean_labels: dict[str, str] = {}
        self._korean_names: dict[str, str] = {}
        for entry in config["named"]:
            place = Place(str(entry["name"]), offset(origin, float(entry["distance_km"]), float(entry["bearing_deg"])))
            if "name_ko" in entry:
                self._korean_names[place.name] = str(entry["name_ko"])
            for alias in (entry["name"], *entry.get("aliases", ())):
                self._named[strip_fillers(str(alias))] = place
        self._labels: dict[str, str] = {}
        self._category_aliases: dict[str, str] = {}
        self._pois: list[Poi] = []
        areas = [str(a) for a in config["areas"]]
        for index, (category, spec) in enumerate(sorted(config["categories"].items())):
            self._labels[category] = str(spec.get("label", category.replace("_", " ")))
            if "label_ko" in spec:
                self._korean_labels[category] = str(spec["label_ko"])
            for alias in (category, category.replace("_", " "), *spec.get("aliases", ())):
                self._category_aliases[strip_fillers(str(alias))] = category
            self._pois.extend(_layout(origin, category, index, [str(b) for b in spec["brands"]], areas, spec))

    @property
    def categories(self) -> tuple[str, ...]:
        """The POI categories there are places for."""
        return tuple(sorted(self._labels))

    def label(self, category: str, language: str = "en") -> str:
        """How a category is said aloud: ``charging_station`` -> ``charging station`` (``충전소`` in Korean)."""
        if language == "ko" and category in self._korean_labels:
            return self._korean_labels[category]
        return self._labels.get(category, category.replace("_", " "))

    def korean_name(self, name: str) -> str | None:
        """The Korean name of the named place ``name`` (``the airport`` -> ``공항``), or None."""
        return self._korean_names.get(name)

    def category(self, text: str) -> str | None:
        """The category a phrase names ("petrol station" -> ``gas_station``), or None."""
        return self._category_aliases.get(strip_fillers(text))

    def nearest(self, category: str, here: GeoPoint | None = None) -> Place | None:
        """The closest POI of ``category`` to ``here`` (default: the origin), or None."""
        return _closest((p.place for p in self._pois if p.place.category == category), here or self.origin)

    def resolve(self, text: str, here: GeoPoint | None = None) -> Place | None:
        """A named place, the nearest POI of a category or brand, or a POI by its full name; None if none."""
        key = strip_fillers(text)
        if not key:
            return None
        if key in self._named:
            return self._named[key]
        category = self._category_aliases.get(key)
        if category is not None:
            return self.nearest(category, here)
        by_name = [p.place for p in self._pois if normalise(p.place.name) == key]
        if by_name:
            return by_name[0]
        return _closest((p.place for p in self._pois if normalise(p.brand) == key), here or self.origin)

    def pois(self) -> tuple[Poi, ...]:
        """Every simulated POI."""
        return tuple(self._pois)


def load_places(path: Path) -> dict[str, Any]:
    """Read a places file (the shape of ``places.json``)."""
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _unit(*parts: object) -> tuple[float, float]:
    """Two numbers in [0, 1) that depend only on ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32, int.from_bytes(digest[4:8], "big") / 2**32


def _layout(
    origin: GeoPoint, category: str, index: int, brands: list[str], areas: list[str], spec: Mapping[str, Any]
) -> list[Poi]:
    pois = []
    for i in range(int(spec.get("count", len(brands)))):
        u, v = _unit(category, i)
        km = MIN_POI_KM + u * (MAX_POI_KM - MIN_POI_KM)
        brand = brands[i % len(brands)]
        # Stepping areas by 3 (coprime with 8) keeps brand + area names distinct within a category.
        area = areas[(i * 3 + index) % len(areas)]
        pois.append(Poi(Place(f"{brand} {area}", offset(origin, km, v * 360.0), category), brand))
    return pois


def _closest(places: Iterable[Place], here: GeoPoint) -> Place | None:
    return min(places, key=lambda p: (distance_km(here, p.point), p.name), default=None)
