"""``cockpit hmi`` without ``--server``: the service in this process, behind a loopback gRPC server.

The page's bridge is then a gRPC client like any other: it holds a token that exists only in
memory (scopes ``hmi`` and ``bench``), so nothing else on the machine can call this server.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import grpc

from cockpit.cli.turns import ServiceFactory, open_service
from cockpit.hmi.web import DEFAULT_PORT, LOOPBACK, HmiServer
from cockpit.server.auth import TokenBook
from cockpit.server.bench import BenchRegistrar
from cockpit.server.runner import start_server
from cockpit.settings import Settings

PAGE_TOKEN_NAME = "hmi-page"
"""The in-memory token's name, as the server's log lines show it."""


def page_token() -> tuple[str, TokenBook]:
    """A fresh random secret and the token book that knows it alone."""
    secret = secrets.token_urlsafe(32)
    toml = f'[[token]]\nname = "{PAGE_TOKEN_NAME}"\nsecret = "{secret}"\nscopes = ["hmi", "bench"]\n'
    return secret, TokenBook.from_toml(toml, "the page's in-memory token")


@contextlib.asynccontextmanager
async def embedded_service(settings: Settings, factory: ServiceFactory) -> AsyncIterator[tuple[str, str]]:
    """Build the service, serve it on a free loopback port with a fresh token; yields (target, secret)."""
    async with contextlib.AsyncExitStack() as stack:
        service = await open_service(factory, settings, stack)
        registrars = tuple(getattr(service, "registrars", ()))
        if not (settings.can.simulate or settings.server.bench):  # a real car: no bench unless asked for
            registrars = tuple(r for r in registrars if not isinstance(r, BenchRegistrar))
        secret, book = page_token()
        server, _ = await start_server(service, LOOPBACK, 0, registrars, tokens=book)
        try:
            yield server.target, secret
        finally:
            await server.stop(1.0)


async def run_hmi(
    *,
    port: int = DEFAULT_PORT,
    target: str | None = None,
    token: str | None = None,
    settings: Settings | None = None,
    factory: ServiceFactory | None = None,
    ready: Callable[[HmiServer], None] | None = None,
    stop: asyncio.Event | None = None,
    credentials: grpc.ChannelCredentials | None = None,
    channel_options: Sequence[tuple[str, Any]] = (),
) -> None:
    """Serve the page until ``stop`` is set: for the server at ``target``, or (without one) for the
    service built from ``settings`` by ``factory`` in this process. ``credentials`` (and the
    ``channel_options`` that go with them) make the channel to ``target`` a TLS one."""
    stop = stop or asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        if target is None:
            assert settings is not None and factory is not None, "the embedded service needs settings and a factory"
            target, token = await stack.enter_async_context(embedded_service(settings, factory))
        assert target is not None
        hmi = HmiServer(target, token, port, credentials, channel_options)
        await hmi.start()
        stack.push_async_callback(hmi.stop)
        if ready is not None:
            ready(hmi)
        await stop.wait()
