"""Climate skill: cabin temperature, fan, air conditioning, recirculation, defrost and seat heating."""

from skills.climate.skill import ClimateSkill

__all__ = ["ClimateSkill"]
