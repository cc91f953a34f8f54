"""What the climate tests over gRPC share: a client of a stack's real server, one turn's events,
and what a user notices in them (the confirmed state)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from cockpit.events import Event
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from tests.conftest import Stack

DONE = ["intent", "policy", "action", "action", "state", "reply"]
"""A command the car carried out: one write, confirmed."""
REFUSED = ["intent", "policy", "reply"]
"""A command refused before anything was sent."""


async def serve(stack: Stack) -> AsyncIterator[CockpitClient]:
    """A client of ``stack``'s service behind a real gRPC server on loopback (for a fixture)."""
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as made:
            yield made
    finally:
        await server.stop(grace_s=0)


async def turn(client: CockpitClient, session: str, text: str) -> list[Event]:
    """One typed turn in ``session``: its events, in order."""
    return [e async for e in client.send_text(text, session)]


def kinds(events: list[Event]) -> list[str]:
    """The event types, the golden sequence tests compare."""
    return [e.type.value for e in events]


def states(events: list[Event]) -> dict[str, object]:
    """The confirmed state the turn reported, by signal."""
    return {e.data["signal"]: e.data["value"] for e in events if e.type.value == "state"}
