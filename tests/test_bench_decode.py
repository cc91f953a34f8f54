"""The bench's decoding of any DBC, its integrity verdicts, bus-load arithmetic and BYD frame checks."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import can
import pytest
from hypothesis import given
from hypothesis import strategies as st

from can_sim.bus import BusConfig
from can_sim.busload import BusStatistics, _bits, _crc15, frame_bits
from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet, FrameDecoder, Scheme, corrupt, counter_of, protect
from can_sim.monitor import MonitorTable
from can_sim.profiles import DriveProfile
from can_sim.recorder import BusRecorder, Recording
from can_sim.tap import BusTap
from cockpit.errors import InputError

REAL_BYD_DBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "dbc" / "byd_general.dbc"
SHIPPED = DbcSet.load()
BYD_FRAMES = ("WHEEL_SPEED", "DRIVE_STATE", "WHEELSPEED_CLEAN")
BYD_CYCLE_S = 0.02  # the real car sends its speed and gear frames at 50 Hz (DESIGN.md)


def opendbc_byd_checksum(byte_key: int, data: bytes) -> int:
    """BYD's checksum as opendbc's C code computes it, written separately from vehicle_contract.byd."""
    sum_first = sum_second = 0
    for b in data[:-1]:
        sum_first += b >> 4
        sum_second += b & 0xF
    remainder = sum_second >> 4
    sum_second += byte_key >> 4
    sum_first += byte_key & 0xF
    first_part = (-sum_first + 9) & 0xF
    second_part = (-sum_second + 9) & 0xF
    return (((first_part + (-remainder + 5)) << 4) + second_part) & 0xFF


def test_schemes_follow_each_message_layout() -> None:
    schemes = {m.name: m.scheme for m in SHIPPED.messages()}
    assert schemes["HVAC_STATUS"] is schemes["NAV_CMD"] is Scheme.E2E
    assert schemes["WHEELSPEED_CLEAN"] is schemes["STEERING_TORQUE"] is Scheme.BYD
    assert schemes["LKAS_HUD_ADAS"] is Scheme.BYD  # CHECKSUM as 63|8@0+: big-endian, still the last byte
    assert schemes["WHEEL_SPEED"] is schemes["DRIVE_STATE"] is Scheme.NONE
    assert SHIPPED.named("HVAC_STATUS").cycle_s == 0.1


def test_the_real_byd_dbc_and_any_other_dbc_decode(tmp_path: Path) -> None:
    if not REAL_BYD_DBC.is_file():
        pytest.skip(f"{REAL_BYD_DBC} is not on this machine")
    real = DbcSet.load([REAL_BYD_DBC])
    info = real.named("WHEELSPEED_CLEAN")
    _, data = real.encode("WHEELSPEED_CLEAN", {"WHEELSPEED_CLEAN": 42.3}, counter=5)
    assert real.decode(info, data)["WHEELSPEED_CLEAN"] == pytest.approx(42.3)
    assert FrameDecoder(real).judge(info, data).ok and counter_of(info, data) == 5
    assert data[7] == opendbc_byd_checksum(0xAF, data)

    other = tmp_path / "toy.dbc"  # a DBC the bench has never seen, with a CHECKSUM it cannot know
    other.write_text(
        'VERSION ""\n\nBS_:\n\nBU_: A\n\n'
        "BO_ 1024 TOY: 8 A\n"
        ' SG_ LEVEL : 0|8@1+ (0.5,0) [0|127.5] "%" A\n'
        ' SG_ MODE : 8|2@1+ (1,0) [0|3] "" A\n'
        ' SG_ CHECKSUM : 56|8@1+ (1,0) [0|255] "" A\n\n'
        'VAL_ 1024 MODE 0 "OFF" 1 "ECO" 2 "SPORT" ;\n',
        encoding="utf-8",
    )
    both = DbcSet.load([other, REAL_BYD_DBC])
    toy = both.named("TOY")
    assert toy.scheme is Scheme.NONE  # not a byd_* file: its checksum is not BYD's
    frame = FrameDecoder(both).decode(
        can.Message(arbitration_id=0x400, data=bytes([80, 2, 0, 0, 0, 0, 0, 9]), is_extended_id=False)
    )
    assert (frame.name, frame.signals["LEVEL"], frame.signals["MODE"], frame.verdict.ok) == ("TOY", 40, "SPORT", True)
    with pytest.raises(InputError, match="dbc-missing"):
        DbcSet.load([tmp_path / "absent.dbc"])


def test_e2e_verdicts_name_what_is_wrong() -> None:
    info = SHIPPED.named("HVAC_STATUS")
    decoder = FrameDecoder(SHIPPED)
    frames = [SHIPPED.encode("HVAC_STATUS", {"FAN_SPEED": 40}, counter=c)[1] for c in (3, 4, 4, 9, 10)]
    reasons = [decoder.judge(info, f).reason for f in frames]
    assert reasons == ["", "", "counter-repeated", "counter-jump", ""]
    assert decoder.judge(info, corrupt(info, frames[0])).reason == "crc"
    assert decoder.judge(info, SHIPPED.encode("HVAC_STATUS", {}, counter=11)[1]).ok  # a bad CRC is not a lost frame
    assert decoder.judge(info, frames[0][:7]).reason == "length"


def test_byd_verdicts_count_every_lost_frame() -> None:
    info = SHIPPED.named("WHEELSPEED_CLEAN")
    decoder = FrameDecoder(SHIPPED)
    frames = [SHIPPED.encode("WHEELSPEED_CLEAN", {"WHEELSPEED_CLEAN": 10.0}, counter=c)[1] for c in (15, 0, 2, 2)]
    assert [decoder.judge(info, f).reason for f in frames] == ["", "", "counter-jump", "counter-repeated"]
    assert decoder.judge(info, corrupt(info, frames[0])).reason == "checksum"


@given(payload=st.binary(min_size=8, max_size=8), counter=st.integers(0, 255))
def test_protected_frames_pass_and_carry_their_counter(payload: bytes, counter: int) -> None:
    for name in ("HVAC_CMD", "WHEELSPEED_CLEAN", "LKAS_HUD_ADAS"):
        info = SHIPPED.named(name)
        data = protect(info, payload, counter)
        modulo = 15 if info.scheme is Scheme.E2E else 16
        assert counter_of(info, data) == counter % modulo
        raw: Any = info.message.decode(data, decode_choices=False, scaling=False)
        assert raw["COUNTER"] == counter % modulo
        assert FrameDecoder(SHIPPED).judge(info, data).ok
        if info.scheme is Scheme.BYD:
            assert data[7] == opendbc_byd_checksum(0xAF, data)


def test_crc15_matches_the_can_check_value() -> None:
    bits = [bit for byte in b"123456789" for bit in _bits(byte, 8)]
    assert _crc15(bits) == 0x059E  # CRC-15/CAN check value


@given(frame_id=st.integers(0, 0x7FF), data=st.binary(max_size=8))
def test_a_frame_is_as_long_as_its_fields_plus_at_most_the_worst_case_stuffing(frame_id: int, data: bytes) -> None:
    bits = frame_bits(frame_id, data)
    plain = 47 + 8 * len(data)  # SOF..EOF and the 3-bit intermission, unstuffed
    assert plain <= bits <= plain + (34 + 8 * len(data) - 1) // 4
    assert frame_bits(0, b"") == 53  # 34 zero bits from SOF to the CRC take six stuff bits


def test_byd_frames_pass_an_independent_checksum_at_the_real_cycle_time() -> None:
    config = BusConfig(channel=f"byd-rates-{uuid.uuid4().hex[:8]}")
    stats = BusStatistics(window_s=1.5)
    table = MonitorTable(stats)
    recorder = BusRecorder(None, FrameDecoder(SHIPPED), stats, keep_decoded=True, on_decoded=table.on_decoded)
    bus = config.open()
    car = SimulatedCar(config, DriveProfile.of("steady", (0, 0, "D"), (0.5, 36.4, "D"))).start()
    try:
        with Recording(bus, recorder), BusTap(config) as tap:
            time.sleep(1.5)
            snap = stats.snapshot()
            raw = tap.frames()
    finally:
        car.stop()
        bus.shutdown()
    byd_ids = {m.frame_id for m in SHIPPED.messages() if m.scheme is Scheme.BYD}
    byd_frames = [m for m in raw if m.arbitration_id in byd_ids]
    assert len(byd_frames) >= 60
    assert all(m.data[7] == opendbc_byd_checksum(0xAF, bytes(m.data)) for m in byd_frames)
    for name in BYD_FRAMES:
        got = snap.by_id(SHIPPED.named(name).frame_id)
        assert got is not None and got.frames >= 60
        assert abs(got.mean_period_ms / 1000.0 - BYD_CYCLE_S) <= 0.05 * BYD_CYCLE_S, f"{name}: {got.mean_period_ms} ms"
    assert not snap.integrity_errors
    window = [m for m in raw if m.timestamp >= raw[-1].timestamp - stats.window_s]
    expected_load = sum(frame_bits(m.arbitration_id, bytes(m.data)) for m in window) / stats.window_s / 500_000 * 100
    assert snap.load_percent == pytest.approx(expected_load, rel=0.1)
    text = table.render()
    assert "WHEELSPEED_CLEAN" in text and "byd ok" in text and "e2e ok" in text
