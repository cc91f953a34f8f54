"""Finding what a spoken play request asks for in the media library: a pure function.

A query is split into word tokens and compared with each item's title, byline (artist,
frequency, host) and genre. Tokens match exactly, or for words of four letters or more when
they are close enough (``difflib`` ratio >= 0.8) to survive a recogniser's slips ("beetles").
A field matches when every query token is in it, or when the whole field is in the query and
covers at least half of it. The best score wins; ties go to tracks before stations before
podcasts, title before byline before genre, then library order, so the choice is deterministic.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from skills.media.library import KINDS, MediaItem, MediaLibrary

FUZZY_RATIO = 0.8
"""Lowest ``difflib`` similarity at which two words count as the same word."""
FUZZY_MIN_LENGTH = 4
"""Shorter words must match exactly: "pop" is not "hop"."""

_COMMAND = re.compile(
    r"^\s*(?:(?:can|could|would|will) you\s+)?(?:please\s+)?"
    r"(?:play|put on|listen to|i want to hear|i'd like to hear|let's hear|let me hear|start)\s+(?:me\s+)?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_STOPWORDS = frozenset(
    {"a", "an", "the", "some", "my", "please", "music", "song", "songs", "track", "tracks", "tunes", "of"}
    | {"something", "anything", "stuff", "whatever", "any", "for", "now"}
    | {"음악", "노래", "곡", "좀", "아무", "아무거나", "거", "것", "방송", "채널"}
)
_KIND_HINTS = {
    "radio": "station",
    "station": "station",
    "stations": "station",
    "fm": "station",
    "am": "station",
    "podcast": "podcast",
    "podcasts": "podcast",
    "episode": "podcast",
    "라디오": "station",
    "팟캐스트": "podcast",
}
_FIELDS = ("title", "by", "genre")


@dataclass(frozen=True)
class SearchResult:
    """What a query found and how."""

    item: MediaItem
    """The item to play."""
    field: str
    """What matched: ``title``, ``by`` (artist/frequency/host), ``genre``, or ``kind`` for "some music"."""


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens, accents and apostrophes dropped, ``&`` read as ``and``."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("'", "").replace("’", "")
    return _TOKEN.findall(unicodedata.normalize("NFC", plain))  # Hangul syllables composed again


def _content(words: Sequence[str]) -> list[str]:
    return [w for w in words if w not in _STOPWORDS and w not in _KIND_HINTS]


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) < FUZZY_MIN_LENGTH or len(b) < FUZZY_MIN_LENGTH or not (a.isalpha() and b.isalpha()):
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= FUZZY_RATIO


def field_score(query: Sequence[str], field: Sequence[str]) -> float | None:
    """``coverage of the query + coverage of the field`` (2.0 is an exact match), or None if no match."""
    if not query or not field:
        return None
    q_cov = sum(any(_same(q, f) for f in field) for q in query) / len(query)
    f_cov = sum(any(_same(f, q) for q in query) for f in field) / len(field)
    if q_cov == 1.0 or (f_cov == 1.0 and q_cov >= 0.5):
        return q_cov + f_cov
    return None


def _fields(item: MediaItem) -> tuple[list[str], ...]:
    return tuple(_content(tokens(getattr(item, name))) for name in _FIELDS)


def search(library: MediaLibrary, query: str, current_uri: str = "") -> SearchResult | None:
    """The item ``query`` asks for, or None. ``current_uri`` is preferred for "the radio" and the like."""
    words = tokens(library.in_genre_words(_COMMAND.sub("", query)))
    kinds = {_KIND_HINTS[w] for w in words if w in _KIND_HINTS}
    allowed = tuple(k for k in KINDS if k in kinds) or KINDS
    content = _content(words)
    if not content:
        return _generic(library, allowed, current_uri)
    return _by_artist(library, words, allowed) or _best(library, content, allowed)


def _generic(library: MediaLibrary, allowed: tuple[str, ...], current_uri: str) -> SearchResult | None:
    current = library.get(current_uri)
    if current is not None and current.kind == allowed[0]:
        return SearchResult(current, "kind")
    items = library.of_kind(allowed[0])
    return SearchResult(items[0], "kind") if items else None


def _by_artist(library: MediaLibrary, words: list[str], allowed: tuple[str, ...]) -> SearchResult | None:
    """ "X by Y": a track whose title is X and whose artist is Y (any "by" may be the split)."""
    if "track" not in allowed:
        return None
    best: tuple[float, int] | None = None
    for at, word in enumerate(words):
        if word != "by" or at == 0 or at == len(words) - 1:
            continue
        title, artist = _content(words[:at]), _content(words[at + 1 :])
        for index, item in enumerate(library.of_kind("track")):
            t_field, a_field, _ = _fields(item)
            t, a = field_score(title, t_field), field_score(artist, a_field)
            if t is not None and a is not None and (best is None or (-(t + a), index) < (-best[0], best[1])):
                best = (t + a, index)
    return None if best is None else SearchResult(library.of_kind("track")[best[1]], "title")


def _best(library: MediaLibrary, content: list[str], allowed: tuple[str, ...]) -> SearchResult | None:
    ranked: list[tuple[float, int, int, int, MediaItem, str]] = []
    for index, item in enumerate(library):
        if item.kind not in allowed:
            continue
        for rank, (name, field) in enumerate(zip(_FIELDS, _fields(item), strict=True)):
            score = field_score(content, field)
            if score is not None:
                ranked.append((-score, KINDS.index(item.kind), rank, index, item, name))
    if not ranked:
        return None
    _, _, _, _, item, name = min(ranked, key=lambda r: r[:4])
    return SearchResult(item, name)
