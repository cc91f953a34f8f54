"""A real loopback server around a service (usually :class:`~cockpit.testing.FakeAssistant`),
for the gRPC and CLI tests.

No tests here: the other ``test_grpc_*`` and ``test_cli_*`` modules import these helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc

from cockpit.server.runner import CockpitServer, start_server
from cockpit.service_api import AssistantService
from cockpit.testing.service import DRIVER_TEMP, FakeAssistant

__all__ = ["DRIVER_TEMP", "TIMEOUT_S", "FakeAssistant", "channel", "make_fake", "serving", "trailing_code"]

TIMEOUT_S = 5.0
"""Bound on every await of these tests."""


def make_fake(settings: object = None) -> FakeAssistant:
    """A service factory for the CLI (``settings`` is ignored)."""
    return FakeAssistant()


@contextlib.asynccontextmanager
async def serving(service: AssistantService, grace_s: float = 0.0) -> AsyncIterator[CockpitServer]:
    """A real server for ``service`` on 127.0.0.1 and a free port; stopped on exit."""
    server, port = await asyncio.wait_for(start_server(service, "127.0.0.1", 0), TIMEOUT_S)
    assert port == server.port > 0
    try:
        yield server
    finally:
        await asyncio.wait_for(server.stop(grace_s), TIMEOUT_S + grace_s)


@contextlib.asynccontextmanager
async def channel(target: str) -> AsyncIterator[grpc.aio.Channel]:
    """A client channel to ``target``, closed on exit."""
    chan = grpc.aio.insecure_channel(target)
    try:
        yield chan
    finally:
        await chan.close()


def trailing_code(err: grpc.aio.AioRpcError) -> str | None:
    """The ``cockpit-error-code`` trailing metadata of a failed call."""
    for key, value in err.trailing_metadata() or ():
        if key == "cockpit-error-code":
            return str(value)
    return None
