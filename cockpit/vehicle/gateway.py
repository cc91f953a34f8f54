"""The car over python-can: :class:`CanVehicle`, the one cockpit module that imports python-can.

Writes become E2E-protected command frames (cockpit.dbc); an action is ``confirmed`` only when
the ECU's status frame echoes the command's alive counter in ``ACK_COUNTER`` with ``CMD_RESULT``
applied, ``rejected`` when it echoes it with a refusal, and ``timeout`` when no such frame
arrives within :data:`CONFIRM_TIMEOUT_S`. State comes from every status frame that passes its
E2E check, and from BYD's powertrain frames (:mod:`cockpit.vehicle.powertrain`).

Threads: python-can's :class:`can.Notifier` reads the bus on its own thread and a small watchdog
thread re-evaluates speed staleness; both hand their work to the asyncio loop the vehicle is
used from (``call_soon_threadsafe``), so state, futures and listeners are touched on that loop
only. Until a loop is known (built before ``asyncio.run``) frames are handled on the reader
thread, under the same lock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import can

from cockpit.errors import ConfigError, TransmitNotAllowed, VehicleError
from cockpit.events import ActionStatus
from cockpit.listeners import Listeners
from cockpit.vehicle.api import StateListener, Vehicle, WriteOutcome
from cockpit.vehicle.mapping import ECUS, RESULT_REASONS, EcuLink, commands_for, status_for, status_values
from cockpit.vehicle.planning import FramePlan, plan_frames
from cockpit.vehicle.powertrain import FRAMES as POWERTRAIN_FRAMES
from cockpit.vehicle.powertrain import SPEED_STALE_S, PowertrainTracker
from vehicle_contract import byd, e2e, vss
from vehicle_contract.ack import ACK_SIGNAL, RESULT_SIGNAL, CmdResult
from vehicle_contract.dbc import BYD_DBC, COCKPIT_DBC, DbcCodec
from vehicle_contract.signals import number_of
from vehicle_contract.vss import SignalValue, SignalWrite

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT_S = 1.0
"""How long a write waits for its ECU's answer before it is a ``timeout`` (the slowest status
cycle is 500 ms, and every ECU answers a command at once, so 1 s means the ECU is gone)."""
STATUS_MAX_DELTA = 3
"""Counter step accepted between two status frames of one ECU (two frames may be lost)."""
STATUS_RESYNC_S = 1.0
"""After this much silence an ECU's status counter is accepted afresh (the ECU restarted)."""
WATCHDOG_PERIOD_S = 0.05
"""How often speed staleness is re-evaluated when no frame arrives to do it."""
NOTIFIER_POLL_S = 0.1
"""Reader thread's receive timeout; bounds how long :meth:`CanVehicle.close` waits for it."""
LABELLED_PATHS = (vss.MEDIA_TRACK, vss.MEDIA_ARTIST)
"""Values the ``labels`` hook may set for a played URI."""

LabelLookup = Callable[[str], Mapping[str, SignalValue]]
"""Played URI -> extra VSS values (e.g. ``Played.Track``, ``Played.Artist``)."""


@dataclass(frozen=True)
class BusStats:
    """What the cockpit saw and sent on the bus."""

    rx: Mapping[int, int]
    """Frames received, by CAN id."""
    tx: Mapping[int, int]
    """Frames sent, by CAN id."""
    rejected: Mapping[str, int]
    """Frames dropped, by reason: ``crc``, ``counter-repeated``, ``counter-jump``,
    ``counter-invalid``, ``length``, ``byd-checksum``, ``undecodable``."""
    error_frames: int = 0
    """Error frames seen (ignored otherwise: a disturbed bus is not a reason to stop)."""


class CanVehicle(Vehicle):
    """The car on a python-can bus: confirmed writes, state by VSS path, bus statistics."""

    def __init__(
        self,
        bus: can.BusABC,
        *,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
        labels: LabelLookup | None = None,
        transmit_allow: Collection[int] | None = None,
        speed_stale_s: float = SPEED_STALE_S,
        cockpit_codec: DbcCodec | None = None,
        byd_codec: DbcCodec | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        clock: Callable[[], float] = time.monotonic,
        drive_side: str = "left",
    ) -> None:
        """``bus`` stays the caller's: :meth:`close` stops reading it but does not shut it down.

        ``drive_side`` (the setting): which physical doors (the DBC's FL/FR/RL/RR) the VSS's
        driver-side and passenger-side body signals are.

        ``transmit_allow`` narrows the ids the cockpit may send (default: every command message
        of cockpit.dbc); it can never widen them.
        """
        self._bus = bus
        self._send_through: Callable[[can.BusABC, can.Message, str], None] | None = None
        self._timeout = confirm_timeout_s
        self._labels = labels
        self._clock = clock
        self._commands = commands_for(drive_side)
        self._status_bindings = status_for(drive_side)
        self._cockpit = cockpit_codec or DbcCodec.load(COCKPIT_DBC)
        self._byd = byd_codec or DbcCodec.load(BYD_DBC)
        own = {self._cockpit.frame_id(link.command) for link in ECUS}
        allow = set(own if transmit_allow is None else transmit_allow)
        if not allow <= own:
            foreign = ", ".join(f"0x{i:X}" for i in sorted(allow - own))
            raise ConfigError("transmit-allow-list", f"the cockpit only sends its own command ids, not {foreign}")
        self._allow = frozenset(allow)
        self._links = {link.command: link for link in ECUS}
        self._status = {self._cockpit.frame_id(link.status): link for link in ECUS}
        self._receivers = {
            fid: e2e.E2EReceiver(self._cockpit.data_id(link.status), STATUS_MAX_DELTA, STATUS_RESYNC_S)
            for fid, link in self._status.items()
        }
        self._counters = {link.command: e2e.COUNTER_MAX for link in ECUS}  # first command sends 0
        self._last_ack: dict[str, int] = {}
        self._pending: dict[tuple[str, int], asyncio.Future[tuple[int, dict[str, SignalValue]]]] = {}
        self._state: dict[str, SignalValue] = {}
        self._listeners: Listeners[StateListener] = Listeners()
        self._rx: Counter[int] = Counter()
        self._tx: Counter[int] = Counter()
        self._rejected: Counter[str] = Counter()
        self._error_frames = 0
        self._powertrain = PowertrainTracker(speed_stale_s)
        self._lock = threading.RLock()
        self._loop = loop or _running_loop()
        self._send_locks = {link.command: asyncio.Lock() for link in ECUS}
        self._closed = threading.Event()
        self._notifier = can.Notifier(bus, [self._on_frame], timeout=NOTIFIER_POLL_S)
        self._watchdog = threading.Thread(target=self._watch, name="cockpit-speed-watchdog", daemon=True)
        self._watchdog.start()

    # -- the Vehicle seam ---------------------------------------------------------------------

    def send_through(self, send: Callable[[can.BusABC, can.Message, str], None]) -> None:
        """Put the command frames on the bus through ``send(bus, msg, node)``: a simulated car's fault
        layer, where a bench's fault injector sits on a real bus, so that frame faults on the
        command ids (``corrupt-crc`` on 0x3A0, ``drop``, ``delay``) act on the cockpit's own frames."""
        self._send_through = send

    def snapshot(self) -> Mapping[str, SignalValue]:
        """Confirmed state by VSS path, with speed staleness evaluated now."""
        with self._lock:
            return {**self._state, **self._powertrain.values(self._clock())}

    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener(path, value)`` on every confirmed change, on the vehicle's loop."""
        self._bind_loop()
        return self._listeners.subscribe(listener)

    async def write(
        self, writes: Sequence[SignalWrite], on_sent: Callable[[SignalWrite], None] | None = None
    ) -> list[WriteOutcome]:
        """Send ``writes`` (grouped per command frame) and wait for each ECU's answer.

        Raises :class:`TransmitNotAllowed`, with nothing sent, if any frame's id is outside the
        allow-list. Writes that cannot be encoded, or lack a companion (a destination's other
        coordinate), or whose frame the bus refuses, are ``rejected`` without being sent.
        """
        self._bind_loop()
        plan = plan_frames(writes, self.snapshot(), self._cockpit.check, self._commands)
        for frame in plan.frames:
            self._assert_allowed(self._cockpit.frame_id(frame.message))
        outcomes: list[WriteOutcome | None] = [None] * len(writes)
        for index, reason in plan.refused.items():
            outcomes[index] = WriteOutcome(writes[index].signal, writes[index].value, ActionStatus.REJECTED, reason)
        chains: dict[str, list[FramePlan]] = {}
        for frame in plan.frames:
            chains.setdefault(frame.message, []).append(frame)

        async def run_chain(chain: list[FramePlan]) -> None:
            # Frames of one message go one after the other: an ECU acknowledges only its last command.
            for frame in chain:
                for index, outcome in await self._send_and_confirm(frame, on_sent):
                    outcomes[index] = outcome

        await asyncio.gather(*(run_chain(chain) for chain in chains.values()))
        return [o for o in outcomes if o is not None]

    # -- extras ---------------------------------------------------------------------------------

    @property
    def confirm_timeout_s(self) -> float:
        """How long a write waits for its ECU's status frame."""
        return self._timeout

    def stats(self) -> BusStats:
        """Frames received and sent by id, and frames rejected by reason."""
        with self._lock:
            return BusStats(dict(self._rx), dict(self._tx), dict(self._rejected), self._error_frames)

    def close(self) -> None:
        """Stop reading the bus and the watchdog (idempotent). The bus itself stays open."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._notifier.stop(timeout=2 * NOTIFIER_POLL_S + 1.0)
        self._watchdog.join(timeout=1.0)

    # -- sending ----------------------------------------------------------------------------------

    def _assert_allowed(self, frame_id: int) -> None:
        if frame_id not in self._allow:
            raise TransmitNotAllowed(
                "transmit-not-allowed", f"CAN id 0x{frame_id:X} is not on the cockpit's transmit allow-list"
            )

    async def _send_and_confirm(
        self, frame: FramePlan, on_sent: Callable[[SignalWrite], None] | None
    ) -> list[tuple[int, WriteOutcome]]:
        link = self._links[frame.message]
        frame_id = self._cockpit.frame_id(frame.message)
        loop = asyncio.get_running_loop()
        async with self._send_locks[frame.message]:
            with self._lock:
                counter = self._allocate_counter(link)
                future: asyncio.Future[tuple[int, dict[str, SignalValue]]] = loop.create_future()
                # Registered before sending: the ECU may answer before send() returns.
                self._pending[(link.status, counter)] = future
            try:
                try:
                    self._transmit(frame_id, self._cockpit.encode(frame.message, frame.values, counter))
                except TransmitNotAllowed:
                    raise
                except VehicleError as err:  # never on the bus, so never "sent": refused, with why
                    reason = f"the command could not be put on the bus: {err.message}"
                    return [
                        (i, WriteOutcome(w.signal, w.value, ActionStatus.REJECTED, reason)) for i, w, _ in frame.writes
                    ]
                for _, write, _ in frame.writes:
                    if on_sent is not None:
                        on_sent(write)
                try:
                    result, values = await asyncio.wait_for(future, self._timeout)
                except TimeoutError:
                    reason = f"no answer from the {link.name} within {self._timeout:g} s"
                    return [
                        (i, WriteOutcome(w.signal, w.value, ActionStatus.TIMEOUT, reason)) for i, w, _ in frame.writes
                    ]
            finally:
                with self._lock:
                    self._pending.pop((link.status, counter), None)
        return [(i, self._outcome(link, w, b.answer_path, result, values)) for i, w, b in frame.writes]

    def _outcome(
        self, link: EcuLink, write: SignalWrite, answer_path: str, result: int, values: Mapping[str, SignalValue]
    ) -> WriteOutcome:
        if result == CmdResult.APPLIED:
            value = values.get(answer_path, self.snapshot().get(answer_path, write.value))
            if answer_path != write.signal:
                # Confirmed through another signal (SelectedURI through PlayedURI): the written
                # signal takes the confirmed value too, so the state shows what the action said.
                with self._lock:
                    changes = self._apply({write.signal: value})
                self._notify(changes)
            return WriteOutcome(write.signal, value, ActionStatus.CONFIRMED)
        reason = RESULT_REASONS.get(result, RESULT_REASONS[CmdResult.NONE]).format(ecu=link.name)
        return WriteOutcome(write.signal, write.value, ActionStatus.REJECTED, reason)

    def _allocate_counter(self, link: EcuLink) -> int:
        counter = e2e.next_counter(self._counters[link.command])
        if counter == self._last_ack.get(link.status):
            # The ECU's status already echoes this counter from an older command; using it again
            # would let that stale answer confirm the new command.
            counter = e2e.next_counter(counter)
        self._counters[link.command] = counter
        return counter

    def _transmit(self, frame_id: int, data: bytes) -> None:
        self._assert_allowed(frame_id)
        try:
            msg = can.Message(arbitration_id=frame_id, data=data, is_extended_id=False)
            if self._send_through is None:
                self._bus.send(msg)
            else:
                self._send_through(self._bus, msg, "cockpit")
        except can.CanError as err:
            raise VehicleError("can-send-failed", f"could not send CAN id 0x{frame_id:X}: {err}") from err
        with self._lock:
            self._tx[frame_id] += 1

    # -- receiving ----------------------------------------------------------------------------

    def _bind_loop(self) -> None:
        running = _running_loop()
        if running is not None and running is not self._loop:
            self._loop = running
            self._send_locks = {link.command: asyncio.Lock() for link in ECUS}

    def _submit(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work`` on the vehicle's loop if there is one, else here and now."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(work, *args)
                return
            except RuntimeError:  # the loop closed between the check and the call
                pass
        work(*args)

    def _on_frame(self, msg: can.Message) -> None:
        if msg.is_error_frame:
            with self._lock:
                self._error_frames += 1
            return
        if msg.is_remote_frame:
            return
        self._submit(self._handle, msg.arbitration_id, bytes(msg.data), self._clock())

    def _watch(self) -> None:
        while not self._closed.wait(WATCHDOG_PERIOD_S):
            self._submit(self._tick)

    def _tick(self) -> None:
        with self._lock:
            changes = self._apply(self._powertrain.values(self._clock()))
        self._notify(changes)

    def _handle(self, frame_id: int, data: bytes, now: float) -> None:
        with self._lock:
            self._rx[frame_id] += 1
            if frame_id in self._status:
                updates = self._on_status(self._status[frame_id], frame_id, data, now)
            elif (name := self._byd.name_of(frame_id)) in POWERTRAIN_FRAMES:
                updates = self._on_powertrain(str(name), frame_id, data, now)
            else:
                return
            changes = self._apply(updates)
        self._notify(changes)

    def _on_status(self, link: EcuLink, frame_id: int, data: bytes, now: float) -> dict[str, SignalValue]:
        verdict = self._receivers[frame_id].check(data, now)
        if not verdict.ok:
            self._rejected[verdict.reason] += 1
            return {}
        try:
            decoded = self._cockpit.decode(frame_id, data)
        except VehicleError:
            self._rejected["undecodable"] += 1
            return {}
        values = status_values(link.status, decoded, self._status_bindings)
        uri = values.get(vss.MEDIA_PLAYED_URI)
        if isinstance(uri, str) and uri != self._state.get(vss.MEDIA_PLAYED_URI):
            values.update(self._labels_for(uri))
        ack, result = int(number_of(decoded[ACK_SIGNAL])), int(number_of(decoded[RESULT_SIGNAL]))
        self._last_ack[link.status] = ack
        future = self._pending.get((link.status, ack))
        if future is not None:
            future.get_loop().call_soon_threadsafe(_settle, future, (result, dict(values)))
        return values

    def _labels_for(self, uri: str) -> dict[str, SignalValue]:
        if self._labels is None:
            return {}
        try:
            found = dict(self._labels(uri))
        except Exception:  # a faulty lookup must not stop the bus reader
            log.exception("labels hook failed for %s", uri)
            found = {}
        # Clear what the previous item had and this one lacks, rather than show a stale title.
        return {path: found.get(path, "") for path in LABELLED_PATHS if path in found or path in self._state}

    def _on_powertrain(self, name: str, frame_id: int, data: bytes, now: float) -> dict[str, SignalValue]:
        if name == "WHEELSPEED_CLEAN" and not byd.checksum_ok(data):
            self._rejected["byd-checksum"] += 1
            return {}
        try:
            self._powertrain.on_frame(name, self._byd.decode(frame_id, data), now)
        except VehicleError:
            self._rejected["undecodable"] += 1
            return {}
        return self._powertrain.values(now)

    def _apply(self, updates: Mapping[str, SignalValue]) -> list[tuple[str, SignalValue]]:
        changes = [(path, value) for path, value in updates.items() if self._state.get(path) != value]
        self._state.update(changes)
        return changes

    def _notify(self, changes: list[tuple[str, SignalValue]]) -> None:
        if not changes:
            return
        for listener in self._listeners.current():
            for path, value in changes:
                try:
                    listener(path, value)
                except Exception:  # one bad subscriber must not starve the others
                    log.exception("state listener failed for %s", path)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)
