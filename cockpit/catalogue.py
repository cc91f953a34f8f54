"""The intent catalogue: intent names and their slots, the single source of truth.

Names are part of the public contract (DESIGN.md). The template matcher, the skills, the
language model's tool schemas and the validation of tool calls all read this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SlotSpec:
    """One slot of an intent."""

    name: str
    """Slot name as it appears in ``intent`` events, e.g. ``celsius``."""
    kind: str
    """``number``, ``integer``, ``boolean``, ``text`` or ``enum``."""
    required: bool = True
    """Whether the intent is incomplete without it."""
    choices: tuple[str, ...] = ()
    """Allowed values for ``enum`` slots."""
    minimum: float | None = None
    """Lowest accepted value for numeric slots (schema bound, not the car's range)."""
    maximum: float | None = None
    """Highest accepted value for numeric slots (schema bound, not the car's range)."""
    description: str = ""
    """What the slot means, for people and for the language model's tool schema."""


@dataclass(frozen=True)
class IntentSpec:
    """One intent of the catalogue."""

    name: str
    """``domain.action``, e.g. ``climate.set_temperature``."""
    description: str
    """What the intent does, in one sentence."""
    slots: tuple[SlotSpec, ...] = field(default_factory=tuple)
    """Its slots, in a stable order."""
    actuates: bool = True
    """Whether carrying it out writes to the car (queries and chat do not)."""

    @property
    def skill(self) -> str:
        """The skill that owns the intent: the part before the dot."""
        return self.name.split(".", 1)[0]


ZONES = ("driver", "passenger", "all")
WINDOWS = ("front", "rear")
POI_CATEGORIES = (
    "charging_station",
    "gas_station",
    "parking",
    "restaurant",
    "coffee",
    "hotel",
    "hospital",
    "pharmacy",
    "supermarket",
    "car_wash",
)

CLIMATE_QUESTIONS = ("temperature", "fan", "ac", "recirculation", "defrost", "seat_heating")
"""What ``climate.query`` can be asked about."""
MEDIA_QUESTIONS = ("playing", "volume", "mute")
"""What ``media.query`` can be asked about."""
NAVIGATION_QUESTIONS = ("destination",)
"""What ``navigation.query`` can be asked about (distance and arrival time are ``navigation.get_eta``)."""
DRIVE_QUESTIONS = ("speed", "gear", "moving")
"""What ``drive.query`` can be asked about."""
BODY_WINDOWS = (
    *("driver", "passenger", "rear-left", "rear-right", "front", "rear", "all"),
    *("left", "right", "rear-driver-side", "rear-passenger-side"),
)
"""What the ``window`` slot of ``body.set_window`` names."""
BODY_QUESTIONS = ("windows", "sunroof", "child_lock")
"""What ``body.query`` can be asked about."""

_ZONE = SlotSpec("zone", "enum", required=False, choices=ZONES, description="which seat row zone")
_ON = SlotSpec("on", "boolean", description="true to switch on, false to switch off")
_POSITION = SlotSpec("position", "number", minimum=0, maximum=100, description="0 closed .. 100 fully open, percent")


def _what(choices: tuple[str, ...]) -> SlotSpec:
    return SlotSpec("what", "enum", choices=choices, description="what the question is about")


CATALOGUE: Mapping[str, IntentSpec] = {
    spec.name: spec
    for spec in (
        IntentSpec(
            "climate.set_temperature",
            "Set the cabin temperature in degrees Celsius.",
            (
                SlotSpec("celsius", "number", minimum=-50, maximum=100, description="target temperature in Celsius"),
                _ZONE,
            ),
        ),
        IntentSpec(
            "climate.adjust_temperature",
            "Make the cabin warmer (positive) or cooler (negative) by some degrees Celsius.",
            (
                SlotSpec("delta_celsius", "number", minimum=-10, maximum=10, description="signed change in Celsius"),
                _ZONE,
            ),
        ),
        IntentSpec(
            "climate.set_fan_speed",
            "Set the fan speed in percent.",
            (SlotSpec("percent", "number", minimum=0, maximum=100, description="fan speed 0-100"),),
        ),
        IntentSpec(
            "climate.adjust_fan_speed",
            "Raise (positive) or lower (negative) the fan speed by some percent.",
            (SlotSpec("delta_percent", "number", minimum=-100, maximum=100, description="signed change in percent"),),
        ),
        IntentSpec("climate.set_ac", "Switch the air conditioning on or off.", (_ON,)),
        IntentSpec("climate.set_recirculation", "Switch air recirculation on or off.", (_ON,)),
        IntentSpec(
            "climate.set_defrost",
            "Switch the front or rear window defroster on or off.",
            (SlotSpec("window", "enum", choices=WINDOWS, description="front or rear window"), _ON),
        ),
        IntentSpec(
            "climate.set_seat_heating",
            "Set seat heating level 0 (off) to 3 (highest).",
            (SlotSpec("level", "integer", minimum=0, maximum=3, description="heating level 0-3"), _ZONE),
        ),
        IntentSpec(
            "climate.query",
            "Say a climate setting as the car reports it; never changes anything.",
            (
                _what(CLIMATE_QUESTIONS),
                _ZONE,
                SlotSpec("window", "enum", required=False, choices=WINDOWS, description="front or rear window"),
            ),
            actuates=False,
        ),
        IntentSpec(
            "navigation.navigate_to",
            "Start route guidance to a city, an address or a place name.",
            (SlotSpec("destination", "text", description="where to go"),),
        ),
        IntentSpec(
            "navigation.find_nearby",
            "Find the nearest place of a category around the car.",
            (SlotSpec("category", "enum", choices=POI_CATEGORIES, description="kind of place"),),
            actuates=False,
        ),
        IntentSpec("navigation.cancel", "Stop route guidance."),
        IntentSpec("navigation.get_eta", "Say the distance and arrival time to the destination.", actuates=False),
        IntentSpec(
            "navigation.query",
            "Say where route guidance is going; never changes anything.",
            (_what(NAVIGATION_QUESTIONS),),
            actuates=False,
        ),
        IntentSpec(
            "media.play",
            "Play music, radio or podcasts; the query names an artist, genre, track, station or podcast.",
            (SlotSpec("query", "text", required=False, description="what to play"),),
        ),
        IntentSpec("media.pause", "Pause playback."),
        IntentSpec("media.resume", "Resume playback."),
        IntentSpec("media.next_track", "Skip to the next track."),
        IntentSpec("media.previous_track", "Go back to the previous track."),
        IntentSpec(
            "media.set_volume",
            "Set the volume in percent.",
            (SlotSpec("percent", "number", minimum=0, maximum=100, description="volume 0-100"),),
        ),
        IntentSpec(
            "media.adjust_volume",
            "Raise (positive) or lower (negative) the volume by some percent.",
            (SlotSpec("delta_percent", "number", minimum=-100, maximum=100, description="signed change in percent"),),
        ),
        IntentSpec("media.mute", "Mute (true) or unmute (false) the audio.", (_ON,)),
        IntentSpec(
            "media.query",
            "Say what is playing, the volume or whether the sound is muted; never changes anything.",
            (_what(MEDIA_QUESTIONS),),
            actuates=False,
        ),
        IntentSpec(
            "drive.query",
            "Say the car's speed, its gear or whether it is moving; never changes anything.",
            (_what(DRIVE_QUESTIONS),),
            actuates=False,
        ),
        IntentSpec("dialogue.chat", "Open conversation; never actuates anything.", actuates=False),
        IntentSpec("vehicle.undo", "Put back what the last confirmed action changed, as the car reported it before."),
        IntentSpec(
            "body.set_window",
            "Open or close door windows to a position.",
            (
                SlotSpec("window", "enum", required=False, choices=BODY_WINDOWS, description="which window or windows"),
                _POSITION,
            ),
        ),
        IntentSpec("body.set_sunroof", "Open or close the sunroof to a position.", (_POSITION,)),
        IntentSpec(
            "body.set_child_lock",
            "Switch the rear child locks on or off.",
            (SlotSpec("on", "boolean", description="true to lock, false to unlock"),),
        ),
        IntentSpec(
            "body.query",
            "Say whether the windows or the sunroof are open, or the child locks on.",
            (_what(BODY_QUESTIONS),),
            actuates=False,
        ),
    )
}
"""Every intent, by name."""


def intent_spec(name: str) -> IntentSpec:
    """The spec of one intent; a :class:`KeyError` lists the valid names."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown intent {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None


CLASSIFIER_SOURCE = "classifier"
"""The ``source`` of a command found by the statistical classifier (:mod:`cockpit.nlu.classifier`),
not by a template: the pipeline offers it ("Do you want me to ...?") and acts only on a yes."""


@dataclass(frozen=True)
class IntentMatch:
    """An utterance understood as one intent of the catalogue."""

    intent: str
    """Catalogue name, e.g. ``climate.set_temperature``."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """Slot values, already normalised (numbers as numbers, Celsius, booleans, enum strings)."""
    source: str = "rules"
    """``rules`` (templates) or ``llm`` (a tool call of the language model)."""
    confidence: float = 1.0
    """0..1; templates give 1.0 for a full match."""
    text: str = ""
    """The utterance it was recognised from."""


@dataclass(frozen=True)
class Unsupported:
    """A request for a car function this car cannot perform: reply politely, act on nothing."""

    feature: str
    """What was asked for, as a noun phrase: ``sunroof``, ``windows``, ``horn``, ``games``, ..."""
    text: str
    """The utterance it was recognised from."""


Recognition = IntentMatch | Unsupported | None
"""What intent recognition makes of an utterance: a catalogue intent, a request this car cannot
carry out, or None (no template matched: open dialogue)."""
