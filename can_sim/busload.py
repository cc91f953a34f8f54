"""Bus statistics: bus load from each frame's real length on the wire, rates per id, error counters.

A classic CAN frame's length depends on its content: after five equal bits the transmitter
stuffs a complementary one (from start-of-frame to the end of the CRC). :func:`frame_bits`
builds the frame's bit stream (CRC-15 included) and counts them, so the load figure is the one
a bus analyser would show, not a rule of thumb. CAN FD frames are counted at their nominal rate
without stuffing (an upper bound; the simulated car sends none).
"""

from __future__ import annotations

import collections
import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import can

from can_sim.decode import Verdict

DEFAULT_BITRATE = 500_000
"""Nominal bit rate of the cockpit's bus (and of BYD's powertrain bus)."""
WINDOW_S = 1.0
"""Rates and bus load are measured over this trailing window."""
ERROR_FRAME_BITS = 20 + 3
"""An error frame: up to 12 flag bits (the node's and the echo), an 8-bit delimiter, then intermission."""
TRAILER_BITS = 1 + 1 + 1 + 7 + 3
"""CRC delimiter, ACK slot, ACK delimiter, end of frame, intermission: never stuffed."""
CRC15_POLY = 0x4599
"""CAN's CRC-15 generator polynomial."""
RATE_HISTORY = 20_000
"""Arrival times kept per id for the rate (enough for 20 kHz over the window)."""


def _bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def _crc15(bits: list[int]) -> int:
    crc = 0
    for bit in bits:
        feedback = bit ^ ((crc >> 14) & 1)
        crc = (crc << 1) & 0x7FFF
        if feedback:
            crc ^= CRC15_POLY
    return crc


@functools.lru_cache(maxsize=8192)
def frame_bits(frame_id: int, data: bytes, is_extended: bool = False, is_remote: bool = False, dlc: int = -1) -> int:
    """Bits one classic CAN frame occupies on the bus, stuff bits and intermission included."""
    dlc = len(data) if dlc < 0 else dlc
    if is_extended:
        head = [0, *_bits(frame_id >> 18, 11), 1, 1, *_bits(frame_id & 0x3FFFF, 18), int(is_remote), 0, 0]
    else:
        head = [0, *_bits(frame_id, 11), int(is_remote), 0, 0]
    stream = head + _bits(dlc, 4)
    if not is_remote:
        for byte in data:
            stream += _bits(byte, 8)
    stream += _bits(_crc15(stream), 15)
    stuffed, run, last = 0, 0, -1
    for bit in stream:
        if bit == last:
            run += 1
        else:
            last, run = bit, 1
        if run == 5:
            stuffed += 1
            last, run = 1 - bit, 1  # the stuff bit starts the next run
    return len(stream) + stuffed + TRAILER_BITS


def message_bits(msg: can.Message) -> int:
    """Bits of ``msg`` on the wire (see :func:`frame_bits`); error frames count as :data:`ERROR_FRAME_BITS`."""
    if msg.is_error_frame:
        return ERROR_FRAME_BITS
    if msg.is_fd:
        return 67 + 8 * len(msg.data) + TRAILER_BITS
    return frame_bits(msg.arbitration_id, bytes(msg.data), msg.is_extended_id, msg.is_remote_frame, msg.dlc)


@dataclass(frozen=True)
class IdStats:
    """Statistics of one arbitration id."""

    frame_id: int
    """Arbitration id."""
    name: str
    """DBC message name, empty when unknown."""
    frames: int
    """Frames seen."""
    rate_hz: float
    """Frames per second over the trailing window."""
    mean_period_ms: float
    """Mean time between frames over everything seen, ms (0 with fewer than two frames)."""
    integrity_errors: Mapping[str, int]
    """Frames that failed their integrity check, by reason."""


@dataclass(frozen=True)
class StatsSnapshot:
    """The bus statistics at one moment."""

    uptime_s: float
    """Seconds the statistics cover."""
    frames: int
    """Data and remote frames seen."""
    error_frames: int
    """Error frames seen."""
    frames_per_s: float
    """All frames per second over the trailing window."""
    load_percent: float
    """Bus load over the trailing window, percent of the nominal bit rate."""
    integrity_errors: Mapping[str, int]
    """Frames that failed their integrity check, by reason, over every id."""
    ids: tuple[IdStats, ...]
    """Per id, ordered by id."""

    def by_id(self, frame_id: int) -> IdStats | None:
        """The statistics of ``frame_id``, if it was seen."""
        return next((s for s in self.ids if s.frame_id == frame_id), None)


class _IdCounter:
    __slots__ = ("errors", "first", "frames", "last", "name", "times")

    def __init__(self, name: str) -> None:
        self.name = name
        self.frames = 0
        self.first = 0.0
        self.last = 0.0
        self.times: collections.deque[float] = collections.deque(maxlen=RATE_HISTORY)
        self.errors: collections.Counter[str] = collections.Counter()


class BusStatistics:
    """Counts what crosses the bus; thread safe (fed by a reader thread, read by anyone)."""

    def __init__(
        self, bitrate: int = DEFAULT_BITRATE, window_s: float = WINDOW_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.bitrate = bitrate
        """Nominal bit rate the load is a percentage of."""
        self.window_s = window_s
        """Trailing window for rates and load."""
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._ids: dict[int, _IdCounter] = {}
        self._recent: collections.deque[tuple[float, int]] = collections.deque()
        self._recent_bits = 0
        self._frames = 0
        self._error_frames = 0

    def on_frame(self, msg: can.Message, name: str = "", verdict: Verdict | None = None) -> None:
        """Count one frame (``verdict``: its integrity verdict, if judged)."""
        t = msg.timestamp or self._clock()
        bits = message_bits(msg)
        with self._lock:
            self._recent.append((t, bits))
            self._recent_bits += bits
            self._trim(t)
            if msg.is_error_frame:
                self._error_frames += 1
                return
            self._frames += 1
            counter = self._ids.get(msg.arbitration_id)
            if counter is None:
                counter = self._ids[msg.arbitration_id] = _IdCounter(name)
                counter.first = t
            counter.frames += 1
            counter.last = t
            counter.times.append(t)
            if verdict is not None and not verdict.ok:
                counter.errors[verdict.reason] += 1

    def _trim(self, now: float) -> None:
        horizon = now - self.window_s
        while self._recent and self._recent[0][0] < horizon:
            self._recent_bits -= self._recent.popleft()[1]

    def snapshot(self) -> StatsSnapshot:
        """The statistics now."""
        now = self._clock()
        with self._lock:
            self._trim(now)
            horizon = now - self.window_s
            span = min(self.window_s, max(now - self._started, 1e-9))
            ids = []
            errors: collections.Counter[str] = collections.Counter()
            for frame_id, c in sorted(self._ids.items()):
                in_window = sum(1 for t in c.times if t >= horizon)
                period = (c.last - c.first) / (c.frames - 1) * 1000.0 if c.frames > 1 else 0.0
                ids.append(IdStats(frame_id, c.name, c.frames, in_window / span, period, dict(c.errors)))
                errors.update(c.errors)
            recent_frames = len(self._recent)
            return StatsSnapshot(
                uptime_s=now - self._started,
                frames=self._frames,
                error_frames=self._error_frames,
                frames_per_s=recent_frames / span,
                load_percent=100.0 * self._recent_bits / span / self.bitrate,
                integrity_errors=dict(errors),
                ids=tuple(ids),
            )
