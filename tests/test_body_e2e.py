"""Windows, sunroof and child locks end to end: typed turns through the real service and gRPC, the
policy's interlocks at speed, the BODY_CMD frame on the bus and the body ECU's confirmation. The
issue-12 acceptance runs the real CLI as a subprocess (``cockpit ask --json --speed KMH``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import can
import pytest

from cockpit import vss
from cockpit.events import EventType
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from tests.conftest import Stack, close_stack, make_stack
from tests.support import cockpit_ask, eventually
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
BODY_CMD = CODEC.frame_id("BODY_CMD")
POLICY, ACTION, REPLY = EventType.POLICY, EventType.ACTION, EventType.REPLY


def stack_at(profile: str) -> Iterator[Stack]:
    built = make_stack(**{"can.drive_profile": profile})
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture(scope="module")
def fast() -> Iterator[Stack]:
    """The car cruising in D at 120 km/h."""
    yield from stack_at("steady:120")


@pytest.fixture(scope="module")
def parked() -> Iterator[Stack]:
    yield from stack_at("parked")


@pytest.fixture
async def fast_target(fast: Stack) -> AsyncIterator[str]:
    server, port = await start_server(fast.parts.service, host="127.0.0.1", port=0)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(grace_s=0)


def decoded(frame: can.Message) -> dict[str, object]:
    return CODEC.decode(frame.arbitration_id, bytes(frame.data))


async def at_speed(stack: Stack, kmh: float) -> None:
    await eventually(lambda: stack.parts.service.vehicle_state().get(vss.SPEED) == kmh, timeout=10)


async def test_the_sunroof_is_refused_at_120_with_a_reason_and_no_frame(fast: Stack, fast_target: str) -> None:
    await at_speed(fast, 120.0)
    fast.tap.clear()
    async with CockpitClient(fast_target) as client:
        events = [e async for e in client.send_text("open the sunroof")]
    assert [e.type.value for e in events] == ["intent", "policy", "reply"]
    assert events[1].data["decision"] == "refused"
    assert events[-1].data["text"] == "I can't open the sunroof above 80 km/h; the car is at 120 km/h."
    await asyncio.sleep(0.3)  # a frame, had one been sent, would be on the bus by now
    assert fast.tap.frames(BODY_CMD) == []
    assert fast.parts.service.vehicle_state()[vss.SUNROOF_POSITION] == 0


async def test_a_window_fully_open_at_120_waits_for_a_yes_then_the_ecu_confirms(fast: Stack) -> None:
    await at_speed(fast, 120.0)
    service = fast.parts.service
    sid = service.create_session().session_id
    asked = await fast.turn("open the passenger window", sid)
    [policy] = asked.of_type(POLICY)
    assert policy.data["decision"] == "needs_confirmation" and "120 km/h" in policy.data["reason"]
    assert all(str(decoded(f)["WINDOW_FR_REQ"]) == "NO_REQUEST" for f in fast.tap.frames(BODY_CMD))
    yes = await fast.turn("yes", sid)
    assert [a.data["status"] for a in yes.of_type(ACTION)] == ["sent", "confirmed"]
    assert service.vehicle_state()[vss.PASSENGER_WINDOW] == 100
    closed = await fast.turn("close the passenger window", sid)  # closing never asks
    assert [a.data["status"] for a in closed.of_type(ACTION)] == ["sent", "confirmed"]
    service.close_session(sid)


async def test_parked_the_sunroof_opens_and_a_question_is_answered_from_the_ecu(parked: Stack) -> None:
    parked.tap.clear()
    opened = await parked.turn("open the sunroof halfway")
    assert opened.of_type(POLICY)[0].data["decision"] == "allowed"
    assert [a.data["status"] for a in opened.of_type(ACTION)] == ["sent", "confirmed"]
    await eventually(lambda: len(parked.tap.frames(BODY_CMD)) == 1)
    [frame] = parked.tap.frames(BODY_CMD)
    assert decoded(frame)["SUNROOF_REQ"] == 50
    assert opened.of_type(REPLY)[-1].data["text"] == "Sunroof open 50 percent."
    asked = await parked.turn("is the sunroof open")
    assert asked.of_type(REPLY)[-1].data["text"] == "The sunroof is 50 percent open."
    assert asked.of_type(ACTION) == []
    again = await parked.turn("open the sunroof halfway")  # already there: said, not sent
    assert again.of_type(ACTION) == [] and "already" in again.of_type(REPLY)[-1].data["text"]


def ask(speed: int, *utterances: str) -> list[dict[str, object]]:
    return cockpit_ask("--speed", str(speed), *utterances)


def test_cli_speed_120_refuses_the_sunroof_and_speed_0_opens_it() -> None:
    fast = ask(120, "open the sunroof")
    assert [e["type"] for e in fast] == ["intent", "policy", "reply"]
    assert fast[1]["decision"] == "refused" and "80 km/h" in str(fast[1]["reason"])
    standing = ask(0, "open the sunroof")
    actions = [(e["signal"], e["status"]) for e in standing if e["type"] == "action"]
    assert actions == [(vss.SUNROOF_POSITION, "sent"), (vss.SUNROOF_POSITION, "confirmed")]
    assert {"type": "state", "signal": vss.SUNROOF_POSITION, "value": 100}.items() <= next(
        e for e in standing if e["type"] == "state"
    ).items()


async def test_korean_body_replies_take_the_right_particles(parked: Stack) -> None:
    service = parked.parts.service
    sid = service.create_session("ko").session_id
    texts = ("선루프 닫아 줘", "선루프 닫아 줘", "창문 닫아 줘")  # the roof may be open from an earlier test
    said = [(await parked.turn(text, sid)).of_type(REPLY)[-1].data["text"] for text in texts]
    assert said[0] in ("선루프를 닫았습니다.", "선루프는 이미 닫혀 있습니다.")
    assert said[1:] == ["선루프는 이미 닫혀 있습니다.", "운전석 창문은 이미 닫혀 있습니다."]
    opened = await parked.turn("조수석 창문 열어 줘", sid)
    assert opened.of_type(REPLY)[-1].data["text"] == "조수석 창문을 열었습니다."
    assert service.vehicle_state()[vss.PASSENGER_WINDOW] == 100
    await parked.turn("조수석 창문 닫아 줘", sid)
    service.close_session(sid)


def test_cli_language_opens_korean_sessions() -> None:
    events = cockpit_ask("--language", "ko", "선루프 열어 줘")
    assert events[0]["intent"] == "body.set_sunroof" and events[-1]["text"] == "선루프를 열었습니다."
