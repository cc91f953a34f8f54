"""The one error root of cockpit, with a subclass per stage.

Every error carries a machine-readable ``code`` (kebab-case, stable, part of the public
contract: it appears in ``error`` events and gRPC status details) and a sentence a person
can act on. Only the gRPC servicer turns these into status codes.

The root and the errors the CAN bench raises too (``ConfigError``, ``InputError``,
``VehicleError``) are defined by the vehicle contract (:mod:`vehicle_contract.errors`) and
re-exported here, so the service and the bench raise the same classes.

::

    CockpitError
    ├── ConfigError            settings, registries, unknown backend or skill names
    ├── InputError             bad request from a client: empty/oversized text, unknown session
    ├── AudioError             audio format, chunk size, device
    ├── WakeWordError          wake-word model loading and inference
    ├── SpeechToTextError      recogniser loading and decoding
    ├── IntentError            template parsing and matching
    ├── LanguageModelError     loading, generation, tool-call parsing
    ├── PolicyError            a request the policy will not let through
    ├── SkillError             a skill could not carry out an intent
    ├── VehicleError           signal encoding, bus I/O, E2E protection
    │   └── TransmitNotAllowed the cockpit tried to send an ID outside its allow-list
    ├── ModelStoreError        model manifest, fetching, sha256 verification
    └── RemoteError            a call to a cockpit server failed (client side; carries the gRPC status)
"""

from __future__ import annotations

from models.errors import ModelStoreError
from vehicle_contract.errors import CockpitError, ConfigError, InputError, VehicleError

__all__ = [
    "AudioError",
    "CockpitError",
    "ConfigError",
    "InputError",
    "IntentError",
    "LanguageModelError",
    "ModelStoreError",
    "PolicyError",
    "RemoteError",
    "ResourceExhaustedError",
    "SkillError",
    "SpeechToTextError",
    "TransmitNotAllowed",
    "VehicleError",
    "WakeWordError",
]


class ResourceExhaustedError(InputError):
    """A client sent more than the service accepts at once (maps to RESOURCE_EXHAUSTED)."""


class AudioError(CockpitError):
    """Audio format, chunk or device problem."""


class WakeWordError(CockpitError):
    """Wake-word model loading or inference failed."""


class SpeechToTextError(CockpitError):
    """Speech recogniser loading or decoding failed."""


class IntentError(CockpitError):
    """Sentence templates could not be parsed or matched."""


class LanguageModelError(CockpitError):
    """The language model is missing, failed, or produced unusable output."""


class PolicyError(CockpitError):
    """The policy refused a request."""


class SkillError(CockpitError):
    """A skill could not carry out an intent."""


class TransmitNotAllowed(VehicleError):
    """The cockpit tried to send a CAN ID that is not on its transmit allow-list."""


class RemoteError(CockpitError):
    """A call to a cockpit server failed for a reason other than a bad request (raised by the clients)."""

    def __init__(self, code: str, message: str, status: str) -> None:
        super().__init__(code, message)
        self.status = status
        """The gRPC status name, e.g. ``UNAVAILABLE``."""
