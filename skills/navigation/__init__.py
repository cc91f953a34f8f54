"""Navigation skill: route guidance to cities and simulated places, nearby search, cancel, arrival time."""

from skills.navigation.geo import GeoPoint, Place
from skills.navigation.skill import AVERAGE_SPEED_KMH, DEFAULT_ORIGIN, NavigationSkill

__all__ = ["AVERAGE_SPEED_KMH", "DEFAULT_ORIGIN", "GeoPoint", "NavigationSkill", "Place"]
