"""The navigation skill: destinations, nearby places, cancelling guidance and arrival times.

Resolution is offline: named places and POIs are simulated around the car's position
(:mod:`skills.navigation.places`), cities come from GeoNames (:mod:`skills.navigation.cities`).
A destination the user speaks is only ever data: it is looked up, and echoed in a reply after
being cleaned, never used as a format string, a path or anything else.

``navigation.get_eta`` and ``navigation.query`` change nothing: they read the destination the
navigation unit last confirmed, and name it only when this session's memory says which place it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.phrasebook import primary_language, say_back
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, fact_number, fact_quote
from cockpit.vehicle.position import AVERAGE_SPEED_KMH, ORIGIN_LATITUDE, ORIGIN_LONGITUDE
from skills.navigation.choices import ask_which, region_name
from skills.navigation.cities import CityIndex, normalise
from skills.navigation.geo import GeoPoint, Place, distance_km, spoken_distance, spoken_duration
from skills.navigation.phrases import PHRASES, marked
from skills.navigation.places import SimulatedPlaces

DEFAULT_ORIGIN = GeoPoint(ORIGIN_LATITUDE, ORIGIN_LONGITUDE)
"""Where the simulated car stands (:mod:`cockpit.vehicle.position`): also the car's current
position for distances and arrival times."""
LAST_PLACE = "last_place"
"""Memory key: the place a query found or a route went to, for "navigate there"."""
DESTINATION = "destination"
"""Memory key: the destination last set, so the ETA can name it."""

_FOLLOW_UPS = frozenset({"there", "it", "that", "that place", "this place", "that one", "the place", "same place"})


def _point_from_state(state: Mapping[str, SignalValue]) -> GeoPoint | None:
    lat, lon = fact_number(state, vss.NAV_LATITUDE), fact_number(state, vss.NAV_LONGITUDE)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None  # 0/0 is what an ECU reports when no destination is set
    return GeoPoint(lat, lon)


def _place_from_memory(value: Any) -> Place | None:
    if not isinstance(value, Mapping):
        return None
    try:
        point = GeoPoint(float(value["latitude"]), float(value["longitude"]))
    except (KeyError, TypeError, ValueError):
        return None
    return Place(str(value.get("name", "there")), point, str(value.get("category", "")))


EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "navigation.navigate_to": ("navigate to shenzhen", "take me to paris"),
        "navigation.find_nearby": ("find a charging station", "where is the nearest coffee"),
        "navigation.cancel": ("cancel navigation",),
        "navigation.get_eta": ("when will we arrive", "how long until we get there"),
        "navigation.query": ("where are we going",),
    },
    "ko": {
        "navigation.navigate_to": ("부산으로 안내해 줘",),
        "navigation.find_nearby": ("근처 주유소 찾아 줘",),
        "navigation.cancel": ("안내 취소해 줘",),
        "navigation.get_eta": ("얼마나 남았어",),
        "navigation.query": ("어디로 가고 있어",),
    },
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


class NavigationSkill(Skill):
    """Route guidance to cities and simulated places; nearby search; cancel; arrival time."""

    name = "navigation"
    description = "Starts route guidance to cities and places, finds nearby places and tells the arrival time."
    intents = tuple(name for name in CATALOGUE if name.startswith("navigation."))
    examples = EXAMPLES
    replies = PHRASES
    summary_order = 40

    def __init__(
        self,
        origin: GeoPoint = DEFAULT_ORIGIN,
        average_speed_kmh: float = AVERAGE_SPEED_KMH,
        places: SimulatedPlaces | None = None,
        cities: CityIndex | None = None,
    ) -> None:
        """``origin`` is the car's position; ``places``/``cities`` default to the shipped data around it."""
        if average_speed_kmh <= 0:
            raise ValueError("average_speed_kmh must be positive")
        self.origin = origin
        """The car's position: the centre of the simulated places and the start of every route."""
        self.average_speed_kmh = average_speed_kmh
        """Speed used for arrival times (km/h)."""
        self._places = places or SimulatedPlaces(origin)
        self._cities = cities or CityIndex()

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        language = primary_language(context.language)
        if match.intent == "navigation.navigate_to":
            return self._navigate_to(match, context)
        if match.intent == "navigation.find_nearby":
            return self._find_nearby(match.slots.get("category"), language, context.units)
        if match.intent == "navigation.cancel":
            return self._cancel(context.state, language)
        if match.intent == "navigation.query":
            return self._destination(context)
        return self._eta(context)

    def resolve(self, destination: str, memory: Mapping[str, Any] | None = None) -> Place | None:
        """The place ``destination`` names: a follow-up ("there"), a simulated place, or a city."""
        if normalise(destination) in _FOLLOW_UPS:
            return _place_from_memory((memory or {}).get(LAST_PLACE))
        return self._places.resolve(destination, self.origin) or self._cities.lookup(destination)

    def _navigate_to(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        language, destination = primary_language(context.language), match.slots.get("destination")
        if not isinstance(destination, str) or not normalise(destination):
            return SkillPlan(refusal=PHRASES.say(language, "where_to"))
        place, name = None, None
        if normalise(destination) not in _FOLLOW_UPS and self._places.resolve(destination, self.origin) is None:
            rivals = self._cities.rivals(destination)
            city = (self._cities.korean_name(rivals[0].city.point) if language == "ko" and rivals else None) or ""
            if len(rivals) > 1:  # "Springfield": ask which, never guess
                return ask_which(match, rivals, city or rivals[0].city.name, language)
            if rivals:  # "Springfield, Illinois": named with its state, as the question named it
                place = rivals[0].place()
                name = f"{region_name(rivals[0], language)} {city}" if city else None
        place = place or self.resolve(destination, context.memory)
        if place is None:
            if normalise(destination) in _FOLLOW_UPS:
                return SkillPlan(refusal=PHRASES.say(language, "which_place"))
            return SkillPlan(
                refusal=PHRASES.say(language, "not_found", what=marked(language, say_back(destination), "object"))
            )
        writes = (
            SignalWrite(vss.NAV_LATITUDE, place.point.latitude),
            SignalWrite(vss.NAV_LONGITUDE, place.point.longitude),
        )
        km = distance_km(self.origin, place.point)
        trip = {"distance": spoken_distance(km, language, context.units), "duration": self._duration(km, language)}
        if place.name == "home":
            done = PHRASES.say(language, "navigating_home", **trip)
        else:
            name = name or self._name(place, language)
            done = PHRASES.say(language, "navigating", name=marked(language, name, "to"), **trip)
        memory = {LAST_PLACE: place.as_memory(), DESTINATION: place.as_memory()}
        # "Take me there": the intent event shows the place "there" is, not the word.
        understood = {**match.slots, "destination": place.name} if normalise(destination) in _FOLLOW_UPS else None
        return SkillPlan(writes, done=done, memory=memory, slots=understood)

    def _find_nearby(self, category: Any, language: str, units: str) -> SkillPlan:
        key = category if category in self._places.categories else None
        if key is None and isinstance(category, str):
            key = self._places.category(category)
        if key is None:
            if isinstance(category, str) and category.strip():
                what = marked(language, say_back(category), "topic")
            else:
                what = PHRASES.say(language, "that_kind")
            return SkillPlan(refusal=PHRASES.say(language, "cant_search", what=what))
        label = self._places.label(key, language)
        place = self._places.nearest(key, self.origin)
        if place is None:
            return SkillPlan(done=PHRASES.say(language, "none_nearby", label=marked(language, label, "object")))
        distance = spoken_distance(distance_km(self.origin, place.point), language, units)
        done = PHRASES.say(
            language, "nearest", label=marked(language, label, "topic"), name=place.name, distance=distance
        )
        return SkillPlan(done=done, memory={LAST_PLACE: place.as_memory()})

    def _cancel(self, state: Mapping[str, SignalValue], language: str) -> SkillPlan:
        if state.get(vss.NAV_GUIDANCE_ACTIVE) is not True:
            return SkillPlan(done=PHRASES.say(language, "no_route"))
        return SkillPlan((SignalWrite(vss.NAV_GUIDANCE_ACTIVE, False),), done=PHRASES.say(language, "cancelled"))

    def _eta(self, context: SkillContext) -> SkillPlan:
        language = primary_language(context.language)
        target = _active_destination(context.state)
        if target is None:
            return SkillPlan(done=PHRASES.say(language, "no_destination"))
        place = _remembered_destination(context.memory, target)
        km = distance_km(self.origin, target if place is None else place.point)
        where = PHRASES.say(language, "your_destination") if place is None else self._name(place, language)
        done = PHRASES.say(
            language,
            "eta",
            where=_capitalise(where),
            distance=spoken_distance(km, language, context.units),
            duration=self._duration(km, language),
        )
        return SkillPlan(done=done)

    def _destination(self, context: SkillContext) -> SkillPlan:
        language = primary_language(context.language)
        target = _active_destination(context.state)
        if target is None:
            return SkillPlan(done=PHRASES.say(language, "no_destination"))
        place = _remembered_destination(context.memory, target)
        km = distance_km(self.origin, target if place is None else place.point)
        distance = spoken_distance(km, language, context.units)
        if place is None:
            return SkillPlan(done=PHRASES.say(language, "destination_unnamed", distance=distance))
        if place.name == "home":
            return SkillPlan(done=PHRASES.say(language, "destination_home", distance=distance))
        return SkillPlan(done=PHRASES.say(language, "destination", name=self._name(place, language), distance=distance))

    def _name(self, place: Place, language: str) -> str:
        """How a reply in ``language`` names ``place``: a Korean reply takes a city's Hangul name when
        GeoNames has one (부산, 파리) and a named place its Korean name (공항); otherwise the name as the
        data has it (Starbucks Central)."""
        if place.name == "home":
            return PHRASES.say(language, "home")
        korean = None
        if language == "ko":
            city = place.category == "city"
            korean = self._cities.korean_name(place.point) if city else self._places.korean_name(place.name)
        return korean or say_back(place.name)

    def _duration(self, km: float, language: str = "en") -> str:
        return spoken_duration(km / self.average_speed_kmh, language)

    def warm(self) -> None:
        """Build the city index now (about a second) rather than on the first request."""
        self._cities.lookup("shenzhen")

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """Where route guidance goes, for the prompt's car facts: the destination's name comes from the
        session memory (``destination``: text, or a mapping with ``name``) that :meth:`_plan` left there."""
        name = memory.get("destination")
        if isinstance(name, Mapping):
            name = name.get("name")
        active = state.get(vss.NAV_GUIDANCE_ACTIVE)
        if active is False:
            return "No destination."
        if isinstance(name, str) and name.strip():
            return f"Driving to {fact_quote(name)}."
        lat, lon = fact_number(state, vss.NAV_LATITUDE), fact_number(state, vss.NAV_LONGITUDE)
        if active and lat is not None and lon is not None:
            return f"Driving to a destination at {lat:.3f}, {lon:.3f}."
        return "No destination."

    def vocabulary(self, language: str) -> Mapping[str, Sequence[str]]:
        """The most populous cities, named in ``language``, as spoken destinations for the grammar."""
        from skills.navigation.grammar import popular_city_names

        return {"destination": popular_city_names(language=language)}

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Route guidance active, destination 12 kilometres away.``; empty when idle (the
        prompt's car facts: metric, as the car reports them)."""
        target = _point_from_state(state)
        if target is None or state.get(vss.NAV_GUIDANCE_ACTIVE) is False:
            return ""
        return f"Route guidance active, destination {spoken_distance(distance_km(self.origin, target))} away."


def _active_destination(state: Mapping[str, SignalValue]) -> GeoPoint | None:
    """The destination the navigation unit confirmed, unless guidance is reported off."""
    if state.get(vss.NAV_GUIDANCE_ACTIVE) is False:
        return None
    return _point_from_state(state)


def _remembered_destination(memory: Mapping[str, Any], target: GeoPoint) -> Place | None:
    """The place this session set as destination, if it is the one the car reports (within 50 m).

    Its own position then gives the distance, as when the route was set: the reported coordinates
    are rounded to 1e-4 degree, which can move a spoken "28 kilometres" to "27"."""
    remembered = _place_from_memory(memory.get(DESTINATION))
    if remembered is None or distance_km(remembered.point, target) >= 0.05:
        return None
    return remembered


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
