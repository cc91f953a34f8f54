"""Body skill: door windows, the sunroof and the rear child locks, through the body ECU."""

from skills.body.skill import BodySkill

__all__ = ["BodySkill"]
