"""Injecting and clearing faults on a simulated car: the one API the CLI, scenarios and gRPC share.

Frame faults go into the :class:`~can_sim.faults.FaultLayer` every box sends through. Node
faults act on the boxes themselves:

- ``stop-ecu``: the box leaves the bus (its thread ends); clearing starts it again.
- ``reject-commands``: the ECU answers every command with ``CMD_RESULT`` 3 (not available).
- ``bus-off``: the node first fails its transmissions (:data:`BUS_OFF_ERROR_FRAMES` error frames
  on the bus, as its transmit error counter climbs past 255), then neither sends nor hears
  until the fault clears (a real controller then waits 128 x 11 recessive bits, about 3 ms).
- ``error-frames``: a disturber puts error frames on the bus at ``rate_hz``.

A fault with a duration clears itself. Every fault gets an id (``f1``, ``f2``, ...) to clear it by.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping
from typing import Protocol

import can

from can_sim.bus import BusConfig
from can_sim.faults import ActiveFault, Fault, FaultKind, FaultLayer
from vehicle_contract.errors import InputError

BUS_OFF_ERROR_FRAMES = 32
"""Failed transmissions that take a node bus-off: each adds 8 to its error counter; bus-off is past 255."""
ERROR_FRAME_ID = 0x80
"""Error class of the injected error frames (SocketCAN's ``CAN_ERR_BUSERROR``)."""


class Node(Protocol):
    """A box of the car that a node fault can act on."""

    @property
    def running(self) -> bool:
        """Whether it is on the bus."""
        ...

    def start(self) -> None:
        """Join the bus."""
        ...

    def stop(self) -> None:
        """Leave the bus."""
        ...


def error_frame() -> can.Message:
    """One error frame as python-can represents it."""
    return can.Message(arbitration_id=ERROR_FRAME_ID, is_error_frame=True, is_extended_id=False, data=b"")


class _ErrorFrameSender:
    """A disturber thread that puts error frames on the bus at a fixed rate."""

    def __init__(self, bus: BusConfig, rate_hz: float) -> None:
        self._bus = bus.open()
        self._period = 1.0 / rate_hz
        self._stop = threading.Event()
        self.sent = 0
        """Error frames sent."""
        self._thread = threading.Thread(target=self._run, name="sim-error-frames", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        due = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    self._bus.send(error_frame())
                    self.sent += 1
                except can.CanError:
                    pass
                due += self._period
                delay = due - time.monotonic()
                if delay < -1.0:  # fell far behind (a paused process): resume the rhythm
                    due = time.monotonic()
                self._stop.wait(max(delay, 0.0))
        finally:
            self._bus.shutdown()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)


class FaultController:
    """Injects, lists and clears the faults of one simulated car."""

    def __init__(self, nodes: Mapping[str, Node], layer: FaultLayer, bus: BusConfig) -> None:
        self.layer = layer
        """The send path the car's boxes use."""
        self._nodes = dict(nodes)
        self._bus = bus
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._active: dict[str, ActiveFault] = {}
        self._senders: dict[str, _ErrorFrameSender] = {}
        self._timers: dict[str, threading.Timer] = {}

    @property
    def nodes(self) -> list[str]:
        """Names of the nodes a node fault can target."""
        return list(self._nodes)

    def inject(self, fault: Fault) -> ActiveFault:
        """Put ``fault`` in force now; returns it with its id."""
        if fault.ecu is not None and fault.kind is not FaultKind.ERROR_FRAMES and fault.ecu not in self._nodes:
            raise InputError("unknown-ecu", f"no node {fault.ecu!r}; known: {', '.join(self._nodes)}")
        with self._lock:
            fault_id = f"f{next(self._ids)}"
            active = ActiveFault(fault_id, fault, time.monotonic())
            if fault.kind is FaultKind.STOP_ECU and fault.ecu:
                self._nodes[fault.ecu].stop()
            elif fault.kind is FaultKind.BUS_OFF:
                self._send_error_frames(BUS_OFF_ERROR_FRAMES)
            elif fault.kind is FaultKind.ERROR_FRAMES:
                self._senders[fault_id] = _ErrorFrameSender(self._bus, fault.rate_hz)
            self.layer.add(fault_id, fault)
            self._active[fault_id] = active
            if fault.duration_s is not None:
                timer = threading.Timer(fault.duration_s, self._expire, args=(fault_id,))
                timer.daemon = True
                self._timers[fault_id] = timer
                timer.start()
        return active

    def clear(self, fault_id: str | None = None, *, restore: bool = True) -> int:
        """End one fault (or, with ``None``, every fault); returns how many ended.

        ``restore=False`` leaves nodes stopped by ``stop-ecu`` off (the car is shutting down).
        """
        with self._lock:
            if fault_id is None:
                ids = list(self._active)
            elif fault_id in self._active:
                ids = [fault_id]
            else:
                active = ", ".join(self._active) or "none"
                raise InputError("unknown-fault", f"no active fault {fault_id!r} (active: {active})")
            for fid in ids:
                self._end(fid, restore)
            return len(ids)

    def active(self) -> list[ActiveFault]:
        """The faults in force, oldest first."""
        with self._lock:
            return list(self._active.values())

    def applied(self, fault_id: str) -> int:
        """Frames a frame fault has acted on so far (0 for other faults, or once it has cleared)."""
        return self.layer.applied().get(fault_id, 0)

    def close(self) -> None:
        """End every fault without restarting stopped nodes."""
        self.clear(restore=False)

    def _expire(self, fault_id: str) -> None:
        with self._lock:
            if fault_id in self._active:
                self._timers.pop(fault_id, None)
                self._end(fault_id, True)

    def _end(self, fault_id: str, restore: bool) -> None:
        """Undo one fault; under the lock."""
        active = self._active.pop(fault_id)
        timer = self._timers.pop(fault_id, None)
        if timer is not None:
            timer.cancel()
        self.layer.remove(fault_id, active.fault)
        sender = self._senders.pop(fault_id, None)
        if sender is not None:
            sender.stop()
        fault = active.fault
        if fault.kind is FaultKind.STOP_ECU and fault.ecu and restore:
            still_stopped = any(
                a.fault.kind is FaultKind.STOP_ECU and a.fault.ecu == fault.ecu for a in self._active.values()
            )
            if not still_stopped:
                self._nodes[fault.ecu].start()

    def _send_error_frames(self, count: int) -> None:
        bus = self._bus.open()
        try:
            for _ in range(count):
                try:
                    bus.send(error_frame())
                except can.CanError:
                    break
        finally:
            bus.shutdown()
