"""The gRPC server: the Cockpit servicer, standard health and reflection, graceful shutdown.

``serve()`` is what ``cockpit serve`` runs. :class:`CockpitServer` is the same server as an object
for tests, benchmarks and embedding: ``port = await server.start()`` (port 0 picks a free one),
then ``await server.stop(grace_s)``; :func:`start_server` does both steps of starting in one.

Every RPC passes the :class:`~cockpit.server.gate.RequestGate` first: bearer tokens and scopes
when ``tokens`` is given (:mod:`cockpit.server.auth`), and ``bad-request`` for requests that do
not decode. ``limits`` bound the sessions and their turn rate (:mod:`cockpit.server.owners`),
``streams`` the conversations and buffers (:class:`~cockpit.server.streams.StreamLimits`);
``tls`` makes the port TLS or mutual TLS (:mod:`cockpit.server.tls`).

Shutdown, on SIGTERM/SIGINT or :meth:`CockpitServer.stop`: health turns NOT_SERVING, watch
streams end with UNAVAILABLE, new RPCs are refused, and turns in flight get ``grace_s`` seconds
to finish before they are cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from cockpit.errors import ConfigError
from cockpit.server.auth import TokenBook
from cockpit.server.gate import RequestGate
from cockpit.server.owners import SessionLimits
from cockpit.server.servicer import CockpitServicer
from cockpit.server.streams import StreamLimits
from cockpit.server.tls import ServerTls
from cockpit.service_api import AssistantService
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

COCKPIT_SERVICE = pb.DESCRIPTOR.services_by_name["Cockpit"].full_name
"""``cockpit.v1.Cockpit``: the name health and reflection report."""
DIALOGUE_HEALTH = "cockpit.v1.Cockpit/dialogue"
"""Health entry for open dialogue: NOT_SERVING while the language model is missing or failing
(the skills, and so ``cockpit.v1.Cockpit`` itself, keep SERVING)."""
VOICE_HEALTH = "cockpit.v1.Cockpit/voice"
"""Health entry for the voice front end: NOT_SERVING while its models failed to load (typed
turns keep working)."""
HEALTH_POLL_S = 1.0
"""How often the service's own health is mirrored into the gRPC health service."""
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
"""Largest message either way; larger ones end in RESOURCE_EXHAUSTED. Room for audio chunks."""
DEFAULT_HOST = "127.0.0.1"
"""Loopback: the car's own computer."""
DEFAULT_PORT = 50051
"""The conventional gRPC port."""
DEFAULT_GRACE_S = 5.0
"""How long turns in flight may run on after a shutdown begins."""

Registrar = Callable[[grpc.aio.Server], str]
"""Adds one more servicer (e.g. ``Bench``) to the server; returns its full service name. A
registrar with a ``begin_shutdown()`` method is told when the server starts to stop."""


class _Health(health.aio.HealthServicer):
    """gRPC's health service, whose ``Watch`` streams end (OK, after NOT_SERVING) once shutdown begins.

    The reference ``Watch`` waits for the next change for ever, so an open watch held the whole
    grace period and was then cancelled, logging a ``CancelledError`` traceback.
    """

    async def Watch(self, request: health_pb2.HealthCheckRequest, context: Any) -> None:
        condition = self._server_watchers[request.service]
        self._watcher_count_by_service[request.service] += 1
        last = None
        try:
            async with condition:
                while True:
                    status = self._server_status.get(request.service, health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
                    if status != last:
                        await context.write(health_pb2.HealthCheckResponse(status=status))
                    last = status
                    if self._gracefully_shutting_down:
                        return  # the watcher has heard NOT_SERVING; nothing more will change
                    await condition.wait()
        finally:
            self._watcher_count_by_service[request.service] -= 1
            if self._watcher_count_by_service[request.service] == 0:
                del self._server_watchers[request.service]
                del self._watcher_count_by_service[request.service]


def _address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 literal in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


class CockpitServer:
    """One grpc.aio server around one service; it does not own (or close) the service."""

    def __init__(
        self,
        service: AssistantService,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        registrars: Sequence[Registrar] = (),
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        *,
        tokens: TokenBook | None = None,
        limits: SessionLimits | None = None,
        tls: ServerTls | None = None,
        streams: StreamLimits | None = None,
    ) -> None:
        self.host = host
        """Listen address."""
        self.port = port
        """Requested port until :meth:`start`, then the bound one."""
        self._service = service
        self._registrars = tuple(registrars)
        self._max_message_bytes = max_message_bytes
        self._tokens = tokens
        self._limits = limits
        self._tls = tls
        self._streams = streams
        self._server: grpc.aio.Server | None = None
        self._servicer: CockpitServicer | None = None
        self._health: _Health | None = None
        self._stop_begun = False
        self._stopped = asyncio.Event()
        self._health_task: asyncio.Task[None] | None = None

    @property
    def target(self) -> str:
        """``host:port`` for a client channel (valid after :meth:`start`)."""
        return _address(self.host, self.port)

    async def start(self) -> int:
        """Bind, register every service, mark it SERVING and start; returns the bound port."""
        if self._server is not None:
            raise RuntimeError("server already started")
        options = [
            ("grpc.max_receive_message_length", self._max_message_bytes),
            ("grpc.max_send_message_length", self._max_message_bytes),
            ("grpc.so_reuseport", 0),  # a busy port is an error, not a second listener
        ]
        # The gate checks tokens and scopes and turns undecodable requests into INVALID_ARGUMENT.
        server = grpc.aio.server(options=options, interceptors=[RequestGate(self._tokens)])
        self._servicer = CockpitServicer(self._service, self._tokens, self._limits, self._streams)
        pb_grpc.add_CockpitServicer_to_server(self._servicer, server)
        self._health = _Health()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        names = [COCKPIT_SERVICE, *(register(server) for register in self._registrars)]
        for register in self._registrars:  # e.g. the Bench: its injected commands reach the conversations
            attach = getattr(register, "attach", None)
            if callable(attach):
                attach(self._servicer)
        reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
        address = _address(self.host, self.port)
        credentials = self._tls.credentials() if self._tls is not None else None  # unreadable files: before binding
        try:
            if credentials is None:
                self.port = server.add_insecure_port(address)
            else:
                self.port = server.add_secure_port(address, credentials)
        except RuntimeError as err:
            raise ConfigError("listen-failed", f"cannot listen on {address}: {err}; pick another --port") from err
        for name in ("", *names):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        await self._mirror_health()
        self._health_task = asyncio.create_task(self._watch_health())
        await server.start()
        self._server = server
        auth = f"tokens: {', '.join(self._tokens.names)}" if self._tokens else "no tokens"
        wire = "plain text" if self._tls is None else ("mutual TLS" if self._tls.mutual else "TLS")
        log.info("cockpit server listening on %s (%s, %s)", self.target, wire, auth)
        return self.port

    async def _mirror_health(self) -> None:
        assert self._health is not None
        report = self._service.health()
        for name, problems in ((DIALOGUE_HEALTH, report.degraded), (VOICE_HEALTH, report.voice)):
            status = health_pb2.HealthCheckResponse.NOT_SERVING if problems else health_pb2.HealthCheckResponse.SERVING
            await self._health.set(name, status)

    async def _watch_health(self) -> None:
        while True:
            await asyncio.sleep(HEALTH_POLL_S)
            try:
                await self._mirror_health()
            except Exception:  # a health probe must never take the server down
                log.exception("health check of the service failed")

    async def stop(self, grace_s: float = DEFAULT_GRACE_S) -> None:
        """Graceful shutdown: NOT_SERVING, refuse new RPCs, let turns finish for ``grace_s``."""
        if self._server is None:
            return  # never started
        if self._stop_begun:  # a second caller waits for the first one's shutdown
            await self._stopped.wait()
            return
        self._stop_begun = True
        assert self._servicer is not None and self._health is not None
        log.info(
            "cockpit server shutting down (%d turns in flight, grace %.1f s)", self._servicer.turns_in_flight, grace_s
        )
        self._servicer.begin_shutdown()
        for register in self._registrars:  # e.g. the Bench service ends its frame streams
            hook = getattr(register, "begin_shutdown", None)
            if callable(hook):
                hook()
        if self._health_task is not None:  # no more health mirroring; a pending task would outlive the loop
            self._health_task.cancel()
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace_s)
        self._stopped.set()

    async def wait_for_termination(self) -> None:
        """Return once :meth:`stop` has finished (at once if the server never started)."""
        if self._server is None:
            return
        await self._stopped.wait()

    async def __aenter__(self) -> CockpitServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop(0)


async def start_server(
    service: AssistantService,
    host: str = DEFAULT_HOST,
    port: int = 0,
    registrars: Sequence[Registrar] = (),
    *,
    tokens: TokenBook | None = None,
    limits: SessionLimits | None = None,
    tls: ServerTls | None = None,
    streams: StreamLimits | None = None,
) -> tuple[CockpitServer, int]:
    """Start a server for ``service`` (port 0: a free one); returns it and its port. Stop it with
    ``await server.stop(grace_s)``."""
    server = CockpitServer(service, host, port, registrars, tokens=tokens, limits=limits, tls=tls, streams=streams)
    return server, await server.start()


async def serve(
    service: AssistantService,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    grace_s: float = DEFAULT_GRACE_S,
    *,
    ready: Callable[[CockpitServer], None] | None = None,
    stop: asyncio.Event | None = None,
    registrars: Sequence[Registrar] = (),
    handle_signals: bool = True,
    tokens: TokenBook | None = None,
    limits: SessionLimits | None = None,
    tls: ServerTls | None = None,
    streams: StreamLimits | None = None,
) -> None:
    """Serve ``service`` until SIGTERM/SIGINT (or ``stop`` is set), then shut down gracefully.

    ``ready`` is called once the server listens (its ``port`` is the bound one). Signal handlers
    are installed only when ``handle_signals`` is true and this runs on the main thread.
    """
    server = CockpitServer(service, host, port, registrars, tokens=tokens, limits=limits, tls=tls, streams=streams)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if handle_signals:  # before start: a SIGTERM right after the port opens must not kill turns
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(signum, stop.set)
                installed.append(signum)
            except (ValueError, RuntimeError, NotImplementedError):  # not the main thread, or no signals here
                log.debug("cannot handle signal %s here", signum)
    try:
        await server.start()
        if ready is not None:
            ready(server)
        await stop.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
        await server.stop(grace_s)
