"""``can-sim``: the bench engineer's entry point.

Subcommands: ``run``, ``profiles``, ``monitor``, ``send``, ``log``, ``replay``, ``scenario``,
``fault``, ``stats``. Each works on a *target*:

- standalone (the default): a python-can bus (``--interface``/``--channel``). On the in-process
  ``virtual`` bus nobody else is there, so ``monitor``, ``send``, ``log``, ``fault`` and ``stats``
  start a simulated car in-process (``--no-car`` leaves it out; ``--car`` forces one elsewhere);
- attached (``--server HOST:PORT``): the bus of a running ``cockpit serve``, over its Bench gRPC
  service. ``run`` and ``scenario`` then attach their simulated car to it (start the cockpit with
  ``can.simulate = false``); the other tools use the cockpit's own simulated car.

The handlers live in :mod:`can_sim.commands` and :mod:`can_sim.inject`; this module parses and dispatches.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from can_sim import commands, inject
from can_sim.faults import FaultKind
from can_sim.profiles import PROFILES
from cockpit.errors import CockpitError


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(prog="can-sim", description="Simulated car and CAN bench on a python-can bus.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the simulated ECUs and powertrain (standalone or attached)")
    _add_target(run, car_default=False)
    run.add_argument("--profile", default="parked", choices=sorted(PROFILES), help="drive profile (default: parked)")
    run.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S seconds")
    run.set_defaults(handler=commands.run)

    profiles = sub.add_parser("profiles", help="list the drive profiles")
    profiles.set_defaults(handler=commands.profiles)

    monitor = sub.add_parser("monitor", help="live table of decoded frames: rate, integrity, signals")
    _add_target(monitor)
    monitor.add_argument("--duration", type=_positive, default=None, metavar="S", help="stop after S seconds")
    monitor.add_argument("--interval", type=_positive, default=1.0, metavar="S", help="redraw every S seconds")
    monitor.add_argument("--id", dest="ids", action="append", default=[], metavar="ID", help="only this CAN id")
    monitor.set_defaults(handler=commands.monitor)

    send = sub.add_parser("send", help="send a raw frame (123#DEADBEEF) or a message by name")
    _add_target(send)
    send.add_argument("frame", metavar="FRAME|MESSAGE", help="cansend-style ID#DATA, or a DBC message name")
    send.add_argument("signals", nargs="*", metavar="SIGNAL=VALUE", help="signal values (with a message name)")
    send.add_argument("--counter", type=int, default=None, help="alive counter (default: continue the bus's)")
    send.add_argument(
        "--watch", type=float, default=0.5, metavar="S", help="wait up to S s (at most 1) for a *_CMD's answer"
    )
    send.set_defaults(handler=inject.send)

    log = sub.add_parser("log", help="record the bus to .asc, .blf or .log")
    _add_target(log)
    log.add_argument("file", type=Path, metavar="FILE", help="log file; its suffix picks the format")
    log.add_argument("--duration", type=_positive, default=None, metavar="S", help="record S seconds")
    log.add_argument("--scenario", default=None, metavar="NAME|FILE", help="drive this scenario while recording")
    log.set_defaults(handler=commands.log)

    replay = sub.add_parser("replay", help="play a log back onto the bus at its recorded timing")
    _add_target(replay)
    replay.add_argument("file", type=Path, metavar="FILE", help="log file (.asc, .blf, .log)")
    replay.add_argument("--speed", type=_positive, default=1.0, help="2 plays twice as fast (default: 1)")
    replay.add_argument("--print", dest="show", action="store_true", help="print each frame as it is sent")
    replay.set_defaults(handler=commands.replay, car=False)

    scenario = sub.add_parser("scenario", help="drive a scripted scenario: profile, ECU events, faults")
    _add_target(scenario, car_default=False)
    scenario.add_argument("name", nargs="?", metavar="NAME|FILE", help="built-in name or a .toml file")
    scenario.add_argument("--list", action="store_true", help="list the built-in scenarios")
    scenario.add_argument("--log", type=Path, default=None, metavar="FILE", help="record the bus meanwhile")
    scenario.set_defaults(handler=commands.scenario)

    fault = sub.add_parser("fault", help="inject, list or clear faults")
    _add_target(fault)
    fault.add_argument("kind", choices=[*(k.value for k in FaultKind), "clear", "list"], help="what goes wrong")
    fault.add_argument("fault_id", nargs="?", default=None, help="with clear: the fault to end (default: all)")
    fault.add_argument("--id", dest="can_id", default=None, metavar="ID", help="CAN id of a frame fault")
    fault.add_argument("--message", default=None, metavar="NAME", help="DBC message of a frame fault")
    fault.add_argument("--ecu", default=None, help="node of a node fault (hvac, seats, media, navigation, powertrain)")
    fault.add_argument("--probability", type=float, default=1.0, help="chance per frame (drop, corrupt-crc)")
    fault.add_argument("--delay-ms", type=float, default=0.0, help="delay of a delay fault")
    fault.add_argument("--rate-hz", type=_positive, default=100.0, help="error frames per second")
    fault.add_argument("--duration", type=_positive, default=None, metavar="S", help="clear after S seconds")
    fault.add_argument("--watch", type=_positive, default=2.0, metavar="S", help="standalone: watch the bus S seconds")
    fault.set_defaults(handler=inject.fault)

    stats = sub.add_parser("stats", help="bus load, frames/s per id, error counters")
    _add_target(stats)
    stats.add_argument("--duration", type=_positive, default=2.0, metavar="S", help="standalone: measure S seconds")
    stats.set_defaults(handler=commands.stats)
    return parser


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Console entry point; ``stop`` lets a caller end a long-running command early (tests, embedding)."""
    args = build_parser().parse_args(argv)
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
