"""The simulated media library (tracks, radio stations, podcasts) and its URI format.

A media item is addressed by a URI ``media:<kind>:<id>`` where ``kind`` is ``track``,
``station`` or ``podcast`` and ``id`` is a whole number 0-65535 written in decimal, e.g.
``media:track:1`` or ``media:station:3``: the media unit's command frame carries the kind as a
value-table label and the id in 16 bits. The media skill writes such a URI to
``Vehicle.Cabin.Infotainment.Media.SelectedURI``; the head unit reports what plays in
``...Played.URI``, and :meth:`MediaLibrary.labels` turns that into the VSS ``Played.Track`` and
``Played.Artist`` strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit import vss

DEFAULT_LIBRARY_PATH = Path(__file__).with_name("library.json")
"""The library shipped with the skill."""

URI_SCHEME = "media"
"""First part of every media URI."""
KINDS = ("track", "station", "podcast")
"""Kinds of media item, in the order a search prefers them on a tie."""
MAX_ID = 0xFFFF
"""Largest item id: ids travel in a 16-bit field of the media command frame."""
_URI = re.compile(r"media:(track|station|podcast):([0-9]{1,5})")


@dataclass(frozen=True)
class MediaRef:
    """The parts of a media URI."""

    kind: str
    """``track``, ``station`` or ``podcast``."""
    id: int
    """The item's id within its kind, 0-65535."""

    @property
    def uri(self) -> str:
        """The URI, ``media:<kind>:<id>``."""
        return format_uri(self.kind, self.id)


def format_uri(kind: str, item_id: int) -> str:
    """``media:<kind>:<id>``; a :class:`ValueError` for an unknown kind or an id outside 0-65535."""
    if kind not in KINDS:
        raise ValueError(f"unknown media kind {kind!r}; known: {', '.join(KINDS)}")
    if isinstance(item_id, bool) or not isinstance(item_id, int) or not 0 <= item_id <= MAX_ID:
        raise ValueError(f"bad media id {item_id!r}: expected a whole number 0-{MAX_ID}")
    return f"{URI_SCHEME}:{kind}:{item_id}"


def parse_uri(uri: str) -> MediaRef | None:
    """The kind and id of a media URI, or None when ``uri`` is not one (leading zeros are tolerated)."""
    match = _URI.fullmatch(uri) if isinstance(uri, str) else None
    if match is None or int(match.group(2)) > MAX_ID:
        return None
    return MediaRef(match.group(1), int(match.group(2)))


@dataclass(frozen=True)
class MediaItem:
    """One thing the car can play."""

    kind: str
    """``track``, ``station`` or ``podcast``."""
    id: int
    """Unique within its kind, 0-65535."""
    title: str
    """Track title, station name or podcast title."""
    by: str
    """Track artist, station frequency (``102.2 FM``) or podcast host."""
    genre: str
    """Track genre, station format (``jazz``, ``news``) or podcast topic."""

    @property
    def uri(self) -> str:
        """Its media URI."""
        return format_uri(self.kind, self.id)

    def spoken(self) -> str:
        """How the item is named in a reply: ``So What by Miles Davis``, ``Jazz FM on 102.2 FM``."""
        if self.kind == "track":
            return f"{self.title} by {self.by}"
        if self.kind == "station":
            return f"{self.title} on {self.by}"
        return f"the podcast {self.title}"


_PARTICLE = r"(?:으로|로|을|를|이|가|은|는|도|만|요)?"
"""Korean particles a genre name may carry in a request ("재즈를", "클래식으로")."""


def _name_pattern(name: str) -> re.Pattern[str]:
    """A genre name as a whole word, any spacing between its words, and a particle after it."""
    words = r"\s*".join(map(re.escape, name.split()))
    return re.compile(r"(?<![^\W\d_])" + words + _PARTICLE + r"(?![^\W\d_])")


class MediaLibrary:
    """Every item of the library, in file order (the order a search breaks ties by)."""

    def __init__(self, items: list[MediaItem], genre_names: Mapping[str, Mapping[str, Sequence[str]]] = {}) -> None:
        """``genre_names``: language -> genre (as the items have it) -> its names in that language,
        the one a reply uses first."""
        self.items: tuple[MediaItem, ...] = tuple(items)
        """Tracks first, then stations, then podcasts, each in file order."""
        self._genre_names = {lang: {g: tuple(n) for g, n in names.items()} for lang, names in genre_names.items()}
        pairs = [(name, genre) for names in self._genre_names.values() for genre, ns in names.items() for name in ns]
        pairs.sort(key=lambda pair: -len(pair[0]))  # "교통 정보" before "교통"
        self._name_patterns = [(_name_pattern(name), genre) for name, genre in pairs]
        self._by_ref: dict[MediaRef, MediaItem] = {}
        for item in self.items:
            ref = MediaRef(item.kind, item.id)
            if ref in self._by_ref:
                raise ValueError(f"duplicate media item {item.uri}")
            self._by_ref[ref] = item

    def __iter__(self) -> Iterator[MediaItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def of_kind(self, kind: str) -> tuple[MediaItem, ...]:
        """The items of one kind, in file order."""
        return tuple(i for i in self.items if i.kind == kind)

    def get(self, uri: str) -> MediaItem | None:
        """The item a URI names, or None."""
        ref = parse_uri(uri)
        return None if ref is None else self._by_ref.get(ref)

    def genre_name(self, genre: str, language: str) -> str:
        """How a reply in ``language`` names ``genre`` (the genre itself when no name is known)."""
        names = self._genre_names.get(language, {}).get(genre)
        return names[0] if names else genre

    def in_genre_words(self, query: str) -> str:
        """``query`` with each genre name of another language replaced by the genre ("재즈 틀어" ->
        "jazz 틀어"), so the search matches it against the items' genres."""
        for pattern, genre in self._name_patterns:
            query = pattern.sub(f" {genre} ", query)
        return query

    def labels(self, uri: str) -> dict[str, str]:
        """``{Played.Track: title, Played.Artist: artist}`` for a URI; empty for an unknown URI.

        Stations give their name and frequency, podcasts their title and host.
        """
        item = self.get(uri)
        if item is None:
            return {}
        return {vss.MEDIA_TRACK: item.title, vss.MEDIA_ARTIST: item.by}


def library_from_data(data: Mapping[str, Any]) -> MediaLibrary:
    """Build a library from the parsed shape of ``library.json``."""
    items = [MediaItem("track", t["id"], t["title"], t["artist"], t["genre"]) for t in data.get("tracks", ())]
    items += [MediaItem("station", s["id"], s["name"], s["frequency"], s["genre"]) for s in data.get("stations", ())]
    items += [MediaItem("podcast", p["id"], p["title"], p["host"], p["topic"]) for p in data.get("podcasts", ())]
    for item in items:
        format_uri(item.kind, item.id)  # fail at load, not at play time
    return MediaLibrary(items, {k: v for k, v in data.get("genre_names", {}).items() if not k.startswith("_")})


def load_library(path: Path = DEFAULT_LIBRARY_PATH) -> MediaLibrary:
    """Read a library file (JSON, the shape of ``library.json``)."""
    with path.open(encoding="utf-8") as f:
        return library_from_data(json.load(f))


def labels(uri: str, library: MediaLibrary | None = None) -> dict[str, str]:
    """``{Played.Track: ..., Played.Artist: ...}`` for a media URI; empty when the URI is unknown.

    Without ``library`` the shipped library is read on each call (no module-level cache); the
    composition root should rather hand over :meth:`skills.media.MediaSkill.labels`, which uses
    the library the skill was built with.
    """
    return (library if library is not None else load_library()).labels(uri)
