"""E2E protection: CRC-8 SAE J1850 vectors, protect/check round trips, corruption and counters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vehicle_contract import e2e

payloads = st.binary(min_size=8, max_size=8)
data_ids = st.integers(min_value=0, max_value=0xFFFF)
counters = st.integers(min_value=0, max_value=e2e.COUNTER_MAX)


def reference_crc8(data: bytes) -> int:
    """Bit-by-bit CRC-8 SAE J1850, written from the spec independently of the table version."""
    crc = 0xFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1D) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc ^ 0xFF


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        # AUTOSAR SWS CRC Library, CRC8 (SAE J1850) test vectors
        (b"\x00\x00\x00\x00", 0x59),
        (b"\xf2\x01\x83", 0x37),
        (b"\x0f\xaa\x00\x55", 0x79),
        (b"\x00\xff\x55\x11", 0xB8),
        (b"\x33\x22\x55\xaa\xbb\xcc\xdd\xee\xff", 0xCB),
        (b"\x92\x6b\x55", 0x8C),
        (b"\xff\xff\xff\xff", 0x74),
        (b"123456789", 0x4B),  # the catalogue check value of CRC-8/SAE-J1850
    ],
)
def test_crc8_matches_autosar_vectors(data: bytes, crc: int) -> None:
    assert e2e.crc8_j1850(data) == crc


@given(st.binary(max_size=64))
def test_crc8_table_matches_bitwise_reference(data: bytes) -> None:
    assert e2e.crc8_j1850(data) == reference_crc8(data)


def test_protect_covers_data_id_low_byte_first_then_payload() -> None:
    frame = e2e.protect(bytes(8), data_id=0x03A1, counter=5)
    assert frame[1] == 0x05
    assert frame[0] == reference_crc8(bytes([0xA1, 0x03]) + frame[1:])


@given(payloads, data_ids, counters)
def test_protected_frame_passes_check_and_keeps_payload(payload: bytes, data_id: int, counter: int) -> None:
    frame = e2e.protect(payload, data_id, counter)
    assert frame[2:] == payload[2:]
    assert frame[1] >> 4 == payload[1] >> 4
    assert e2e.counter_of(frame) == counter
    assert e2e.E2EReceiver(data_id).check(frame) == e2e.E2EResult(True, "", counter)


@given(payloads, data_ids, counters, st.integers(min_value=0, max_value=63))
def test_any_single_bit_flip_is_detected(payload: bytes, data_id: int, counter: int, bit: int) -> None:
    frame = bytearray(e2e.protect(payload, data_id, counter))
    frame[bit // 8] ^= 1 << (bit % 8)
    verdict = e2e.E2EReceiver(data_id).check(bytes(frame))
    assert not verdict.ok
    assert verdict.reason in ("crc", "counter-invalid")


@given(payloads, data_ids, counters, st.integers(min_value=1, max_value=0xFF), st.booleans())
def test_frame_of_another_data_id_is_rejected(
    payload: bytes, data_id: int, counter: int, diff: int, high_byte: bool
) -> None:
    # Ids differing within one byte are an error burst of at most 8 bits: CRC-8 catches all of them.
    other = data_id ^ (diff << 8 if high_byte else diff)
    frame = e2e.protect(payload, data_id, counter)
    assert e2e.E2EReceiver(other).check(frame).reason == "crc"


@given(payloads, data_ids, counters, st.integers(min_value=2, max_value=20))
def test_frozen_counter_is_rejected_every_time(payload: bytes, data_id: int, counter: int, repeats: int) -> None:
    receiver = e2e.E2EReceiver(data_id, resync_after_s=1.0)
    frame = e2e.protect(payload, data_id, counter)
    assert receiver.check(frame, now=0.0).ok
    # Sent every 100 ms for longer than the resync time: a stuck sender never earns a resync.
    verdicts = [receiver.check(frame, now=0.1 * i) for i in range(1, repeats)]
    assert all(v.reason == "counter-repeated" for v in verdicts)


@given(payloads, data_ids, counters, st.integers(min_value=1, max_value=40))
def test_counter_sequence_with_wraparound_is_accepted(payload: bytes, data_id: int, start: int, length: int) -> None:
    receiver = e2e.E2EReceiver(data_id, max_delta=1)
    counter = start
    for _ in range(length):
        assert receiver.check(e2e.protect(payload, data_id, counter)).ok
        counter = e2e.next_counter(counter)


@given(payloads, data_ids, counters, st.integers(min_value=1, max_value=e2e.COUNTER_MAX - 1))
def test_jump_beyond_max_delta_is_rejected_then_resynchronised(
    payload: bytes, data_id: int, start: int, max_delta: int
) -> None:
    receiver = e2e.E2EReceiver(data_id, max_delta=max_delta)
    assert receiver.check(e2e.protect(payload, data_id, start)).ok
    jumped = (start + max_delta + 1) % e2e.COUNTER_MODULO
    assert receiver.check(e2e.protect(payload, data_id, jumped)).reason == "counter-jump"
    assert receiver.check(e2e.protect(payload, data_id, e2e.next_counter(jumped))).ok


def test_counter_fifteen_is_never_valid() -> None:
    frame = bytearray(8)
    frame[1] = 0x0F
    frame[0] = e2e.frame_crc(frame, 0x3A1)
    assert e2e.E2EReceiver(0x3A1).check(bytes(frame)).reason == "counter-invalid"
    with pytest.raises(ValueError):
        e2e.protect(bytes(8), 0x3A1, 15)


def test_silence_lets_a_restarted_sender_back_in() -> None:
    receiver = e2e.E2EReceiver(0x3A1, max_delta=2, resync_after_s=1.0)
    assert receiver.check(e2e.protect(bytes(8), 0x3A1, 7), now=0.0).ok
    assert receiver.check(e2e.protect(bytes(8), 0x3A1, 0), now=0.5).reason == "counter-jump"
    receiver.reset()
    assert receiver.check(e2e.protect(bytes(8), 0x3A1, 7), now=0.0).ok
    assert receiver.check(e2e.protect(bytes(8), 0x3A1, 0), now=1.5).ok


def test_wrong_length_is_rejected() -> None:
    assert e2e.E2EReceiver(1).check(b"\x00" * 7).reason == "length"
