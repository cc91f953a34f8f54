"""The one error root of cockpit, with a subclass per stage.

Every error carries a machine-readable ``code`` (kebab-case, stable, part of the public
contract: it appears in ``error`` events and gRPC status details) and a sentence a person
can act on. Only the gRPC servicer turns these into status codes.

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
    └── ModelStoreError        model manifest, fetching, sha256 verification
"""

from __future__ import annotations


class CockpitError(Exception):
    """Root of every error cockpit raises on purpose."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        """Stable machine-readable identifier, e.g. ``text-empty``."""
        self.message = message
        """A sentence a person can act on."""

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ConfigError(CockpitError):
    """Settings or registries are wrong: unknown names, duplicates, bad values."""


class InputError(CockpitError):
    """A client sent something the service cannot take (maps to INVALID_ARGUMENT)."""


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


class VehicleError(CockpitError):
    """Signal encoding, bus I/O or end-to-end protection failed."""


class TransmitNotAllowed(VehicleError):
    """The cockpit tried to send a CAN ID that is not on its transmit allow-list."""


class ModelStoreError(CockpitError):
    """A model artefact is missing, the wrong size, or fails its sha256."""
