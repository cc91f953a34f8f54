"""The car a tool drives: the one it started in-process, or the one a running cockpit already has.

A scenario, ``can-sim run`` and ``log --scenario`` act on a car only through :class:`CarDriver`:
set its drive profile, send a frame from the bench's own node, start and clear faults, take an
ECU off the bus and put it back. :class:`LocalCar` drives a :class:`~can_sim.car.SimulatedCar`
in this process; :class:`~can_sim.remote.RemoteCar` drives a cockpit's car over its Bench
service. Attached to a cockpit, a tool therefore drives *that* car, never a second one beside
it: two powertrains would flip gear and speed between their profiles, and two ECUs of a kind
would interleave their alive counters until the cockpit rejected their frames as counter jumps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import can

from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet
from can_sim.faults import Fault
from can_sim.profiles import DriveProfile


class CarDriver(Protocol):
    """What a tool may do to a simulated car."""

    def set_profile(self, profile: DriveProfile) -> None:
        """Drive ``profile`` from its start, now."""
        ...

    def send(self, message: str, signals: Mapping[str, float | int | str]) -> None:
        """One frame of ``message`` from the bench node; unnamed signals idle ("no request")."""
        ...

    def inject_fault(self, fault: Fault) -> str:
        """Start ``fault``; returns its id."""
        ...

    def active_faults(self) -> set[str]:
        """Ids of the faults in force."""
        ...

    def clear_fault(self, fault_id: str | None = None) -> None:
        """End one fault (``None``: every fault)."""
        ...

    def set_running(self, ecu: str, running: bool) -> None:
        """Take the box ``ecu`` off the bus, or put it back."""
        ...

    def close(self) -> None:
        """Release what the driver holds (not the car)."""
        ...


class LocalCar:
    """Drives an in-process :class:`SimulatedCar`; frames go out on a bench bus of its own.

    Each message's alive counter counts from 0, per driver (the bench is a node of its own).
    """

    def __init__(self, car: SimulatedCar, dbcs: DbcSet | None = None) -> None:
        self.car = car
        """The car driven."""
        self._dbcs = dbcs or DbcSet.load()
        self._counters: dict[str, int] = {}
        self._bus: can.BusABC | None = None

    def set_profile(self, profile: DriveProfile) -> None:
        """Drive ``profile`` from its start, now."""
        self.car.powertrain.set_profile(profile)

    def send(self, message: str, signals: Mapping[str, float | int | str]) -> None:
        """One frame of ``message`` (counter and CRC/checksum filled in)."""
        counter = self._counters.get(message, -1) + 1
        self._counters[message] = counter
        info, data = self._dbcs.encode(message, signals, counter=counter)
        if self._bus is None:
            self._bus = self.car.bus.open()
        self._bus.send(can.Message(arbitration_id=info.frame_id, data=data, is_extended_id=info.is_extended))

    def inject_fault(self, fault: Fault) -> str:
        """Start ``fault`` on the car's fault layer."""
        return self.car.faults.inject(fault).fault_id

    def active_faults(self) -> set[str]:
        """Ids of the faults in force."""
        return {a.fault_id for a in self.car.faults.active()}

    def clear_fault(self, fault_id: str | None = None) -> None:
        """End one fault, or all."""
        self.car.faults.clear(fault_id)

    def set_running(self, ecu: str, running: bool) -> None:
        """Stop or start one box."""
        box = self.car.boxes()[ecu]
        box.start() if running else box.stop()

    def close(self) -> None:
        """Leave the bench bus."""
        if self._bus is not None:
            self._bus.shutdown()
            self._bus = None
