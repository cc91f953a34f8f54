"""Raw-bytes calls to every RPC of both services, and a server to aim them at (no tests here).

Used by the input and fuzz tests: a request is sent as bytes, exactly as a hostile or broken
client would put it on the wire, so it reaches the server's deserialiser.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor

from can_sim.bus import BusConfig
from cockpit.server.auth import TokenBook
from cockpit.server.bench import BenchServicer, bench_registrar
from cockpit.server.owners import SessionLimits
from cockpit.server.runner import CockpitServer, start_server
from cockpit.service_api import AssistantService
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import cockpit_pb2 as pb

TIMEOUT_S = 5.0
METHODS: tuple[MethodDescriptor, ...] = tuple(
    method
    for file in (pb.DESCRIPTOR, bpb.DESCRIPTOR)
    for service in file.services_by_name.values()
    for method in service.methods
)
"""Every RPC of ``Cockpit`` and ``Bench``."""
NEVER = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL})
"""What no request may end in."""
_channels = itertools.count()


def path(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def invalid_utf8(message: Descriptor, depth: int = 0) -> bytes | None:
    """A serialised ``message`` whose first string field (nested messages too) holds invalid
    UTF-8; None when it has no string field within reach."""
    for field in message.fields:
        if field.type == FieldDescriptor.TYPE_STRING:
            return _length_delimited(field.number, b"ok\xc3\x28\xff")
    for field in message.fields:
        if field.type == FieldDescriptor.TYPE_MESSAGE and depth < 3:
            inner = invalid_utf8(field.message_type, depth + 1)
            if inner is not None:
                return _length_delimited(field.number, inner)
    return None


@dataclass
class Outcome:
    """How one raw call ended."""

    code: grpc.StatusCode
    error_code: str | None
    details: str


async def call_raw(chan: grpc.aio.Channel, method: MethodDescriptor, payloads: list[bytes]) -> Outcome:
    """Send ``payloads`` (one for a unary request) to ``method``; read the whole answer."""
    name = path(method)
    try:
        if method.client_streaming and method.server_streaming:
            stream = chan.stream_stream(name)(iter(payloads), timeout=TIMEOUT_S)
            async for _ in stream:
                pass
        elif method.client_streaming:
            await chan.stream_unary(name)(iter(payloads), timeout=TIMEOUT_S)
        elif method.server_streaming:
            replies = chan.unary_stream(name)(payloads[0], timeout=TIMEOUT_S)
            async for _ in replies:
                if "Watch" in name or "StreamFrames" in name:
                    replies.cancel()  # endless streams: the first message shows the request was taken
                    break
        else:
            await chan.unary_unary(name)(payloads[0], timeout=TIMEOUT_S)
    except grpc.aio.AioRpcError as err:
        metadata = dict(err.trailing_metadata() or ())
        code = metadata.get("cockpit-error-code")
        return Outcome(err.code(), str(code) if code is not None else None, err.details() or "")
    return Outcome(grpc.StatusCode.OK, None, "")


@contextlib.asynccontextmanager
async def with_bench(
    service: AssistantService, tokens: TokenBook | None = None, limits: SessionLimits | None = None
) -> AsyncIterator[CockpitServer]:
    """A loopback server for ``service`` with a real Bench on a private bus that has no car."""
    bench = BenchServicer(BusConfig("virtual", f"raw-test-{next(_channels)}"))
    server, _ = await start_server(service, "127.0.0.1", 0, [bench_registrar(bench)], tokens=tokens, limits=limits)
    try:
        yield server
    finally:
        await server.stop(0)
        bench.close()


def make_fake_with_bench(settings: object = None) -> AssistantService:
    """A service factory for ``cockpit serve`` in a subprocess: the fake assistant, offering a real
    Bench (on a private bus without a car) the way the real service offers its own."""
    from cockpit.testing import FakeAssistant

    fake = FakeAssistant()
    bench = BenchServicer(BusConfig("virtual", "cli-bench-test"))
    fake.registrars = (bench_registrar(bench),)  # type: ignore[attr-defined]
    return fake
