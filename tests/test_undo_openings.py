"""Undo names the window or the sunroof it put back ("the driver's window is closed again"), in
English and Korean, through the gRPC API on the real service and simulated car: the confirmed
state and the words of the reply. Rear windows are named by the seat in front of them, which is
right whichever side the steering wheel is on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.server.client import CockpitClient
from tests.conftest import Stack, close_stack, make_stack
from tests.support import DONE, eventually, kinds, serve, states, turn
from tests.test_korean_replies import korean


@pytest.fixture(scope="module", params=["left", "right"])
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    built = make_stack(drive_side=request.param)
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    # An undo needs the state from before the change: wait until the body ECU has reported it.
    known = (*vss.WINDOWS, vss.SUNROOF_POSITION)
    await eventually(lambda: all(s in stack.parts.service.vehicle_state() for s in known))
    async for made in serve(stack):
        yield made


async def test_undoing_a_window_names_it_and_closes_it(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    opened = await turn(client, sid, "open the driver window")
    assert kinds(opened) == DONE and states(opened) == {vss.DRIVER_WINDOW: 100}
    undone = await turn(client, sid, "undo")
    assert states(undone) == {vss.DRIVER_WINDOW: 0}
    assert undone[-1].data["text"] == "Undone: the driver's window is closed again."
    await client.close_session(sid)


async def test_undoing_the_sunroof_says_how_far_it_is_open_again(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    await turn(client, sid, "open the sunroof halfway")
    closed = await turn(client, sid, "close the sunroof")
    assert states(closed) == {vss.SUNROOF_POSITION: 0}
    undone = await turn(client, sid, "undo")
    assert states(undone) == {vss.SUNROOF_POSITION: 50}
    assert undone[-1].data["text"] == "Undone: the sunroof is back to 50 percent open."
    await client.close_session(sid)


async def test_a_korean_undo_names_the_window_too(client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    opened = await turn(client, sid, "운전석 창문 열어 줘")
    assert states(opened) == {vss.DRIVER_WINDOW: 100}
    undone = await turn(client, sid, "되돌려 줘")
    assert states(undone) == {vss.DRIVER_WINDOW: 0}
    reply = str(undone[-1].data["text"])
    assert reply == "원래대로 되돌렸습니다: 운전석 창문 닫힘." and korean(reply)
    await client.close_session(sid)
