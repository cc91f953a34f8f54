"""``cockpit.v1.Bench``: the CAN simulator bench over gRPC, beside ``Cockpit`` on the same server.

The servicer has a bus of its own on the cockpit's bus configuration. A reader thread counts
every frame (:class:`~can_sim.busload.BusStatistics`) and keeps the last frame of each id, so
``InjectSignal`` can continue a message's alive counter. Each ``StreamFrames`` call opens one
more bus: a client that names a session injects through that same bus, so (as python-can does)
it never hears its own frames back. Fault, profile and ECU RPCs act on the simulated car, when
the server runs one: tools attached to the server drive *that* car rather than adding another.

Wiring (the composition root)::

    bench = BenchServicer(BusConfig(s.can.interface, s.can.channel), car=parts.car, vehicle=parts.vehicle)
    parts.closers.append(bench.close)
    await serve(service, ..., registrars=[bench_registrar(bench)])
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import can
import grpc

from can_sim.bus import BusConfig
from can_sim.busload import DEFAULT_BITRATE, BusStatistics
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet, FrameDecoder, counter_of
from cockpit.errors import ConfigError, InputError, VehicleError
from cockpit.server import bench_convert as bc
from cockpit.server.bench_notice import CommandNotices
from cockpit.server.status import Guard, RpcFailure, abort
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.vehicle.gateway import BusStats as GatewayStats
from cockpit.vehicle.mapping import commands_for

Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
"""The servicer context of grpc.aio."""

BENCH_SERVICE = bpb.DESCRIPTOR.services_by_name["Bench"].full_name
"""``cockpit.v1.Bench``."""
STREAM_BUFFER = 10_000
"""Frames a stream holds for a slow client before it leaves some out (and says how many)."""
READ_POLL_S = 0.1
"""Receive timeout of the reader threads; bounds how long they take to notice a stop."""

SHUTTING_DOWN = RpcFailure(
    grpc.StatusCode.UNAVAILABLE, "server-shutting-down", "the cockpit server is shutting down; reconnect shortly"
)


class GatewayLike(Protocol):
    """What the bench reads from the cockpit's gateway."""

    def stats(self) -> GatewayStats:
        """Frames received, sent and rejected."""
        ...


class _Reader:
    """A thread that hands every frame of ``bus`` to ``sink``; the thread shuts the bus down at the end."""

    def __init__(self, bus: can.BusABC, sink: Callable[[can.Message], None], name: str) -> None:
        self.bus = bus
        """The bus it reads (sending on it from another thread is fine)."""
        self._sink = sink
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    msg = self.bus.recv(timeout=READ_POLL_S)
                except can.CanError:
                    return
                if msg is not None:
                    self._sink(msg)
        finally:
            self.bus.shutdown()

    def stop(self, wait: bool = False) -> None:
        """Stop reading (at once: the thread notices within :data:`READ_POLL_S`)."""
        self._stop.set()
        if wait:
            self._thread.join(timeout=2 * READ_POLL_S + 1.0)


class _Stream:
    """One StreamFrames call's bounded queue, filled from a reader thread."""

    _END: Any = object()

    def __init__(self, loop: asyncio.AbstractEventLoop, ids: Collection[int]) -> None:
        self._loop = loop
        self._ids = frozenset(ids)
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self.dropped = 0
        """Frames left out because the client read too slowly."""

    def push(self, msg: can.Message) -> None:
        """From the reader thread."""
        if self._ids and msg.arbitration_id not in self._ids:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is listening
            self._loop.call_soon_threadsafe(self._put, msg)

    def _put(self, msg: Any) -> None:
        if msg is not self._END and self._queue.qsize() >= STREAM_BUFFER:
            self.dropped += 1
            return
        self._queue.put_nowait(msg)

    def end(self) -> None:
        """From any thread: the stream ends after what is queued."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._put, self._END)

    async def __aiter__(self) -> AsyncIterator[can.Message]:
        while (item := await self._queue.get()) is not self._END:
            yield item


class BenchServicer(bpb_grpc.BenchServicer):
    """The ``Bench`` service on one bus configuration (and the simulated car, if there is one)."""

    def __init__(
        self,
        bus: BusConfig,
        car: SimulatedCar | None = None,
        vehicle: GatewayLike | None = None,
        dbc_paths: Sequence[str | Path] | None = None,
        bitrate: int = DEFAULT_BITRATE,
        drive_side: str = "left",
    ) -> None:
        """Starts reading the bus now; :meth:`close` stops. ``dbc_paths``: default the two shipped DBCs.
        ``drive_side``: which doors the body frames' FL/FR/RL/RR are, for the notices' VSS names."""
        self._config = bus
        self._car = car
        self._vehicle = vehicle
        self.dbcs = DbcSet.load(dbc_paths)
        """The DBC files frames are decoded with."""
        self.stats = BusStatistics(bitrate)
        """Everything the bench has seen."""
        self._decoder = FrameDecoder(self.dbcs)
        self._lock = threading.Lock()
        self._last: dict[tuple[int, bool], can.Message] = {}
        self._sessions: dict[str, can.BusABC] = {}
        self._streams: set[_Stream] = set()
        self._inject: can.BusABC | None = None
        self._stopping = False
        self.notices = CommandNotices(self.dbcs, commands_for(drive_side))
        """Tells the cockpit about command frames this service puts on the bus."""
        self.caller: Callable[[Any], str] = lambda _context: ""
        """The name of the token an RPC came with (set by the server that has the tokens)."""
        self._reader = _Reader(bus.open(), self._on_frame, "bench-stats")

    # -- life cycle -------------------------------------------------------------------------------

    def begin_shutdown(self) -> None:
        """End every frame stream (UNAVAILABLE) and refuse new ones."""
        with self._lock:
            self._stopping = True
            streams = list(self._streams)
        for stream in streams:
            stream.end()

    def close(self) -> None:
        """Stop reading and leave the bus (idempotent)."""
        self.begin_shutdown()
        self._reader.stop(wait=True)
        with self._lock:
            inject, self._inject = self._inject, None
        if inject is not None:
            inject.shutdown()

    def _on_frame(self, msg: can.Message) -> None:
        name, verdict = self._decoder.inspect(msg)  # counting needs no signal values
        self.stats.on_frame(msg, name, verdict if name else None)
        if not msg.is_error_frame:
            with self._lock:
                self._last[(msg.arbitration_id, msg.is_extended_id)] = msg

    # -- frames -----------------------------------------------------------------------------------

    async def StreamFrames(self, request: bpb.StreamFramesRequest, context: Context) -> AsyncIterator[bpb.Frame]:
        """Every frame (or those of ``can_ids``), decoded on request, until cancelled or shutdown."""
        async with Guard(context):
            ids = _checked_ids(request.can_ids)
            stream = _Stream(asyncio.get_running_loop(), ids)
            with self._lock:
                stopping = self._stopping
                if not stopping:
                    self._streams.add(stream)
            if stopping:
                await abort(context, SHUTTING_DOWN)
            reader: _Reader | None = None
            try:
                reader = _Reader(self._config.open(), stream.push, "bench-stream")
                if request.session:
                    with self._lock:
                        self._sessions[request.session] = reader.bus
                decoder = FrameDecoder(self.dbcs) if request.decode else None
                yield bpb.Frame(subscribed=True)
                async for msg in stream:
                    yield bc.message_to_proto(msg, decoder.decode(msg) if decoder else None, stream.dropped)
                await abort(context, SHUTTING_DOWN)
            finally:
                with self._lock:
                    self._streams.discard(stream)
                    if reader is not None and self._sessions.get(request.session) is reader.bus:
                        del self._sessions[request.session]
                if reader is not None:
                    reader.stop()

    def _bus_for(self, session: str) -> can.BusABC:
        with self._lock:
            bus = self._sessions.get(session)
            if bus is None:
                if self._inject is None:
                    self._inject = self._config.open()
                bus = self._inject
            return bus

    def _send(self, msg: can.Message, session: str, context: Context) -> None:
        try:
            self._bus_for(session).send(msg)
        except can.CanError as err:
            raise VehicleError("can-send-failed", f"the bus refused CAN id 0x{msg.arbitration_id:X}: {err}") from err
        self.notices.injected(msg, self.caller(context))  # a command frame never changes the car silently

    async def InjectFrame(self, request: bpb.InjectFrameRequest, context: Context) -> bpb.InjectFrameResponse:
        """Put one raw frame on the bus."""
        async with Guard(context):
            self._send(bc.message_from_proto(request.frame), request.session, context)
            return bpb.InjectFrameResponse()

    async def InjectSignal(self, request: bpb.InjectSignalRequest, context: Context) -> bpb.InjectSignalResponse:
        """Encode one frame of a DBC message (counter and CRC filled in) and send it."""
        async with Guard(context):
            info = self.dbcs.named(request.message)
            values = bc.signals_from_proto(request.signals)
            with self._lock:
                last = self._last.get((info.frame_id, info.is_extended))
            if request.HasField("counter"):
                counter = request.counter
            else:
                seen = counter_of(info, last.data) if last is not None else None
                counter = 0 if seen is None else seen + 1
            # Unnamed signals idle ("no request"), never copied from the last frame: an old
            # AC_REQ=ON re-sent with a temperature change would be an action nobody asked for.
            _, data = self.dbcs.encode(info.name, values, None, counter)
            msg = can.Message(arbitration_id=info.frame_id, data=data, is_extended_id=info.is_extended)
            self._send(msg, request.session, context)
            return bpb.InjectSignalResponse(frame=bc.message_to_proto(msg))

    async def InjectFrames(
        self, request_iterator: AsyncIterator[bpb.InjectFrameRequest], context: Context
    ) -> bpb.InjectFramesResponse:
        """Put each streamed frame on the bus as it arrives."""
        async with Guard(context):
            sent = 0
            async for request in request_iterator:
                self._send(bc.message_from_proto(request.frame), request.session, context)
                sent += 1
            return bpb.InjectFramesResponse(sent=sent)

    # -- the simulated car ------------------------------------------------------------------------

    async def SetDriveProfile(
        self, request: bpb.SetDriveProfileRequest, context: Context
    ) -> bpb.SetDriveProfileResponse:
        """Drive the car's powertrain along another profile, from its start."""
        async with Guard(context):
            car = self._car_or_fail()
            profile = bc.profile_from_proto(request.profile)
            previous = car.powertrain.profile
            car.powertrain.set_profile(profile)
            return bpb.SetDriveProfileResponse(
                profile=bc.profile_to_proto(profile), previous=bc.profile_to_proto(previous)
            )

    async def SetEcuRunning(self, request: bpb.SetEcuRunningRequest, context: Context) -> bpb.SetEcuRunningResponse:
        """Take one box of the car off the bus, or put it back."""
        async with Guard(context):
            car = self._car_or_fail()
            boxes = car.boxes()
            box = boxes.get(request.ecu)
            if box is None:
                raise InputError("unknown-ecu", f"no ECU {request.ecu!r}; known: {', '.join(boxes)}")
            was_running = box.running
            await asyncio.to_thread(box.start if request.running else box.stop)  # stopping waits for its thread
            return bpb.SetEcuRunningResponse(was_running=was_running)

    # -- faults -----------------------------------------------------------------------------------

    def _car_or_fail(self) -> SimulatedCar:
        if self._car is None:
            raise ConfigError(
                "no-simulated-car",
                "this server runs no simulated car (can.simulate is off); inject faults where the car runs",
            )
        return self._car

    async def InjectFault(self, request: bpb.InjectFaultRequest, context: Context) -> bpb.InjectFaultResponse:
        """Start a fault on the simulated car."""
        async with Guard(context):
            car = self._car_or_fail()
            fault = bc.fault_from_proto(request.fault, lambda name: self.dbcs.named(name).frame_id)
            active = await asyncio.to_thread(car.faults.inject, fault)  # stopping an ECU waits for its thread
            return bpb.InjectFaultResponse(fault_id=active.fault_id, description=fault.describe())

    async def ClearFault(self, request: bpb.ClearFaultRequest, context: Context) -> bpb.ClearFaultResponse:
        """End one fault, or all."""
        async with Guard(context):
            car = self._car_or_fail()
            cleared = await asyncio.to_thread(car.faults.clear, request.fault_id or None)
            return bpb.ClearFaultResponse(cleared=cleared)

    # -- statistics -------------------------------------------------------------------------------

    async def GetStats(self, request: bpb.GetStatsRequest, context: Context) -> bpb.BusStats:
        """Bus, ECU, fault and gateway statistics."""
        async with Guard(context):
            return self.stats_proto()

    def stats_proto(self) -> bpb.BusStats:
        """Everything :meth:`GetStats` answers, now."""
        snap = self.stats.snapshot()
        out = bpb.BusStats(
            uptime_s=snap.uptime_s,
            frames=snap.frames,
            e2e_errors=sum(snap.integrity_errors.values()),
            bus_load_percent=snap.load_percent,
            error_frames=snap.error_frames,
            frames_per_s=snap.frames_per_s,
            bitrate=self.stats.bitrate,
        )
        out.integrity_errors.update(snap.integrity_errors)
        for s in snap.ids:
            entry = out.ids.add(
                can_id=s.frame_id, message=s.name, frames=s.frames, mean_period_ms=s.mean_period_ms, rate_hz=s.rate_hz
            )
            entry.integrity_errors.update(s.integrity_errors)
        if self._car is not None:
            self._car_stats(self._car, out)
        if self._vehicle is not None:
            gw = self._vehicle.stats()
            out.cockpit.error_frames = gw.error_frames
            out.cockpit.rx.update(gw.rx)
            out.cockpit.tx.update(gw.tx)
            out.cockpit.rejected.update(gw.rejected)
        return out

    @staticmethod
    def _car_stats(car: SimulatedCar, out: bpb.BusStats) -> None:
        layer = car.faults.layer
        for name, box in car.boxes().items():
            entry = out.ecus.add(name=name, running=box.running, bus_off=layer.is_bus_off(name))
            stats = getattr(box, "stats", None)
            if stats is not None:
                ecu = stats()
                entry.commands, entry.status_sent = ecu.commands, ecu.status_sent
                entry.results.update(ecu.results)
                entry.dropped.update(ecu.dropped)
            else:
                entry.status_sent = car.powertrain.frames_sent
        now = time.monotonic()
        for active in car.faults.active():
            out.faults.append(
                bc.active_fault_to_proto(active, now - active.started, car.faults.applied(active.fault_id))
            )


def _checked_ids(ids: Iterable[int]) -> set[int]:
    chosen = set(ids)
    too_big = sorted(i for i in chosen if i > bc.EXTENDED_ID_MAX)
    if too_big:
        raise InputError("bad-can-id", f"CAN id 0x{too_big[0]:X} does not fit 29 bits")
    return chosen


class BenchRegistrar:
    """Adds a :class:`BenchServicer` to a server (a ``registrars=`` entry of :class:`CockpitServer`)."""

    def __init__(self, servicer: BenchServicer) -> None:
        self.servicer = servicer
        """The servicer it registers."""

    def __call__(self, server: grpc.aio.Server) -> str:
        """Register; returns the service name (for health and reflection)."""
        bpb_grpc.add_BenchServicer_to_server(self.servicer, server)
        return BENCH_SERVICE

    def begin_shutdown(self) -> None:
        """The server is stopping: end the frame streams so they do not hold up the grace period."""
        self.servicer.begin_shutdown()

    def attach(self, cockpit: Any) -> None:
        """Join the server's ``Cockpit`` servicer: it names the callers (by token) and its open
        conversations hear of the command frames this Bench injects."""
        self.servicer.caller = cockpit.caller
        cockpit.hear_bench(self.servicer.notices)


def bench_registrar(servicer: BenchServicer) -> BenchRegistrar:
    """The registrar for ``servicer``: ``serve(service, ..., registrars=[bench_registrar(bench)])``."""
    return BenchRegistrar(servicer)
