"""Logging the bus to python-can's formats, and replaying a log at its recorded timing.

:class:`BusRecorder` is one python-can listener that writes every frame with ``can.Logger``
(``.asc``, ``.blf``, ``.log``; any suffix python-can writes), decodes it with the DBCs, judges
its integrity and counts it. :func:`replay` reads a log with ``can.LogReader`` and puts its
frames on a bus in file order, each at its recorded offset from the first (scaled by ``speed``),
from a monotonic schedule: the sequence is exactly the file's, and only the timing can jitter,
which :class:`ReplayReport` measures.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import can
from can.io.logger import MESSAGE_WRITERS
from can.io.player import MESSAGE_READERS

from can_sim.busload import BusStatistics
from can_sim.decode import DecodedFrame, FrameDecoder, SignalValues
from vehicle_contract.errors import InputError

LOG_SUFFIXES = (".asc", ".blf", ".log")
"""The log formats the bench documents (python-can writes a few more: ``.csv``, ``.trc``, ...)."""
LOG_CHANNEL = 0
"""Channel index written to logs. python-can's writers read digits off a channel *name* (a
virtual channel called ``test-12`` would become channel 12, and BLF overflows on large ones), so
the recorder writes one bus as channel 0 (``can0`` / ASC and BLF channel 1)."""
BACKLOG_FRAMES = 1_000_000
"""Frames a :class:`Recording` holds for its worker (minutes of a full bus) before it leaves some out."""
READ_POLL_S = 0.05
"""Receive timeout of the reader thread; bounds how long it takes to notice a stop."""
WAKE_EVERY = 64
"""While it empties the receive buffer, the reader wakes the worker after this many frames."""
MAX_DRAIN = 4096
"""Frames the reader takes in one go before it looks at its stop flag again."""
YIELD_EVERY = 16
"""The worker offers the GIL to the reader after this many frames (about 150 us of work)."""
SPIN_S = 0.0005
"""The replay scheduler sleeps until this close to a frame's time, then yields in a tight loop."""

DecodedRecord = tuple[int, str, SignalValues]
"""(CAN id, message name, decoded signals): what a replay is compared on (timestamps left out)."""


class BusRecorder(can.Listener):
    """Writes, decodes and counts every frame it is given (a python-can listener)."""

    def __init__(
        self,
        path: str | Path | None = None,
        decoder: FrameDecoder | None = None,
        stats: BusStatistics | None = None,
        keep_decoded: bool = False,
        on_decoded: Callable[[can.Message, DecodedFrame], None] | None = None,
    ) -> None:
        if path is not None and Path(path).suffix.lower() not in _writable_suffixes():
            raise InputError(
                "log-format",
                f"cannot write {Path(path).suffix or 'files without a suffix'}; use {', '.join(LOG_SUFFIXES)}",
            )
        self.path = Path(path) if path is not None else None
        """The log file, if writing one."""
        try:
            self._writer = can.Logger(str(path)) if path is not None else None
        except (ValueError, ImportError, OSError) as err:  # a missing optional writer, a bad directory
            raise InputError("log-unwritable", f"cannot write {path}: {err}") from err
        self._decoder = decoder
        self._stats = stats
        self._keep = keep_decoded
        self._on_decoded = on_decoded
        self._lock = threading.Lock()
        self.frames = 0
        """Frames received (error frames included)."""
        self.decoded: list[DecodedRecord] = []
        """With ``keep_decoded``: every decoded data frame, in order."""

    def on_message_received(self, msg: can.Message) -> None:
        """Handle one frame (called on the reader thread)."""
        msg.channel = LOG_CHANNEL  # this message is the recorder's own copy (every bus gets one)
        with self._lock:
            self.frames += 1
            decoder = self._decoder
            if decoder is not None and (self._keep or self._on_decoded is not None):
                frame = decoder.decode(msg)
                if self._stats is not None:
                    self._stats.on_frame(msg, frame.name, frame.verdict)
                if self._keep and not msg.is_error_frame:
                    self.decoded.append((frame.frame_id, frame.name, frame.signals))
                if self._on_decoded is not None:
                    self._on_decoded(msg, frame)
            elif self._stats is not None:  # counting needs the name and verdict, not the signals
                name, verdict = decoder.inspect(msg) if decoder is not None else ("", None)
                self._stats.on_frame(msg, name, verdict)
            if self._writer is not None:
                self._writer.on_message_received(msg)

    def stop(self) -> None:
        """Flush and close the log file."""
        with self._lock:
            if self._writer is not None:
                self._writer.stop()
                self._writer = None


def _writable_suffixes() -> set[str]:
    return set(MESSAGE_WRITERS) & set(MESSAGE_READERS)  # a log the bench cannot replay is no use to it


class Recording:
    """A recorder fed from a bus: ``with Recording(bus, recorder): ...``.

    Two threads: a reader that only moves frames from the bus into a backlog, and a worker that
    hands them to the recorder. A receive buffer holds a few hundred frames (a SocketCAN socket
    about 200), which a full bus fills in some 50 ms; decoding and logging in the reading thread
    lost frames whenever the machine or the GIL held that thread up that long. The reader costs
    a few microseconds a frame, so it empties the buffer in any time slice it gets, and the
    worker catches up on the backlog (frames keep their bus timestamps, so rates stay right).
    """

    def __init__(self, bus: can.BusABC, recorder: BusRecorder, backlog_frames: int = BACKLOG_FRAMES) -> None:
        self.recorder = recorder
        """What every frame goes to."""
        self.overflowed = 0
        """Frames left out because the backlog was full (the worker fell :data:`BACKLOG_FRAMES` behind)."""
        self._bus = bus
        self._limit = backlog_frames
        self._backlog: collections.deque[can.Message] = collections.deque()
        self._arrived = threading.Event()
        self._reading = threading.Event()
        self._reading.set()
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, name="can-recording-rx", daemon=True)
        self._worker = threading.Thread(target=self._work, name="can-recording", daemon=True)
        self._worker.start()
        self._reader.start()

    def _read(self) -> None:
        bus, backlog, arrived = self._bus, self._backlog, self._arrived
        try:
            while self._reading.is_set():
                msg = bus.recv(timeout=READ_POLL_S)
                drained = 0
                while msg is not None:  # empty the receive buffer, waking the worker now and then
                    if len(backlog) < self._limit:
                        backlog.append(msg)
                    else:
                        self.overflowed += 1
                    drained += 1
                    if drained % WAKE_EVERY == 0:
                        arrived.set()
                    msg = bus.recv(timeout=0.0) if drained < MAX_DRAIN else None
                if backlog:
                    arrived.set()
        except can.CanError:
            pass  # the bus was shut down under us: nothing more to read
        finally:
            self._done.set()
            arrived.set()

    def _work(self) -> None:
        backlog, arrived, handle = self._backlog, self._arrived, self.recorder.on_message_received
        while True:
            arrived.wait()
            arrived.clear()
            handled = 0
            while backlog:
                handle(backlog.popleft())
                handled += 1
                if handled % YIELD_EVERY == 0:
                    time.sleep(0)  # let the reader have the GIL now, not after the 5 ms switch interval
            if self._done.is_set() and not backlog:
                return

    def stop(self) -> None:
        """Stop reading, handle what was read, and close the log."""
        self._reading.clear()
        self._reader.join(timeout=2.0)
        self._done.set()
        self._arrived.set()
        self._worker.join(timeout=10.0)
        self.recorder.stop()

    def __enter__(self) -> Recording:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def read_log(path: str | Path) -> list[can.Message]:
    """Every frame of a log, in file order."""
    if not Path(path).is_file():
        raise InputError("log-missing", f"no log file {path}")
    try:
        with can.LogReader(str(path)) as reader:
            return list(reader)
    except (ValueError, OSError) as err:
        raise InputError("log-unreadable", f"cannot read {path}: {err}") from err


def decode_log(path: str | Path, decoder: FrameDecoder) -> list[DecodedRecord]:
    """The decoded data frames of a log, in order."""
    return [
        (f.frame_id, f.name, f.signals) for m in read_log(path) if not m.is_error_frame for f in [decoder.decode(m)]
    ]


@dataclass(frozen=True)
class ReplayReport:
    """How a replay went."""

    frames: int
    """Frames put on the bus."""
    failed: int
    """Frames the bus refused."""
    recorded_s: float
    """Span of the log, first to last frame."""
    elapsed_s: float
    """Wall time the replay took."""
    lateness_ms: tuple[float, ...] = field(repr=False, default=())
    """Per frame: how late it went out against its schedule, ms."""

    @property
    def max_lateness_ms(self) -> float:
        """Worst lateness."""
        return max(self.lateness_ms, default=0.0)


def _fresh(msg: can.Message) -> can.Message:
    return can.Message(
        arbitration_id=msg.arbitration_id,
        data=bytes(msg.data),
        is_extended_id=msg.is_extended_id,
        is_remote_frame=msg.is_remote_frame,
        is_error_frame=msg.is_error_frame,
        is_fd=msg.is_fd,
        bitrate_switch=msg.bitrate_switch,
        dlc=msg.dlc,
    )


def schedule(messages: Iterable[can.Message], speed: float = 1.0) -> Iterator[tuple[float, can.Message]]:
    """(offset in seconds from the first frame, scaled by ``speed``; frame) in file order."""
    if speed <= 0:
        raise InputError("bad-speed", f"replay speed must be positive, not {speed}")
    first: float | None = None
    for msg in messages:
        first = msg.timestamp if first is None else first
        yield max(msg.timestamp - first, 0.0) / speed, msg


def replay(
    bus: can.BusABC,
    messages: Iterable[can.Message],
    speed: float = 1.0,
    stop: threading.Event | None = None,
    on_frame: Callable[[can.Message], None] | None = None,
) -> ReplayReport:
    """Send ``messages`` on ``bus`` at their recorded timing (``speed`` 2 plays twice as fast)."""
    stop = stop or threading.Event()
    sent = failed = 0
    lateness: list[float] = []
    start = time.monotonic()
    last_offset = 0.0
    for offset, msg in schedule(messages, speed):
        due = start + offset
        while (wait := due - time.monotonic()) > 0:
            if wait > SPIN_S:
                if stop.wait(wait - SPIN_S):
                    break
            else:
                time.sleep(0)
        if stop.is_set():
            break
        lateness.append((time.monotonic() - due) * 1000.0)
        try:
            bus.send(_fresh(msg))
            sent += 1
        except can.CanError:
            failed += 1
        if on_frame is not None:
            on_frame(msg)
        last_offset = offset
    return ReplayReport(sent, failed, last_offset * speed, time.monotonic() - start, tuple(lateness))
