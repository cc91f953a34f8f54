"""A command only the statistical classifier found is offered, never carried out at once (issue 11,
item 7): the templates vouch for what acts; the classifier's guesses wait for the driver's yes.
Through the real stack: the policy event, the words of the offer, and the frames on the bus."""

from __future__ import annotations

import asyncio

from cockpit import vss
from cockpit.events import EventType
from tests.conftest import Stack
from tests.support import eventually

MEDIA_CMD = 0x3A8  # 936, cockpit.dbc
QUIETER = "could the music be a bit quieter"  # no template has this phrasing; the classifier does


async def test_a_classifier_command_is_offered_and_nothing_is_sent_before_yes(stack: Stack) -> None:
    service = stack.parts.service
    await eventually(lambda: vss.MEDIA_VOLUME in service.vehicle_state())  # the media unit has reported
    volume = service.vehicle_state()[vss.MEDIA_VOLUME]
    session = service.create_session().session_id
    stack.tap.clear()
    offered = await stack.turn(QUIETER, session)
    intent = offered.of_type(EventType.INTENT)[0].data
    assert intent["intent"] == "media.adjust_volume" and intent["source"] == "classifier"
    assert offered.of_type(EventType.POLICY)[0].data["decision"] == "needs_confirmation"
    assert offered.of_type(EventType.REPLY)[0].data["text"] == "Do you want me to turn the volume down?"
    assert offered.of_type(EventType.ACTION) == []
    await asyncio.sleep(0.2)
    assert stack.tap.frames(MEDIA_CMD) == []  # no media command frame went out
    assert service.vehicle_state()[vss.MEDIA_VOLUME] == volume

    done = await stack.turn("yes", session)
    statuses = [e.data["status"] for e in done.of_type(EventType.ACTION)]
    assert statuses == ["sent", "confirmed"]
    assert service.vehicle_state()[vss.MEDIA_VOLUME] < volume


async def test_no_to_a_classifier_offer_changes_nothing(stack: Stack) -> None:
    service = stack.parts.service
    await eventually(lambda: vss.MEDIA_VOLUME in service.vehicle_state())  # the media unit has reported
    volume = service.vehicle_state()[vss.MEDIA_VOLUME]
    session = service.create_session().session_id
    await stack.turn(QUIETER, session)
    refused = await stack.turn("no", session)
    assert (
        refused.of_type(EventType.ACTION) == [] and refused.of_type(EventType.REPLY)[0].data["text"] == "Okay, I won't."
    )
    assert service.vehicle_state()[vss.MEDIA_VOLUME] == volume
