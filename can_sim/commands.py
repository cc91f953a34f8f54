"""The ``can-sim`` subcommands that watch and drive (``run``, ``scenario``, ``monitor``, ``stats``,
``log``, ``replay``) and the target plumbing every subcommand shares (``send`` and ``fault`` live
in :mod:`can_sim.inject`). Each handler takes its parsed arguments and a stop event."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import can

from can_sim.bus import BENCH_INTERFACE, BusConfig
from can_sim.busload import BusStatistics, StatsSnapshot
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet, FrameDecoder
from can_sim.faults import parse_can_id
from can_sim.monitor import MonitorTable, format_header
from can_sim.profiles import PROFILES
from can_sim.recorder import BusRecorder, Recording, read_log
from can_sim.recorder import replay as replay_log
from can_sim.scenario import ScenarioEvent, ScenarioRunner, builtin_scenarios, load_scenario
from cockpit.errors import ConfigError

if TYPE_CHECKING:
    from cockpit.server.bench_client import BenchClient

CLEAR_SCREEN = "\x1b[H\x1b[2J"
"""ANSI: cursor home, clear screen (only written to a terminal)."""


@dataclass
class Target:
    """Where a subcommand works: a bus, the DBCs, perhaps an in-process car or a server."""

    config: BusConfig
    """The bus to open (``bench`` for a server)."""
    server: str | None
    """``host:port`` of a running cockpit, when attached."""
    dbcs: DbcSet
    """The DBC files to decode with."""
    bitrate: int
    """Nominal bit rate."""
    car: SimulatedCar | None = None
    """The in-process simulated car, if one was started."""


def bus_config(args: argparse.Namespace) -> BusConfig:
    """The bus the arguments name: ``--server`` (over gRPC), else ``--interface``/``--channel``."""
    if args.server:
        return BusConfig(BENCH_INTERFACE, args.server)
    return BusConfig(args.interface, args.channel, dict(args.bus_arg))


@contextlib.contextmanager
def open_target(args: argparse.Namespace, need_car: bool = False) -> Iterator[Target]:
    """The target of a subcommand, with its in-process car started (and stopped after) when there is one."""
    config = bus_config(args)
    wanted = getattr(args, "car", None)
    start_car = (config.interface == "virtual") if wanted is None else wanted
    if args.server or not start_car:
        if need_car and not args.server:
            raise ConfigError("no-simulated-car", "this needs a simulated car: leave out --no-car, or use --server")
        start_car = False
    target = Target(config, args.server, DbcSet.load(args.dbc), args.bitrate)
    if start_car:
        target.car = SimulatedCar(config, getattr(args, "profile", "parked")).start()
    try:
        yield target
    finally:
        if target.car is not None:
            target.car.stop()


def wait(stop: threading.Event, seconds: float | None) -> None:
    """Wait ``seconds`` (``None``: for ever) or until ``stop`` is set or Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the wait cleanly
        stop.wait(seconds)


def client_of(target: Target) -> BenchClient:
    """A Bench client for an attached target."""
    from cockpit.server.bench_client import BenchClient  # grpc only when attached

    assert target.server is not None
    return BenchClient(target.server)


# -- run, profiles, scenario ------------------------------------------------------------------------


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    """Start the simulated car (attached to a cockpit with ``--server``) until Ctrl-C or ``--duration``."""
    config = bus_config(args)
    car = SimulatedCar(config, args.profile)
    with car:
        where = f"attached to the cockpit at {args.server}" if args.server else f"on {args.interface} {args.channel}"
        length = f", for {args.duration:g} s" if args.duration else ", until Ctrl-C"
        print(f"simulated car {where}, profile {args.profile}{length}", flush=True)
        wait(stop, args.duration)
        stats = {name: box.stats() for name, box in car.boxes().items() if hasattr(box, "stats")}
    for name, ecu_stats in stats.items():
        dropped = ecu_stats.dropped or "none"
        print(f"{name}: {ecu_stats.commands} commands, {ecu_stats.status_sent} status frames, dropped {dropped}")
    print(f"powertrain: {car.powertrain.frames_sent} frames")
    return 0


def profiles(args: argparse.Namespace, stop: threading.Event) -> int:
    """List the drive profiles."""
    for name, profile in sorted(PROFILES.items()):
        print(f"{name:10} {profile.description}")
    return 0


def scenario(args: argparse.Namespace, stop: threading.Event) -> int:
    """Drive a scenario on a simulated car (attached with ``--server``), optionally recording it."""
    if args.list or not args.name:
        for name, found in sorted(builtin_scenarios().items()):
            print(f"{name:14} {found.duration_s:5.1f} s  {found.description}")
        return 0
    dbcs = DbcSet.load(args.dbc)
    chosen = load_scenario(args.name, dbcs)
    config = bus_config(args)
    car = SimulatedCar(config, chosen.profile)
    with car, contextlib.ExitStack() as stack:
        if args.log is not None:
            recorder = BusRecorder(args.log, FrameDecoder(dbcs))
            bus = config.open()
            stack.callback(bus.shutdown)
            stack.enter_context(Recording(bus, recorder))

        def show(t: float, event: ScenarioEvent) -> None:
            print(f"{t:6.2f} s  {event.describe()}", flush=True)

        print(f"scenario {chosen.name}: {chosen.description} ({chosen.duration_s:g} s)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            ScenarioRunner(car, dbcs).run(chosen, stop, show)
    if args.log is not None:
        print(f"recorded to {args.log}")
    return 0


# -- monitor, stats -------------------------------------------------------------------------------


def monitor(args: argparse.Namespace, stop: threading.Event) -> int:
    """Redraw the decoded-frame table every ``--interval`` until Ctrl-C or ``--duration``."""
    ids = {parse_can_id(i) for i in args.ids} or None
    with open_target(args) as target:
        stats = BusStatistics(target.bitrate)
        table = MonitorTable(stats, ids)
        bus = target.config.open()
        tty = sys.stdout.isatty()
        try:
            with Recording(bus, BusRecorder(None, FrameDecoder(target.dbcs), stats, on_decoded=table.on_decoded)):
                deadline = None if args.duration is None else time.monotonic() + args.duration
                with contextlib.suppress(KeyboardInterrupt):
                    while True:
                        left = None if deadline is None else deadline - time.monotonic()
                        if stop.wait(args.interval if left is None else max(min(args.interval, left), 0.0)):
                            break
                        print((CLEAR_SCREEN if tty else "") + table.render() + ("" if tty else "\n"), flush=True)
                        if deadline is not None and time.monotonic() >= deadline:
                            break
        finally:
            bus.shutdown()
    return 0


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


# -- log, replay ------------------------------------------------------------------------------


def log(args: argparse.Namespace, stop: threading.Event) -> int:
    """Record the bus for ``--duration`` seconds (or a ``--scenario``'s length, or until Ctrl-C)."""
    with open_target(args) as target:
        chosen = load_scenario(args.scenario, target.dbcs) if args.scenario else None
        if chosen is not None and target.car is None:
            raise ConfigError("no-simulated-car", "a scenario drives an in-process car; leave out --no-car/--server")
        statistics = BusStatistics(target.bitrate)
        recorder = BusRecorder(args.file, FrameDecoder(target.dbcs), statistics)
        bus = target.config.open()
        try:
            with Recording(bus, recorder):
                if chosen is not None and target.car is not None:
                    with contextlib.suppress(KeyboardInterrupt):
                        ScenarioRunner(target.car, target.dbcs).run(chosen, stop, limit_s=args.duration)
                else:
                    wait(stop, args.duration)
        finally:
            bus.shutdown()
        snap = statistics.snapshot()
        bad = ", ".join(f"{k} {v}" for k, v in sorted(snap.integrity_errors.items())) or "none"
        print(f"wrote {recorder.frames} frames ({len(snap.ids)} ids, {snap.error_frames} error frames) to {args.file}")
        print(f"integrity failures: {bad}")
    return 0


def replay(args: argparse.Namespace, stop: threading.Event) -> int:
    """Play a log onto the bus at its recorded timing."""
    messages = read_log(args.file)
    with open_target(args) as target:
        bus = target.config.open()
        decoder = FrameDecoder(target.dbcs)

        def show(msg: can.Message) -> None:
            frame = decoder.decode(msg)
            print(f"{msg.timestamp:12.6f} 0x{msg.arbitration_id:03X} {frame.name or '?'} {frame.signals}")

        try:
            with contextlib.suppress(KeyboardInterrupt):
                report = replay_log(bus, messages, args.speed, stop, show if args.show else None)
        finally:
            bus.shutdown()
    worst = report.max_lateness_ms
    print(
        f"replayed {report.frames} frames ({report.failed} refused) spanning {report.recorded_s:.3f} s "
        f"in {report.elapsed_s:.3f} s; worst lateness {worst:.2f} ms"
    )
    return 0
