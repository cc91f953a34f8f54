"""Left and right in the climate skill (issue 12, item 3): "left" and "right" name front seats by
where the steering wheel is (``drive_side``, :func:`cockpit.seats.front_seat`). In a right-hand-drive
car "the left seat heater" is the passenger's. Through the gRPC API on the real service and
simulated car, with golden event sequences and the seat command frame."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.events import Event
from cockpit.server.client import CockpitClient
from tests.conftest import Stack, close_stack, make_stack
from tests.support import DONE, eventually, kinds, serve, states, turn
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
SEAT_CMD = CODEC.frame_id("SEAT_CMD")


@pytest.fixture(scope="module")
def right_hand() -> Iterator[Stack]:
    built = make_stack(drive_side="right")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def rhd(right_hand: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(right_hand):
        yield made


@pytest.fixture
async def lhd(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


async def once(client: CockpitClient, text: str, language: str = "") -> list[Event]:
    """``text`` in a session of its own."""
    sid = (await client.create_session(language=language)).session_id
    events = await turn(client, sid, text)
    await client.close_session(sid)
    return events


async def test_the_left_seat_heater_of_a_right_hand_drive_car_is_the_passengers(
    right_hand: Stack, rhd: CockpitClient
) -> None:
    right_hand.tap.clear()
    events = await once(rhd, "turn on the left seat heater")
    assert kinds(events) == DONE
    assert states(events) == {vss.PASSENGER_SEAT_HEATING: 67}
    assert events[-1].data["text"] == "Passenger seat heating set to level 2."
    await eventually(lambda: len(right_hand.tap.frames(SEAT_CMD)) >= 1)
    assert CODEC.decode(SEAT_CMD, right_hand.tap.frames(SEAT_CMD)[-1].data)["PASSENGER_HEAT_COOL_REQ"] == 67
    off = await once(rhd, "turn off the left seat heater")
    assert states(off) == {vss.PASSENGER_SEAT_HEATING: 0}


@pytest.mark.parametrize(
    ("said", "state", "reply"),
    [
        ("set the right side to 23", {vss.DRIVER_TEMPERATURE: 23.0}, "Driver temperature set to 23 degrees."),
        ("set the left side to 24", {vss.PASSENGER_TEMPERATURE: 24.0}, "Passenger temperature set to 24 degrees."),
        # A seat named by role is that seat, whichever side it is on.
        (
            "set the passenger temperature to 22",
            {vss.PASSENGER_TEMPERATURE: 22.0},
            "Passenger temperature set to 22 degrees.",
        ),
    ],
)
async def test_left_and_right_temperatures_follow_the_drive_side(
    rhd: CockpitClient, said: str, state: dict[str, object], reply: str
) -> None:
    events = await once(rhd, said)
    assert states(events) == state and events[-1].data["text"] == reply


async def test_left_in_korean_and_in_a_question_follows_the_drive_side(rhd: CockpitClient) -> None:
    heated = await once(rhd, "왼쪽 열선 켜 줘", language="ko")
    assert states(heated) == {vss.PASSENGER_SEAT_HEATING: 67}
    assert heated[-1].data["text"] == "조수석 열선을 2단계로 맞췄습니다."
    await once(rhd, "set the left side to 25")
    asked = await once(rhd, "what's the left temperature")
    assert asked[-1].data["text"] == "The passenger's side is set to 25 degrees."


async def test_a_left_hand_drive_car_keeps_left_as_the_driver(lhd: CockpitClient) -> None:
    events = await once(lhd, "turn on the left seat heater")
    assert states(events) == {vss.DRIVER_SEAT_HEATING: 67}
    assert events[-1].data["text"] == "Driver seat heating set to level 2."
    await once(lhd, "turn off the left seat heater")
