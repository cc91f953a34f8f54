"""``can-sim``: the bench engineer's entry point. Subcommands: ``run``, ``profiles``.

One subparser per subcommand, each with its own handler, so later commands (log, replay,
inject, fault) slot in beside these. The ``virtual`` interface lives inside one process: to see
the simulated car from another process, run both on ``socketcan`` (``--interface socketcan
--channel vcan0``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from can_sim.car import SimulatedCar
from can_sim.profiles import PROFILES
from cockpit.errors import CockpitError


def _bus_arg(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, int(value) if value.lstrip("-").isdigit() else value


def _run(args: argparse.Namespace, stop: threading.Event) -> int:
    car = SimulatedCar.from_config(args.interface, args.channel, args.profile, **dict(args.bus_arg))
    with car:
        print(
            f"simulated car on {args.interface} {args.channel}, profile {args.profile}"
            + (f", for {args.duration:g} s" if args.duration else ", until Ctrl-C"),
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the run cleanly
            stop.wait(args.duration)
        stats = {name: box.stats() for name, box in car.boxes().items() if hasattr(box, "stats")}
    for name, ecu_stats in stats.items():
        dropped = ecu_stats.dropped or "none"
        print(f"{name}: {ecu_stats.commands} commands, {ecu_stats.status_sent} status frames, dropped {dropped}")
    print(f"powertrain: {car.powertrain.frames_sent} frames")
    return 0


def _profiles(args: argparse.Namespace, stop: threading.Event) -> int:
    for name, profile in sorted(PROFILES.items()):
        print(f"{name:10} {profile.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(prog="can-sim", description="Simulated car on a python-can bus.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the simulated ECUs and powertrain")
    run.add_argument("--interface", default="virtual", help="python-can interface (default: virtual)")
    run.add_argument("--channel", default="cockpit", help="python-can channel (default: cockpit)")
    run.add_argument("--profile", default="parked", choices=sorted(PROFILES), help="drive profile (default: parked)")
    run.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S seconds")
    run.add_argument(
        "--bus-arg", type=_bus_arg, action="append", default=[], metavar="KEY=VALUE", help="extra can.Bus argument"
    )
    run.set_defaults(handler=_run)
    profiles = sub.add_parser("profiles", help="list the drive profiles")
    profiles.set_defaults(handler=_profiles)
    return parser


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Console entry point; ``stop`` lets a caller end ``run`` early (tests, embedding)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, threading.Event], int] = args.handler
    try:
        return handler(args, stop or threading.Event())
    except CockpitError as err:
        print(f"can-sim: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
