"""``can-sim``: the bench engineer's entry point.

Subcommands: ``run``, ``profiles``, ``monitor``, ``send``, ``log``, ``replay``, ``scenario``,
``fault``, ``stats``. Each works on a *target*:

- standalone (the default): a python-can bus (``--interface``/``--channel``). On the in-process
  ``virtual`` bus nobody else is there, so ``monitor``, ``send``, ``log``, ``fault`` and ``stats``
  start a simulated car in-process (``--no-car`` leaves it out; ``--car`` forces one elsewhere);
- attached (``--server HOST:PORT``): the bus of a running ``cockpit serve`` (or ``can-sim run
  --serve``), over its Bench gRPC service. Every tool then drives the server's own simulated car
  (its profile, ECUs and faults), never a second one beside it; only a server that runs no car
  gets ``run``'s car attached. ``replay`` needs the bus to itself and refuses otherwise.

Every subcommand's ``--help`` has a description and examples. The handlers live in
:mod:`can_sim.commands`, :mod:`can_sim.watch` and :mod:`can_sim.inject`; this module parses and
dispatches.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from can_sim import commands, inject, watch
from can_sim.decode import DbcSet
from can_sim.faults import NODES, FaultKind
from can_sim.profiles import PROFILES
from vehicle_contract.errors import CockpitError


def _bus_arg(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, int(value) if value.lstrip("-").isdigit() else value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _add_target(parser: argparse.ArgumentParser, car_default: bool = True) -> None:
    group = parser.add_argument_group("bus")
    group.add_argument("--interface", default="virtual", help="python-can interface (default: virtual)")
    group.add_argument("--channel", default="cockpit", help="python-can channel (default: cockpit)")
    group.add_argument(
        "--bus-arg", type=_bus_arg, action="append", default=[], metavar="KEY=VALUE", help="extra can.Bus argument"
    )
    group.add_argument("--server", metavar="HOST:PORT", default=None, help="a running cockpit's bus, over gRPC")
    group.add_argument(
        "--token-file", type=Path, default=None, metavar="FILE", help="bench token, first line of FILE (--server)"
    )
    group.add_argument("--tls-ca", default=None, metavar="PEM", help="the server's CA, for a TLS server (--server)")
    group.add_argument("--tls-cert", default=None, metavar="PEM", help="client certificate, mutual TLS (--server)")
    group.add_argument("--tls-key", default=None, metavar="PEM", help="the client certificate's key (--server)")
    group.add_argument("--bitrate", type=int, default=500_000, help="nominal bit rate for bus load (default: 500000)")
    group.add_argument(
        "--dbc", action="append", default=[], type=Path, metavar="FILE", help="DBC file to decode with (repeatable)"
    )
    if car_default:
        group.add_argument(
            "--car",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="start a simulated car in-process (default: on the virtual bus without --server)",
        )
        group.add_argument("--profile", default="parked", choices=sorted(PROFILES), help="its drive profile")


def _sub(sub: Any, name: str, summary: str, description: str, examples: Sequence[str]) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary, a description and worked examples under ``--help``."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _add_watch_commands(sub: Any) -> None:
    monitor = _sub(
        sub,
        "monitor",
        "live table of decoded frames, or a scrolling trace (--trace)",
        "Watch the bus. The table has one row per CAN id: message name, rate, count, integrity\n"
        "(E2E CRC and alive counter, BYD checksum) and the latest signals, redrawn every --interval.\n"
        "--trace prints every frame as it arrives instead, as candump does. Signal text fills a\n"
        "terminal's width and is whole when piped. On the in-process virtual bus a car is started\n"
        "here (another process's virtual bus cannot be seen: use --server or a real interface).",
        [
            "can-sim monitor --server 127.0.0.1:50051",
            "can-sim monitor --trace --id HVAC_CMD --id 3A1 --server 127.0.0.1:50051",
            "can-sim monitor --interface socketcan --channel vcan0 --no-car --duration 10 > bus.txt",
        ],
    )
    _add_target(monitor)
    monitor.add_argument("--duration", type=_positive, default=None, metavar="S", help="stop after S seconds")
    monitor.add_argument("--interval", type=_positive, default=1.0, metavar="S", help="redraw every S seconds")
    monitor.add_argument(
        "--id",
        dest="ids",
        action="append",
        default=[],
        metavar="ID|MESSAGE",
        help="only this CAN id, in hex as candump writes it (3A0, 0x3A0), or this DBC message (HVAC_CMD); repeatable",
    )
    monitor.add_argument("--trace", action="store_true", help="one line per frame as it arrives, scrolling")
    monitor.set_defaults(handler=watch.monitor)

    stats = _sub(
        sub,
        "stats",
        "bus load, frames/s per id, error counters",
        "Bus load (stuff bits counted), frames/s and mean period per id, integrity failures and error\n"
        "frames. With --server: the server's figures since it started, its ECUs, active faults and what\n"
        "the cockpit itself rejected; standalone: measured here over --duration.",
        ["can-sim stats --server 127.0.0.1:50051", "can-sim stats --duration 5"],
    )
    _add_target(stats)
    stats.add_argument("--duration", type=_positive, default=2.0, metavar="S", help="standalone: measure S seconds")
    stats.set_defaults(handler=watch.stats)


def _add_drive_commands(sub: Any) -> None:
    run = _sub(
        sub,
        "run",
        "start the simulated car, or drive a cockpit's own car (--server)",
        "Start the simulated ECUs (HVAC, seats, media, navigation, body) and the BYD powertrain on a bus.\n"
        "With --server the cockpit's own simulated car drives --profile instead (its previous profile\n"
        "is put back at the end); only a cockpit that runs no car (can.simulate = false) gets this\n"
        "process's car attached over gRPC. python-can's virtual bus stays inside this process:\n"
        "--serve HOST:PORT serves it on loopback so other can-sim tools can use --server HOST:PORT.",
        [
            "can-sim run --profile city --duration 60",
            "can-sim run --serve 127.0.0.1:50061        # then: can-sim monitor --server 127.0.0.1:50061",
            "can-sim run --server 127.0.0.1:50051 --profile highway",
        ],
    )
    _add_target(run, car_default=False)
    run.add_argument("--profile", default="parked", choices=sorted(PROFILES), help="drive profile (default: parked)")
    run.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S seconds")
    run.add_argument(
        "--serve", default=None, metavar="HOST:PORT", help="serve this car's bus on loopback for other processes"
    )
    run.set_defaults(handler=commands.run)

    profiles = _sub(
        sub,
        "profiles",
        "list the drive profiles",
        "The built-in drive profiles: speed and gear over time, for run --profile and scenarios.",
        ["can-sim profiles"],
    )
    profiles.set_defaults(handler=commands.profiles)

    scenario = _sub(
        sub,
        "scenario",
        "drive a scripted scenario: profile, ECU events, faults",
        "Play a scenario (TOML: a drive profile and timed frames, faults, ECU stops and starts) on a\n"
        "simulated car: with --server, on the cockpit's own car (what the scenario changed is put\n"
        "back at the end), else on a car started here. Its frames idle the signals they do not name.",
        [
            "can-sim scenario --list",
            "can-sim scenario city-errands --server 127.0.0.1:50051",
            "can-sim scenario my_drive.toml --log drive.blf",
        ],
    )
    _add_target(scenario, car_default=False)
    scenario.add_argument("name", nargs="?", metavar="NAME|FILE", help="built-in name or a .toml file")
    scenario.add_argument("--list", action="store_true", help="list the built-in scenarios")
    scenario.add_argument("--log", type=Path, default=None, metavar="FILE", help="record the bus meanwhile")
    scenario.set_defaults(handler=commands.scenario)


def _add_record_commands(sub: Any) -> None:
    log = _sub(
        sub,
        "log",
        "record the bus to .asc, .blf or .log",
        "Record every frame to a python-can log (the suffix picks the format), decoding and judging\n"
        "each on the way, and report integrity failures at the end. --scenario drives one meanwhile\n"
        "(on the cockpit's car with --server).",
        [
            "can-sim log drive.blf --duration 30 --server 127.0.0.1:50051",
            "can-sim log errands.asc --scenario city-errands",
        ],
    )
    _add_target(log)
    log.add_argument("file", type=Path, metavar="FILE", help="log file; its suffix picks the format")
    log.add_argument("--duration", type=_positive, default=None, metavar="S", help="record S seconds")
    log.add_argument("--scenario", default=None, metavar="NAME|FILE", help="drive this scenario while recording")
    log.set_defaults(handler=commands.log)

    replay = _sub(
        sub,
        "replay",
        "play a log back onto the bus at its recorded timing",
        "Send a log's frames in file order at their recorded offsets. A replay needs the bus to\n"
        "itself: against a cockpit that runs a simulated car it refuses, unless --stop-car takes that\n"
        "car off the bus for the replay (it is started again after).",
        [
            "can-sim replay drive.blf --speed 2",
            "can-sim replay drive.blf --server 127.0.0.1:50051 --stop-car",
        ],
    )
    _add_target(replay)
    replay.add_argument("file", type=Path, metavar="FILE", help="log file (.asc, .blf, .log)")
    replay.add_argument("--speed", type=_positive, default=1.0, help="2 plays twice as fast (default: 1)")
    replay.add_argument("--print", dest="show", action="store_true", help="print each frame as it is sent")
    replay.add_argument(
        "--stop-car", action="store_true", help="with --server: stop the cockpit's simulated car during the replay"
    )
    replay.set_defaults(handler=commands.replay, car=False)


def _add_inject_commands(sub: Any) -> None:
    send = _sub(
        sub,
        "send",
        "send a raw frame (123#DEADBEEF) or a message by name",
        "Send one frame: raw, as cansend writes it, or a DBC message from SIGNAL=VALUE pairs with its\n"
        "alive counter (after the bus's last) and CRC/checksum filled in. Request signals you do not\n"
        'name are "no request" (NO_REQUEST; other signals their initial value), standalone and with\n'
        "--server alike: nothing is copied from earlier frames. For a *_CMD the ECU's answer is shown.",
        [
            "can-sim send HVAC_CMD PASSENGER_TEMP_REQ=22.5 --server 127.0.0.1:50051",
            "can-sim send MEDIA_CMD ACTION_REQ=PLAY VOLUME_REQ=40",
            "can-sim send 3A0#0011223344556677",
        ],
    )
    _add_target(send)
    send.add_argument("frame", metavar="FRAME|MESSAGE", help="cansend-style ID#DATA, or a DBC message name")
    send.add_argument(
        "signals", nargs="*", metavar="SIGNAL=VALUE", help="signal values (with a message name); the rest idle"
    )
    send.add_argument("--counter", type=int, default=None, help="alive counter (default: continue the bus's)")
    send.add_argument(
        "--watch", type=float, default=0.5, metavar="S", help="wait up to S s (at most 1) for a *_CMD's answer"
    )
    send.set_defaults(handler=inject.send)

    fault = _sub(
        sub,
        "fault",
        "inject, list or clear faults",
        "Break the simulated car. Frame faults (drop, delay, corrupt-crc, freeze-counter) need --id or\n"
        "--message; node faults (stop-ecu, reject-commands, bus-off) need --ecu; error-frames needs\n"
        "neither. With --server they act on the cockpit's car until cleared (or --duration);\n"
        "standalone the bus is watched for --watch seconds. list and clear need --server.",
        [
            "can-sim fault drop --message WHEELSPEED_CLEAN --duration 2 --server 127.0.0.1:50051",
            "can-sim fault bus-off --ecu hvac --server 127.0.0.1:50051",
            "can-sim fault list --server 127.0.0.1:50051",
            "can-sim fault clear --server 127.0.0.1:50051",
        ],
    )
    _add_target(fault)
    fault.add_argument("kind", choices=[*(k.value for k in FaultKind), "clear", "list"], help="what goes wrong")
    fault.add_argument("fault_id", nargs="?", default=None, help="with clear: the fault to end (default: all)")
    fault.add_argument("--id", dest="can_id", default=None, metavar="ID", help="CAN id of a frame fault (0x1F0)")
    fault.add_argument("--message", default=None, metavar="NAME", help="DBC message of a frame fault")
    fault.add_argument(
        "--ecu", default=None, help=f"node of a node fault: {', '.join(NODES)} (stop-ecu, reject-commands, bus-off)"
    )
    fault.add_argument("--probability", type=float, default=1.0, help="chance per frame (drop, corrupt-crc)")
    fault.add_argument("--delay-ms", type=float, default=0.0, help="delay of a delay fault")
    fault.add_argument("--rate-hz", type=_positive, default=100.0, help="error frames per second")
    fault.add_argument("--duration", type=_positive, default=None, metavar="S", help="clear after S seconds")
    fault.add_argument("--watch", type=_positive, default=2.0, metavar="S", help="standalone: watch the bus S seconds")
    fault.set_defaults(handler=inject.fault)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="can-sim",
        description="Simulated car and CAN bench on a python-can bus, standalone or attached to a running\n"
        "cockpit (--server HOST:PORT), whose own car the tools then drive. python-can's virtual bus is\n"
        "private to one process: tools in other processes reach a car through --server (a cockpit, or\n"
        "'can-sim run --serve HOST:PORT') or a real interface (socketcan vcan0).\n"
        "'can-sim COMMAND --help' describes each command with examples.",
        epilog="examples:\n  can-sim run --profile city\n  can-sim monitor --server 127.0.0.1:50051",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_drive_commands(sub)
    _add_watch_commands(sub)
    _add_inject_commands(sub)
    _add_record_commands(sub)
    return parser


def settle_heap() -> None:
    """In a program of its own: load the shipped DBCs, then hide everything loaded so far from the
    garbage collector (``gc.freeze``).

    A full collection otherwise walks some 30,000 objects (cantools' databases, the modules) and
    stops every thread for 20-40 ms on a busy 2-core machine: longer than a full bus takes to
    fill a receive buffer. Frozen, it walks only the frames in flight. (Not done when ``main``
    is called with arguments, as tests do: their process outlives the command.)
    """
    DbcSet.load()
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Console entry point; ``stop`` lets a caller end a long-running command early (tests, embedding)."""
    args = build_parser().parse_args(argv)
    if argv is None:
        settle_heap()
    handler: Callable[[argparse.Namespace, threading.Event], int] = args.handler
    try:
        return handler(args, stop or threading.Event())
    except CockpitError as err:
        print(f"can-sim: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
