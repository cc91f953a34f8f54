"""The ``can-sim`` subcommands that watch the bus: ``monitor`` (a live table or a scrolling trace,
filtered by id or message name) and ``stats``."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import threading
import time

import can

from can_sim.busload import BusStatistics, StatsSnapshot
from can_sim.commands import CLEAR_SCREEN, VIRTUAL_BUS_NOTE, client_of, open_target, wait
from can_sim.decode import DbcSet, DecodedFrame, FrameDecoder
from can_sim.monitor import MonitorTable, fit, format_header, format_trace
from can_sim.recorder import BusRecorder, Recording
from vehicle_contract.errors import InputError


def frame_id_filter(text: str, dbcs: DbcSet) -> int:
    """A monitor filter: a DBC message name (``HVAC_CMD``) or a hex id as ``candump`` writes it
    (``3A0``, ``0x3A0``, ``3A0h``); an :class:`InputError` names both forms otherwise."""
    info = dbcs.find(text)
    if info is not None:
        return info.frame_id
    digits = text.strip().lower().removeprefix("0x").removesuffix("h")
    try:
        value = int(digits, 16)
    except ValueError:
        raise InputError(
            "bad-can-id", f"{text!r} is neither a hex CAN id (3A0, 0x3A0) nor a message in {', '.join(dbcs.files)}"
        ) from None
    if value > 0x1FFFFFFF:
        raise InputError("bad-can-id", f"{text!r} does not fit 29 bits")
    return value


def monitor(args: argparse.Namespace, stop: threading.Event) -> int:
    """The decoded-frame table, redrawn every ``--interval`` (or, with ``--trace``, one line per
    frame), until Ctrl-C or ``--duration``."""
    with open_target(args) as target:
        ids = {frame_id_filter(i, target.dbcs) for i in args.ids} or None
        stats = BusStatistics(target.bitrate)
        table = MonitorTable(stats, ids)
        tty = sys.stdout.isatty()
        on_decoded = table.on_decoded
        if args.trace:
            t0 = time.time()

            def on_decoded(msg: can.Message, frame: DecodedFrame) -> None:
                if table.wanted(msg.arbitration_id):
                    print(fit(format_trace(msg, frame, t0), _width() if tty else None))

        bus = target.config.open()
        private = target.config.interface == "virtual" and target.car is None and target.server is None
        try:
            with Recording(bus, BusRecorder(None, FrameDecoder(target.dbcs), stats, on_decoded=on_decoded)):
                _monitor_loop(args, stop, table, stats, tty, private)
        finally:
            bus.shutdown()
    return 0


def _width() -> int:
    return shutil.get_terminal_size().columns


def _monitor_loop(
    args: argparse.Namespace,
    stop: threading.Event,
    table: MonitorTable,
    stats: BusStatistics,
    tty: bool,
    private: bool,
) -> None:
    deadline = None if args.duration is None else time.monotonic() + args.duration
    hinted = False
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if stop.wait(args.interval if left is None else max(min(args.interval, left), 0.0)):
                break
            if private and not hinted and stats.snapshot().frames == 0:
                print(f"no frames on {args.interface} {args.channel}: {VIRTUAL_BUS_NOTE}", file=sys.stderr)
                hinted = True
            if args.trace:
                sys.stdout.flush()
            else:
                text = table.render(_width() if tty else None)
                print((CLEAR_SCREEN if tty else "") + text + ("" if tty else "\n"), flush=True)
            if deadline is not None and time.monotonic() >= deadline:
                break


def render_stats(snap: StatsSnapshot, bitrate: int) -> str:
    """Bus load, frames/s and integrity per id, as text."""
    lines = [
        format_header(snap) + f"  ({bitrate // 1000} kbit/s)",
        "ID     NAME               RATE/s  PERIOD ms  FRAMES  CHECK",
    ]
    for s in snap.ids:
        check = ", ".join(f"{k} {v}" for k, v in sorted(s.integrity_errors.items())) or "-"
        lines.append(
            f"0x{s.frame_id:03X}  {s.name or '?':18} {s.rate_hz:7.1f}  {s.mean_period_ms:9.1f}  {s.frames:6}  {check}"
        )
    return "\n".join(lines)


def stats(args: argparse.Namespace, stop: threading.Event) -> int:
    """Statistics: the server's (``--server``), or measured here over ``--duration``."""
    with open_target(args) as target:
        if target.server is not None:
            with client_of(target) as client:
                remote = client.stats()
            print(render_stats(remote.bus, remote.bitrate))
            for ecu in remote.ecus:
                state = "bus-off" if ecu.bus_off else ("running" if ecu.running else "stopped")
                print(f"ecu {ecu.name:10} {state:8} commands {ecu.commands} {ecu.results} dropped {ecu.dropped}")
            for f in remote.faults:
                print(f"fault {f.fault_id}: {f.description} ({f.age_s:.1f} s, {f.frames_affected} frames)")
            if remote.cockpit is not None:
                print(
                    f"cockpit rejected {remote.cockpit.rejected or 'none'}, error frames {remote.cockpit.error_frames}"
                )
            return 0
        statistics = BusStatistics(target.bitrate, window_s=args.duration)
        bus = target.config.open()
        try:
            with Recording(bus, BusRecorder(None, FrameDecoder(target.dbcs), statistics)):
                wait(stop, args.duration)
        finally:
            bus.shutdown()
        print(render_stats(statistics.snapshot(), target.bitrate))
    return 0
