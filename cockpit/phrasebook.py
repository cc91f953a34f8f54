"""Reply sentences by language: a skill writes each sentence once per language and picks one per turn.

A :class:`Phrasebook` is a table language -> key -> sentence, where a sentence may hold
``str.format`` fields (``"The fan is at {percent} percent."``). Every language has exactly the
keys of the fallback language (English) and no field the fallback lacks, so a missing or mistyped
translation fails when the skill's module is imported, not in a car. Values put into the fields
are data (track titles, place names): they are inserted, never read as format strings.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

from cockpit.langtag import primary_language

FALLBACK_LANGUAGE = "en"
"""The language every phrasebook must have, and the one used for a language it lacks."""

SAY_BACK_CHARS = 60
"""The most of a user's or an outside text (a destination, a title) a reply repeats."""


def say_back(text: str, limit: int = SAY_BACK_CHARS) -> str:
    """User or outside text made safe to repeat in a reply: control, format and separator
    characters become spaces, runs of spaces one, and it is cut to ``limit`` characters ("…")."""
    words = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _fields(sentence: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(sentence) if field}


class Phrasebook:
    """Sentences by language and key; :meth:`say` fills one in."""

    def __init__(self, phrases: Mapping[str, Mapping[str, str]], fallback: str = FALLBACK_LANGUAGE) -> None:
        """``phrases`` maps a BCP 47 primary language tag to ``{key: sentence}``; a mismatch raises ValueError."""
        if fallback not in phrases:
            raise ValueError(f"a phrasebook needs the fallback language {fallback!r}")
        base = phrases[fallback]
        for language, table in phrases.items():
            missing, extra = set(base) - set(table), set(table) - set(base)
            if missing or extra:
                raise ValueError(f"phrasebook {language!r}: missing {sorted(missing)}, unknown {sorted(extra)}")
            for key, sentence in table.items():
                unknown = _fields(sentence) - _fields(base[key])
                if unknown:
                    raise ValueError(f"phrasebook {language!r} {key!r}: fields {sorted(unknown)} not in {fallback!r}")
        self._phrases = MappingProxyType({lang: MappingProxyType(dict(table)) for lang, table in phrases.items()})
        self.fallback = fallback
        """The language used when a turn's language has no sentences here."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it has sentences for."""
        return tuple(self._phrases)

    def say(self, language: str, key: str, **values: object) -> str:
        """Sentence ``key`` in ``language`` (``"ko"``, ``"ko-KR"``; the fallback when absent), fields filled."""
        table = self._phrases.get(primary_language(language)) or self._phrases[self.fallback]
        return table[key].format(**values)
