"""Endpointing: voice activity and the utterance state machine.

Silero VAD (:mod:`cockpit.endpoint.silero`, which pulls in ONNX Runtime) is imported only by
what builds one.
"""

from cockpit.endpoint.endpointer import EndpointConfig, Endpointer, EndpointEvent
from cockpit.endpoint.vad import EnergyVad, VoiceActivityDetector

__all__ = ["EndpointConfig", "EndpointEvent", "Endpointer", "EnergyVad", "VoiceActivityDetector"]
