"""Vehicle skill: "undo" puts back what the session's last confirmed action changed."""

from skills.vehicle.skill import VehicleSkill

__all__ = ["VehicleSkill"]
