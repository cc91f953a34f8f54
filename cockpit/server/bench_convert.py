"""``cockpit.v1.Bench`` messages <-> the bench's own types (python-can frames, faults, statistics).

Shared by the servicer (:mod:`cockpit.server.bench`) and its client
(:mod:`cockpit.server.bench_client`), so both sides agree on every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import can

from can_sim.decode import DecodedFrame, Scheme, SignalValues, Verdict
from can_sim.faults import ERROR_FRAME_RATE_HZ, ActiveFault, Fault, FaultKind
from can_sim.profiles import DrivePoint, DriveProfile, profile_named
from cockpit.errors import ConfigError, InputError
from cockpit.server import convert
from cockpit.v1 import bench_pb2 as bpb

STANDARD_ID_MAX = 0x7FF
"""Largest 11-bit identifier."""
EXTENDED_ID_MAX = 0x1FFFFFFF
"""Largest 29-bit identifier."""
CLASSIC_DATA_MAX = 8
"""Data bytes of a classic frame."""
FD_DATA_MAX = 64
"""Data bytes of a CAN FD frame."""

_KIND_TO_PROTO: Mapping[FaultKind, bpb.FaultKind.ValueType] = {
    FaultKind.DROP: bpb.FAULT_KIND_DROP,
    FaultKind.DELAY: bpb.FAULT_KIND_DELAY,
    FaultKind.CORRUPT_CRC: bpb.FAULT_KIND_CORRUPT_CRC,
    FaultKind.FREEZE_COUNTER: bpb.FAULT_KIND_FREEZE_COUNTER,
    FaultKind.STOP_ECU: bpb.FAULT_KIND_STOP_ECU,
    FaultKind.REJECT_COMMANDS: bpb.FAULT_KIND_REJECT_COMMANDS,
    FaultKind.ERROR_FRAMES: bpb.FAULT_KIND_ERROR_FRAMES,
    FaultKind.BUS_OFF: bpb.FAULT_KIND_BUS_OFF,
}
_KIND_FROM_PROTO: Mapping[int, FaultKind] = {int(v): k for k, v in _KIND_TO_PROTO.items()}


def message_to_proto(msg: can.Message, decoded: DecodedFrame | None = None, dropped: int = 0) -> bpb.Frame:
    """A python-can frame (and its decoding) as a ``Frame``."""
    frame = bpb.Frame(
        timestamp_s=msg.timestamp,
        can_id=msg.arbitration_id,
        is_extended_id=msg.is_extended_id,
        data=bytes(msg.data),
        is_fd=msg.is_fd,
        channel=str(msg.channel) if msg.channel is not None else "",
        is_error_frame=msg.is_error_frame,
        is_remote_frame=msg.is_remote_frame,
        stream_dropped=dropped,
    )
    if decoded is not None and decoded.name:
        frame.decoded.CopyFrom(decoded_to_proto(decoded))
    return frame


def decoded_to_proto(decoded: DecodedFrame) -> bpb.DecodedFrame:
    """A decoded frame as a ``DecodedFrame``."""
    v = decoded.verdict
    out = bpb.DecodedFrame(
        message=decoded.name,
        e2e_ok=v.ok,
        scheme=str(v.scheme),
        crc_ok=v.crc_ok,
        counter_ok=v.counter_ok,
        reason=v.reason,
    )
    for name, value in decoded.signals.items():
        out.signals[name].CopyFrom(convert.signal_value_to_proto(value))
    return out


def decoded_from_proto(frame: bpb.Frame) -> DecodedFrame | None:
    """The decoding a ``Frame`` carries, if any."""
    if not frame.HasField("decoded"):
        return None
    d = frame.decoded
    verdict = Verdict(Scheme(d.scheme or "none"), d.crc_ok, d.counter_ok, None, d.reason)
    return DecodedFrame(frame.can_id, d.message, signals_from_proto(d.signals), verdict)


def message_from_proto(frame: bpb.Frame) -> can.Message:
    """A ``Frame`` as a python-can frame, validated; :class:`InputError` (``bad-frame``) otherwise."""
    limit = EXTENDED_ID_MAX if frame.is_extended_id else STANDARD_ID_MAX
    if frame.can_id > limit:
        bits = 29 if frame.is_extended_id else 11
        raise InputError("bad-frame", f"can_id 0x{frame.can_id:X} does not fit {bits} bits")
    most = FD_DATA_MAX if frame.is_fd else CLASSIC_DATA_MAX
    if len(frame.data) > most:
        raise InputError(
            "bad-frame",
            f"{len(frame.data)} data bytes; a {'CAN FD' if frame.is_fd else 'classic'} frame has at most {most}",
        )
    if frame.is_fd and len(frame.data) not in can.util.CAN_FD_DLC:
        raise InputError("bad-frame", f"a CAN FD frame cannot carry {len(frame.data)} bytes")
    return can.Message(
        timestamp=frame.timestamp_s,
        arbitration_id=frame.can_id,
        is_extended_id=frame.is_extended_id,
        data=bytes(frame.data),
        is_fd=frame.is_fd,
        is_error_frame=frame.is_error_frame,
        is_remote_frame=frame.is_remote_frame,
    )


def signals_from_proto(signals: Mapping[str, Any]) -> SignalValues:
    """A ``map<string, SignalValue>`` as plain values; an empty value is an :class:`InputError`."""
    out: SignalValues = {}
    for name, value in signals.items():
        try:
            plain = convert.signal_value_from_proto(value)
        except ValueError:
            raise InputError("signal-unencodable", f"signal {name} has no value") from None
        out[name] = int(plain) if isinstance(plain, bool) else plain
    return out


def fault_to_proto(fault: Fault) -> bpb.Fault:
    """A fault as a ``Fault`` message."""
    return bpb.Fault(
        kind=_KIND_TO_PROTO[fault.kind],
        can_id=fault.can_id or 0,
        ecu=fault.ecu or "",
        probability=fault.probability,
        delay_ms=round(fault.delay_s * 1000),
        duration_ms=round((fault.duration_s or 0.0) * 1000),
        rate_hz=fault.rate_hz,
    )


def fault_from_proto(msg: bpb.Fault, frame_id_of: Any = None) -> Fault:
    """A ``Fault`` message as a fault; ``frame_id_of(name)`` resolves ``message``. Bad ones: :class:`InputError`."""
    kind = _KIND_FROM_PROTO.get(msg.kind)
    if kind is None:
        known = ", ".join(bpb.FaultKind.Name(v) for v in _KIND_TO_PROTO.values())
        raise InputError("bad-fault", f"fault kind must be one of {known}")
    can_id: int | None = msg.can_id or None
    if msg.message:
        if frame_id_of is None:
            raise InputError("bad-fault", "message names are resolved by the server only")
        can_id = frame_id_of(msg.message)
    return Fault(
        kind,
        can_id=can_id,
        ecu=msg.ecu or None,
        probability=msg.probability or 1.0,
        delay_s=msg.delay_ms / 1000.0,
        rate_hz=msg.rate_hz or ERROR_FRAME_RATE_HZ,
        duration_s=msg.duration_ms / 1000.0 if msg.duration_ms else None,
    )


def active_fault_to_proto(active: ActiveFault, age_s: float, affected: int) -> bpb.ActiveFault:
    """A fault in force as an ``ActiveFault`` message."""
    return bpb.ActiveFault(
        fault_id=active.fault_id,
        fault=fault_to_proto(active.fault),
        age_s=age_s,
        frames_affected=affected,
        description=active.fault.describe(),
    )


def profile_to_proto(profile: DriveProfile) -> bpb.DriveProfile:
    """A drive profile as a ``DriveProfile`` message, points included."""
    return bpb.DriveProfile(
        name=profile.name,
        description=profile.description,
        points=[bpb.DrivePoint(t_s=p.t_s, speed_kmh=p.speed_kmh, gear=p.gear) for p in profile.points],
    )


def profile_from_proto(msg: bpb.DriveProfile) -> DriveProfile:
    """A ``DriveProfile`` message: a built-in by name when it has no points; bad ones: :class:`InputError`."""
    try:
        if not msg.points:
            return profile_named(msg.name)
        points = tuple(DrivePoint(p.t_s, p.speed_kmh, p.gear) for p in msg.points)
        return DriveProfile(msg.name or "custom", points, msg.description)
    except ConfigError as err:  # a bad request, not a server that lacks something
        raise InputError(err.code, err.message) from err
