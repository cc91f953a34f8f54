"""BYD's checksum and counter: hand-computed vectors, and agreement with the DBC's layout."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vehicle_contract import byd
from vehicle_contract.dbc import BYD_DBC, DbcCodec


@pytest.mark.parametrize(
    ("data", "checksum"),
    [
        # H = 0 + 0xF (key low nibble), L = 0 + 0xA (key high nibble), R = 0:
        # low = (9 - 10) % 16 = 0xF, high = (9 - 15 + 5 - 0) % 16 = 0xF
        (bytes(7), 0xFF),
        # high nibbles 0 -> H = 15; low nibbles sum 28 -> R = 1, L = 38:
        # low = (9 - 38) % 16 = 3, high = (9 - 15 + 5 - 1) % 16 = 14
        (bytes([1, 2, 3, 4, 5, 6, 7]), 0xE3),
        # H = 7 * 15 + 15 = 120; low sum 105 -> R = 6, L = 115:
        # low = (9 - 115) % 16 = 6, high = (9 - 120 + 5 - 6) % 16 = 0
        (b"\xff" * 7, 0x06),
    ],
)
def test_checksum_hand_vectors(data: bytes, checksum: int) -> None:
    assert byd.byd_checksum(data) == checksum


def test_wheelspeed_clean_frame_hand_vector() -> None:
    # 50.0 km/h = raw 500 = 0x01F4 little endian; COUNTER 3 in byte 6's high nibble.
    # H = 0xF + 0 + 3 + 15 = 33, L = 4 + 1 + 10 = 15, R = 0:
    # low = (9 - 15) % 16 = 0xA, high = (9 - 33 + 5) % 16 = 0xD
    frame = byd.fill_counter_checksum(bytes.fromhex("f401000000000000"), 3)
    assert frame.hex() == "f4010000000030da"
    assert byd.checksum_ok(frame)
    assert byd.counter_of(frame) == 3


@given(st.binary(min_size=8, max_size=8), st.integers(min_value=0, max_value=15), st.integers(0, 55))
def test_filled_frame_verifies_and_a_flipped_bit_in_a_nibble_sum_does_not(
    payload: bytes, counter: int, bit: int
) -> None:
    frame = byd.fill_counter_checksum(payload, counter)
    assert byd.checksum_ok(frame)
    assert frame[:6] == payload[:6]
    broken = bytearray(frame)
    broken[bit // 8] ^= 1 << (bit % 8)
    # A nibble-sum checksum misses some multi-bit errors but never a single flipped bit.
    assert not byd.checksum_ok(bytes(broken))


@pytest.mark.parametrize("message", ["WHEELSPEED_CLEAN", "STEERING_TORQUE"])
@given(counter=st.integers(min_value=0, max_value=15))
def test_counter_and_checksum_sit_where_the_dbc_says(message: str, counter: int) -> None:
    codec = DbcCodec.load(BYD_DBC)
    frame = byd.fill_counter_checksum(bytes(8), counter)
    decoded = codec.decode(codec.frame_id(message), frame)
    assert decoded["COUNTER"] == counter
    assert decoded["CHECKSUM"] == frame[7]


def test_bad_counter_and_length_are_refused() -> None:
    with pytest.raises(ValueError):
        byd.fill_counter_checksum(bytes(8), 16)
    with pytest.raises(ValueError):
        byd.fill_counter_checksum(bytes(7), 0)
    assert not byd.checksum_ok(bytes(7))
