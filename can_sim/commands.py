"""The ``can-sim`` subcommands that watch and drive (``run``, ``scenario``, ``monitor``, ``stats``,
``log``, ``replay``) and the target plumbing every subcommand shares (``send`` and ``fault`` live
in :mod:`can_sim.inject`). Each handler takes its parsed arguments and a stop event."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import can

from can_sim.bus import BENCH_INTERFACE, BusConfig
from can_sim.busload import BusStatistics
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet, FrameDecoder
from can_sim.driver import CarDriver, LocalCar
from can_sim.profiles import PROFILES, profile_named
from can_sim.recorder import BusRecorder, Recording, read_log
from can_sim.recorder import replay as replay_log
from can_sim.remote import BenchControl, RemoteCar, bench_control, bench_plugin
from can_sim.scenario import ScenarioEvent, ScenarioRunner, builtin_scenarios, load_scenario
from vehicle_contract.errors import CockpitError, ConfigError

CLEAR_SCREEN = "\x1b[H\x1b[2J"
"""ANSI: cursor home, clear screen (only written to a terminal)."""
NO_CAR = "no-simulated-car"
"""The error code of a cockpit that runs no simulated car."""
VIRTUAL_BUS_NOTE = (
    "python-can's virtual bus lives inside one process: a car or a tool in another process (another "
    "terminal) is not on it. Share a bus between processes with --server HOST:PORT (a running cockpit "
    "serve, or can-sim run --serve 127.0.0.1:50061), or use a real or kernel-virtual interface "
    "(--interface socketcan --channel vcan0)."
)
"""What ``run`` says on the in-process virtual bus, and ``monitor`` when it hears nothing there."""


@dataclass
class Target:
    """Where a subcommand works: a bus, the DBCs, perhaps an in-process car or a server."""

    config: BusConfig
    """The bus to open (python-can interface ``cockpit`` for a server)."""
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
        return BusConfig(BENCH_INTERFACE, args.server, _server_access(args))
    return BusConfig(args.interface, args.channel, dict(args.bus_arg))


def _server_access(args: argparse.Namespace) -> dict[str, Any]:
    """The ``cockpit`` interface's token and TLS arguments from ``--token-file`` and ``--tls-*``."""
    access: dict[str, Any] = {}
    if getattr(args, "token_file", None):
        try:
            lines = Path(args.token_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError("bad-usage", f"cannot read the token file {str(args.token_file)!r}: {err}") from err
        if not lines or not lines[0].strip():
            raise ConfigError("bad-usage", f"the token file {str(args.token_file)!r} is empty")
        access["token"] = lines[0].strip()
    for name in ("tls_ca", "tls_cert", "tls_key"):
        if getattr(args, name, None):
            access[name] = getattr(args, name)
    if ("tls_cert" in access or "tls_key" in access) and "tls_ca" not in access:
        raise ConfigError("bad-usage", "--tls-cert and --tls-key need --tls-ca (the CA of the server)")
    return access


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


def client_of(target: Target | argparse.Namespace) -> BenchControl:
    """The Bench service of an attached target (or of the command line's ``--server``), through the
    python-can plugin, with the ``--token-file`` and ``--tls-*`` access the command line gives."""
    config = target.config if isinstance(target, Target) else bus_config(target)
    assert target.server is not None
    return bench_control(target.server, config.kwargs)


# -- run, profiles, scenario ------------------------------------------------------------------------


@contextlib.contextmanager
def server_car(target: Target | argparse.Namespace) -> Iterator[CarDriver]:
    """The simulated car of the attached cockpit, put back as it was found afterwards."""
    with client_of(target) as client:
        car = RemoteCar(client)
        try:
            yield car
        finally:
            car.close()


def _length(duration: float | None) -> str:
    return f", for {duration:g} s" if duration else ", until Ctrl-C"


def run(args: argparse.Namespace, stop: threading.Event) -> int:
    """Start the simulated car until Ctrl-C or ``--duration``; with ``--server``, drive the cockpit's own."""
    if args.server:
        with server_car(args) as driver:
            try:
                driver.set_profile(profile_named(args.profile))
            except CockpitError as err:
                if err.code != NO_CAR:
                    raise
                return _attach_car(args, stop)  # the cockpit runs none: this one is its only car
            print(
                f"driving the simulated car of the cockpit at {args.server}: profile {args.profile}"
                f"{_length(args.duration)}; its previous profile is put back at the end",
                flush=True,
            )
            wait(stop, args.duration)
        with client_of(args) as client:
            for ecu in client.stats().ecus:
                dropped = dict(ecu.dropped) or "none"
                print(f"{ecu.name}: {ecu.commands} commands, {ecu.sent} status frames, dropped {dropped}")
        return 0
    if args.interface == "virtual" and not args.serve:
        print(f"note: {VIRTUAL_BUS_NOTE}", file=sys.stderr, flush=True)
    return _own_car(args, stop, f"on {args.interface} {args.channel}", serve=args.serve)


def _attach_car(args: argparse.Namespace, stop: threading.Event) -> int:
    return _own_car(args, stop, f"attached to the cockpit at {args.server} (it runs no car of its own)")


def _own_car(args: argparse.Namespace, stop: threading.Event, where: str, serve: str | None = None) -> int:
    car = SimulatedCar(bus_config(args), args.profile)
    with car, contextlib.ExitStack() as stack:
        if serve:
            port = stack.enter_context(bench_plugin().serve(car.bus, car, serve))
            address = f"{serve.rpartition(':')[0]}:{port}"
            where += f", served at {address} (other tools: --server {address})"
        print(f"simulated car {where}, profile {args.profile}{_length(args.duration)}", flush=True)
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


@contextlib.contextmanager
def driven_car(args: argparse.Namespace, dbcs: DbcSet) -> Iterator[CarDriver]:
    """The car a scenario drives: the cockpit's with ``--server`` (one started here and attached
    when the cockpit runs none), else one started here."""
    if args.server:
        with client_of(args) as client:
            has_car = bool(client.stats().ecus)
        if has_car:
            with server_car(args) as remote:
                yield remote
            return
        print(f"the cockpit at {args.server} runs no simulated car: attaching one from here", flush=True)
    with SimulatedCar(bus_config(args)) as car:
        local = LocalCar(car, dbcs)
        try:
            yield local
        finally:
            local.close()


def scenario(args: argparse.Namespace, stop: threading.Event) -> int:
    """Drive a scenario on a simulated car (the cockpit's with ``--server``), optionally recording it."""
    if args.list or not args.name:
        for name, found in sorted(builtin_scenarios().items()):
            print(f"{name:14} {found.duration_s:5.1f} s  {found.description}")
        return 0
    dbcs = DbcSet.load(args.dbc)
    chosen = load_scenario(args.name, dbcs)
    config = bus_config(args)
    with driven_car(args, dbcs) as car, contextlib.ExitStack() as stack:
        if args.log is not None:
            recorder = BusRecorder(args.log, FrameDecoder(dbcs))
            bus = config.open()
            stack.callback(bus.shutdown)
            stack.enter_context(Recording(bus, recorder))

        def show(t: float, event: ScenarioEvent) -> None:
            print(f"{t:6.2f} s  {event.describe()}", flush=True)

        whose = f" on the cockpit's car at {args.server}" if args.server else ""
        print(f"scenario {chosen.name}{whose}: {chosen.description} ({chosen.duration_s:g} s)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            ScenarioRunner(car, dbcs).run(chosen, stop, show)
    if args.log is not None:
        print(f"recorded to {args.log}")
    return 0


# -- log, replay ------------------------------------------------------------------------------


def log(args: argparse.Namespace, stop: threading.Event) -> int:
    """Record the bus for ``--duration`` seconds (or a ``--scenario``'s length, or until Ctrl-C)."""
    with open_target(args) as target, contextlib.ExitStack() as stack:
        chosen = load_scenario(args.scenario, target.dbcs) if args.scenario else None
        driver: CarDriver | None = None
        if chosen is not None:
            if target.server is not None:
                driver = stack.enter_context(driven_car(args, target.dbcs))
            elif target.car is not None:
                driver = LocalCar(target.car, target.dbcs)
                stack.callback(driver.close)
            else:
                raise ConfigError(NO_CAR, "a scenario needs a simulated car: leave out --no-car, or use --server")
        statistics = BusStatistics(target.bitrate)
        recorder = BusRecorder(args.file, FrameDecoder(target.dbcs), statistics)
        bus = target.config.open()
        try:
            with Recording(bus, recorder):
                if chosen is not None and driver is not None:
                    with contextlib.suppress(KeyboardInterrupt):
                        ScenarioRunner(driver, target.dbcs).run(chosen, stop, limit_s=args.duration)
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
    with open_target(args) as target, contextlib.ExitStack() as stack:
        if target.server is not None:
            _take_bus(target, args.stop_car, stack)
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


def _take_bus(target: Target, stop_car: bool, stack: contextlib.ExitStack) -> None:
    """Make sure a replay onto a cockpit's bus is the only source of the car's frames."""
    assert target.server is not None
    with client_of(target) as client:
        ecus = [e.name for e in client.stats().ecus if e.running]
    if not ecus:
        return
    if not stop_car:
        raise ConfigError(
            "bus-in-use",
            f"replay needs the bus to itself, but the cockpit at {target.server} runs a simulated car "
            f"({', '.join(ecus)}) that sends the same messages as the log: the cockpit would see two alive "
            "counters per message and reject frames. Give --stop-car to take that car off the bus for the "
            "replay (it is put back after), or start the cockpit with can.simulate = false.",
        )
    car = stack.enter_context(server_car(target))
    for name in ecus:
        car.set_running(name, False)
    print(f"stopped the cockpit's simulated {', '.join(ecus)} for the replay", flush=True)
