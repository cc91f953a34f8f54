"""A client of ``cockpit.v1.Bench``, and a python-can bus that reaches a cockpit's bus through it.

:class:`BenchClient` is synchronous (the ``can-sim`` tools are) and speaks the bench's own types:
python-can frames, :class:`~can_sim.faults.Fault` values, cockpit errors. :class:`RemoteBenchBus`
is a ``can.BusABC`` whose ``send`` feeds one ``InjectFrames`` stream and whose ``recv`` reads ``StreamFrames``:
any python-can tool (a ``can.Notifier``, a ``can.Logger``, the simulated ECUs) then works on a
running cockpit's in-process virtual bus. ``BusConfig("bench", "127.0.0.1:50051")`` opens one.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import can
import grpc

from can_sim.busload import IdStats, StatsSnapshot
from can_sim.decode import DecodedFrame
from can_sim.faults import Fault
from can_sim.profiles import DriveProfile
from cockpit.errors import CockpitError
from cockpit.server import bench_convert as bc
from cockpit.server import convert
from cockpit.server.client import error_from_rpc
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc
from cockpit.vehicle.gateway import BusStats as GatewayStats

SUBSCRIBE_TIMEOUT_S = 5.0
"""How long :class:`RemoteBenchBus` waits for its frame stream to be in place."""
RPC_TIMEOUT_S = 5.0
"""Deadline of the unary calls."""


@dataclass(frozen=True)
class EcuReport:
    """One simulated ECU, as the server reports it."""

    name: str
    """Node name (``hvac``, ...)."""
    running: bool
    """On the bus."""
    bus_off: bool
    """Bus-off."""
    commands: int
    """Commands that passed the E2E check."""
    results: Mapping[str, int]
    """Those by result."""
    dropped: Mapping[str, int]
    """Commands dropped, by reason."""
    sent: int
    """Status (or powertrain) frames sent."""


@dataclass(frozen=True)
class FaultReport:
    """A fault in force on the server's car."""

    fault_id: str
    """Identifier to clear it with."""
    description: str
    """In words."""
    age_s: float
    """Seconds since it began."""
    frames_affected: int
    """Frames it acted on."""


@dataclass(frozen=True)
class RemoteStats:
    """What ``GetStats`` answers."""

    bus: StatsSnapshot
    """Bus statistics."""
    bitrate: int
    """Nominal bit rate."""
    ecus: tuple[EcuReport, ...]
    """Simulated ECUs (empty without a simulated car)."""
    faults: tuple[FaultReport, ...]
    """Faults in force."""
    cockpit: GatewayStats | None
    """The cockpit gateway's own counts."""


def _error(err: grpc.RpcError, target: str) -> CockpitError:
    return error_from_rpc(cast(Any, err), target)  # a sync call error has the same accessors


class BenchClient:
    """The Bench API of one server: ``with BenchClient("127.0.0.1:50051") as bench: ...``."""

    def __init__(self, target: str, timeout_s: float = RPC_TIMEOUT_S) -> None:
        self.target = target
        """``host:port``."""
        self._timeout = timeout_s
        self._channel = grpc.insecure_channel(target)
        self._stub = bpb_grpc.BenchStub(self._channel)

    def __enter__(self) -> BenchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel (streams in flight end)."""
        self._channel.close()

    def _unary(self, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=self._timeout)
        except grpc.RpcError as err:
            raise _error(err, self.target) from None

    def stream(self, ids: Sequence[int] = (), decode: bool = False, session: str = "") -> Any:
        """The raw ``StreamFrames`` call (iterate it; ``cancel()`` ends it); its first message is ``subscribed``."""
        request = bpb.StreamFramesRequest(can_ids=list(ids), decode=decode, session=session)
        return self._stub.StreamFrames(request)

    def frames(
        self, ids: Sequence[int] = (), decode: bool = False
    ) -> Iterator[tuple[can.Message, DecodedFrame | None]]:
        """Frames as they cross the bus, with the server's decoding when asked, until the caller stops."""
        call = self.stream(ids, decode)
        try:
            for frame in call:
                if not frame.subscribed:
                    yield _to_message(frame), bc.decoded_from_proto(frame)
        except grpc.RpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                raise _error(err, self.target) from None
        finally:
            call.cancel()

    def inject_frame(self, msg: can.Message, session: str = "") -> None:
        """Put ``msg`` on the bus."""
        self._unary(self._stub.InjectFrame, bpb.InjectFrameRequest(frame=bc.message_to_proto(msg), session=session))

    def inject_frames(self, requests: Iterator[bpb.InjectFrameRequest]) -> int:
        """Stream frames onto the bus (``InjectFrames``) until ``requests`` ends; returns how many were sent."""
        try:
            return int(self._stub.InjectFrames(requests).sent)  # no deadline: the stream lasts as long as its node
        except grpc.RpcError as err:
            raise _error(err, self.target) from None

    def inject_signal(
        self, message: str, signals: Mapping[str, float | int | str], counter: int | None = None, session: str = ""
    ) -> can.Message:
        """Send one frame of ``message`` from signal values; returns the frame sent."""
        request = bpb.InjectSignalRequest(message=message, session=session)
        for name, value in signals.items():
            request.signals[name].CopyFrom(convert.signal_value_to_proto(value))
        if counter is not None:
            request.counter = counter
        return _to_message(self._unary(self._stub.InjectSignal, request).frame)

    def set_profile(self, profile: DriveProfile) -> DriveProfile:
        """Drive the server's car along ``profile`` from now; returns the profile it replaced."""
        request = bpb.SetDriveProfileRequest(profile=bc.profile_to_proto(profile))
        return bc.profile_from_proto(self._unary(self._stub.SetDriveProfile, request).previous)

    def set_ecu_running(self, ecu: str, running: bool) -> bool:
        """Take one box of the server's car off the bus or put it back; returns whether it was running."""
        request = bpb.SetEcuRunningRequest(ecu=ecu, running=running)
        return bool(self._unary(self._stub.SetEcuRunning, request).was_running)

    def inject_fault(self, fault: Fault) -> tuple[str, str]:
        """Start ``fault`` on the server's car; returns (fault id, description)."""
        reply = self._unary(self._stub.InjectFault, bpb.InjectFaultRequest(fault=bc.fault_to_proto(fault)))
        return reply.fault_id, reply.description

    def clear_fault(self, fault_id: str | None = None) -> int:
        """End one fault (``None``: all); returns how many ended."""
        return int(self._unary(self._stub.ClearFault, bpb.ClearFaultRequest(fault_id=fault_id or "")).cleared)

    def stats(self) -> RemoteStats:
        """The server's statistics."""
        s = self._unary(self._stub.GetStats, bpb.GetStatsRequest())
        snap = StatsSnapshot(
            uptime_s=s.uptime_s,
            frames=s.frames,
            error_frames=s.error_frames,
            frames_per_s=s.frames_per_s,
            load_percent=s.bus_load_percent,
            integrity_errors=dict(s.integrity_errors),
            ids=tuple(
                IdStats(i.can_id, i.message, i.frames, i.rate_hz, i.mean_period_ms, dict(i.integrity_errors))
                for i in s.ids
            ),
        )
        ecus = tuple(
            EcuReport(e.name, e.running, e.bus_off, e.commands, dict(e.results), dict(e.dropped), e.status_sent)
            for e in s.ecus
        )
        faults = tuple(FaultReport(f.fault_id, f.description, f.age_s, f.frames_affected) for f in s.faults)
        cockpit = None
        if s.HasField("cockpit"):
            c = s.cockpit
            cockpit = GatewayStats(dict(c.rx), dict(c.tx), dict(c.rejected), c.error_frames)
        return RemoteStats(snap, s.bitrate, ecus, faults, cockpit)


def _to_message(frame: bpb.Frame) -> can.Message:
    msg = bc.message_from_proto(frame)
    msg.channel = "bench"
    return msg


class RemoteBenchBus(can.BusABC):
    """A python-can bus on a running cockpit's bus, through its Bench service (``channel``: ``host:port``).

    Like a python-can bus it does not receive its own frames (``receive_own_messages=True`` does).
    """

    def __init__(
        self,
        channel: str,
        can_filters: Any = None,
        receive_own_messages: bool = False,
        subscribe_timeout_s: float = SUBSCRIBE_TIMEOUT_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(channel=channel, can_filters=can_filters, **kwargs)
        self.channel_info = f"cockpit bench at {channel}"
        self._client = BenchClient(channel)
        self._session = "" if receive_own_messages else f"bus-{uuid.uuid4().hex}"
        self._queue: queue.Queue[can.Message] = queue.Queue()
        self._failure: str | None = None
        self._subscribed = threading.Event()
        self._call = self._client.stream(session=self._session)
        self._thread = threading.Thread(target=self._read, name="bench-bus", daemon=True)
        self._thread.start()
        # Frames go out on one InjectFrames stream, fed from a queue: send() returns at once and
        # a node keeps its rhythm instead of waiting one round trip per frame.
        self._outbox: queue.Queue[bpb.InjectFrameRequest | None] = queue.Queue()
        self._send_failure: str | None = None
        self._sender = threading.Thread(target=self._pump, name="bench-bus-send", daemon=True)
        self._sender.start()
        if not self._subscribed.wait(subscribe_timeout_s) or self._failure:
            failure = self._failure or f"no answer within {subscribe_timeout_s:g} s"
            self.shutdown()
            raise can.CanInitializationError(f"cannot reach the cockpit bench at {channel}: {failure}")

    def _read(self) -> None:
        try:
            for frame in self._call:
                if frame.subscribed:
                    self._subscribed.set()
                else:
                    self._queue.put(_to_message(frame))
        except grpc.RpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                self._failure = str(_error(err, str(self.channel_info)))
        except CockpitError as err:  # a frame the server should never have sent
            self._failure = str(err)
        finally:
            self._subscribed.set()

    def _recv_internal(self, timeout: float | None) -> tuple[can.Message | None, bool]:
        try:
            return self._queue.get(timeout=timeout), False
        except queue.Empty:
            if self._failure is not None:
                raise can.CanOperationError(f"the bench stream ended: {self._failure}") from None
            return None, False

    def _requests(self) -> Iterator[bpb.InjectFrameRequest]:
        while (request := self._outbox.get()) is not None:
            yield request

    def _pump(self) -> None:
        try:
            self._client.inject_frames(self._requests())
        except CockpitError as err:
            self._send_failure = str(err)

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        """Queue ``msg`` for the cockpit's bus (``InjectFrames``); a refusal fails the sends after it."""
        if self._send_failure is not None or not self._sender.is_alive():
            raise can.CanOperationError(f"the bench refused a frame: {self._send_failure or 'the bus is shut down'}")
        self._outbox.put(bpb.InjectFrameRequest(frame=bc.message_to_proto(msg), session=self._session))

    def flush_tx_buffer(self) -> None:
        """Wait until every queued frame has been handed to the server (bounded by the RPC timeout)."""
        deadline = time.monotonic() + RPC_TIMEOUT_S
        while not self._outbox.empty() and self._sender.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)

    def shutdown(self) -> None:
        """Send what is queued, then end the streams and close the channel."""
        super().shutdown()
        self._outbox.put(None)
        self._sender.join(timeout=RPC_TIMEOUT_S)
        self._call.cancel()
        self._client.close()
