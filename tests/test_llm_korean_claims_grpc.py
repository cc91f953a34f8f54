"""A Korean driver is never told in Korean that the car changed when it did not.

Through the gRPC API on the real service, templates and simulated car (parked), with a scripted
language model that answers in Korean: its claims of a change are replaced and no frame goes out,
its wrong speed and temperature become the facts in Korean, a question-shaped Korean request
("켜 줄 수 있어?") gets the offer, which "네" carries out on the bus, and an imperial driver hears
the temperature in Fahrenheit.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.server.client import CockpitClient
from cockpit.testing.llm import FakeLanguageModel
from cockpit.units import to_fahrenheit
from tests.conftest import Stack, close_stack
from tests.support import eventually, scripted_model_stack, serve, states, turn
from tests.test_korean_replies import korean
from tests.test_reply_polish_korean_checker import CODEC, HVAC_CMD, NOTHING_CHANGED_KO, chat

REPLIES = {
    "어떻게 작동해": "뒷유리 열선은 뒷유리의 성에를 제거합니다. 지금 뒷유리 열선을 켰습니다.",
    "켜 줄 수 있어": "네, 뒷유리 열선을 켰어요.",
    "기분 어때": "지금 시속 80킬로미터로 달리고 있어요.",
    "좋은 아침": "온도는 25도로 설정되어 있습니다.",
    "good morning": "The cabin is set to 25 degrees.",
    "에어컨 얘기": "에어컨을 켜 드릴게요. 에어컨은 실내 공기를 식혀 줍니다.",
}
"""What the scripted model answers, by a piece of the driver's question."""


def build(units: str) -> Stack:
    return scripted_model_stack(
        "korean-claims", lambda *_: FakeLanguageModel(REPLIES, default="잘 모르겠어요."), units=units
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    built = build("metric")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


async def _cabin(stack: Stack) -> float:
    await eventually(lambda: vss.DRIVER_TEMPERATURE in stack.parts.service.vehicle_state())
    state = stack.parts.service.vehicle_state()
    driver, passenger = state[vss.DRIVER_TEMPERATURE], state.get(vss.PASSENGER_TEMPERATURE)
    assert isinstance(driver, float | int) and passenger == driver, state
    return float(driver)


async def test_korean_claims_of_a_change_are_replaced_and_nothing_moves(stack: Stack, client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    stack.tap.clear()
    reply = chat(await turn(client, sid, "뒷유리 열선은 어떻게 작동해?"))
    assert reply == f"뒷유리 열선은 뒷유리의 성에를 제거합니다. {NOTHING_CHANGED_KO}" and korean(reply)
    promise = chat(await turn(client, sid, "에어컨 얘기 좀 해 줘"))
    assert promise == f"{NOTHING_CHANGED_KO} 에어컨은 실내 공기를 식혀 줍니다."
    await asyncio.sleep(0.2)
    assert stack.tap.frames(HVAC_CMD) == []
    assert stack.parts.service.vehicle_state()[vss.REAR_DEFROSTER_ACTIVE] is False
    await client.close_session(sid)


async def test_a_wrong_speed_and_temperature_become_the_facts_in_korean(stack: Stack, client: CockpitClient) -> None:
    cabin = await _cabin(stack)
    sid = (await client.create_session("ko")).session_id
    assert chat(await turn(client, sid, "오늘 기분 어때?")) == "차가 주차되어 있습니다."
    said = chat(await turn(client, sid, "좋은 아침이야"))
    if abs(cabin - 25) > 0.5:
        assert said == f"온도는 양쪽 모두 {cabin:g}도로 설정되어 있습니다."
    else:
        assert said == "온도는 25도로 설정되어 있습니다."
    assert korean(said)
    await client.close_session(sid)


async def test_a_korean_question_shaped_request_is_offered_and_ne_does_it(stack: Stack, client: CockpitClient) -> None:
    await eventually(lambda: vss.REAR_DEFROSTER_ACTIVE in stack.parts.service.vehicle_state())
    assert stack.parts.service.vehicle_state()[vss.REAR_DEFROSTER_ACTIVE] is False
    sid = (await client.create_session("ko")).session_id
    stack.tap.clear()
    assert chat(await turn(client, sid, "뒷유리 열선 켜 줄 수 있어?")) == "뒷유리 열선을 켤까요?"
    await asyncio.sleep(0.2)
    assert stack.tap.frames(HVAC_CMD) == []
    done = await turn(client, sid, "네")
    assert done[0].data["intent"] == "climate.set_defrost"
    assert states(done) == {vss.REAR_DEFROSTER_ACTIVE: True}
    frames = [CODEC.decode(HVAC_CMD, f.data) for f in stack.tap.frames(HVAC_CMD)]
    assert frames and frames[-1]["REAR_DEFROST_REQ"] == "ON", "the rear defroster command went out on the bus"
    undone = await turn(client, sid, "되돌려 줘")
    assert states(undone) == {vss.REAR_DEFROSTER_ACTIVE: False}
    await client.close_session(sid)


# --- an imperial driver ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imperial() -> Iterator[Stack]:
    built = build("imperial")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def imperial_client(imperial: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(imperial):
        yield made


async def test_an_imperial_driver_hears_the_temperature_fact_in_fahrenheit(
    imperial: Stack, imperial_client: CockpitClient
) -> None:
    fahrenheit = math.floor(to_fahrenheit(await _cabin(imperial)) + 0.5)
    assert fahrenheit != 77, "the scripted 25 degrees must be wrong for this car"
    sid = (await imperial_client.create_session("ko")).session_id
    said = chat(await turn(imperial_client, sid, "좋은 아침이야"))
    assert said == f"온도는 양쪽 모두 화씨 {fahrenheit}도로 설정되어 있습니다." and korean(said)
    await imperial_client.close_session(sid)
    sid = (await imperial_client.create_session()).session_id
    said = chat(await turn(imperial_client, sid, "good morning"))
    assert said == f"The cabin is set to {fahrenheit} degrees Fahrenheit."
    await imperial_client.close_session(sid)
