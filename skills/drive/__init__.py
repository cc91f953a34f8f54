"""Drive skill: answers questions about the car's speed, gear and motion; never changes anything."""

from skills.drive.skill import DriveSkill, gear_name

__all__ = ["DriveSkill", "gear_name"]
