"""The one place cockpit errors become gRPC status codes (STYLE.md: only the servicer speaks them).

Every failure of an RPC ends in a documented code with a message a person can act on; an
unexpected exception is ``INTERNAL``, never ``UNKNOWN``. The cockpit error code travels in the
details (``"text-empty: text is empty; ..."``) and alone in the trailing metadata key
:data:`ERROR_CODE_KEY`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import grpc

from cockpit.errors import (
    AudioError,
    CockpitError,
    ConfigError,
    InputError,
    LanguageModelError,
    ModelStoreError,
    PolicyError,
    ResourceExhaustedError,
    SpeechToTextError,
    TransmitNotAllowed,
    VehicleError,
    WakeWordError,
)

log = logging.getLogger(__name__)

ERROR_CODE_KEY = "cockpit-error-code"
"""Trailing metadata key carrying the cockpit error code of a failed RPC."""

INTERNAL_CODE = "internal"
"""Error code of a failure cockpit did not raise on purpose (a bug)."""

# Most specific first: the first class an error is an instance of decides.
_STATUS_BY_ERROR: tuple[tuple[type[CockpitError], grpc.StatusCode], ...] = (
    (ResourceExhaustedError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (InputError, grpc.StatusCode.INVALID_ARGUMENT),
    (AudioError, grpc.StatusCode.INVALID_ARGUMENT),  # format and chunk problems are the client's
    (TransmitNotAllowed, grpc.StatusCode.INTERNAL),  # the cockpit's own bug, not the bus's state
    (VehicleError, grpc.StatusCode.UNAVAILABLE),  # the bus or an ECU may come back
    (LanguageModelError, grpc.StatusCode.UNAVAILABLE),
    (SpeechToTextError, grpc.StatusCode.UNAVAILABLE),
    (WakeWordError, grpc.StatusCode.UNAVAILABLE),
    (ConfigError, grpc.StatusCode.FAILED_PRECONDITION),
    (ModelStoreError, grpc.StatusCode.FAILED_PRECONDITION),  # fixed by `models pull`, not by retrying
    (PolicyError, grpc.StatusCode.FAILED_PRECONDITION),
    (CockpitError, grpc.StatusCode.INTERNAL),
)

_STATUS_BY_CODE: dict[str, grpc.StatusCode] = {
    # Not the client's audio and not worth retrying: the service lacks a part for the request.
    "voice-disabled": grpc.StatusCode.FAILED_PRECONDITION,
    "no-asr-for-language": grpc.StatusCode.FAILED_PRECONDITION,
    # Another token's session: refused, and the caller learns nothing more than that.
    "session-not-yours": grpc.StatusCode.PERMISSION_DENIED,
}
"""Error codes whose status differs from their class's."""


@dataclass(frozen=True)
class RpcFailure:
    """How an RPC ends when something went wrong."""

    status: grpc.StatusCode
    """The gRPC status code (never ``UNKNOWN`` or ``OK``)."""
    code: str
    """The cockpit error code, e.g. ``text-empty``."""
    message: str
    """A sentence a person can act on."""

    @property
    def details(self) -> str:
        """The status details: ``"<code>: <message>"``."""
        return f"{self.code}: {self.message}"

    @property
    def trailing_metadata(self) -> tuple[tuple[str, str], ...]:
        """Trailing metadata naming the cockpit error code."""
        return ((ERROR_CODE_KEY, self.code),)


def failure_for(err: BaseException) -> RpcFailure:
    """The status an exception ends its RPC with; unexpected ones are logged with their traceback."""
    if isinstance(err, CockpitError):
        status = _STATUS_BY_CODE.get(err.code) or next(s for cls, s in _STATUS_BY_ERROR if isinstance(err, cls))
        return RpcFailure(status, err.code, err.message)
    log.error("unexpected failure in an RPC", exc_info=err)
    return RpcFailure(grpc.StatusCode.INTERNAL, INTERNAL_CODE, f"internal error ({type(err).__name__}: {err})")


async def abort(context: grpc.aio.ServicerContext[object, object], failure: RpcFailure) -> None:
    """End the RPC with ``failure`` (raises ``grpc.aio.AbortError``, as ``context.abort`` does)."""
    await context.abort(failure.status, failure.details, trailing_metadata=failure.trailing_metadata)


class Guard:
    """``async with Guard(context):`` maps any exception leaving the block to a documented status.

    Cancellation and an abort already under way pass through untouched.
    """

    def __init__(self, context: grpc.aio.ServicerContext[object, object]) -> None:
        self._context = context

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, grpc.aio.AbortError):
            return
        await abort(self._context, failure_for(exc))
