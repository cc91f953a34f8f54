"""Driving a running cockpit's own simulated car over its Bench service (a :class:`~can_sim.driver.CarDriver`).

``can-sim run|scenario|log --scenario --server HOST:PORT`` use :class:`RemoteCar`: the profile,
the frames, the faults and the ECUs they act on are the server's, so the cockpit keeps hearing
one car. What the driver changed it undoes on :meth:`RemoteCar.close`: the faults it started and
that are still in force end, the ECUs it stopped or started are put back, and the profile it
replaced is driven again (from its start).
"""

from __future__ import annotations

from collections.abc import Mapping

from can_sim.faults import Fault
from can_sim.profiles import DriveProfile
from cockpit.server.bench_client import BenchClient


class RemoteCar:
    """The simulated car of the cockpit ``client`` talks to (the caller keeps and closes ``client``)."""

    def __init__(self, client: BenchClient) -> None:
        self._client = client
        self._previous: DriveProfile | None = None
        self._faults: set[str] = set()
        self._ecus: dict[str, bool] = {}  # ECU -> whether it ran before this driver first touched it

    def set_profile(self, profile: DriveProfile) -> None:
        """Drive ``profile`` on the server's powertrain, from now."""
        previous = self._client.set_profile(profile)
        if self._previous is None:
            self._previous = previous

    def send(self, message: str, signals: Mapping[str, float | int | str]) -> None:
        """One frame of ``message``; the server fills in the counter after the last one on the bus."""
        self._client.inject_signal(message, signals)

    def inject_fault(self, fault: Fault) -> str:
        """Start ``fault`` on the server's car."""
        fault_id, _ = self._client.inject_fault(fault)
        self._faults.add(fault_id)
        return fault_id

    def active_faults(self) -> set[str]:
        """Ids of every fault in force on the server's car."""
        return {f.fault_id for f in self._client.stats().faults}

    def clear_fault(self, fault_id: str | None = None) -> None:
        """End one fault; ``None``: every fault *this driver* started (an engineer's own stay)."""
        chosen = {fault_id} if fault_id is not None else set(self._faults)
        for fid in sorted(chosen & self.active_faults()):
            self._client.clear_fault(fid)
        self._faults -= chosen

    def set_running(self, ecu: str, running: bool) -> None:
        """Stop or start one box of the server's car."""
        was = self._client.set_ecu_running(ecu, running)
        self._ecus.setdefault(ecu, was)

    def close(self) -> None:
        """Put the car back as this driver found it (see the module docstring)."""
        self.clear_fault(None)
        for ecu, was in self._ecus.items():
            self._client.set_ecu_running(ecu, was)
        self._ecus.clear()
        if self._previous is not None:
            self._client.set_profile(self._previous)
            self._previous = None
