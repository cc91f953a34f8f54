"""Fuzzing every RPC of ``Cockpit`` and ``Bench`` through a real loopback server.

Per RPC, Hypothesis draws 2,000 well-formed messages with arbitrary field values (unnamed enum
numbers, extreme integers, any text) and 2,000 strings of raw bytes. None may end in UNKNOWN or
INTERNAL, the server must keep serving, and no command frame may reach the car's bus: the
``Cockpit`` service runs the real stack (templates, skills, policy, the gateway and a simulated
car; no language model, no voice), the ``Bench`` service a second simulated car on a bus of its
own, so the frames and faults it injects on purpose do not count.

Requests go out in batches of eight at once from a synchronous client, while the server runs on
its own event loop in a thread. Endless streams (``WatchVehicleState``, ``StreamFrames``) are
read for their first message within a short deadline: an accepted request that has nothing to
send yet ends in DEADLINE_EXCEEDED on the client, which is not a failure.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from can_sim.tap import BusTap
from cockpit.server.bench import BenchServicer, bench_registrar
from cockpit.server.owners import SessionLimits
from cockpit.server.runner import CockpitServer
from cockpit.v1 import cockpit_pb2 as pb
from tests.conftest import Stack, close_stack, make_stack
from tests.grpc_raw import METHODS, NEVER, path
from tests.proto_strategies import messages

pytestmark = pytest.mark.slow  # about three minutes on two busy cores: in `make test`, not `make check`

BATCH = 8
"""Requests sent at once in each Hypothesis example."""
EXAMPLES = 250
"""Examples per RPC and kind: 250 x 8 = 2,000 generated messages and 2,000 raw byte strings."""
COMMAND_IDS = frozenset({0x3A0, 0x3A4, 0x3A8, 0x3AC})
"""The cockpit's own command frames (climate, media, navigation, seats)."""
ENDLESS = frozenset({"WatchVehicleState", "StreamFrames"})
STREAM_WAIT_S = 0.1
"""Deadline for the first message of an endless stream (a bound on waiting, not a measurement)."""
CALL_TIMEOUT_S = 60.0
"""Deadline of every other call: generous, only so a hung call fails the test instead of hanging it."""
_channels = itertools.count()


@dataclass
class Fuzzed:
    """The server under test, a client channel to it and what has been seen so far."""

    stack: Stack
    channel: grpc.Channel
    commands: BusTap
    outcomes: dict[str, collections.Counter[str]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    stack = make_stack(**{"voice.enabled": False, "tts.enabled": False, "max_sessions": 1_000_000})
    commands = BusTap(BusConfig("virtual", stack.parts.settings.can.channel), ids=COMMAND_IDS)
    bench_bus = BusConfig("virtual", f"fuzz-bench-{next(_channels)}")
    bench_car = SimulatedCar.from_config(bench_bus.interface, bench_bus.channel).start()
    bench = BenchServicer(bench_bus, car=bench_car)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzz-server", daemon=True)
    thread.start()

    def on_loop(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(CALL_TIMEOUT_S)

    async def start() -> CockpitServer:
        server = CockpitServer(
            stack.parts.service, "127.0.0.1", 0, [bench_registrar(bench)], limits=SessionLimits(total=1_000_000)
        )
        await server.start()
        return server

    server = on_loop(start())
    channel = grpc.insecure_channel(server.target)
    try:
        fuzzed = Fuzzed(stack, channel, commands)
        yield fuzzed
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT_S)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert commands.frames() == []
        for name, seen in sorted(fuzzed.outcomes.items()):  # shown with -s: what the requests came to
            print(f"{name}: {dict(seen.most_common())}")
    finally:
        channel.close()
        on_loop(server.stop(0))
        on_loop(close_stack(stack))
        bench.close()
        bench_car.stop()
        commands.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CALL_TIMEOUT_S)
        loop.close()


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as err:
        return err.code()  # type: ignore[no-any-return,attr-defined]
    return grpc.StatusCode.OK


def _drain(stream: Any, endless: bool) -> None:
    for _ in stream:
        if endless:
            stream.cancel()  # accepted: it streams; no need to wait for more
            return


def fire(chan: grpc.Channel, method: MethodDescriptor, requests: list[list[bytes]]) -> list[grpc.StatusCode]:
    """Send each request (a list of messages: one for a unary request) at once; their status codes."""
    name, endless = path(method), method.name in ENDLESS
    timeout = STREAM_WAIT_S if endless else CALL_TIMEOUT_S
    if method.client_streaming and method.server_streaming:
        calls = [chan.stream_stream(name)(iter(r), timeout=timeout) for r in requests]
        return [_code(lambda c=c: _drain(c, endless)) for c in calls]
    if method.client_streaming:
        futures = [chan.stream_unary(name).future(iter(r), timeout=timeout) for r in requests]
        return [_code(f.result) for f in futures]
    if method.server_streaming:
        calls = [chan.unary_stream(name)(r[0], timeout=timeout) for r in requests]
        codes = [_code(lambda c=c: _drain(c, endless)) for c in calls]
        return [grpc.StatusCode.OK if endless and c is grpc.StatusCode.CANCELLED else c for c in codes]
    futures = [chan.unary_unary(name).future(r[0], timeout=timeout) for r in requests]
    return [_code(f.result) for f in futures]


def _unknown_field(number: int, payload: bytes) -> bytes:
    """A length-delimited field ``number`` (16-2047) of ``payload`` (< 128 bytes), as on the wire."""
    tag = number << 3 | 2
    return bytes([tag & 0x7F | 0x80, tag >> 7, len(payload)]) + payload


def generated(method: MethodDescriptor) -> st.SearchStrategy[list[bytes]]:
    """One request of ``method`` as its serialised messages (``Converse``: config first, mostly).

    Some carry a field this schema does not know (as from a newer client), which the server must
    ignore; it also keeps messages without fields (``ListSkills``) from running out of examples."""
    extra = st.one_of(st.just(b""), st.builds(_unknown_field, st.integers(16, 2047), st.binary(max_size=100)))
    one = st.builds(lambda m, x: m.SerializeToString() + x, messages(method.input_type), extra)
    if not method.client_streaming:
        return one.map(lambda b: [b])
    if method.name == "Converse":
        config = messages(pb.ConverseConfig.DESCRIPTOR).map(lambda c: pb.ConverseRequest(config=c).SerializeToString())
        return st.tuples(st.lists(config, max_size=1), st.lists(one, max_size=3)).map(lambda p: p[0] + p[1])
    return st.lists(one, max_size=4)


def raw(method: MethodDescriptor) -> st.SearchStrategy[list[bytes]]:
    """One request of raw bytes (streams: a few messages of raw bytes)."""
    chunk = st.binary(max_size=160)
    return st.lists(chunk, min_size=1, max_size=3) if method.client_streaming else chunk.map(lambda b: [b])


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same requests on every run: a failure here is reproducible, never flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("kind", ["generated", "raw"])
@pytest.mark.parametrize("index", range(len(METHODS)), ids=[path(m) for m in METHODS])
def test_no_request_ends_in_unknown_or_internal(fuzzed: Fuzzed, index: int, kind: str) -> None:
    method = METHODS[index]
    strategy = generated(method) if kind == "generated" else raw(method)
    seen = fuzzed.outcomes[f"{path(method)} {kind}"]

    @FUZZ_SETTINGS
    @given(st.lists(strategy, min_size=BATCH, max_size=BATCH))
    def run(batch: list[list[bytes]]) -> None:
        codes = fire(fuzzed.channel, method, batch)
        seen.update(c.name for c in codes)
        bad = [(c.name, r) for c, r in zip(codes, batch, strict=True) if c in NEVER]
        assert not bad, bad[:3]

    run()
    assert sum(seen.values()) >= EXAMPLES * BATCH
    assert NEVER.isdisjoint(grpc.StatusCode[name] for name in seen)
    assert fuzzed.commands.frames() == []  # nothing a fuzzed request did reached the car
