"""Seat zones and the speaker (issue 12): a session's seat decides what "my" and an unnamed zone or
window mean, and the interlocks judge a request by it. Through the gRPC API on the real service and
simulated car, with golden event sequences, and through ``cockpit ask --zone``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import grpc
import pytest

from cockpit import vss
from cockpit.errors import CockpitError
from cockpit.events import Event
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack, close_stack, make_stack
from tests.support import DONE, REFUSED, cockpit_ask, kinds, serve, turn


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    import asyncio

    built = make_stack(**{"server.turn_burst": 100})
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


def written(events: list[Event]) -> list[str]:
    return [e.data["signal"] for e in events if e.type.value == "action" and e.data["status"] == "confirmed"]


async def test_a_passengers_unnamed_zone_seat_and_window_are_the_passengers(
    stack: Stack, client: CockpitClient
) -> None:
    session = await client.create_session(zone="passenger")
    assert session.zone == "passenger"
    sid = session.session_id
    warmer = await turn(client, sid, "make it warmer")
    assert kinds(warmer) == DONE and written(warmer) == [vss.PASSENGER_TEMPERATURE]
    seat = await turn(client, sid, "turn on my seat heater")
    assert kinds(seat) == DONE and written(seat) == [vss.PASSENGER_SEAT_HEATING]
    window = await turn(client, sid, "open my window")
    assert kinds(window) == DONE and written(window) == [vss.PASSENGER_WINDOW]
    # The driver's zone changes only when the passenger names it.
    named = await turn(client, sid, "set the driver temperature to 20")
    assert kinds(named) == DONE and written(named) == [vss.DRIVER_TEMPERATURE]
    await turn(client, sid, "close my window")
    await client.close_session(sid)


async def test_the_driver_is_the_default_seat(client: CockpitClient) -> None:
    session = await client.create_session()
    assert session.zone == "driver"
    seat = await turn(client, session.session_id, "turn on my seat heater")
    assert written(seat) == [vss.DRIVER_SEAT_HEATING]
    await client.close_session(session.session_id)


async def test_a_rear_seat_obeys_the_child_lock_and_has_no_climate_zone(stack: Stack, client: CockpitClient) -> None:
    driver = (await client.create_session()).session_id
    rear = (await client.create_session(zone="rear-left")).session_id
    locked = await turn(client, driver, "turn on the child lock")
    assert written(locked) == [vss.REAR_DRIVER_SIDE_CHILD_LOCK, vss.REAR_PASSENGER_SIDE_CHILD_LOCK]
    stack.tap.clear()
    refused = await turn(client, rear, "open my window")
    assert kinds(refused) == REFUSED and refused[1].data["decision"] == "refused"
    assert refused[-1].data["text"] == "The child lock is on, so that window can't be opened from the back seat."
    switch = await turn(client, rear, "turn off the child lock")
    assert kinds(switch) == REFUSED and switch[-1].data["text"] == "Only the front seats can change the child lock."
    cold = await turn(client, rear, "make it warmer")
    assert written(cold) == [] and "rear seats have no climate zone" in cold[-1].data["text"]
    body = stack.parts.service.vehicle_state()
    assert body[vss.REAR_DRIVER_SIDE_WINDOW] == 0 and body[vss.REAR_DRIVER_SIDE_CHILD_LOCK] is True
    await turn(client, driver, "turn off the child lock")
    opened = await turn(client, rear, "open my window")
    assert kinds(opened) == DONE and written(opened) == [vss.REAR_DRIVER_SIDE_WINDOW]
    await turn(client, rear, "close my window")
    for sid in (driver, rear):
        await client.close_session(sid)


async def test_an_unknown_seat_is_invalid_argument(client: CockpitClient) -> None:
    with pytest.raises(CockpitError) as caught:
        await client.create_session(zone="trunk")
    assert caught.value.code == "zone-unknown"


async def test_converse_takes_the_microphones_seat_for_its_fresh_session(stack: Stack) -> None:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.CockpitStub(channel)

            async def requests() -> AsyncIterator[pb.ConverseRequest]:
                yield pb.ConverseRequest(config=pb.ConverseConfig(zone="passenger"))
                yield pb.ConverseRequest(text="turn on my seat heater")

            events = [e async for e in stub.Converse(requests(), timeout=30)]
    finally:
        await server.stop(grace_s=0)
    confirmed = [
        e.action.signal
        for e in events
        if e.WhichOneof("payload") == "action" and e.action.status == pb.ACTION_STATUS_CONFIRMED
    ]
    assert confirmed == [vss.PASSENGER_SEAT_HEATING]


def test_cli_zone_names_the_speakers_seat() -> None:
    events = cockpit_ask("--zone", "passenger", "turn on my seat heater")
    assert [e["signal"] for e in events if e["type"] == "action" and e["status"] == "confirmed"] == [
        vss.PASSENGER_SEAT_HEATING
    ]
