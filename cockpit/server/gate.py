"""The server's front door: one interceptor in front of every RPC of every service.

Before any servicer method runs it

- checks the caller's bearer token (when the server has a tokens file) and the scope the service
  needs: ``UNAUTHENTICATED`` (``token-missing``, ``token-unknown``) or ``PERMISSION_DENIED``
  (``scope-missing``);
- turns a request that does not deserialise (random bytes, invalid UTF-8 in a string field) into
  ``INVALID_ARGUMENT`` (``bad-request``) instead of gRPC's ``UNKNOWN``. The request deserialiser of
  each method is wrapped, so this holds for every method of every service, streaming requests
  included, without any servicer having to remember it.

Health stays open (a supervisor probes it without a token); reflection needs a valid token of
any scope; ``cockpit.v1.Cockpit`` needs ``hmi``, ``cockpit.v1.Bench`` needs ``bench`` (``admin``
opens both).
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from cockpit.errors import InputError
from cockpit.server.auth import Token, TokenBook, bearer
from cockpit.server.status import RpcFailure, abort

log = logging.getLogger(__name__)

UNKNOWN_TOKEN_LOG_S = 10.0
"""At most one "unknown bearer token" warning per this many seconds: a client guessing tokens must
not flood the log. The next warning says how many were left out."""


class _Throttle:
    """Logs a warning at most once per ``period_s``, counting the ones it leaves out."""

    def __init__(self, period_s: float, clock: Callable[[], float]) -> None:
        self._period_s = period_s
        self._clock = clock
        self._next = -math.inf
        self._left_out = 0
        self._lock = threading.Lock()

    def warn(self, message: str, *args: object) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._left_out += 1
                return
            left_out, self._left_out, self._next = self._left_out, 0, now + self._period_s
        if left_out:
            message += " (%d more such calls refused since the last warning)"
            args = (*args, left_out)
        log.warning(message, *args)


OPEN = "open"
"""Scope marker: no token needed."""
ANY_TOKEN: str | None = None
"""Scope marker: any valid token."""
SCOPE_BY_SERVICE: Mapping[str, str | None] = {
    "cockpit.v1.Cockpit": "hmi",
    "cockpit.v1.Bench": "bench",
    "grpc.health.v1.Health": OPEN,
}
"""The scope each service needs; a service not listed (reflection) needs any valid token."""

BAD_REQUEST = "bad-request"
"""Error code of a request that does not deserialise."""
MAX_REASON_CHARS = 120
"""Longest decoder message quoted back (it may quote the request)."""

_NO_TOKEN = RpcFailure(
    grpc.StatusCode.UNAUTHENTICATED,
    "token-missing",
    "this server needs a token: send 'authorization: Bearer <secret>' metadata",
)
_BAD_TOKEN = RpcFailure(
    grpc.StatusCode.UNAUTHENTICATED, "token-unknown", "the bearer token is not one this server knows"
)


@dataclass(frozen=True)
class _Undecodable:
    """What the wrapped deserialiser returns instead of raising: the RPC then ends in ``bad-request``."""

    reason: str

    def failure(self) -> RpcFailure:
        return RpcFailure(
            grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST, f"the request message does not decode ({self.reason})"
        )


def _safe(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserialize is None:
        return None

    def wrapped(data: bytes) -> Any:
        try:
            return deserialize(data)
        except (DecodeError, UnicodeDecodeError, ValueError, TypeError) as err:
            return _Undecodable(f"{type(err).__name__}: {str(err)[:MAX_REASON_CHARS]}")

    return wrapped


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """The client's messages; one that does not decode ends the stream with ``bad-request``."""
    async for request in requests:
        if isinstance(request, _Undecodable):
            raise _BadMessage(BAD_REQUEST, request.failure().message)
        yield request


def scope_for(method: str) -> str | None:
    """The scope ``/package.Service/Method`` needs (:data:`OPEN`, a scope, or :data:`ANY_TOKEN`)."""
    service = method.lstrip("/").partition("/")[0]
    return SCOPE_BY_SERVICE.get(service, ANY_TOKEN)


class RequestGate(grpc.aio.ServerInterceptor):
    """Authentication, scopes and undecodable requests, for every RPC (``tokens=None``: no auth)."""

    def __init__(self, tokens: TokenBook | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._tokens = tokens
        self._unknown = _Throttle(UNKNOWN_TOKEN_LOG_S, clock)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None  # unknown method: gRPC answers UNIMPLEMENTED
        method = handler_call_details.method
        scope = scope_for(method)
        check = self._checker(method, scope)
        decode, encode = _safe(handler.request_deserializer), handler.response_serializer
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(_unary(handler.unary_unary, check, False), decode, encode)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(_streaming(handler.unary_stream, check, False), decode, encode)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(_unary(handler.stream_unary, check, True), decode, encode)
        return grpc.stream_stream_rpc_method_handler(_streaming(handler.stream_stream, check, True), decode, encode)

    def _checker(self, method: str, scope: str | None) -> Callable[[Any], RpcFailure | None]:
        """A check of one call's metadata: None to go on, or the failure to end it with."""
        tokens = self._tokens
        unknown = self._unknown

        def check(context: Any) -> RpcFailure | None:
            if tokens is None or scope == OPEN:
                return None
            header = bearer(context.invocation_metadata())
            if header is None:
                return _NO_TOKEN
            token = tokens.identify(header)
            if token is None:
                unknown.warn("refused %s: unknown bearer token", method)  # never the header itself
                return _BAD_TOKEN
            if not token.allows(scope):
                return _denied(token, scope, method)
            return None

        return check


def _denied(token: Token, scope: str | None, method: str) -> RpcFailure:
    log.warning("refused %s for token %r: it lacks the %s scope", method, token.name, scope)
    return RpcFailure(
        grpc.StatusCode.PERMISSION_DENIED,
        "scope-missing",
        f"token {token.name!r} lacks the {scope!r} scope for {method}",
    )


class _BadMessage(InputError):
    """A streamed request message that does not decode (an :class:`InputError`, so a servicer's
    Guard maps it too)."""


async def _refuse(check: Callable[[Any], RpcFailure | None], request: Any, context: Any) -> None:
    """End the call before its behaviour runs if the caller or a unary request is refused."""
    failure = check(context)
    if failure is None and isinstance(request, _Undecodable):
        failure = request.failure()
    if failure is not None:
        await abort(context, failure)


def _bad_message(err: _BadMessage) -> RpcFailure:
    return RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST, err.message)


def _unary(behavior: Any, check: Callable[[Any], RpcFailure | None], streamed_in: bool) -> Any:
    async def run(request: Any, context: Any) -> Any:
        await _refuse(check, request, context)
        try:
            return await behavior(_checked_stream(request) if streamed_in else request, context)
        except _BadMessage as err:
            await abort(context, _bad_message(err))

    return run


def _streaming(behavior: Any, check: Callable[[Any], RpcFailure | None], streamed_in: bool) -> Any:
    if not inspect.isasyncgenfunction(behavior):  # a handler that writes with context.write (health Watch)
        return _unary(behavior, check, streamed_in)

    async def run(request: Any, context: Any) -> AsyncIterator[Any]:
        await _refuse(check, request, context)
        try:
            async for response in behavior(_checked_stream(request) if streamed_in else request, context):
                yield response
        except _BadMessage as err:
            await abort(context, _bad_message(err))

    return run
