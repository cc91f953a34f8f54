"""Media skill: music, radio and podcasts from a simulated library; transport, volume and mute."""

from skills.media.library import MediaItem, MediaLibrary, format_uri, labels, load_library, parse_uri
from skills.media.skill import MediaSkill

__all__ = ["MediaItem", "MediaLibrary", "MediaSkill", "format_uri", "labels", "load_library", "parse_uri"]
