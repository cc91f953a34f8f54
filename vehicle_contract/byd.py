"""BYD's frame checksum and alive counter (docs/can.md; opendbc's ``byd_checksum``).

The checksum covers the data bytes except the last, where it lives. Sum their high nibbles (H)
and, separately, their low nibbles (L); remember R = L >> 4; then fold in the key 0xAF (its low
nibble into H, its high nibble into L). Low result nibble = (9 - L) mod 16; high result nibble =
((9 - H) + 5 - R) mod 16. Nobody outside BYD knows why; openpilot reverse engineered it.

``WHEELSPEED_CLEAN`` (0x1F0) and ``STEERING_TORQUE`` (0x1FC) carry ``COUNTER`` at 55|4@0+
(big-endian, i.e. the high nibble of byte 6) and ``CHECKSUM`` at 56|8@1+ (byte 7). Pure code.
"""

from __future__ import annotations

BYD_CHECKSUM_KEY = 0xAF
"""The key opendbc folds into every BYD checksum it computes."""
BYD_COUNTER_MODULO = 16
"""BYD alive counters use all sixteen values of their nibble."""
FRAME_LENGTH = 8
"""The BYD frames with a checksum are eight bytes long."""
COUNTER_BYTE = 6
"""Byte whose high nibble holds ``COUNTER`` (signal 55|4@0+)."""
CHECKSUM_BYTE = 7
"""Byte holding ``CHECKSUM`` (signal 56|8@1+)."""


def byd_checksum(data: bytes | bytearray, key: int = BYD_CHECKSUM_KEY) -> int:
    """BYD's checksum over ``data``: the frame's bytes *without* the checksum byte."""
    high = sum(byte >> 4 for byte in data)
    low = sum(byte & 0x0F for byte in data)
    overflow = low >> 4
    high += key & 0x0F
    low += key >> 4
    low_nibble = (9 - low) % 16
    high_nibble = ((9 - high) + 5 - overflow) % 16
    return (high_nibble << 4) | low_nibble


def fill_counter_checksum(payload: bytes | bytearray, counter: int) -> bytes:
    """``payload`` (8 bytes) with ``COUNTER`` and ``CHECKSUM`` set, as the real car sends it."""
    if not 0 <= counter < BYD_COUNTER_MODULO:
        raise ValueError(f"BYD counter must be 0..{BYD_COUNTER_MODULO - 1}, not {counter}")
    out = bytearray(payload)
    if len(out) != FRAME_LENGTH:
        raise ValueError(f"BYD checksummed frames have {FRAME_LENGTH} bytes, not {len(out)}")
    out[COUNTER_BYTE] = (out[COUNTER_BYTE] & 0x0F) | (counter << 4)
    out[CHECKSUM_BYTE] = byd_checksum(out[:CHECKSUM_BYTE])
    return bytes(out)


def counter_of(payload: bytes | bytearray) -> int:
    """The ``COUNTER`` of a checksummed BYD frame."""
    return payload[COUNTER_BYTE] >> 4


def checksum_ok(payload: bytes | bytearray) -> bool:
    """Whether a received 8-byte BYD frame carries the right checksum."""
    return len(payload) == FRAME_LENGTH and payload[CHECKSUM_BYTE] == byd_checksum(payload[:CHECKSUM_BYTE])
