"""The ``can-sim`` subcommands that put something on the bus: ``send`` and ``fault``."""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
from collections.abc import Sequence

import can

from can_sim.busload import BusStatistics
from can_sim.commands import client_of, open_target, wait
from can_sim.decode import DbcSet, FrameDecoder, counter_of
from can_sim.faults import FRAME_FAULTS, NODE_FAULTS, NODES, Fault, FaultKind, parse_can_id
from can_sim.monitor import MonitorTable, format_check, format_value
from can_sim.recorder import BusRecorder, Recording
from vehicle_contract.errors import ConfigError, InputError

ANSWER_TIMEOUT_S = 1.0
"""How long ``send`` waits for an ECU's status frame answering a command."""


# -- send -------------------------------------------------------------------------------------------


def parse_cansend(text: str) -> can.Message:
    """``123#DEADBEEF`` (11-bit), ``1F334455#11`` (29-bit: eight hex digits), ``123#R`` (remote)."""
    ident, sep, payload = text.partition("#")
    if not sep or not ident:
        raise InputError("bad-frame", f"{text!r} is not ID#DATA (e.g. 3A0#0102030405060708)")
    try:
        frame_id = int(ident, 16)
        remote = payload.upper().startswith("R")
        data = b"" if remote else bytes.fromhex(payload.replace(".", ""))
    except ValueError:
        raise InputError("bad-frame", f"{text!r}: the id and data are hexadecimal") from None
    extended = len(ident) == 8
    if frame_id > (0x1FFFFFFF if extended else 0x7FF) or len(data) > 8:
        raise InputError("bad-frame", f"{text!r}: id out of range or more than 8 data bytes")
    return can.Message(arbitration_id=frame_id, data=data, is_extended_id=extended, is_remote_frame=remote)


def parse_assignments(items: Sequence[str]) -> dict[str, float | int | str]:
    """``NAME=VALUE`` pairs: integers, decimals, or value-table labels."""
    out: dict[str, float | int | str] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise InputError("bad-signal", f"expected SIGNAL=VALUE, got {item!r}")
        value: float | int | str = text
        for kind in (int, float):
            with contextlib.suppress(ValueError):
                value = kind(text)
                break
        out[name] = value
    return out


def _learn_counter(bus: can.BusABC, frame_id: int, seconds: float) -> can.Message | None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        msg = bus.recv(timeout=left)
        if msg is not None and msg.arbitration_id == frame_id and not msg.is_error_frame:
            return msg
    return None


def send(args: argparse.Namespace, stop: threading.Event) -> int:
    """Send one frame; for a ``*_CMD`` message, print the ECU's answer."""
    with open_target(args) as target:
        bus = target.config.open()
        try:
            if "#" in args.frame:
                msg = parse_cansend(args.frame)
                if target.server is None:
                    bus.send(msg)
                else:
                    with client_of(target) as client:
                        client.inject_frame(msg)
            else:
                values = parse_assignments(args.signals)
                info = target.dbcs.named(args.frame)
                if target.server is not None:
                    with client_of(target) as client:
                        msg = client.inject_signal(info.name, values, args.counter)
                else:
                    counter = args.counter
                    if counter is None:
                        cycle = info.cycle_s
                        seen = _learn_counter(bus, info.frame_id, 2.5 * cycle) if cycle else None
                        last = counter_of(info, seen.data) if seen is not None else None
                        counter = 0 if last is None else last + 1
                    _, data = target.dbcs.encode(info.name, values, None, counter)
                    msg = can.Message(arbitration_id=info.frame_id, data=data, is_extended_id=info.is_extended)
                    bus.send(msg)
            print("sent   " + _describe(target.dbcs, msg), flush=True)
            _print_answer(target.dbcs, bus, msg, min(args.watch, ANSWER_TIMEOUT_S) if args.watch > 0 else 0.0)
        finally:
            bus.shutdown()
    return 0


def _describe(dbcs: DbcSet, msg: can.Message) -> str:
    frame = FrameDecoder(dbcs).decode(msg)
    signals = " ".join(f"{k}={format_value(v)}" for k, v in frame.signals.items())
    return f"0x{msg.arbitration_id:03X} {frame.name or '?'} [{bytes(msg.data).hex(' ')}] {signals}".rstrip()


def _print_answer(dbcs: DbcSet, bus: can.BusABC, sent: can.Message, timeout: float) -> None:
    info = dbcs.info(sent.arbitration_id, sent.is_extended_id)
    if info is None or not info.name.endswith("_CMD") or timeout <= 0:
        return
    try:
        status = dbcs.named(info.name.removesuffix("_CMD") + "_STATUS")
    except InputError:
        return
    counter = counter_of(info, sent.data)
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        msg = bus.recv(timeout=left)
        if msg is None or msg.arbitration_id != status.frame_id:
            continue
        if dbcs.decode(status, msg.data).get("ACK_COUNTER") == counter:
            verdict = FrameDecoder(dbcs).judge(status, msg.data)
            print("answer " + _describe(dbcs, msg) + f"  ({format_check(verdict.scheme, verdict, {})})")
            return
    print(f"answer none: no {status.name} acknowledged counter {counter} within {timeout:g} s")


# -- fault ---------------------------------------------------------------------------------------------


def fault_from_args(args: argparse.Namespace, dbcs: DbcSet) -> Fault:
    """The fault the ``fault`` subcommand's options describe."""
    kind = FaultKind(args.kind)
    if kind in NODE_FAULTS and not args.ecu:
        raise InputError("bad-fault", f"{kind} needs --ecu NODE: one of {', '.join(NODES)}")
    if kind in FRAME_FAULTS and not (args.can_id or args.message):
        raise InputError("bad-fault", f"{kind} needs --id ID (0x1F0) or --message NAME (WHEELSPEED_CLEAN)")
    can_id = parse_can_id(args.can_id) if args.can_id else None
    if args.message:
        can_id = dbcs.named(args.message).frame_id
    return Fault(
        kind,
        can_id=can_id,
        ecu=args.ecu,
        probability=args.probability,
        delay_s=args.delay_ms / 1000.0,
        rate_hz=args.rate_hz,
        duration_s=args.duration,
    )


def fault(args: argparse.Namespace, stop: threading.Event) -> int:
    """Inject, list or clear a fault: on a server's car, or on an in-process car while watching the bus."""
    if args.server:
        dbcs = DbcSet.load(args.dbc)
        with client_of(args) as client:
            if args.kind == "list":
                faults = client.stats().faults
                for f in faults:
                    print(f"{f.fault_id}: {f.description} ({f.age_s:.1f} s, {f.frames_affected} frames)")
                if not faults:
                    print("no active faults")
            elif args.kind == "clear":
                print(f"cleared {client.clear_fault(args.fault_id)} fault(s)")
            else:
                fault_id, description = client.inject_fault(fault_from_args(args, dbcs))
                print(f"{fault_id}: {description}")
        return 0
    if args.kind in ("list", "clear"):
        raise ConfigError("no-server", f"fault {args.kind} acts on a running cockpit's car: give --server HOST:PORT")
    with open_target(args, need_car=True) as target:
        assert target.car is not None
        statistics = BusStatistics(target.bitrate, window_s=args.watch)
        table = MonitorTable(statistics)
        bus = target.config.open()
        try:
            with Recording(bus, BusRecorder(None, FrameDecoder(target.dbcs), statistics, on_decoded=table.on_decoded)):
                active = target.car.faults.inject(fault_from_args(args, target.dbcs))
                print(
                    f"{active.fault_id}: {active.fault.describe()}; watching the bus for {args.watch:g} s", flush=True
                )
                wait(stop, args.watch)
                affected = target.car.faults.applied(active.fault_id)
                with contextlib.suppress(InputError):  # a fault with a duration may have cleared itself
                    target.car.faults.clear(active.fault_id)
        finally:
            bus.shutdown()
        print(table.render())
        print(f"{active.fault_id} acted on {affected} frames; cleared")
    return 0
