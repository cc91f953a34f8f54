"""BCP 47 language tags, as sessions, settings and template files carry them (``en``, ``ko-KR``, ``en_US``)."""

from __future__ import annotations


def primary_language(tag: str) -> str:
    """``"ko-KR"`` -> ``"ko"``: the primary subtag, lowercase (``_`` is taken for ``-``)."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()
