"""End-to-end protection of cockpit frames, in the spirit of AUTOSAR E2E profile 1.

Layout of every protected 8-byte frame (docs/can.md)::

    byte 0        CRC-8 SAE J1850 over (data id low byte, data id high byte, bytes 1..7)
    byte 1 0..3   alive counter 0..14 (15 is never sent)

The CRC is AUTOSAR's ``Crc_CalculateCRC8``: polynomial 0x1D, start value 0xFF, final XOR 0xFF,
no reflection (check value over ``"123456789"``: 0x4B). Pure code: no I/O, no clocks of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

CRC8_POLY = 0x1D
"""SAE J1850 generator polynomial (x^8 + x^4 + x^3 + x^2 + 1, top bit implicit)."""
CRC8_INIT = 0xFF
"""Start value, as AUTOSAR ``Crc_CalculateCRC8``."""
CRC8_XOR_OUT = 0xFF
"""Final XOR value, as AUTOSAR ``Crc_CalculateCRC8``."""

COUNTER_MAX = 14
"""Highest alive counter a sender uses; the counter wraps 14 -> 0."""
COUNTER_INVALID = 15
"""A counter value no sender may use (profile 1 counts 0..14)."""
COUNTER_MODULO = COUNTER_MAX + 1
"""Number of distinct valid counter values."""
FRAME_LENGTH = 8
"""Protected frames are classic CAN frames of exactly eight bytes."""


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ CRC8_POLY) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc8_j1850(data: bytes | bytearray) -> int:
    """CRC-8 SAE J1850 of ``data`` (AUTOSAR ``Crc_CalculateCRC8`` in one call)."""
    crc = CRC8_INIT
    for byte in data:
        crc = _CRC_TABLE[crc ^ byte]
    return crc ^ CRC8_XOR_OUT


def frame_crc(payload: bytes | bytearray, data_id: int) -> int:
    """The CRC byte a protected ``payload`` must carry for ``data_id`` (byte 0 is ignored)."""
    if len(payload) != FRAME_LENGTH:
        raise ValueError(f"a protected frame has {FRAME_LENGTH} bytes, not {len(payload)}")
    if not 0 <= data_id <= 0xFFFF:
        raise ValueError(f"data id {data_id} does not fit 16 bits")
    return crc8_j1850(bytes((data_id & 0xFF, data_id >> 8)) + bytes(payload[1:]))


def counter_of(payload: bytes | bytearray) -> int:
    """The alive counter carried in byte 1's low nibble."""
    return payload[1] & 0x0F


def protect(payload: bytes | bytearray, data_id: int, counter: int) -> bytes:
    """``payload`` with the alive counter and the CRC filled in; other bits are kept."""
    if not 0 <= counter <= COUNTER_MAX:
        raise ValueError(f"alive counter must be 0..{COUNTER_MAX}, not {counter}")
    out = bytearray(payload)
    if len(out) != FRAME_LENGTH:
        raise ValueError(f"a protected frame has {FRAME_LENGTH} bytes, not {len(out)}")
    out[1] = (out[1] & 0xF0) | counter
    out[0] = frame_crc(out, data_id)
    return bytes(out)


def next_counter(counter: int) -> int:
    """The counter a sender uses after ``counter``."""
    return (counter + 1) % COUNTER_MODULO


@dataclass(frozen=True)
class E2EResult:
    """The receiver's verdict on one frame."""

    ok: bool
    """Whether the frame may be used."""
    reason: str = ""
    """Why not, as a stable short code: ``length``, ``crc``, ``counter-invalid``,
    ``counter-repeated`` or ``counter-jump``; empty when ``ok``."""
    counter: int | None = None
    """The frame's alive counter, when the frame was long enough to have one."""


class E2EReceiver:
    """Receiver-side check of one message's stream of protected frames.

    Rejects a bad CRC, the never-sent counter 15, a repeated counter (stale or frozen data) and a
    jump of more than ``max_delta`` (lost frames). After a jump it resynchronises on the new
    counter, so the next frame in sequence is accepted again. The first frame, and with
    ``resync_after_s`` the first frame after that much silence, only needs a good CRC and a
    valid counter: a sender that restarted is not punished forever.
    """

    def __init__(self, data_id: int, max_delta: int = 2, resync_after_s: float | None = None) -> None:
        if not 1 <= max_delta <= COUNTER_MAX:
            raise ValueError(f"max_delta must be 1..{COUNTER_MAX}, not {max_delta}")
        self.data_id = data_id
        """The data id the sender protects this message with."""
        self.max_delta = max_delta
        """Largest counter step accepted (1 = no frame may be lost)."""
        self.resync_after_s = resync_after_s
        """Silence after which any valid counter is accepted again; ``None``: never."""
        self._last_counter: int | None = None
        # Silence is measured from the last frame with a good CRC, accepted or not: a sender
        # stuck on one counter keeps talking, so it never earns a resync.
        self._last_seen: float | None = None

    def reset(self) -> None:
        """Forget the counter history; the next good frame is accepted as a first frame."""
        self._last_counter = None
        self._last_seen = None

    def check(self, payload: bytes | bytearray, now: float = 0.0) -> E2EResult:
        """Judge one received frame; ``now`` (seconds, any monotonic clock) drives resync."""
        if len(payload) != FRAME_LENGTH:
            return E2EResult(False, "length")
        counter = counter_of(payload)
        if payload[0] != frame_crc(payload, self.data_id):
            return E2EResult(False, "crc", counter)
        if counter == COUNTER_INVALID:
            return E2EResult(False, "counter-invalid", counter)
        last = self._last_counter
        silent = (
            self.resync_after_s is not None
            and self._last_seen is not None
            and now - self._last_seen >= self.resync_after_s
        )
        self._last_seen = now
        if last is not None and not silent:
            delta = (counter - last) % COUNTER_MODULO
            if delta == 0:
                return E2EResult(False, "counter-repeated", counter)
            if delta > self.max_delta:
                self._last_counter = counter
                return E2EResult(False, "counter-jump", counter)
        self._last_counter = counter
        return E2EResult(True, "", counter)
