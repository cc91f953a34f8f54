"""The media skill: play what is asked for, transport controls, volume and mute."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, slot_number
from skills.media.library import DEFAULT_LIBRARY_PATH, MediaLibrary, load_library
from skills.media.query import SearchResult, search

DEFAULT_VOLUME = 50
"""Assumed volume (%) when the car has not reported one, so "louder" and "quieter" both work."""
PLAY, STOP, SKIP_FORWARD, SKIP_BACKWARD = "PLAY", "STOP", "SKIP-FORWARD", "SKIP-BACKWARD"
"""Values of the VSS ``Media.Action`` enum the skill uses (VSS has no pause: STOP keeps the position)."""
_MAX_ECHO = 60


def _percent(value: float) -> int | float:
    """Rounded half-up to the car's 1 % step; non-finite values pass through for the policy to refuse."""
    return math.floor(value + 0.5) if math.isfinite(value) else value


def _echo(text: str) -> str:
    """A query made safe to say back: printable characters only, spaces collapsed, length capped."""
    words = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return words if len(words) <= _MAX_ECHO else words[: _MAX_ECHO - 1].rstrip() + "…"


class MediaSkill(Skill):
    """Music, radio and podcasts from the car's library; play, pause, skip, volume and mute."""

    name = "media"
    description = "Plays music, radio stations and podcasts, and controls playback, volume and mute."
    intents = tuple(name for name in CATALOGUE if name.startswith("media."))

    def __init__(
        self,
        library: MediaLibrary | None = None,
        library_path: Path = DEFAULT_LIBRARY_PATH,
        default_volume: int = DEFAULT_VOLUME,
    ) -> None:
        """``library`` wins over ``library_path``; by default the shipped ``library.json`` is read."""
        self.library = library if library is not None else load_library(library_path)
        """What the car can play."""
        self._default_volume = default_volume

    def labels(self, uri: str) -> dict[str, str]:
        """``{Played.Track: title, Played.Artist: artist}`` for a media URI (empty when unknown).

        The composition root hands this bound method to the vehicle layer, which fills the VSS
        labels when the head unit reports the URI it plays.
        """
        return self.library.labels(uri)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        simple: Mapping[str, tuple[str, str]] = {
            "media.pause": (STOP, "Paused."),
            "media.resume": (PLAY, "Resuming."),
            "media.next_track": (SKIP_FORWARD, "Next track."),
            "media.previous_track": (SKIP_BACKWARD, "Previous track."),
        }
        if match.intent in simple:
            action, done = simple[match.intent]
            return SkillPlan((SignalWrite(vss.MEDIA_ACTION, action),), done=done)
        handlers: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, SignalValue]], SkillPlan]] = {
            "media.play": self._play,
            "media.set_volume": self._set_volume,
            "media.adjust_volume": self._adjust_volume,
            "media.mute": self._mute,
        }
        return handlers[match.intent](match.slots, context.state)

    def _play(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        query = slots.get("query")
        if not isinstance(query, str) or not query.strip():
            return SkillPlan((SignalWrite(vss.MEDIA_ACTION, PLAY),), done="Resuming.")
        current = state.get(vss.MEDIA_PLAYED_URI) or state.get(vss.MEDIA_SELECTED_URI) or ""
        found = search(self.library, query, current if isinstance(current, str) else "")
        if found is None:
            return SkillPlan(refusal=f"I couldn't find {_echo(query)} in the library.")
        writes = (SignalWrite(vss.MEDIA_SELECTED_URI, found.item.uri), SignalWrite(vss.MEDIA_ACTION, PLAY))
        return SkillPlan(writes, done=_play_reply(found))

    def _set_volume(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        percent = slot_number(slots, "percent")
        if percent is None:
            return SkillPlan(refusal="What volume would you like, in percent?")
        value = _percent(percent)
        return SkillPlan((SignalWrite(vss.MEDIA_VOLUME, value),), done=f"Volume set to {value:g} percent.")

    def _adjust_volume(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        delta = slot_number(slots, "delta_percent")
        if delta is None or not math.isfinite(delta):
            return SkillPlan(refusal="By how much should I change the volume?")
        current = state.get(vss.MEDIA_VOLUME)
        known = isinstance(current, int | float) and not isinstance(current, bool) and math.isfinite(current)
        base = float(current) if known and isinstance(current, int | float) else float(self._default_volume)
        value = _percent(min(max(base + delta, 0.0), 100.0))
        if known and value == current:
            return SkillPlan(done=f"The volume is already at {'maximum' if delta > 0 else 'minimum'}.")
        direction = "up" if delta > 0 else "down"
        return SkillPlan((SignalWrite(vss.MEDIA_VOLUME, value),), done=f"Volume {direction} to {value:g} percent.")

    def _mute(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue]) -> SkillPlan:
        on = slots.get("on")
        if not isinstance(on, bool):
            return SkillPlan(refusal="Should I mute or unmute?")
        return SkillPlan((SignalWrite(vss.MEDIA_MUTED, on),), done="Muted." if on else "Sound back on.")

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Playing So What by Miles Davis, volume 40 %.``; empty when nothing is known."""
        parts: list[str] = []
        uri = state.get(vss.MEDIA_PLAYED_URI) or state.get(vss.MEDIA_SELECTED_URI)
        item = self.library.get(uri) if isinstance(uri, str) else None
        action = state.get(vss.MEDIA_ACTION)
        if item is not None:
            parts.append(("Playing " if action != STOP else "Paused: ") + item.spoken())
        elif action == PLAY:
            parts.append("Playing")
        elif action == STOP:
            parts.append("Media paused")
        volume = state.get(vss.MEDIA_VOLUME)
        if isinstance(volume, int | float) and not isinstance(volume, bool):
            parts.append(f"volume {volume:g} %")
        if state.get(vss.MEDIA_MUTED) is True:
            parts.append("muted")
        if not parts:
            return ""
        text = ", ".join(parts)
        return text[:1].upper() + text[1:] + "."


def _play_reply(found: SearchResult) -> str:
    item = found.item
    if item.kind == "track" and found.field == "by":
        return f"Playing {item.by}, starting with {item.title}."
    if item.kind == "track" and found.field == "genre":
        return f"Playing some {item.genre}, starting with {item.spoken()}."
    return f"Playing {item.spoken()}."
