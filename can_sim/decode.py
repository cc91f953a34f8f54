"""Decode any DBC's frames for the bench, and judge their integrity.

The bench reads whatever DBC files it is given (:class:`DbcSet`). Each message gets an
integrity *scheme* from its layout:

- ``e2e``: a ``CRC`` byte at bit 0 and a 4-bit ``COUNTER`` at bit 8 of an 8-byte frame, the
  cockpit's AUTOSAR-profile-1 layout (:mod:`vehicle_contract.e2e`; data id from ``DataID``).
- ``byd``: an 8-bit ``CHECKSUM`` in the last byte, in a DBC whose file name starts with ``byd``
  (opendbc picks a car's checksum by the DBC's brand prefix the same way), checked with BYD's
  algorithm (:mod:`vehicle_contract.byd`); its ``COUNTER``, wherever the DBC puts it, must step by 1.
- ``none``: anything else. Nothing is checked.

:class:`FrameDecoder` keeps each id's last counter, so it can tell a repeated counter (frozen or
stale data) and a jump (lost frames) from a good step. cantools does the signal decoding; the
DBC files are parsed by the contract (:mod:`vehicle_contract.dbc`), the shipped ones once per process.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import can
import cantools
from cantools.database.can import Database, Message, Signal

from vehicle_contract import byd, e2e
from vehicle_contract.dbc import (
    COUNTER_SIGNAL,
    SHIPPED,
    data_id_of,
    has_e2e_layout,
    idle_value,
    load_database,
    parse_database,
    signal_of,
)
from vehicle_contract.errors import InputError, VehicleError

CHECKSUM_SIGNAL = "CHECKSUM"
"""BYD's checksum signal."""
BYD_PREFIX = "byd"
"""DBC files whose name starts with this carry BYD's checksum."""
E2E_MAX_STEP = 3
"""Counter step an E2E receiver accepts (the cockpit and its ECUs tolerate two lost frames)."""
BYD_MAX_STEP = 1
"""Counter step a BYD frame must make: every 20 ms frame counts, so any gap is a lost frame."""

SignalValues = dict[str, float | int | str]
"""Decoded signals: numbers, or value-table labels as strings."""


class Scheme(enum.StrEnum):
    """How a message protects itself."""

    NONE = "none"
    E2E = "e2e"
    BYD = "byd"


@dataclass(frozen=True)
class MessageInfo:
    """One DBC message as the bench sees it."""

    name: str
    """DBC message name."""
    frame_id: int
    """Arbitration id."""
    is_extended: bool
    """29-bit id."""
    scheme: Scheme
    """Integrity scheme."""
    data_id: int
    """E2E data id (``DataID`` attribute, else the CAN id); 0 for other schemes."""
    cycle_s: float | None
    """``GenMsgCycleTime`` in seconds, ``None`` when the DBC gives none."""
    dbc: str
    """File name of the DBC it came from."""
    message: Message
    """The cantools message (read only)."""
    counter: Signal | None = None
    """Its ``COUNTER`` signal, looked up once (every judged frame reads it)."""


@dataclass(frozen=True)
class Verdict:
    """The integrity verdict on one frame."""

    scheme: Scheme
    """Which check applied."""
    crc_ok: bool = True
    """CRC (E2E) or checksum (BYD) right; true when there is none."""
    counter_ok: bool = True
    """Alive counter stepped as it should; true when there is none."""
    counter: int | None = None
    """The frame's counter, when it has one."""
    reason: str = ""
    """Why not ok: ``crc``, ``checksum``, ``length``, ``counter-invalid``, ``counter-repeated``, ``counter-jump``."""

    @property
    def ok(self) -> bool:
        """Whether the frame passed."""
        return self.crc_ok and self.counter_ok


NO_CHECK = Verdict(Scheme.NONE)
"""The verdict on frames without integrity protection (or unknown to the DBCs)."""


@dataclass(frozen=True)
class DecodedFrame:
    """One frame as the bench shows it."""

    frame_id: int
    """Arbitration id."""
    name: str
    """DBC message name; empty when no DBC knows the id."""
    signals: SignalValues
    """Decoded signals; empty when unknown or undecodable."""
    verdict: Verdict
    """Integrity verdict."""


def _get_bits(data: bytes | bytearray, sig: Signal) -> int:
    mask = (1 << sig.length) - 1
    if sig.byte_order == "little_endian":
        return (int.from_bytes(data, "little") >> sig.start) & mask
    msb = (sig.start // 8) * 8 + (7 - sig.start % 8)  # position counted from the first byte's MSB
    shift = len(data) * 8 - 1 - (msb + sig.length - 1)
    return (int.from_bytes(data, "big") >> shift) & mask


def _set_bits(data: bytes | bytearray, sig: Signal, value: int) -> bytes:
    mask = (1 << sig.length) - 1
    if sig.byte_order == "little_endian":
        whole = int.from_bytes(data, "little")
        whole = (whole & ~(mask << sig.start)) | ((value & mask) << sig.start)
        return whole.to_bytes(len(data), "little")
    msb = (sig.start // 8) * 8 + (7 - sig.start % 8)
    shift = len(data) * 8 - 1 - (msb + sig.length - 1)
    whole = int.from_bytes(data, "big")
    whole = (whole & ~(mask << shift)) | ((value & mask) << shift)
    return whole.to_bytes(len(data), "big")


def _scheme_of(message: Message, dbc_name: str) -> Scheme:
    if has_e2e_layout(message):
        return Scheme.E2E
    checksum = signal_of(message, CHECKSUM_SIGNAL)
    if checksum is not None and Path(dbc_name).name.lower().startswith(BYD_PREFIX) and checksum.length == 8:
        last_byte = message.length - 1
        in_last = (checksum.byte_order == "little_endian" and checksum.start == last_byte * 8) or (
            checksum.byte_order == "big_endian" and checksum.start == last_byte * 8 + 7
        )
        if in_last:
            return Scheme.BYD
    return Scheme.NONE


def signal_values(decoded: Mapping[str, Any]) -> SignalValues:
    """cantools' decoded values with labels as plain strings."""
    out: SignalValues = {}
    for name, value in decoded.items():
        out[name] = value if isinstance(value, int | float) else str(getattr(value, "name", value))
    return out


class DbcSet:
    """The messages of one or more DBC files, by id and by name (the first file wins a clash)."""

    def __init__(self, databases: Sequence[tuple[str, Database]]) -> None:
        self.files = tuple(name for name, _ in databases)
        """File names, in the order given."""
        self._by_id: dict[tuple[int, bool], MessageInfo] = {}
        self._by_name: dict[str, MessageInfo] = {}
        for dbc_name, db in databases:
            for msg in db.messages:
                scheme = _scheme_of(msg, dbc_name)
                info = MessageInfo(
                    msg.name,
                    int(msg.frame_id),
                    bool(msg.is_extended_frame),
                    scheme,
                    data_id_of(msg) if scheme is Scheme.E2E else 0,
                    msg.cycle_time / 1000.0 if msg.cycle_time else None,
                    dbc_name,
                    msg,
                    signal_of(msg, COUNTER_SIGNAL),
                )
                self._by_id.setdefault((info.frame_id, info.is_extended), info)
                self._by_name.setdefault(info.name, info)

    @classmethod
    def load(cls, paths: Iterable[str | Path] | None = None) -> DbcSet:
        """DBC files from disk; ``None`` (or nothing): the two shipped ones (cockpit.dbc, byd_general.dbc)."""
        chosen = list(paths or [])
        if not chosen:
            return _shipped()
        loaded = []
        for path in chosen:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError as err:
                raise InputError("dbc-missing", f"cannot read DBC {path}: {err.strerror}") from err
            try:
                loaded.append((Path(path).name, parse_database(text, str(path), strict=False)))
            except VehicleError as err:  # a file the user named: their input, not the car's fault
                raise InputError(err.code, err.message) from err
        return cls(loaded)

    def messages(self) -> list[MessageInfo]:
        """Every message, ordered by id."""
        return sorted(self._by_id.values(), key=lambda m: (m.frame_id, m.is_extended))

    def info(self, frame_id: int, is_extended: bool = False) -> MessageInfo | None:
        """The message with this id, or ``None``."""
        return self._by_id.get((frame_id, is_extended))

    def named(self, name: str) -> MessageInfo:
        """The message called ``name``; an :class:`InputError` otherwise."""
        try:
            return self._by_name[name]
        except KeyError:
            raise InputError("unknown-message", f"no message {name!r} in {', '.join(self.files)}") from None

    def find(self, name: str) -> MessageInfo | None:
        """The message called ``name`` (exactly, else ignoring case), or ``None``."""
        found = self._by_name.get(name)
        if found is None:
            folded = name.casefold()
            found = next((m for n, m in self._by_name.items() if n.casefold() == folded), None)
        return found

    def decode(self, info: MessageInfo, data: bytes | bytearray) -> SignalValues:
        """The frame's signals (labels as strings); an undecodable frame gives ``{}``."""
        try:
            decoded = info.message.decode(bytes(data), decode_choices=True, scaling=True, allow_truncated=True)
        except (cantools.database.DecodeError, ValueError, KeyError, IndexError):
            return {}
        return signal_values(decoded)  # type: ignore[arg-type]

    def encode(
        self,
        name: str,
        values: Mapping[str, float | int | str],
        base: Mapping[str, Any] | None = None,
        counter: int = 0,
    ) -> tuple[MessageInfo, bytes]:
        """A frame of ``name``: ``values`` over ``base`` (else idle defaults), protected with ``counter``."""
        info = self.named(name)
        unknown = sorted(set(values) - {s.name for s in info.message.signals})
        if unknown:
            raise InputError("signal-unknown", f"{name} has no signal {', '.join(unknown)}")
        full: dict[str, Any] = {s.name: idle_value(s) for s in info.message.signals}
        full.update(base or {})
        full.update(values)
        try:
            data = bytes(info.message.encode(full, scaling=True, padding=False, strict=True))
        except (cantools.database.EncodeError, KeyError, ValueError, TypeError, OverflowError) as err:
            raise InputError("signal-unencodable", f"{name}: {err}") from err
        return info, protect(info, data, counter)


@functools.cache
def _shipped() -> DbcSet:
    """The shipped DBCs as one set, built once per process from the contract's parsed databases
    (a DbcSet is read-only; decoders keep their own state)."""
    return DbcSet([(name, load_database(name)) for name in SHIPPED])


# -- integrity, per scheme ------------------------------------------------------------------------


def counter_of(info: MessageInfo, data: bytes | bytearray) -> int | None:
    """The frame's alive counter, or ``None`` if the message has none (or the frame is short)."""
    sig = info.counter
    if sig is None or len(data) < info.message.length:
        return None
    return _get_bits(data, sig)


def counter_modulo(info: MessageInfo) -> int:
    """How many counter values the message cycles through (E2E: 15, never 15 itself)."""
    if info.scheme is Scheme.E2E:
        return e2e.COUNTER_MODULO
    return 1 << info.counter.length if info.counter is not None else 1


def protect(info: MessageInfo, data: bytes | bytearray, counter: int) -> bytes:
    """``data`` with ``counter`` and a matching CRC/checksum (unchanged for ``none``)."""
    if info.scheme is Scheme.E2E:
        try:
            return e2e.protect(data, info.data_id, counter % e2e.COUNTER_MODULO)
        except ValueError as err:
            raise VehicleError("frame-unprotectable", f"{info.name}: {err}") from err
    if info.scheme is Scheme.BYD:
        out = bytearray(data)
        sig = signal_of(info.message, COUNTER_SIGNAL)
        if sig is not None:
            out = bytearray(_set_bits(out, sig, counter % (1 << sig.length)))
        out[-1] = byd.byd_checksum(out[:-1])
        return bytes(out)
    return bytes(data)


def corrupt(info: MessageInfo | None, data: bytes | bytearray) -> bytes:
    """``data`` with a wrong CRC/checksum; unprotected frames get their last byte inverted."""
    out = bytearray(data)
    if not out:
        return bytes(out)
    index = 0 if info is not None and info.scheme is Scheme.E2E else len(out) - 1
    out[index] ^= 0xFF
    return bytes(out)


class FrameDecoder:
    """Decodes frames through a :class:`DbcSet` and judges each id's stream of frames."""

    def __init__(self, dbcs: DbcSet) -> None:
        self.dbcs = dbcs
        """The DBC files it decodes with."""
        self._last: dict[tuple[int, bool], int] = {}

    def reset(self) -> None:
        """Forget every id's counter history."""
        self._last.clear()

    def judge(self, info: MessageInfo | None, data: bytes | bytearray) -> Verdict:
        """The integrity verdict on one frame of ``info`` (stateful: it remembers the counter)."""
        if info is None or info.scheme is Scheme.NONE:
            return NO_CHECK
        if len(data) != info.message.length:
            return Verdict(info.scheme, False, True, None, "length")
        if info.scheme is Scheme.E2E:
            crc_ok = data[0] == e2e.frame_crc(data, info.data_id)
            max_step = E2E_MAX_STEP
        else:
            crc_ok = data[-1] == byd.byd_checksum(data[:-1])
            max_step = BYD_MAX_STEP
        counter = counter_of(info, data)
        key = (info.frame_id, info.is_extended)
        if not crc_ok:
            # A corrupted frame's counter means nothing: judge the next good one as a first frame,
            # so a burst of bad CRCs is not also reported as lost frames.
            self._last.pop(key, None)
            return Verdict(info.scheme, False, True, counter, "crc" if info.scheme is Scheme.E2E else "checksum")
        if counter is None:
            return Verdict(info.scheme, True, True)
        if info.scheme is Scheme.E2E and counter == e2e.COUNTER_INVALID:
            return Verdict(info.scheme, True, False, counter, "counter-invalid")
        last = self._last.get(key)
        self._last[key] = counter
        if last is None:
            return Verdict(info.scheme, True, True, counter)
        step = (counter - last) % counter_modulo(info)
        if step == 0:
            return Verdict(info.scheme, True, False, counter, "counter-repeated")
        if step > max_step:
            return Verdict(info.scheme, True, False, counter, "counter-jump")
        return Verdict(info.scheme, True, True, counter)

    def decode(self, msg: can.Message) -> DecodedFrame:
        """One received frame: its message name, signals and integrity verdict."""
        if msg.is_error_frame or msg.is_remote_frame:
            return DecodedFrame(msg.arbitration_id, "", {}, NO_CHECK)
        info = self.dbcs.info(msg.arbitration_id, msg.is_extended_id)
        if info is None:
            return DecodedFrame(msg.arbitration_id, "", {}, NO_CHECK)
        data = bytes(msg.data)
        return DecodedFrame(msg.arbitration_id, info.name, self.dbcs.decode(info, data), self.judge(info, data))

    def inspect(self, msg: can.Message) -> tuple[str, Verdict]:
        """The frame's message name and integrity verdict, without decoding its signals.

        Logging and counting need only these; the signals are most of a decode's cost, and a
        logger on a full bus has about 120 us per frame for everything.
        """
        if msg.is_error_frame or msg.is_remote_frame:
            return "", NO_CHECK
        info = self.dbcs.info(msg.arbitration_id, msg.is_extended_id)
        if info is None:
            return "", NO_CHECK
        return info.name, self.judge(info, msg.data)
