"""The voice front end: PCM in; wake, speech_start, speech_end and transcript events out.

- :class:`VoiceFrontEnd` (synchronous, one per stream): wake word -> endpointing -> speech to
  text, returning each finished :class:`Utterance`;
- :class:`VoiceSession` (asyncio): runs a front end off the loop and hands every final
  transcript to the text pipeline; what the turn left (a :class:`Question`, or a reply) opens
  an answer or a follow-up window, in which no wake word is needed;
- :class:`VoiceStack` (one per process): loads the models once and builds both.

The names are imported on first use: the service imports :mod:`cockpit.voice.provider` at
start-up, and a text-only run must not pay for the recognisers' imports (numpy, PocketSphinx).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cockpit.voice.factory import VoiceStack
    from cockpit.voice.frontend import State, Utterance, VoiceConfig, VoiceFrontEnd
    from cockpit.voice.session import Question, Spoke, VoiceSession

_HOMES = {
    "VoiceStack": "cockpit.voice.factory",
    "State": "cockpit.voice.frontend",
    "Utterance": "cockpit.voice.frontend",
    "VoiceConfig": "cockpit.voice.frontend",
    "VoiceFrontEnd": "cockpit.voice.frontend",
    "Question": "cockpit.voice.session",
    "Spoke": "cockpit.voice.session",
    "VoiceSession": "cockpit.voice.session",
}

__all__ = ["Question", "Spoke", "State", "Utterance", "VoiceConfig", "VoiceFrontEnd", "VoiceSession", "VoiceStack"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
