"""Faults as values, and the fault layer every simulated box sends through.

A :class:`Fault` says what goes wrong (its :class:`FaultKind`), where (a CAN id for frame
faults, a node for node faults) and how (probability, delay, rate, duration). The
:class:`FaultLayer` sits in the send path of every box of a :class:`~can_sim.car.SimulatedCar`,
where a bench's fault injector would sit on a real bus, and applies the active frame faults:

- ``drop``: the frame never reaches the bus (with ``probability``);
- ``delay``: it reaches the bus ``delay_s`` later, in order;
- ``corrupt-crc``: its E2E CRC or BYD checksum is wrong (with ``probability``);
- ``freeze-counter``: it keeps repeating the alive counter of the last frame sent before the
  fault began, with a valid CRC, as a sender stuck on stale data would.

It also answers the node faults' questions (is a node bus-off? does it reject commands?). The
node faults themselves are carried out by :class:`~can_sim.fault_control.FaultController`.
"""

from __future__ import annotations

import contextlib
import enum
import heapq
import itertools
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import can

from can_sim.decode import DbcSet, MessageInfo, Scheme, corrupt, counter_of, protect
from vehicle_contract.errors import InputError

ERROR_FRAME_RATE_HZ = 100.0
"""Default rate of the ``error-frames`` fault."""
MAX_DELAY_S = 60.0
"""Longest delay a ``delay`` fault may ask for."""
MAX_ERROR_RATE_HZ = 10_000.0
"""Highest error-frame rate (a 500 kbit/s bus fits about 20,000 error frames a second)."""


class FaultKind(enum.StrEnum):
    """What goes wrong."""

    DROP = "drop"
    DELAY = "delay"
    CORRUPT_CRC = "corrupt-crc"
    FREEZE_COUNTER = "freeze-counter"
    STOP_ECU = "stop-ecu"
    REJECT_COMMANDS = "reject-commands"
    ERROR_FRAMES = "error-frames"
    BUS_OFF = "bus-off"


FRAME_FAULTS = frozenset({FaultKind.DROP, FaultKind.DELAY, FaultKind.CORRUPT_CRC, FaultKind.FREEZE_COUNTER})
"""Faults on the frames of one CAN id."""
NODE_FAULTS = frozenset({FaultKind.STOP_ECU, FaultKind.REJECT_COMMANDS, FaultKind.BUS_OFF})
"""Faults of one simulated node (``hvac``, ``seats``, ``media``, ``navigation``, ``body``, ``powertrain``)."""
NODES = ("hvac", "seats", "media", "navigation", "body", "powertrain")
"""The simulated car's nodes, by the names node faults and scenarios use."""
COMMAND_NODES = frozenset({"hvac", "seats", "media", "navigation", "body"})
"""Nodes that take commands (the powertrain only sends)."""


@dataclass(frozen=True)
class Fault:
    """One fault to inject. Validated on construction (:class:`InputError` naming the field)."""

    kind: FaultKind
    """What goes wrong."""
    can_id: int | None = None
    """Arbitration id, for frame faults."""
    ecu: str | None = None
    """Node name, for node faults (and, optionally, the sender named for ``error-frames``)."""
    probability: float = 1.0
    """Chance per frame for ``drop`` and ``corrupt-crc``, 0 < p <= 1."""
    delay_s: float = 0.0
    """Delay of a ``delay`` fault, seconds."""
    rate_hz: float = ERROR_FRAME_RATE_HZ
    """Error frames per second of an ``error-frames`` fault."""
    duration_s: float | None = None
    """Seconds until the fault clears itself; ``None``: until cleared."""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", FaultKind(self.kind))
        except ValueError:
            known = ", ".join(k.value for k in FaultKind)
            raise InputError("bad-fault", f"unknown fault kind {self.kind!r}; known: {known}") from None
        if self.kind in FRAME_FAULTS and (self.can_id is None or not 0 <= self.can_id <= 0x1FFFFFFF):
            raise InputError("bad-fault", f"a {self.kind} fault needs a CAN id (0..0x1FFFFFFF)")
        if self.kind in NODE_FAULTS and not self.ecu:
            raise InputError("bad-fault", f"a {self.kind} fault needs an ECU name")
        if self.kind is FaultKind.REJECT_COMMANDS and self.ecu not in COMMAND_NODES:
            raise InputError("bad-fault", f"only {', '.join(sorted(COMMAND_NODES))} take commands to reject")
        if not (0.0 < self.probability <= 1.0):
            raise InputError("bad-fault", f"probability must be in (0, 1], not {self.probability}")
        if self.kind is FaultKind.DELAY and not (0.0 < self.delay_s <= MAX_DELAY_S):
            raise InputError("bad-fault", f"a delay fault needs 0 < delay_s <= {MAX_DELAY_S:g}, not {self.delay_s}")
        if self.kind is FaultKind.ERROR_FRAMES and not (0.0 < self.rate_hz <= MAX_ERROR_RATE_HZ):
            raise InputError("bad-fault", f"rate_hz must be in (0, {MAX_ERROR_RATE_HZ:g}], not {self.rate_hz}")
        if self.duration_s is not None and not (self.duration_s > 0 and math.isfinite(self.duration_s)):
            raise InputError("bad-fault", f"duration_s must be positive, not {self.duration_s}")

    def describe(self) -> str:
        """One line for people: ``drop 0x1F0 p=0.5 for 2 s``."""
        parts = [str(self.kind)]
        if self.can_id is not None:
            parts.append(f"0x{self.can_id:X}")
        if self.ecu:
            parts.append(self.ecu)
        if self.probability < 1.0:
            parts.append(f"p={self.probability:g}")
        if self.kind is FaultKind.DELAY:
            parts.append(f"by {self.delay_s * 1000:g} ms")
        if self.kind is FaultKind.ERROR_FRAMES:
            parts.append(f"at {self.rate_hz:g}/s")
        if self.duration_s is not None:
            parts.append(f"for {self.duration_s:g} s")
        return " ".join(parts)


@dataclass(frozen=True)
class ActiveFault:
    """A fault that is in force."""

    fault_id: str
    """Identifier to clear it with."""
    fault: Fault
    """The fault."""
    started: float = field(default=0.0, compare=False)
    """When it began (``time.monotonic``)."""


class FaultLayer:
    """The send path of every simulated box: applies the active frame faults, knows node faults."""

    def __init__(self, dbcs: DbcSet | None = None, seed: int | None = None) -> None:
        self._dbcs = dbcs or DbcSet.load()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._frame_faults: dict[str, Fault] = {}
        self._frozen: dict[str, int] = {}
        self._bus_off: dict[str, int] = {}  # node -> faults holding it bus-off
        self._rejecting: dict[str, int] = {}
        self._applied: dict[str, int] = {}
        self._last_sent: dict[int, can.Message] = {}  # per id: what a freeze-counter fault freezes at
        self._delayed: list[tuple[float, int, can.BusABC, can.Message]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition(self._lock)
        self._closed = False
        self._delay_thread: threading.Thread | None = None

    # -- state, from the controller ----------------------------------------------------------

    def add(self, fault_id: str, fault: Fault) -> None:
        """Put a fault in force (frame faults apply here; node faults are recorded)."""
        with self._lock:
            if fault.kind in FRAME_FAULTS:
                self._frame_faults[fault_id] = fault
                last = self._last_sent.get(fault.can_id or 0)
                if fault.kind is FaultKind.FREEZE_COUNTER and last is not None:
                    info = self._dbcs.info(last.arbitration_id, last.is_extended_id)
                    frozen = counter_of(info, last.data) if info is not None else None
                    if frozen is not None:  # the very next frame repeats the last one's counter
                        self._frozen[fault_id] = frozen
            elif fault.kind is FaultKind.BUS_OFF and fault.ecu:
                self._bus_off[fault.ecu] = self._bus_off.get(fault.ecu, 0) + 1
            elif fault.kind is FaultKind.REJECT_COMMANDS and fault.ecu:
                self._rejecting[fault.ecu] = self._rejecting.get(fault.ecu, 0) + 1
            self._applied[fault_id] = 0

    def remove(self, fault_id: str, fault: Fault) -> None:
        """End a fault added with :meth:`add`."""
        with self._lock:
            self._frame_faults.pop(fault_id, None)
            self._frozen.pop(fault_id, None)
            self._applied.pop(fault_id, None)
            held = {FaultKind.BUS_OFF: self._bus_off, FaultKind.REJECT_COMMANDS: self._rejecting}.get(fault.kind)
            if held is not None and fault.ecu in held:
                held[fault.ecu] -= 1
                if held[fault.ecu] <= 0:
                    del held[fault.ecu]

    def applied(self) -> Mapping[str, int]:
        """Frames each active frame fault has acted on, by fault id."""
        with self._lock:
            return dict(self._applied)

    def is_bus_off(self, node: str) -> bool:
        """Whether ``node`` is bus-off (neither sends nor hears)."""
        with self._lock:
            return node in self._bus_off

    def rejects(self, node: str) -> bool:
        """Whether ``node`` must answer every command with "not available"."""
        with self._lock:
            return node in self._rejecting

    # -- the send path ------------------------------------------------------------------------

    def send(self, bus: can.BusABC, msg: can.Message, node: str = "") -> None:
        """Send ``msg`` from ``node`` through the active faults. Raises ``can.CanOperationError`` when bus-off."""
        with self._lock:
            if node in self._bus_off:
                raise can.CanOperationError(f"{node} is bus-off")
            self._last_sent[msg.arbitration_id] = msg
            if not self._frame_faults:
                delay = 0.0
            else:
                result = self._apply(msg)
                if result is None:
                    return
                msg, delay = result
            if delay > 0:
                self._schedule(bus, msg, delay)
                return
        bus.send(msg)

    def _apply(self, msg: can.Message) -> tuple[can.Message, float] | None:
        """``msg`` after the frame faults (or ``None``: dropped), and its delay; under the lock."""
        faults = [(fid, f) for fid, f in self._frame_faults.items() if f.can_id == msg.arbitration_id]
        if not faults:
            return msg, 0.0
        info = self._dbcs.info(msg.arbitration_id, msg.is_extended_id)
        data = bytes(msg.data)
        delay = 0.0
        for fault_id, fault in sorted(faults, key=lambda item: _ORDER[item[1].kind]):
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                continue
            self._applied[fault_id] += 1
            if fault.kind is FaultKind.DROP:
                return None
            if fault.kind is FaultKind.FREEZE_COUNTER and info is not None and info.scheme is not Scheme.NONE:
                data = self._freeze(fault_id, info, data)
            elif fault.kind is FaultKind.CORRUPT_CRC:
                data = corrupt(info, data)
            elif fault.kind is FaultKind.DELAY:
                delay = max(delay, fault.delay_s)
        out = can.Message(
            arbitration_id=msg.arbitration_id,
            data=data,
            is_extended_id=msg.is_extended_id,
            is_remote_frame=msg.is_remote_frame,
            is_error_frame=msg.is_error_frame,
            is_fd=msg.is_fd,
        )
        return out, delay

    def _freeze(self, fault_id: str, info: MessageInfo, data: bytes) -> bytes:
        frozen = self._frozen.get(fault_id)
        if frozen is None:
            current = counter_of(info, data)
            if current is None:
                return data
            self._frozen[fault_id] = frozen = current
        return protect(info, data, frozen)

    # -- delayed frames -------------------------------------------------------------------------

    def _schedule(self, bus: can.BusABC, msg: can.Message, delay: float) -> None:
        """Queue ``msg`` for later; under the lock."""
        if self._closed:
            return
        heapq.heappush(self._delayed, (time.monotonic() + delay, next(self._seq), bus, msg))
        if self._delay_thread is None:
            self._delay_thread = threading.Thread(target=self._run_delayed, name="sim-fault-delay", daemon=True)
            self._delay_thread.start()
        self._wake.notify()

    def _run_delayed(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (not self._delayed or self._delayed[0][0] > time.monotonic()):
                    timeout = self._delayed[0][0] - time.monotonic() if self._delayed else None
                    self._wake.wait(timeout)
                if self._closed:
                    return
                _, _, bus, msg = heapq.heappop(self._delayed)
            with contextlib.suppress(can.CanError):  # its sender left the bus meanwhile: lost, as on a real bus
                bus.send(msg)

    def flush(self) -> None:
        """Forget frames still waiting out a delay."""
        with self._lock:
            self._delayed.clear()

    def close(self) -> None:
        """Stop the delay thread; delayed frames not yet sent are lost."""
        with self._lock:
            self._closed = True
            self._delayed.clear()
            self._wake.notify_all()
            thread = self._delay_thread
        if thread is not None:
            thread.join(timeout=1.0)
        with self._lock:
            self._delay_thread = None
            self._closed = False


_ORDER: Mapping[FaultKind, int] = {
    FaultKind.DROP: 0,
    FaultKind.FREEZE_COUNTER: 1,
    FaultKind.CORRUPT_CRC: 2,
    FaultKind.DELAY: 3,
}
"""Order in which frame faults on one id apply: a dropped frame is not delayed, a frozen one may be corrupted."""


def parse_can_id(text: str) -> int:
    """``0x1F0``, ``1F0h`` or ``496`` as an int; an :class:`InputError` otherwise."""
    cleaned = text.strip().lower()
    try:
        if cleaned.endswith("h"):
            return int(cleaned[:-1], 16)
        return int(cleaned, 0)
    except ValueError:
        raise InputError("bad-can-id", f"{text!r} is not a CAN id (write 0x1F0 or 496)") from None


SendPath = Callable[[can.BusABC, can.Message, str], None]
"""How a box sends: ``(bus, message, node)``; the default is a plain ``bus.send``."""


def plain_send(bus: can.BusABC, msg: can.Message, node: str = "") -> None:
    """A send path without faults."""
    bus.send(msg)
