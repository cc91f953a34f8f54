"""The Bench service on its own, on loopback: a cross-process bus for a car that runs in one process.

python-can's ``virtual`` bus lives inside one process. ``can-sim run --serve 127.0.0.1:50061``
runs the simulated car there and serves its bus with this module; ``can-sim monitor|log|send|
fault|stats|scenario --server 127.0.0.1:50061`` in other terminals then reach it exactly as they
reach a ``cockpit serve``. Only loopback addresses are accepted: the bench never leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

import grpc

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from cockpit.errors import ConfigError
from cockpit.server.bench import BenchServicer
from cockpit.server.gate import RequestGate
from cockpit.v1 import bench_pb2_grpc as bpb_grpc

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
"""Hosts the bench may listen on."""
START_TIMEOUT_S = 10.0
"""How long starting (and stopping) the server may take."""


def loopback_address(address: str) -> str:
    """``address`` (``HOST:PORT``) if its host is loopback; a :class:`ConfigError` otherwise."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or host not in LOOPBACK_HOSTS:
        raise ConfigError("bad-setting", f"serve the bench on a loopback HOST:PORT (127.0.0.1:50061), not {address!r}")
    return address


@contextlib.contextmanager
def serve_bench(bus: BusConfig, car: SimulatedCar | None, address: str) -> Iterator[int]:
    """Serve ``bus`` (and ``car``) over the Bench service at ``address`` while the block runs; yields the port."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bench-serve", daemon=True)
    thread.start()
    bench = BenchServicer(bus, car=car)

    async def start() -> tuple[grpc.aio.Server, int]:
        server = grpc.aio.server(interceptors=[RequestGate(None)])  # undecodable requests: bad-request
        bpb_grpc.add_BenchServicer_to_server(bench, server)
        try:
            port = server.add_insecure_port(loopback_address(address))
        except RuntimeError as err:
            raise ConfigError("listen-failed", f"cannot listen on {address}: {err}") from err
        await server.start()
        return server, port

    try:
        server, port = asyncio.run_coroutine_threadsafe(start(), loop).result(START_TIMEOUT_S)
        try:
            yield port
        finally:
            bench.begin_shutdown()
            asyncio.run_coroutine_threadsafe(server.stop(0.5), loop).result(START_TIMEOUT_S)
    finally:
        bench.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=START_TIMEOUT_S)
        loop.close()
