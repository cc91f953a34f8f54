"""Korean names of countries and US states, for the question that tells same-named cities apart.

The names come from the Debian ``iso-codes`` package (ISO 3166-1 and 3166-2 with their Korean
translations, LGPL-2.1+), extracted once into ``regions.ko.json`` beside this module so that the
car needs nothing outside the repository: ``python -m skills.navigation.regions`` writes it again
from ``/usr/share/iso-codes`` and ``/usr/share/locale``. Only translations written in Hangul are
kept (iso-codes leaves many untranslated); a name the file lacks is said as GeoNames has it.
"""

from __future__ import annotations

import functools
import gettext
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from cockpit.hangul import has_hangul

KOREAN_NAMES_PATH = Path(__file__).with_name("regions.ko.json")
"""Region code (``KR``, ``US-IL``) -> its Korean name."""
ISO_CODES_JSON = Path("/usr/share/iso-codes/json")
"""Where Debian's iso-codes keeps the ISO 3166 tables (only read to regenerate the file)."""
MISTRANSLATED = frozenset({"US-AL", "US-DE"})
"""iso-codes 4.15 names these states as languages ("알라바마어"): left out, said as GeoNames has them."""
STANDARD_SPELLINGS: Mapping[str, str] = MappingProxyType(
    {
        "US-AK": "알래스카",
        "US-IN": "인디애나",
        "US-KS": "캔자스",
        "US-LA": "루이지애나",
        "US-MA": "매사추세츠",
        "US-MO": "미주리",
        "US-NH": "뉴햄프셔",
        "US-OR": "오리건",
    }
)
"""States iso-codes spells other than the standard Korean loanword spelling (미조리 for 미주리):
the standard one, as a Korean driver reads it."""


@functools.cache
def korean_names() -> Mapping[str, str]:
    """Region code -> Korean name, from the shipped file."""
    with KOREAN_NAMES_PATH.open(encoding="utf-8") as f:
        names: dict[str, str] = json.load(f)["names"]
    return MappingProxyType(names)


def extract(iso_dir: Path = ISO_CODES_JSON, locale_dir: Path = Path("/usr/share/locale")) -> dict[str, str]:
    """Korean names of every country and US state that iso-codes translates into Hangul."""
    names: dict[str, str] = {}
    for table, key, keep in (("3166-1", "alpha_2", lambda _: True), ("3166-2", "code", _us_state)):
        entries = json.loads((iso_dir / f"iso_{table}.json").read_text(encoding="utf-8"))[table]
        translation = gettext.translation(f"iso_{table}", str(locale_dir), ["ko"], fallback=True)
        for entry in entries:
            code = str(entry[key])
            korean = translation.gettext(str(entry["name"]))
            if keep(code) and code not in MISTRANSLATED and has_hangul(korean):
                names[code] = STANDARD_SPELLINGS.get(code, korean)
    return names


def _us_state(code: str) -> bool:
    return code.startswith("US-")


if __name__ == "__main__":
    data = {"_source": "Debian iso-codes (ISO 3166-1, 3166-2; Korean translations), LGPL-2.1+", "names": extract()}
    KOREAN_NAMES_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
