"""The client the CLI's --server mode uses: cockpit types in, cockpit types and errors out."""

from __future__ import annotations

import pytest

from cockpit.errors import InputError
from cockpit.events import EventType
from cockpit.server.client import CockpitClient, RemoteError
from cockpit.testing import FakeAssistant
from tests.test_grpc_support import DRIVER_TEMP, TIMEOUT_S, serving


async def test_client_round_trip() -> None:
    fake = FakeAssistant()
    async with serving(fake) as server, CockpitClient(server.target, timeout_s=TIMEOUT_S) as client:
        session = await client.create_session("en")
        events = [e async for e in client.send_text("set 20", session)]
        assert [e.type for e in events][-1] is EventType.REPLY
        assert [e.to_dict() for e in events] == [e.to_dict() for e in fake.emitted]
        assert await client.vehicle_state(["Vehicle.Cabin.HVAC"]) == {DRIVER_TEMP: 20.0}
        assert [s.name for s in await client.skills()] == ["climate", "media"]
        await client.close_session(session.session_id)
        with pytest.raises(InputError) as caught:
            await client.close_session(session.session_id)
    assert caught.value.code == "unknown-session"
    assert caught.value.message.startswith("no open session")


async def test_server_side_failures_keep_their_code() -> None:
    async with serving(FakeAssistant()) as server, CockpitClient(server.target, timeout_s=TIMEOUT_S) as client:
        with pytest.raises(RemoteError) as caught:
            _ = [e async for e in client.send_text("bus down")]
    assert (caught.value.code, caught.value.status) == ("bus-down", "UNAVAILABLE")
    assert caught.value.message == "the CAN bus is not open"
