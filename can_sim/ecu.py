"""The base of every simulated cockpit ECU: its own bus, periodic status, checked commands.

An ECU takes one command message and answers with one status message (cockpit.dbc). It sends
its status every ``GenMsgCycleTime`` and at once after every command it processes. A command is
E2E checked first (bad CRC, counter 15, repeated or jumping counters are dropped, counted by
reason, and not answered); a good one is applied all or nothing by the subclass's
:meth:`SimulatedEcu._apply`, and its alive counter is echoed in ``ACK_COUNTER`` with the result.

One thread per ECU: it sleeps in ``bus.recv`` until the next status is due, so an idle ECU costs
a wake-up per command and per status cycle (and at most every :data:`POLL_S`, to notice stop).
"""

from __future__ import annotations

import abc
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import can

from can_sim.bus import BusConfig
from can_sim.faults import FaultLayer
from vehicle_contract import e2e
from vehicle_contract.ack import ACK_SIGNAL, NO_ACK, RESULT_SIGNAL, CmdResult
from vehicle_contract.dbc import COCKPIT_DBC, COUNTER_SIGNAL, CRC_SIGNAL, NO_REQUEST, DbcCodec
from vehicle_contract.errors import VehicleError
from vehicle_contract.signals import CanValue, label_of

COMMAND_MAX_DELTA = 3
"""Counter step accepted between two commands. The cockpit skips one value now and then (so an
old ``ACK_COUNTER`` can never confirm a new command), and a command or two may be lost."""
COMMAND_RESYNC_S = 1.0
"""After this much silence any valid command counter is accepted (the cockpit restarted)."""
POLL_S = 0.05
"""Longest sleep of the ECU thread, which bounds how long :meth:`SimulatedEcu.stop` takes."""

Request = dict[str, float | str]
"""The fields a command names: physical numbers, or value-table labels such as ``"ON"``."""


@dataclass(frozen=True)
class EcuStats:
    """What one simulated ECU has seen and done."""

    commands: int
    """Command frames that passed the E2E check."""
    results: Mapping[str, int]
    """Those commands by result (``APPLIED``, ``REJECTED_LIMIT``, ``REJECTED_UNAVAILABLE``)."""
    dropped: Mapping[str, int]
    """Command frames dropped by the E2E check, by reason (``crc``, ``counter-repeated``, ...)."""
    status_sent: int
    """Status frames sent."""


S = TypeVar("S")
"""The frozen dataclass an ECU keeps its state in."""


class SimulatedEcu(abc.ABC, Generic[S]):
    """One cockpit ECU on its own python-can bus. Subclasses fill :meth:`_apply` and :meth:`_status`
    and name their starting state (``default_state``; ``state=`` gives another)."""

    name: ClassVar[str] = ""
    """For people: "HVAC ECU"."""
    command_message: ClassVar[str] = ""
    """The command message it takes."""
    status_message: ClassVar[str] = ""
    """The status message it answers with."""
    default_state: ClassVar[Any] = None
    """The state a new ECU starts in (a frozen dataclass of the subclass's state type)."""

    def __init__(
        self,
        bus: BusConfig,
        codec: DbcCodec | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        faults: FaultLayer | None = None,
        node: str = "",
        state: S | None = None,
    ) -> None:
        self.bus_config = bus
        """Where it connects when started."""
        self.node = node
        """Its name in the car (``hvac``, ...): what node faults target."""
        self._faults = faults
        self._codec = codec or DbcCodec.load(COCKPIT_DBC)
        self._clock = clock
        self._command_id = self._codec.frame_id(self.command_message)
        self._status_id = self._codec.frame_id(self.status_message)
        self._cycle_s = self._codec.cycle_time_s(self.status_message) or 0.1
        self._receiver = e2e.E2EReceiver(self._codec.data_id(self.command_message), COMMAND_MAX_DELTA, COMMAND_RESYNC_S)
        self._lock = threading.RLock()
        self._ack = NO_ACK
        self._result = CmdResult.NONE
        self._status_counter = e2e.COUNTER_MAX  # the first status frame carries 0
        self._results: Counter[str] = Counter()
        self._dropped: Counter[str] = Counter()
        self._status_sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state: S = self.default_state if state is None else state

    @property
    def state(self) -> S:
        """Current state."""
        with self._lock:
            return self._state

    # -- life cycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the ECU is on the bus."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Connect and start answering (a restarted ECU re-learns the command counter)."""
        if self.running:
            return
        bus = self.bus_config.open()
        bus.set_filters([{"can_id": self._command_id, "can_mask": 0x7FF, "extended": False}])
        self._receiver.reset()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(bus,), name=f"sim-{self.command_message}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Fall silent and leave the bus; state is kept for a later :meth:`start`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def stats(self) -> EcuStats:
        """Counts of commands, results, dropped frames and status frames."""
        with self._lock:
            return EcuStats(sum(self._results.values()), dict(self._results), dict(self._dropped), self._status_sent)

    # -- the subclass's part ------------------------------------------------------------------

    @abc.abstractmethod
    def _apply(self, request: Request) -> CmdResult:
        """Carry out ``request`` (only the fields it names) all or nothing; called under the lock.

        Validate every field before changing anything; ``ValueError`` counts as out of limits.
        """

    @abc.abstractmethod
    def _status(self) -> dict[str, CanValue]:
        """The status message's own fields (not CRC, COUNTER, ACK_COUNTER, CMD_RESULT); under the lock."""

    # -- the thread ---------------------------------------------------------------------------

    def _run(self, bus: can.BusABC) -> None:
        try:
            due = self._clock()
            while not self._stop.is_set():
                now = self._clock()
                if now >= due:
                    self._send_status(bus)
                    due += self._cycle_s
                    if due <= now:  # fell behind (a paused process): do not burst to catch up
                        due = now + self._cycle_s
                msg = bus.recv(timeout=min(max(due - self._clock(), 0.0), POLL_S))
                if msg is None or msg.arbitration_id != self._command_id or msg.is_error_frame:
                    continue
                if self._faults is not None and self._faults.is_bus_off(self.node):
                    continue  # a bus-off node hears nothing
                if self._on_command(bytes(msg.data)):
                    self._send_status(bus)
        finally:
            bus.shutdown()

    def _on_command(self, data: bytes) -> bool:
        """Check and apply one command frame; whether it was processed (and must be answered)."""
        verdict = self._receiver.check(data, self._clock())
        if not verdict.ok or verdict.counter is None:
            with self._lock:
                self._dropped[verdict.reason] += 1
            return False
        try:
            decoded = self._codec.decode(self._command_id, data)
        except VehicleError:
            with self._lock:
                self._dropped["undecodable"] += 1
            return False
        request = _request(decoded)
        rejecting = self._faults is not None and self._faults.rejects(self.node)
        with self._lock:
            try:
                self._result = CmdResult.REJECTED_UNAVAILABLE if rejecting else self._apply(request)
            except ValueError:  # a raw value the DBC does not define (e.g. a switch at 2)
                self._result = CmdResult.REJECTED_LIMIT
            self._ack = verdict.counter
            self._results[self._result.name] += 1
        return True

    def _send_status(self, bus: can.BusABC) -> None:
        with self._lock:
            self._status_counter = e2e.next_counter(self._status_counter)
            values = self._status()
            values[ACK_SIGNAL], values[RESULT_SIGNAL] = self._ack, int(self._result)
            data = self._codec.encode(self.status_message, values, self._status_counter)
        msg = can.Message(arbitration_id=self._status_id, data=data, is_extended_id=False)
        # A real ECU does not stop for a full bus (or while bus-off); the next cycle tries again.
        with contextlib.suppress(can.CanError):
            if self._faults is None:
                bus.send(msg)
            else:
                self._faults.send(bus, msg, self.node)
            with self._lock:
                self._status_sent += 1


def _request(decoded: Mapping[str, Any]) -> Request:
    """The named fields of a decoded command: ``NO_REQUEST`` fields and E2E fields left out."""
    out: Request = {}
    for name, value in decoded.items():
        if name in (CRC_SIGNAL, COUNTER_SIGNAL):
            continue
        found = label_of(value)
        if found == NO_REQUEST:
            continue
        out[name] = found if found is not None else float(value)
    return out


def switch(request: Request, name: str) -> bool | None:
    """A tri-state request field as ``True``/``False``, ``None`` if absent; ``ValueError`` if garbage."""
    if name not in request:
        return None
    value = request[name]
    if value not in ("ON", "OFF"):
        raise ValueError(f"{name}={value!r}")
    return value == "ON"
