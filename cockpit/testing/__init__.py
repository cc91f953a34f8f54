"""Fakes of cockpit's seams, each implementing the real interface (no mocks, no models).

They are what tests, outside skills and HMI developers use to run a part of cockpit without the
rest: the car, intent recognition, a skill, the language model, the voice front end's models and
the whole service behind the gRPC API. Nothing in the service imports this package.

- :mod:`cockpit.testing.vehicle`: :class:`FakeVehicle`, a car that applies writes in memory;
- :mod:`cockpit.testing.intents`: :class:`ScriptedIntents`, intent recognition from a table;
- :mod:`cockpit.testing.skills`: :class:`SlotToSignalSkill`, a skill that writes one slot to one signal;
- :mod:`cockpit.testing.llm`: :class:`FakeLanguageModel`, scripted replies and tool calls;
- :mod:`cockpit.testing.voice`: :class:`ScriptedWakeWord`, :class:`LoudnessVad`, :class:`ScriptedRecognizer`;
- :mod:`cockpit.testing.service`: :class:`FakeAssistant`, an in-memory :class:`~cockpit.service_api.AssistantService`.
"""

from __future__ import annotations

from cockpit.testing.intents import ScriptedIntents
from cockpit.testing.llm import FakeLanguageModel
from cockpit.testing.service import FakeAssistant
from cockpit.testing.skills import SlotToSignalSkill
from cockpit.testing.vehicle import FakeVehicle
from cockpit.testing.voice import LoudnessVad, ScriptedRecognizer, ScriptedWakeWord

__all__ = [
    "FakeAssistant",
    "FakeLanguageModel",
    "FakeVehicle",
    "LoudnessVad",
    "ScriptedIntents",
    "ScriptedRecognizer",
    "ScriptedWakeWord",
    "SlotToSignalSkill",
]
