"""A client of ``cockpit.v1.Bench``.

:class:`BenchClient` is synchronous (the ``can-sim`` tools are) and speaks the bench's own types:
python-can frames, :class:`~can_sim.faults.Fault` values, :class:`~can_sim.remote.RemoteStats`,
cockpit errors. It is the :class:`~can_sim.remote.BenchControl` that the python-can interface
``cockpit`` (:class:`cockpit.server.bench_bus.CockpitBus`) hands to ``can-sim`` tools, and the
transport that bus's frames travel on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import can
import grpc

from can_sim.busload import IdStats, StatsSnapshot
from can_sim.decode import DecodedFrame
from can_sim.faults import Fault
from can_sim.profiles import DriveProfile
from can_sim.remote import CockpitCounts, EcuReport, FaultReport, RemoteStats
from cockpit.errors import CockpitError
from cockpit.server import bench_convert as bc
from cockpit.server import convert
from cockpit.server.client import error_from_rpc
from cockpit.server.tls import ClientTls, sync_channel
from cockpit.v1 import bench_pb2 as bpb
from cockpit.v1 import bench_pb2_grpc as bpb_grpc

RPC_TIMEOUT_S = 5.0
"""Deadline of the unary calls."""


def rpc_error(err: grpc.RpcError, target: str) -> CockpitError:
    """The cockpit error a failed Bench call stands for."""
    return error_from_rpc(cast(Any, err), target)  # a sync call error has the same accessors


class BenchClient:
    """The Bench API of one server: ``with BenchClient("127.0.0.1:50051") as bench: ...``.

    ``token`` (a ``bench`` or ``admin`` secret) is sent with every call; ``tls`` connects over TLS.
    """

    def __init__(
        self, target: str, timeout_s: float = RPC_TIMEOUT_S, token: str | None = None, tls: ClientTls | None = None
    ) -> None:
        self.target = target
        """``host:port``."""
        self._timeout = timeout_s
        # Sent with every call; the secret is never logged or shown.
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._channel = sync_channel(target, tls)
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
            return method(request, timeout=self._timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise rpc_error(err, self.target) from None

    def stream(self, ids: Sequence[int] = (), decode: bool = False, session: str = "") -> Any:
        """The raw ``StreamFrames`` call (iterate it; ``cancel()`` ends it); its first message is ``subscribed``."""
        request = bpb.StreamFramesRequest(can_ids=list(ids), decode=decode, session=session)
        return self._stub.StreamFrames(request, metadata=self._metadata)

    def frames(
        self, ids: Sequence[int] = (), decode: bool = False
    ) -> Iterator[tuple[can.Message, DecodedFrame | None]]:
        """Frames as they cross the bus, with the server's decoding when asked, until the caller stops."""
        call = self.stream(ids, decode)
        try:
            for frame in call:
                if not frame.subscribed:
                    yield to_message(frame), bc.decoded_from_proto(frame)
        except grpc.RpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                raise rpc_error(err, self.target) from None
        finally:
            call.cancel()

    def inject_frame(self, msg: can.Message, session: str = "") -> None:
        """Put ``msg`` on the bus."""
        self._unary(self._stub.InjectFrame, bpb.InjectFrameRequest(frame=bc.message_to_proto(msg), session=session))

    def inject_frames(self, requests: Iterator[bpb.InjectFrameRequest]) -> int:
        """Stream frames onto the bus (``InjectFrames``) until ``requests`` ends; returns how many were sent."""
        try:
            # No deadline: the stream lasts as long as its node.
            return int(self._stub.InjectFrames(requests, metadata=self._metadata).sent)
        except grpc.RpcError as err:
            raise rpc_error(err, self.target) from None

    def inject_signal(
        self, message: str, signals: Mapping[str, float | int | str], counter: int | None = None, session: str = ""
    ) -> can.Message:
        """Send one frame of ``message`` from signal values; returns the frame sent."""
        request = bpb.InjectSignalRequest(message=message, session=session)
        for name, value in signals.items():
            request.signals[name].CopyFrom(convert.signal_value_to_proto(value))
        if counter is not None:
            request.counter = counter
        return to_message(self._unary(self._stub.InjectSignal, request).frame)

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
            cockpit = CockpitCounts(dict(c.rx), dict(c.tx), dict(c.rejected), c.error_frames)
        return RemoteStats(snap, s.bitrate, ecus, faults, cockpit)


def to_message(frame: bpb.Frame) -> can.Message:
    """A streamed or injected frame as python-can's message."""
    msg = bc.message_from_proto(frame)
    msg.channel = "bench"
    return msg
