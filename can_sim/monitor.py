"""The live monitor: a table with one row per CAN id (name, rate, integrity, latest signals), or a
scrolling trace with one line per frame, as ``candump`` prints them.

Pure presentation over :class:`~can_sim.busload.BusStatistics` and the decoded frames a
:class:`~can_sim.recorder.BusRecorder` hands over; ``can-sim monitor`` redraws the table or
prints the trace, ``can-sim stats`` prints the header and rate columns. Signal text is never cut
at a fixed width: a terminal's row is filled to its width, and piped output is whole.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import can

from can_sim.busload import BusStatistics, IdStats, StatsSnapshot
from can_sim.decode import DecodedFrame, Scheme, Verdict

ELLIPSIS = "..."
"""Marks signal text cut at the terminal's edge."""
CHECK_LABELS: Mapping[str, str] = {
    "crc": "CRC",
    "checksum": "CHK",
    "length": "LEN",
    "counter-repeated": "CNT=",
    "counter-jump": "CNT+",
    "counter-invalid": "CNT15",
}
"""Short forms of the integrity failure reasons."""


@dataclass(frozen=True)
class _Latest:
    name: str
    signals: Mapping[str, float | int | str]
    verdict: Verdict


def format_value(value: float | int | str) -> str:
    """A signal value, short: integers without a point, decimals to four significant places."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    return str(value)


def format_check(scheme: Scheme, last: Verdict, errors: Mapping[str, int]) -> str:
    """``e2e ok``, ``byd CHK!12``, ``-``: the scheme, then each failure reason with its count."""
    if scheme is Scheme.NONE:
        return "-"
    if not errors:
        return f"{scheme} ok"
    marks = " ".join(f"{CHECK_LABELS.get(reason, reason)}!{count}" for reason, count in sorted(errors.items()))
    return f"{scheme} {'BAD' if not last.ok else 'ok'} {marks}"


def format_header(snap: StatsSnapshot) -> str:
    """One line: load, frame rate, error frames, integrity failures."""
    bad = ", ".join(f"{k} {v}" for k, v in sorted(snap.integrity_errors.items())) or "none"
    return (
        f"bus load {snap.load_percent:5.1f} %  {snap.frames_per_s:7.1f} frames/s  "
        f"{snap.frames} frames  error frames {snap.error_frames}  integrity failures: {bad}"
    )


class MonitorTable:
    """Latest decoded frame per id, rendered with the statistics as a text table."""

    def __init__(self, stats: BusStatistics, ids: set[int] | None = None) -> None:
        self.stats = stats
        """Where rates and counts come from."""
        self._ids = ids
        self._lock = threading.Lock()
        self._latest: dict[int, _Latest] = {}

    def on_decoded(self, msg: can.Message, frame: DecodedFrame) -> None:
        """Remember ``frame`` as its id's latest (a :class:`BusRecorder` callback)."""
        if msg.is_error_frame:
            return
        with self._lock:
            self._latest[frame.frame_id] = _Latest(frame.name, frame.signals, frame.verdict)

    def rows(self) -> list[tuple[str, ...]]:
        """The table's rows, header first."""
        snap = self.stats.snapshot()
        with self._lock:
            latest = dict(self._latest)
        out: list[tuple[str, ...]] = [("ID", "NAME", "RATE/s", "COUNT", "CHECK", "SIGNALS")]
        for ids in snap.ids:
            if self._ids is not None and ids.frame_id not in self._ids:
                continue
            out.append(_row(ids, latest.get(ids.frame_id)))
        return out

    def render(self, width: int | None = None) -> str:
        """Header line and table; ``width``: cut each row's signal text at that many columns (a
        terminal's width), ``None``: the whole text."""
        rows = self.rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = [format_header(self.stats.snapshot())]
        for row in rows:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            lines.append(fit("  ".join([*cells, row[-1]]).rstrip(), width))
        return "\n".join(lines)

    def wanted(self, frame_id: int) -> bool:
        """Whether the filter lets ``frame_id`` through."""
        return self._ids is None or frame_id in self._ids


def fit(line: str, width: int | None) -> str:
    """``line``, cut to ``width`` columns with an ellipsis when it is longer (``None``: whole)."""
    if width is None or len(line) <= width:
        return line
    return line[: max(width - len(ELLIPSIS), 0)] + ELLIPSIS


def format_trace(msg: can.Message, frame: DecodedFrame, t0: float) -> str:
    """One frame as a trace line: time since ``t0``, id, name, length, data, verdict, signals."""
    if msg.is_error_frame:
        return f"{msg.timestamp - t0:12.6f}  0x{msg.arbitration_id:03X}  ERROR FRAME"
    ident = f"0x{msg.arbitration_id:08X}" if msg.is_extended_id else f"0x{msg.arbitration_id:03X}"
    data = "remote" if msg.is_remote_frame else bytes(msg.data).hex(" ").upper()
    verdict = frame.verdict
    check = "-" if verdict.scheme is Scheme.NONE else f"{verdict.scheme} {'ok' if verdict.ok else verdict.reason}"
    signals = " ".join(f"{k}={format_value(v)}" for k, v in frame.signals.items())
    head = f"{msg.timestamp - t0:12.6f}  {ident}  {frame.name or '?':18} [{msg.dlc}]  {data:23}  {check:18}"
    return f"{head}  {signals}".rstrip()


def _row(ids: IdStats, latest: _Latest | None) -> tuple[str, ...]:
    name = latest.name if latest else ids.name
    verdict = latest.verdict if latest else Verdict(Scheme.NONE)
    signals = " ".join(f"{k}={format_value(v)}" for k, v in (latest.signals if latest else {}).items())
    return (
        f"0x{ids.frame_id:03X}",
        name or "?",
        f"{ids.rate_hz:.1f}",
        str(ids.frames),
        format_check(verdict.scheme, verdict, ids.integrity_errors),
        signals,
    )
