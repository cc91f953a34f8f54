"""DBC signal values as both sides handle them, and the media item convention.

Decoded values come in as numbers or value-table labels (anything with ``name`` and ``value``,
which is what cantools' ``NamedSignalValue`` is); commands go out as numbers or labels. A media
item travels as a kind label plus a 16-bit id and is named ``media:<kind>:<id>`` in VSS. Pure code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CanValue = int | float | str
"""A value for one DBC signal: a physical number or a value-table label."""


def label_of(value: Any) -> str | None:
    """The value-table label of a decoded value, or ``None`` for a plain number."""
    if isinstance(value, int | float):
        return None
    name = getattr(value, "name", None)
    return str(name) if name is not None else None


def number_of(value: Any) -> float:
    """A decoded value as a number; a labelled value gives its raw number."""
    if isinstance(value, int | float):
        return float(value)
    return float(value.value)


MEDIA_KINDS: Mapping[str, str] = {"track": "TRACK", "station": "STATION", "podcast": "PODCAST"}
"""Media URI kind -> DBC label of ``SELECT_KIND_REQ``/``PLAYED_KIND``."""
_URI = re.compile(r"media:(track|station|podcast):(\d{1,5})")


def parse_media_uri(uri: str) -> tuple[str, int]:
    """``"media:track:42"`` -> ``("track", 42)``; ``ValueError`` for anything else."""
    match = _URI.fullmatch(uri)
    if not match or not 0 <= int(match.group(2)) <= 0xFFFF:
        raise ValueError(f"expected media:<track|station|podcast>:<0..65535>, got {uri!r}")
    return match.group(1), int(match.group(2))


def media_uri(kind: str, item: int) -> str:
    """Inverse of :func:`parse_media_uri`."""
    return f"media:{kind}:{item}"
