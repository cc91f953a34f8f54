"""A running cockpit's bench, reached through the python-can interface the cockpit registers.

``can-sim`` tools with ``--server HOST:PORT`` need more than a bus: the server's statistics, its
faults, and its own simulated car to drive. The cockpit package registers one python-can
interface, ``cockpit`` (entry point group ``can.interface``); its bus class is also the way to the
rest of the Bench service (:class:`BenchPlugin`). This module finds that class through python-can
by name, so the bench never imports the service: the plugin, which lives with the gRPC code, is
loaded only when a tool is attached to a server.

:class:`RemoteCar` drives the server's car as a :class:`~can_sim.driver.CarDriver` and puts it
back as it found it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, cast

import can
import can.interfaces

from can_sim.bus import BENCH_INTERFACE, BusConfig
from can_sim.busload import StatsSnapshot
from can_sim.car import SimulatedCar
from can_sim.faults import Fault
from can_sim.profiles import DriveProfile
from vehicle_contract.errors import ConfigError


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
class CockpitCounts:
    """What the cockpit's own gateway saw and sent on the bus."""

    rx: Mapping[int, int]
    """Frames received, by CAN id."""
    tx: Mapping[int, int]
    """Frames sent, by CAN id."""
    rejected: Mapping[str, int]
    """Frames dropped, by reason (``crc``, ``counter-jump``, ...)."""
    error_frames: int = 0
    """Error frames seen."""


@dataclass(frozen=True)
class RemoteStats:
    """What the server reports (``GetStats``)."""

    bus: StatsSnapshot
    """Bus statistics."""
    bitrate: int
    """Nominal bit rate."""
    ecus: tuple[EcuReport, ...]
    """Simulated ECUs (empty without a simulated car)."""
    faults: tuple[FaultReport, ...]
    """Faults in force."""
    cockpit: CockpitCounts | None
    """The cockpit gateway's own counts (``None`` from a bench without a cockpit)."""


class BenchControl(Protocol):
    """The Bench service of one server, beyond its bus; close it (or use ``with``) when done."""

    def __enter__(self) -> BenchControl: ...

    def __exit__(self, *exc: object) -> None: ...

    def close(self) -> None:
        """End the connection."""
        ...

    def stats(self) -> RemoteStats:
        """The server's statistics, ECUs and faults."""
        ...

    def inject_frame(self, msg: can.Message, session: str = "") -> None:
        """Put ``msg`` on the bus."""
        ...

    def inject_signal(
        self, message: str, signals: Mapping[str, float | int | str], counter: int | None = None, session: str = ""
    ) -> can.Message:
        """One frame of ``message`` from signal values (unnamed ones "no request"); returns it."""
        ...

    def set_profile(self, profile: DriveProfile) -> DriveProfile:
        """Drive the server's car along ``profile``; returns the profile it replaced."""
        ...

    def set_ecu_running(self, ecu: str, running: bool) -> bool:
        """Take one box off the bus or put it back; returns whether it was running."""
        ...

    def inject_fault(self, fault: Fault) -> tuple[str, str]:
        """Start ``fault``; returns (fault id, description)."""
        ...

    def clear_fault(self, fault_id: str | None = None) -> int:
        """End one fault (``None``: all); returns how many ended."""
        ...


class BenchPlugin(Protocol):
    """What the bus class registered as python-can interface ``cockpit`` offers besides a bus."""

    def control(self, server: str, **access: Any) -> BenchControl:
        """The Bench service at ``server`` (``host:port``); ``access``: ``token``, ``tls_ca``, ... as for the bus."""
        ...

    def serve(self, bus: BusConfig, car: SimulatedCar | None, address: str) -> AbstractContextManager[int]:
        """Serve ``bus`` (and ``car``) on loopback ``address`` while the block runs; yields the port."""
        ...


def bench_plugin() -> BenchPlugin:
    """The class python-can knows as interface ``cockpit`` (imported now, with its gRPC code)."""
    try:
        module_name, class_name = can.interfaces.BACKENDS[BENCH_INTERFACE]
    except KeyError:
        raise ConfigError(
            "no-bench-plugin",
            f"python-can has no {BENCH_INTERFACE!r} interface: install the cockpit package (pip install -e .)",
        ) from None
    try:
        return cast(BenchPlugin, getattr(importlib.import_module(module_name), class_name))
    except (ImportError, AttributeError) as err:
        raise ConfigError("no-bench-plugin", f"cannot load the {BENCH_INTERFACE!r} interface: {err}") from err


def bench_control(server: str, access: Mapping[str, Any] | None = None) -> BenchControl:
    """The Bench service of the cockpit at ``server``: ``with bench_control("127.0.0.1:50051") as c: ...``;
    ``access`` holds the token and TLS arguments the ``cockpit`` bus takes."""
    return bench_plugin().control(server, **dict(access or {}))


class RemoteCar:
    """The simulated car of the server ``control`` talks to (the caller keeps and closes ``control``).

    The profile, the frames, the faults and the ECUs it acts on are the server's, so the cockpit
    keeps hearing one car. What it changed it undoes on :meth:`close`: the faults it started and
    that are still in force end, the ECUs it stopped or started are put back, and the profile it
    replaced is driven again (from its start).
    """

    def __init__(self, control: BenchControl) -> None:
        self._control = control
        self._previous: DriveProfile | None = None
        self._faults: set[str] = set()
        self._ecus: dict[str, bool] = {}  # ECU -> whether it ran before this driver first touched it

    def set_profile(self, profile: DriveProfile) -> None:
        """Drive ``profile`` on the server's powertrain, from now."""
        previous = self._control.set_profile(profile)
        if self._previous is None:
            self._previous = previous

    def send(self, message: str, signals: Mapping[str, float | int | str]) -> None:
        """One frame of ``message``; the server fills in the counter after the last one on the bus."""
        self._control.inject_signal(message, signals)

    def inject_fault(self, fault: Fault) -> str:
        """Start ``fault`` on the server's car."""
        fault_id, _ = self._control.inject_fault(fault)
        self._faults.add(fault_id)
        return fault_id

    def active_faults(self) -> set[str]:
        """Ids of every fault in force on the server's car."""
        return {f.fault_id for f in self._control.stats().faults}

    def clear_fault(self, fault_id: str | None = None) -> None:
        """End one fault; ``None``: every fault *this driver* started (an engineer's own stay)."""
        chosen = {fault_id} if fault_id is not None else set(self._faults)
        for fid in sorted(chosen & self.active_faults()):
            self._control.clear_fault(fid)
        self._faults -= chosen

    def set_running(self, ecu: str, running: bool) -> None:
        """Stop or start one box of the server's car."""
        was = self._control.set_ecu_running(ecu, running)
        self._ecus.setdefault(ecu, was)

    def close(self) -> None:
        """Put the car back as this driver found it."""
        self.clear_fault(None)
        for ecu, was in self._ecus.items():
            self._control.set_ecu_running(ecu, was)
        self._ecus.clear()
        if self._previous is not None:
            self._control.set_profile(self._previous)
            self._previous = None
