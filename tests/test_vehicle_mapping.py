"""VSS <-> DBC mapping, frame planning and powertrain derivation: the pure parts of the vehicle layer."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit import vss
from cockpit.skill_api import SignalWrite
from cockpit.vehicle.mapping import COMMANDS, STATUS, MediaUri, parse_media_uri, status_values
from cockpit.vehicle.planning import plan_frames
from cockpit.vehicle.powertrain import PowertrainTracker
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)


def labelled(name: str, value: int) -> Any:
    """What cantools gives for a value-table entry (anything with ``name`` and ``value``)."""
    return SimpleNamespace(name=name, value=value)


def test_every_writable_signal_has_a_command_and_a_status_answer() -> None:
    status_paths = {b.path for b in STATUS}
    for path, binding in COMMANDS.items():
        assert vss.SIGNALS[path].writable, path
        assert binding.answer_path in status_paths, path
    for spec in vss.SIGNALS.values():
        if spec.writable:
            assert spec.path in COMMANDS, f"{spec.path} is writable in vss.py but has no command"


@given(st.sampled_from(["track", "station", "podcast"]), st.integers(min_value=0, max_value=0xFFFF))
def test_media_uri_round_trips_through_kind_and_id(kind: str, item: int) -> None:
    uri = f"media:{kind}:{item}"
    conv = MediaUri("K", "I")
    fields = conv.to_can(uri)
    assert conv.from_can({"K": labelled(str(fields["K"]), 1), "I": fields["I"]}) == uri


@pytest.mark.parametrize("bad", ["media:album:1", "media:track:70000", "track:1", "media:track:", "media:track:-1"])
def test_media_uri_rejects_what_the_frame_cannot_carry(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_media_uri(bad)


@given(
    st.floats(min_value=16.0, max_value=30.0).map(lambda t: round(t * 2) / 2),
    st.integers(min_value=0, max_value=100),
    st.booleans(),
)
def test_hvac_status_decodes_to_vss_values(temp: float, fan: int, ac: bool) -> None:
    frame = CODEC.encode(
        "HVAC_STATUS",
        {"DRIVER_TEMP": temp, "PASSENGER_TEMP": 16.0, "FAN_SPEED": fan, "AC_ACTIVE": int(ac), "ACK_COUNTER": 15},
        counter=0,
    )
    values = status_values("HVAC_STATUS", CODEC.decode(CODEC.frame_id("HVAC_STATUS"), frame))
    assert values[vss.DRIVER_TEMPERATURE] == temp
    assert values[vss.DRIVER_FAN_SPEED] == fan
    assert values[vss.AC_ACTIVE] is ac


def test_nav_status_without_destination_reports_no_coordinates() -> None:
    frame = CODEC.encode("NAV_STATUS", {"DEST_VALID": 0, "ACK_COUNTER": 15}, counter=0)
    values = status_values("NAV_STATUS", CODEC.decode(CODEC.frame_id("NAV_STATUS"), frame))
    assert vss.NAV_LATITUDE not in values
    assert values[vss.NAV_GUIDANCE_ACTIVE] is False


# -- planning -------------------------------------------------------------------------------


def plan(writes: list[SignalWrite], state: Mapping[str, Any] | None = None) -> Any:
    return plan_frames(writes, state or {}, CODEC.check)


def test_writes_of_one_message_share_a_frame() -> None:
    p = plan(
        [
            SignalWrite(vss.DRIVER_TEMPERATURE, 21.0),
            SignalWrite(vss.MEDIA_VOLUME, 20),
            SignalWrite(vss.AC_ACTIVE, True),
        ]
    )
    assert [f.message for f in p.frames] == ["HVAC_CMD", "MEDIA_CMD"]
    assert p.frames[0].values == {"DRIVER_TEMP_REQ": 21.0, "AC_REQ": "ON"}
    assert not p.refused


def test_a_second_value_for_the_same_field_starts_a_new_frame() -> None:
    p = plan([SignalWrite(vss.DRIVER_TEMPERATURE, 21.0), SignalWrite(vss.DRIVER_TEMPERATURE, 22.0)])
    assert [f.values["DRIVER_TEMP_REQ"] for f in p.frames] == [21.0, 22.0]


def test_latitude_and_longitude_travel_in_one_frame() -> None:
    p = plan([SignalWrite(vss.NAV_LATITUDE, 52.52), SignalWrite(vss.NAV_LONGITUDE, 13.405)])
    assert len(p.frames) == 1
    assert p.frames[0].values == {"DEST_LAT_REQ": 52.52, "DEST_LON_REQ": 13.405, "NAV_REQ": "SET"}


def test_a_lone_coordinate_takes_its_companion_from_state_or_is_refused() -> None:
    alone = [SignalWrite(vss.NAV_LATITUDE, 48.0)]
    refused = plan(alone)
    assert not refused.frames and vss.NAV_LONGITUDE in refused.refused[0]
    filled = plan(alone, {vss.NAV_LONGITUDE: 11.5})
    assert filled.frames[0].values["DEST_LON_REQ"] == 11.5


def test_guidance_off_is_a_cancel_and_on_needs_a_destination() -> None:
    cancel = plan([SignalWrite(vss.NAV_GUIDANCE_ACTIVE, False)])
    assert cancel.frames[0].values == {"NAV_REQ": "CANCEL"}
    assert plan([SignalWrite(vss.NAV_GUIDANCE_ACTIVE, True)]).refused
    resume = plan([SignalWrite(vss.NAV_GUIDANCE_ACTIVE, True)], {vss.NAV_LATITUDE: 1.0, vss.NAV_LONGITUDE: 2.0})
    assert resume.frames[0].values == {"NAV_REQ": "SET", "DEST_LAT_REQ": 1.0, "DEST_LON_REQ": 2.0}


@pytest.mark.parametrize(
    "write",
    [
        SignalWrite(vss.SPEED, 10.0),  # read-only
        SignalWrite(vss.DRIVER_TEMPERATURE, "warm"),
        SignalWrite(vss.DRIVER_TEMPERATURE, 200.0),  # beyond the 8-bit field
        SignalWrite(vss.AC_ACTIVE, 1),
        SignalWrite(vss.MEDIA_ACTION, "REWIND"),
        SignalWrite(vss.MEDIA_SELECTED_URI, "spotify:track:1"),
    ],
)
def test_unsendable_writes_are_refused_before_any_frame(write: SignalWrite) -> None:
    p = plan([write])
    assert not p.frames
    assert p.refused[0]


# -- powertrain -----------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "gear"), [(1, 126), (2, -1), (4, 127)])
def test_byd_gear_maps_to_vss_selected_gear(raw: int, gear: int) -> None:
    tracker = PowertrainTracker()
    tracker.on_gear(raw)
    assert tracker.values(0.0)[vss.SELECTED_GEAR] == gear


def test_unknown_gear_value_keeps_the_last_known() -> None:
    tracker = PowertrainTracker()
    tracker.on_gear(4)
    tracker.on_gear(7)
    assert tracker.values(0.0)[vss.SELECTED_GEAR] == 127


def test_fresh_standstill_is_not_moving_and_stale_speed_is() -> None:
    tracker = PowertrainTracker(stale_after_s=0.2)
    assert tracker.values(0.0)[vss.IS_MOVING] is True  # nothing heard yet: safe side
    tracker.on_clean_speed(0.0, now=1.0)
    assert tracker.values(1.1) == {vss.SPEED: 0.0, vss.IS_MOVING: False}
    assert tracker.values(1.25)[vss.IS_MOVING] is True
    tracker.on_clean_speed(0.0, now=1.3)
    assert tracker.values(1.3)[vss.IS_MOVING] is False


def test_wheel_speeds_stand_in_when_the_clean_speed_is_stale() -> None:
    tracker = PowertrainTracker(stale_after_s=0.2)
    tracker.on_clean_speed(50.0, now=0.0)
    tracker.on_wheel_speeds(30.0, 30.2, 29.8, now=0.5)
    assert tracker.values(0.5)[vss.SPEED] == 30.0
    assert tracker.values(0.5)[vss.IS_MOVING] is True
