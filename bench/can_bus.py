"""CAN bench throughput and latency, each against python-can's bare path in the same run.

Throughput: a sender floods a private virtual bus at rising rates with a realistic mix of the
simulated car's frames (valid counters, CRCs and checksums), for a few seconds per step. The
receiver's bus has a bounded receive buffer (:data:`RX_BUFFER_FRAMES`, about a SocketCAN
socket's default), so a receiver that falls behind loses frames there, and the sender sees each
loss. A rate is *sustained* when no frame is lost and every frame was handled. Two receivers:

- the bench's logger + decoder (``can-sim log``: a :class:`~can_sim.recorder.Recording`, whose
  reader thread empties the bus into a backlog and whose worker feeds
  :class:`~can_sim.recorder.BusRecorder`: BLF writer, message lookup, integrity verdicts, bus
  statistics), whose decoder must also see no counter gap;
- the baseline, python-can's bare receive loop (``bus.recv()`` and nothing else).

Latency: from the call of ``CanVehicle.write`` to the command frame's timestamp on the bus (the
virtual bus stamps a frame when it is sent), against a bare ``bus.send`` of a prebuilt frame.
The sender shares the process (and the GIL) with the receiver: the virtual bus cannot leave it.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import can

from bench.common import Figure, percentile
from can_sim.bus import BusConfig
from can_sim.busload import DEFAULT_BITRATE, BusStatistics, frame_bits
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet, FrameDecoder
from can_sim.recorder import BusRecorder, Recording
from can_sim.tap import BusTap

SUITE = "can_bus"
"""This suite's name in the figures."""
RX_BUFFER_FRAMES = 256
"""Receive buffer of the receiving bus, in frames (a SocketCAN socket buffers about 200 by default)."""
MARGIN = 2.0
"""The logger must hold this many full 500 kbit/s buses of the mix (a full one is about 4,066 frames/s)."""
RATES = (1000, 2000, 4000, 6000, 8200, 12000, 16000, 24000, 32000, 48000)
"""Offered rates, frames/s, in the order tried."""
QUICK_RATES = (2000, 4000, 8200, 16000)
"""Rates for a smoke run."""
TICK_S = 0.001
"""The sender releases the frames due every millisecond (a burst of rate/1000)."""
CATCH_UP = 4
"""A late sender sends at most this many ticks' worth of frames per tick (see :func:`_offer`)."""
DRAIN_S = 2.0
"""After a step, how long the receiver may take to handle what is still buffered."""
MIX = ("WHEEL_SPEED", "DRIVE_STATE", "WHEELSPEED_CLEAN", "HVAC_STATUS", "SEAT_STATUS", "MEDIA_STATUS", "NAV_STATUS")
"""Messages of the flood, one of each per round, counters stepping by one per round."""
ROUNDS = 240
"""Distinct rounds before the mix repeats (a multiple of 15 and 16: E2E and BYD counters wrap cleanly)."""


def frame_mix(dbcs: DbcSet) -> list[can.Message]:
    """The flood's frames: :data:`ROUNDS` rounds of :data:`MIX`, each properly protected."""
    out = []
    for counter in range(ROUNDS):
        for name in MIX:
            info, data = dbcs.encode(name, {}, counter=counter)
            out.append(can.Message(arbitration_id=info.frame_id, data=data, is_extended_id=False))
    return out


@dataclass(frozen=True)
class Step:
    """One flood step."""

    rate: int
    """Offered frames/s."""
    sent: int
    """Frames offered."""
    lost: int
    """Frames the receive buffer could not take."""
    handled: int
    """Frames the receiver handled."""
    gaps: int
    """Counter gaps the decoder reported (logger path only)."""

    @property
    def clean(self) -> bool:
        """Nothing lost, everything handled, no gap seen."""
        return self.lost == 0 and self.handled == self.sent and self.gaps == 0


class _BareLoop:
    """The baseline receiver: python-can's bare ``recv`` loop on its own thread."""

    def __init__(self, bus: can.BusABC) -> None:
        self.handled = 0
        self._bus = bus
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._bus.recv(timeout=0.05) is not None:
                self.handled += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _offer(tx: can.BusABC, frames: list[can.Message], rate: int, seconds: float) -> tuple[int, int]:
    """Send at ``rate`` for ``seconds``; returns (offered, lost).

    A sender that was held up (by the machine, or by the receiver holding the GIL) catches up at
    most :data:`CATCH_UP` ticks' worth of frames per tick: a bus delivers frames at its bit rate,
    never hundreds at memory speed, and such a burst would measure the sender's stall, not the
    receiver.
    """
    total = int(rate * seconds)
    burst = max(1, int(rate * TICK_S * CATCH_UP))
    sent = lost = 0
    start = time.perf_counter()
    source = itertools.cycle(frames)
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1, sent + burst)
        while sent < due:
            try:
                tx.send(next(source), timeout=0)  # a full receive buffer refuses at once: one lost frame
            except can.CanError:
                lost += 1
            sent += 1
        time.sleep(TICK_S)
    return sent, lost


def _drain(handled: Callable[[], int], expected: int) -> None:
    deadline = time.monotonic() + DRAIN_S
    while handled() < expected and time.monotonic() < deadline:
        time.sleep(0.01)


def flood_step(rate: int, seconds: float, frames: list[can.Message], dbcs: DbcSet | None, log_dir: Path) -> Step:
    """One step: the logger + decoder when ``dbcs`` is given, else the bare loop."""
    channel = f"flood-{uuid.uuid4().hex}"
    tx = can.Bus(interface="virtual", channel=channel)
    rx = can.Bus(interface="virtual", channel=channel, rx_queue_size=RX_BUFFER_FRAMES)
    try:
        if dbcs is None:
            loop = _BareLoop(rx)
            sent, lost = _offer(tx, frames, rate, seconds)
            _drain(lambda: loop.handled, sent - lost)
            loop.stop()
            return Step(rate, sent, lost, loop.handled, 0)
        statistics = BusStatistics()
        recorder = BusRecorder(log_dir / f"flood-{rate}.blf", FrameDecoder(dbcs), statistics)
        with Recording(rx, recorder):
            sent, lost = _offer(tx, frames, rate, seconds)
            _drain(lambda: recorder.frames, sent - lost)
        gaps = sum(statistics.snapshot().integrity_errors.values())
        return Step(rate, sent, lost, recorder.frames, gaps)
    finally:
        rx.shutdown()
        tx.shutdown()


def sustained(rates: tuple[int, ...], seconds: float, dbcs: DbcSet | None) -> tuple[int, list[Step]]:
    """The highest rate handled cleanly, every lower rate clean too; and the steps run."""
    frames = frame_mix(dbcs or DbcSet.load())
    best = 0
    steps = []
    with tempfile.TemporaryDirectory(prefix="can-bench-") as tmp:
        for rate in rates:
            step = flood_step(rate, seconds, frames, dbcs, Path(tmp))
            steps.append(step)
            if not step.clean:
                break
            best = rate
    return best, steps


def _stamp_of(tap: BusTap, frame_id: int, timeout: float = 1.0) -> float | None:
    """The bus timestamp of the first frame ``tap`` heard since it was cleared (polling, never blocking long)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard = tap.frames(frame_id)
        if heard:
            return float(heard[0].timestamp)
        time.sleep(0.0002)
    return None


async def _write_latencies(n: int) -> tuple[list[float], list[float]]:
    """(CanVehicle.write -> frame, bare bus.send -> frame) in ms, ``n`` samples each."""
    from cockpit import vss
    from cockpit.skill_api import SignalWrite
    from cockpit.vehicle.gateway import CanVehicle

    config = BusConfig(channel=f"latency-{uuid.uuid4().hex}")
    hvac_cmd = DbcSet.load().named("HVAC_CMD").frame_id
    probe_id = 0x7FF
    car = SimulatedCar(config).start()
    bus, sender = config.open(), config.open()
    vehicle = CanVehicle(bus)
    tap = BusTap(config, ids=[hvac_cmd, probe_id])
    writes, bare = [], []
    probe = can.Message(arbitration_id=probe_id, data=bytes(8), is_extended_id=False)
    try:
        await asyncio.sleep(0.3)  # the first status frames, so the gateway knows the ECU
        for i in range(n):
            tap.clear()
            started = time.time()
            await vehicle.write([SignalWrite(vss.DRIVER_TEMPERATURE, 18.0 + (i % 20) * 0.5)])
            stamp = _stamp_of(tap, hvac_cmd)
            if stamp is not None:
                writes.append((stamp - started) * 1000.0)
            tap.clear()
            started = time.time()
            sender.send(probe)
            stamp = _stamp_of(tap, probe_id)
            if stamp is not None:
                bare.append((stamp - started) * 1000.0)
    finally:
        tap.close()
        vehicle.close()
        bus.shutdown()
        sender.shutdown()
        car.stop()
    if len(writes) < n or len(bare) < n:
        raise RuntimeError(f"frames missing: {len(writes)}/{n} writes, {len(bare)}/{n} sends seen on the bus")
    return writes, bare


def capacity_fps(frames: list[can.Message], bitrate: int = DEFAULT_BITRATE) -> float:
    """Frames/s of this mix that fill a bus of ``bitrate`` (stuff bits and intermission counted)."""
    bits = sum(frame_bits(m.arbitration_id, bytes(m.data)) for m in frames) / len(frames)
    return bitrate / bits


def _first_loss(logged: list[Step], bare: list[Step]) -> list[Figure]:
    """The lowest rate at which each path lost frames, when both did within the rates tried."""
    if logged[-1].clean or bare[-1].clean:
        return []
    return [
        Figure(
            SUITE,
            f"first rate with losses, log + decode ({logged[-1].sent - logged[-1].handled} of {logged[-1].sent} lost)",
            float(logged[-1].rate),
            "frames/s",
            float(bare[-1].rate),
            "python-can bare recv loop",
        )
    ]


def run(quick: bool) -> list[Figure]:
    """Throughput of the logger + decoder vs the bare loop; p99 action -> frame vs bare send."""
    dbcs = DbcSet.load()
    seconds = 1.0 if quick else 2.5
    rates = QUICK_RATES if quick else RATES
    # As `can-sim` does when started as a program (can_sim.cli.settle_heap): what is loaded so far
    # (here also every earlier suite's objects) is hidden from the garbage collector, whose full
    # collections would otherwise pause the receiver for longer than its buffer lasts.
    gc.collect()
    gc.freeze()
    try:
        logged, log_steps = sustained(rates, seconds, dbcs)
        bare, bare_steps = sustained(rates, seconds, None)
    finally:
        gc.unfreeze()
    writes, sends = asyncio.run(_write_latencies(50 if quick else 300))
    full = capacity_fps(frame_mix(dbcs))
    return [
        Figure(
            SUITE,
            "sustained frames/s, log (.blf) + decode, zero drops",
            float(logged),
            "frames/s",
            float(bare),
            "python-can bare recv loop",
            f">= {MARGIN * full:.0f} ({MARGIN:g} x a full 500 kbit/s bus)",
        ),
        Figure(SUITE, "500 kbit/s bus full at (this frame mix)", full, "frames/s"),
        *_first_loss(log_steps, bare_steps),
        Figure(
            SUITE,
            "p50 CanVehicle.write -> frame on bus",
            percentile(writes, 50),
            "ms",
            percentile(sends, 50),
            "bare bus.send",
        ),
        Figure(
            SUITE,
            "p99 CanVehicle.write -> frame on bus",
            percentile(writes, 99),
            "ms",
            percentile(sends, 99),
            "bare bus.send",
        ),
    ]
