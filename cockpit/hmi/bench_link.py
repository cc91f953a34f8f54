"""The engineer's view of one browser: decoded frames from ``Bench.StreamFrames``, and faults.

Only for a token with the ``bench`` (or ``admin``) scope: :meth:`BenchLink.allowed` asks the
server once. The bus carries a few hundred frames a second; the page needs the newest frame of
each ID with its integrity verdict, so frames are folded per ID and sent as one ``hmi.frames``
message every :data:`FLUSH_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc

from cockpit.hmi.protocol import dumps, error, rpc_error
from cockpit.server import convert
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc

FLUSH_S = 0.25
"""How often the frame table is sent to the page."""


def frame_row(frame: bpb.Frame) -> dict[str, Any]:
    """One frame as a row of the page's table."""
    row: dict[str, Any] = {
        "id": frame.can_id,
        "data": frame.data.hex(" ").upper(),
        "error_frame": frame.is_error_frame,
        "t": round(frame.timestamp_s, 3),
    }
    if frame.HasField("decoded"):
        d = frame.decoded
        row.update(
            message=d.message,
            scheme=d.scheme,
            crc_ok=d.crc_ok,
            counter_ok=d.counter_ok,
            reason=d.reason,
            signals={k: convert.signal_value_from_proto(v) for k, v in sorted(d.signals.items())},
        )
    return row


class BenchLink:
    """Frames and faults over the ``Bench`` service, for one browser."""

    def __init__(
        self, channel: grpc.aio.Channel, metadata: Sequence[tuple[str, str]], send: Callable[[str], Awaitable[None]]
    ) -> None:
        self._stub = bpb_grpc.BenchStub(channel)
        self._metadata = tuple(metadata)
        self._send = send
        self._allowed = False
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def allowed(self) -> bool:
        """Whether this token may use the bench (and the server serves one)."""
        try:
            await self._stub.GetStats(bpb.GetStatsRequest(), timeout=5, metadata=self._metadata)
            self._allowed = True
        except grpc.aio.AioRpcError:
            self._allowed = False
        return self._allowed

    async def close(self) -> None:
        """End the frame stream and any fault call in flight."""
        tasks = [t for t in (self._task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None

    def stream(self, on: bool) -> None:
        """Start (or stop) sending the frame table."""
        if not self._allowed:
            self._spawn(self._send(error("scope-missing", "this head unit's token has no bench scope")))
            return
        if on and self._task is None:
            self._task = asyncio.ensure_future(self._frames())
        elif not on and self._task is not None:
            self._task.cancel()
            self._task = None

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _frames(self) -> None:
        call = self._stub.StreamFrames(bpb.StreamFramesRequest(decode=True), metadata=self._metadata)
        pending: dict[int, dict[str, Any]] = {}
        counts: dict[int, int] = {}

        async def flush() -> None:
            while True:
                await asyncio.sleep(FLUSH_S)
                if pending:
                    rows = [{**row, "count": counts[i]} for i, row in sorted(pending.items())]
                    pending.clear()
                    await self._send(dumps({"type": "hmi.frames", "frames": rows}))

        flusher = asyncio.ensure_future(flush())
        try:
            async for frame in call:
                if frame.subscribed:
                    continue
                counts[frame.can_id] = counts.get(frame.can_id, 0) + 1
                pending[frame.can_id] = frame_row(frame)
        except grpc.aio.AioRpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                await self._send(error(*rpc_error(err)))
        finally:
            flusher.cancel()
            call.cancel()

    def fault(self, kind: str, message: str, ecu: str) -> None:
        """Start a fault (``InjectFault``); the page gets ``hmi.fault`` or an error."""
        fault = bpb.Fault(kind=bpb.FaultKind.Value(f"FAULT_KIND_{kind.upper()}"), message=message, ecu=ecu)
        if kind == "delay":
            fault.delay_ms = 300
        self._spawn(self._fault(fault))

    async def _fault(self, fault: bpb.Fault) -> None:
        try:
            reply = await self._stub.InjectFault(
                bpb.InjectFaultRequest(fault=fault), timeout=5, metadata=self._metadata
            )
            await self._send(dumps({"type": "hmi.fault", "fault_id": reply.fault_id, "description": reply.description}))
        except grpc.aio.AioRpcError as err:
            await self._send(error(*rpc_error(err)))

    def clear(self, fault_id: str) -> None:
        """End one fault, or all (``ClearFault``)."""
        self._spawn(self._clear(fault_id))

    async def _clear(self, fault_id: str) -> None:
        try:
            reply = await self._stub.ClearFault(
                bpb.ClearFaultRequest(fault_id=fault_id), timeout=5, metadata=self._metadata
            )
            await self._send(dumps({"type": "hmi.fault_cleared", "fault_id": fault_id, "cleared": reply.cleared}))
        except grpc.aio.AioRpcError as err:
            await self._send(error(*rpc_error(err)))
