"""The error root and the errors both sides of the vehicle contract raise.

The cockpit and the bench raise the same classes, so a bench error inside the service (its
simulated car, the Bench gRPC service) is a cockpit error with a stable ``code`` like any other.
:mod:`cockpit.errors` adds the service's own stages beneath the same root and re-exports these.
"""

from __future__ import annotations


class CockpitError(Exception):
    """Root of every error cockpit (service or bench) raises on purpose."""

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


class VehicleError(CockpitError):
    """Signal encoding, bus I/O or end-to-end protection failed."""
