"""Left- or right-hand drive (issue 12, item 3): the ``drive_side`` setting decides which door
"left" and "right" name. Through the gRPC API on the real service and simulated car, with golden
event sequences and the command frame on the bus."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.errors import ConfigError
from cockpit.events import Event
from cockpit.server.client import CockpitClient
from cockpit.settings import load_settings
from tests.conftest import Stack, close_stack, make_stack
from tests.support import DONE, eventually, kinds, serve, turn
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
BODY_CMD = CODEC.frame_id("BODY_CMD")


@pytest.fixture(scope="module")
def right_hand() -> Iterator[Stack]:
    built = make_stack(drive_side="right")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(right_hand: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(right_hand):
        yield made


def confirmed(events: list[Event]) -> list[str]:
    return [e.data["signal"] for e in events if e.type.value == "action" and e.data["status"] == "confirmed"]


def requested(frame_data: bytes) -> dict[str, str]:
    """The body command frame's requests (fields other than NO_REQUEST)."""
    decoded = CODEC.decode(BODY_CMD, frame_data)
    return {k: str(v) for k, v in decoded.items() if k.endswith("_REQ") and str(v) != "NO_REQUEST"}


@pytest.mark.parametrize(
    ("said", "signal", "door", "reply"),
    [
        ("open the left window", vss.PASSENGER_WINDOW, "WINDOW_FL_REQ", "Passenger's window open."),
        ("open the right window", vss.DRIVER_WINDOW, "WINDOW_FR_REQ", "Driver's window open."),
        ("open the rear left window", vss.REAR_PASSENGER_SIDE_WINDOW, "WINDOW_RL_REQ", "Rear left window open."),
        ("open the rear driver side window", vss.REAR_DRIVER_SIDE_WINDOW, "WINDOW_RR_REQ", "Rear right window open."),
    ],
)
async def test_left_and_right_name_the_doors_of_a_right_hand_drive_car(
    right_hand: Stack, client: CockpitClient, said: str, signal: str, door: str, reply: str
) -> None:
    """In a right-hand-drive car the driver sits on the right: "left" is the passenger's side, and
    the frame asks for the physical door (the DBC's FL/FR/RL/RR) the driver meant."""
    sid = (await client.create_session()).session_id
    right_hand.tap.clear()
    events = await turn(client, sid, said)
    assert kinds(events) == DONE
    assert confirmed(events) == [signal] and events[-1].data["text"] == reply
    await eventually(lambda: len(right_hand.tap.frames(BODY_CMD)) >= 1)
    assert requested(right_hand.tap.frames(BODY_CMD)[0].data) == {door: "100"}  # that door, nothing else
    assert right_hand.parts.service.vehicle_state()[signal] == 100
    closed = await turn(client, sid, said.replace("open", "close"))
    assert confirmed(closed) == [signal]
    await client.close_session(sid)


async def test_a_rear_left_passenger_sits_behind_the_front_passenger(client: CockpitClient) -> None:
    sid = (await client.create_session(zone="rear-left")).session_id
    events = await turn(client, sid, "open my window")
    assert confirmed(events) == [vss.REAR_PASSENGER_SIDE_WINDOW]
    await turn(client, sid, "close my window")
    await client.close_session(sid)


def test_the_drive_side_is_left_or_right() -> None:
    assert load_settings(env={}).drive_side == "left"
    assert load_settings(env={"COCKPIT_DRIVE_SIDE": "right"}).drive_side == "right"
    with pytest.raises(ConfigError, match="drive_side must be one of left, right"):
        load_settings(env={"COCKPIT_DRIVE_SIDE": "middle"})
    with pytest.raises(ConfigError, match="units must be one of metric, imperial"):
        load_settings(env={"COCKPIT_UNITS": "furlongs"})
