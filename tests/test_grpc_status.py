"""Cockpit errors to gRPC status codes: every error class, and never UNKNOWN."""

from __future__ import annotations

import grpc
import pytest

from cockpit import errors
from cockpit.server.status import ERROR_CODE_KEY, failure_for

S = grpc.StatusCode


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InputError("text-empty", "text is empty"), S.INVALID_ARGUMENT),
        (errors.ResourceExhaustedError("chunk-too-large", "too much audio at once"), S.RESOURCE_EXHAUSTED),
        (errors.AudioError("audio-format", "not 16 kHz"), S.INVALID_ARGUMENT),
        (errors.ConfigError("unknown-skill", "no skill 'x'"), S.FAILED_PRECONDITION),
        (errors.ModelStoreError("model-missing", "run models pull"), S.FAILED_PRECONDITION),
        (errors.PolicyError("driving", "not while driving"), S.FAILED_PRECONDITION),
        (errors.VehicleError("bus-down", "the bus is not open"), S.UNAVAILABLE),
        (errors.TransmitNotAllowed("tx-not-allowed", "0x7FF is not ours"), S.INTERNAL),
        (errors.LanguageModelError("llm-failed", "generation failed"), S.UNAVAILABLE),
        (errors.SpeechToTextError("asr-failed", "decoder failed"), S.UNAVAILABLE),
        (errors.WakeWordError("wake-failed", "model failed"), S.UNAVAILABLE),
        (errors.SkillError("skill-failed", "the skill failed"), S.INTERNAL),
        (errors.IntentError("templates-invalid", "bad template"), S.INTERNAL),
        (errors.CockpitError("odd", "something odd"), S.INTERNAL),
    ],
)
def test_cockpit_errors_map_to_documented_codes(error: errors.CockpitError, status: grpc.StatusCode) -> None:
    failure = failure_for(error)
    assert failure.status is status
    assert failure.details == f"{error.code}: {error.message}"
    assert failure.trailing_metadata == ((ERROR_CODE_KEY, error.code),)


@pytest.mark.parametrize("error", [RuntimeError("kaboom"), KeyError("x"), ValueError(), AssertionError("bug")])
def test_anything_else_is_internal_with_a_message(error: Exception) -> None:
    failure = failure_for(error)
    assert failure.status is S.INTERNAL
    assert failure.code == "internal"
    assert type(error).__name__ in failure.message


def test_every_error_class_in_the_tree_has_a_status_other_than_unknown() -> None:
    def subclasses(cls: type[errors.CockpitError]) -> list[type[errors.CockpitError]]:
        children: list[type[errors.CockpitError]] = cls.__subclasses__()
        return [cls, *(s for child in children for s in subclasses(child))]

    for cls in subclasses(errors.CockpitError):
        if cls.__module__ not in (errors.__name__, "vehicle_contract.errors"):
            continue  # e.g. a test's own subclass
        error = errors.RemoteError("x", "y", "UNAVAILABLE") if cls is errors.RemoteError else cls("x", "y")
        assert failure_for(error).status not in (S.UNKNOWN, S.OK), cls
