"""A Korean driver hears the answer checker in Korean: when the language model claims a change the
turn did not make, the sentence said instead ("nothing changed", or the offer of the command the
driver asked about) is in the turn's language, like every other Korean reply.

Through the gRPC API on the real service, templates and simulated car, with a scripted language
model registered as a backend: a small model often answers a Korean question in English, and its
claim is replaced all the same. The offer is then carried out by "네", and the rear defroster
command goes out on the bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.events import Event
from cockpit.hangul import has_hangul
from cockpit.llm.claims import NOTHING_CHANGED
from cockpit.server.client import CockpitClient
from cockpit.testing.llm import FakeLanguageModel
from tests.conftest import Stack, close_stack
from tests.support import eventually, scripted_model_stack, serve, states, turn
from tests.test_korean_replies import korean
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
HVAC_CMD = CODEC.frame_id("HVAC_CMD")
CLAIM = "I have turned on the rear defroster for you."
"""What the scripted model says to every question: a change nobody made."""
NOTHING_CHANGED_KO = "차량 설정은 아무것도 바꾸지 않았습니다."


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    built = scripted_model_stack("polish-checker", lambda *_: FakeLanguageModel(default=CLAIM))
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


def chat(events: list[Event]) -> str:
    """The reply of a dialogue turn, after checking nothing was acted on and the tokens said the same."""
    assert [e.type.value for e in events if e.type.value != "llm_token"] == ["intent", "reply"]
    assert events[-2].data["intent"] == "dialogue.chat"
    reply = str(events[-1].data["text"])
    assert "".join(str(e.data["text"]) for e in events if e.type.value == "llm_token") == reply
    return reply


async def test_a_false_claim_in_a_korean_turn_is_replaced_in_korean(stack: Stack, client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    stack.tap.clear()
    reply = chat(await turn(client, sid, "뒷유리 열선은 어떻게 작동해?"))
    assert reply == NOTHING_CHANGED_KO and korean(reply)
    await asyncio.sleep(0.2)
    assert stack.tap.frames(HVAC_CMD) == []
    await client.close_session(sid)


async def test_a_korean_question_about_a_quoted_command_is_offered_in_korean_and_ne_does_it(
    stack: Stack, client: CockpitClient
) -> None:
    await eventually(lambda: vss.REAR_DEFROSTER_ACTIVE in stack.parts.service.vehicle_state())
    assert stack.parts.service.vehicle_state()[vss.REAR_DEFROSTER_ACTIVE] is False
    sid = (await client.create_session("ko")).session_id
    # Korean puts its particle right after the closing quote: '...'가.
    reply = chat(await turn(client, sid, "'뒷유리 열선 켜 줘'가 무슨 뜻이야?"))
    assert reply == "뒷유리 열선을 켤까요?" and korean(reply)
    done = await turn(client, sid, "네")
    assert done[0].data["intent"] == "climate.set_defrost"
    assert states(done) == {vss.REAR_DEFROSTER_ACTIVE: True}
    assert korean(str(done[-1].data["text"]))
    undone = await turn(client, sid, "되돌려 줘")
    assert states(undone) == {vss.REAR_DEFROSTER_ACTIVE: False}
    await client.close_session(sid)


async def test_the_same_claim_in_an_english_turn_keeps_the_english_sentence(client: CockpitClient) -> None:
    sid = (await client.create_session()).session_id
    reply = chat(await turn(client, sid, "how does the rear defroster work?"))
    assert reply == NOTHING_CHANGED and not has_hangul(reply)
    offered = chat(await turn(client, sid, "what does 'turn on the rear defroster' mean?"))
    assert offered == "Do you want me to turn on the rear defroster?"
    await client.close_session(sid)
