"""The DBC files: the cockpit contract's shape, and encode/decode round trips of every message."""

from __future__ import annotations

from typing import Any

import pytest
from cantools.database.can import Message, Signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import vss
from cockpit.vehicle.mapping import COMMANDS, ECUS, STATUS
from vehicle_contract import e2e
from vehicle_contract.dbc import BYD_DBC, COCKPIT_DBC, NO_REQUEST, DbcCodec

COCKPIT = DbcCodec.load(COCKPIT_DBC)
BYD = DbcCodec.load(BYD_DBC)


def test_cockpit_messages_are_protected_8_byte_frames_in_the_cockpit_range() -> None:
    for msg in COCKPIT.messages():
        assert 0x3A0 <= msg.frame_id <= 0x3FF, msg.name
        assert msg.length == 8 and not msg.is_extended_frame
        assert COCKPIT.is_protected(msg.name)
        assert msg.comment, f"{msg.name} has no CM_ comment"
        assert BYD.name_of(msg.frame_id) is None, f"{msg.name} collides with a BYD id"


def test_status_messages_are_cyclic_and_event_commands_are_not() -> None:
    cycle = {link.status: COCKPIT.message(link.status).cycle_time for link in ECUS}
    assert cycle == {"HVAC_STATUS": 100, "SEAT_STATUS": 200, "MEDIA_STATUS": 200, "NAV_STATUS": 500, "BODY_STATUS": 200}
    for link in ECUS:
        assert COCKPIT.message(link.status).send_type == "CyclicAndEvent"
        assert COCKPIT.message(link.command).send_type == "Event"
        assert COCKPIT.cycle_time_s(link.command) is None
        status_signals = {s.name for s in COCKPIT.message(link.status).signals}
        assert {"CRC", "COUNTER", "ACK_COUNTER", "CMD_RESULT"} <= status_signals


def test_idle_command_frame_requests_nothing() -> None:
    for link in ECUS:
        defaults = COCKPIT.defaults(link.command)
        decoded = COCKPIT.decode(COCKPIT.frame_id(link.command), COCKPIT.encode(link.command, {}, counter=0))
        for name, value in defaults.items():
            if value == NO_REQUEST:
                assert str(decoded[name]) == NO_REQUEST


def test_destination_fits_one_nav_command_frame() -> None:
    data = COCKPIT.encode("NAV_CMD", {"NAV_REQ": "SET", "DEST_LAT_REQ": -89.9999, "DEST_LON_REQ": 179.9999}, 4)
    decoded = COCKPIT.decode(COCKPIT.frame_id("NAV_CMD"), data)
    assert decoded["DEST_LAT_REQ"] == pytest.approx(-89.9999)
    assert decoded["DEST_LON_REQ"] == pytest.approx(179.9999)
    assert str(decoded["NAV_REQ"]) == "SET"


def test_mapping_names_only_signals_the_dbc_has() -> None:
    for binding in COMMANDS.values():
        names = set(binding.conversion.to_can(_sample(binding.path))) | set(binding.extra)
        assert names <= set(COCKPIT.defaults(binding.message)), binding.path
    for status in STATUS:
        assert COCKPIT.message(status.message)


def _sample(path: str) -> Any:
    """A valid value of the signal's VSS type."""
    datatype = vss.SIGNALS[path].datatype
    if datatype == "boolean":
        return True
    if datatype == "string":
        return {vss.MEDIA_ACTION: "PLAY", vss.MEDIA_SELECTED_URI: "media:track:3"}[path]
    return 20


def test_data_id_attribute_overrides_the_can_id() -> None:
    text = """VERSION ""
BS_:
BU_: A
BO_ 1000 M: 8 A
 SG_ CRC : 0|8@1+ (1,0) [0|255] "" A
 SG_ COUNTER : 8|4@1+ (1,0) [0|14] "" A
BA_DEF_ BO_ "DataID" INT 0 65535;
BA_DEF_DEF_ "DataID" 0;
BA_ "DataID" BO_ 1000 4660;
"""
    from cantools.database import load_string

    codec = DbcCodec(load_string(text, database_format="dbc"))  # type: ignore[arg-type]
    assert codec.data_id("M") == 0x1234
    frame = codec.encode("M", {}, counter=2)
    assert e2e.E2EReceiver(0x1234).check(frame).ok
    assert COCKPIT.data_id("HVAC_CMD") == 0x3A0


# -- round trips -----------------------------------------------------------------------------


def _signal_value(sig: Signal) -> st.SearchStrategy[Any]:
    """A value the signal can carry: a value-table label, or a physical value on its raw grid."""
    lo, hi = (-(1 << (sig.length - 1)), (1 << (sig.length - 1)) - 1) if sig.is_signed else (0, (1 << sig.length) - 1)
    scale, offset = sig.scale, sig.offset
    # Stay inside the DBC's [min|max] where it declares one (opendbc's are sometimes narrower).
    if sig.minimum is not None:
        lo = max(lo, int(-(-(sig.minimum - offset) // scale)) if scale > 0 else lo)
    if sig.maximum is not None:
        hi = min(hi, int((sig.maximum - offset) // scale) if scale > 0 else hi)
    choices: dict[int, Any] = dict(sig.choices or {})
    raw = st.integers(min_value=lo, max_value=max(lo, hi)).filter(lambda r: r not in choices)
    numbers = raw.map(lambda r: r * scale + offset if scale != 1 or offset != 0 else r)
    # opendbc labels some values its signal cannot hold (SET_DISTANCE 8 in 3 bits): skip those.
    labels = [str(v) for r, v in choices.items() if lo <= r <= hi]
    if labels:
        return st.one_of(numbers, st.sampled_from(labels))
    return numbers


def _message_values(msg: Message) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({s.name: _signal_value(s) for s in msg.signals})


def _assert_round_trip(msg: Message, sent: dict[str, Any], decoded: dict[str, Any], skip: set[str]) -> None:
    for sig in msg.signals:
        if sig.name in skip:
            continue
        want, got = sent[sig.name], decoded[sig.name]
        if isinstance(want, str):
            assert str(got) == want, sig.name
        else:
            assert float(got) == pytest.approx(float(want), abs=abs(sig.scale) / 2 + 1e-9), sig.name


@pytest.mark.parametrize("name", [m.name for m in COCKPIT.messages()])
@settings(max_examples=60, deadline=None)
@given(data=st.data(), counter=st.integers(min_value=0, max_value=e2e.COUNTER_MAX))
def test_every_cockpit_message_round_trips_with_e2e(name: str, data: st.DataObject, counter: int) -> None:
    msg = COCKPIT.message(name)
    values = data.draw(_message_values(msg))
    values.pop("CRC"), values.pop("COUNTER")
    frame = COCKPIT.encode(name, values, counter)
    verdict = e2e.E2EReceiver(COCKPIT.data_id(name)).check(frame)
    assert verdict.ok and verdict.counter == counter
    decoded = COCKPIT.decode(msg.frame_id, frame)
    assert decoded["COUNTER"] == counter
    _assert_round_trip(msg, values, decoded, skip={"CRC", "COUNTER"})


@pytest.mark.parametrize("name", [m.name for m in BYD.messages() if m.signals])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_byd_message_with_signals_round_trips(name: str, data: st.DataObject) -> None:
    msg = BYD.message(name)
    values = data.draw(_message_values(msg))
    decoded = BYD.decode(msg.frame_id, BYD.encode(name, values))
    _assert_round_trip(msg, values, decoded, skip=set())
