"""Several commands in one utterance (issue 12, item 4): split locally, each through the policy and
the ECU's confirmation, one reply for all; a refused part does not block the others. Through the
real gRPC server and the real car; the splitting rule on its own with the real templates."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from cockpit import vss
from cockpit.multi import split_commands
from cockpit.nlu.recognizer import TemplateIntentRecognizer
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.conftest import Stack


@pytest.fixture(scope="module")
def templates() -> TemplateIntentRecognizer:
    return TemplateIntentRecognizer.from_paths()


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("navigate to Shenzhen and turn on my seat heater", ["navigation.navigate_to", "climate.set_seat_heating"]),
        ("turn on the ac and play some jazz", ["climate.set_ac", "media.play"]),
        ("turn on the ac then set the volume to 30", ["climate.set_ac", "media.set_volume"]),
        ("에어컨 켜 그리고 재즈 틀어줘", ["climate.set_ac", "media.play"]),
    ],
)
def test_commands_joined_by_and_then_or_a_comma_are_split(
    templates: TemplateIntentRecognizer, text: str, intents: list[str]
) -> None:
    language = "ko" if "에어컨" in text else "en"
    parts = split_commands(text, lambda piece: templates.recognize(piece, language))
    assert parts is not None and [p.intent for p in parts] == intents
    if intents[0] == "navigation.navigate_to":
        assert parts[0].slots["destination"] == "shenzhen"  # not "shenzhen and turn on my seat heater"


@pytest.mark.parametrize(
    "text",
    [
        "play simon and garfunkel",
        "navigate to barnes and noble",
        "navigate to paris, texas",
        "play the sound of silence by simon and garfunkel",
        "what is the weather and play jazz",  # a question is not a command: the whole goes to chat
        "turn on the ac",
    ],
)
def test_a_joining_word_inside_one_request_does_not_split_it(templates: TemplateIntentRecognizer, text: str) -> None:
    assert split_commands(text, lambda piece: templates.recognize(piece, "en")) is None


@pytest.fixture
async def target(stack: Stack) -> AsyncIterator[str]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(grace_s=0)


async def test_two_commands_give_two_confirmed_actions_and_one_reply_over_grpc(stack: Stack, target: str) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.CockpitStub(channel)
        request = pb.TextTurnRequest(text="turn on the ac and play some jazz")
        events = [e async for e in stub.SendText(request, timeout=30)]
    kinds = [e.WhichOneof("payload") for e in events]
    second = kinds.index("intent", 1)
    assert kinds[:second] == ["intent", "policy", "action", "action", "state"]  # the A/C, confirmed
    assert kinds[second : second + 2] == ["intent", "policy"] and kinds[-1] == "reply"  # then the music
    assert kinds.count("reply") == 1
    sent = [e.action.signal for e in events if e.action.status == pb.ACTION_STATUS_SENT]
    done = [e.action.signal for e in events if e.action.status == pb.ACTION_STATUS_CONFIRMED]
    assert done == sent and len(done) >= 2  # every write of both commands was confirmed
    intents = [e.intent.intent for e in events if e.WhichOneof("payload") == "intent"]
    assert intents == ["climate.set_ac", "media.play"]
    assert done[0] == vss.AC_ACTIVE and vss.MEDIA_ACTION in done
    reply = events[-1].reply.text
    assert reply.startswith("Air conditioning on.") and "jazz" in reply.lower()
    assert stack.parts.service.vehicle_state()[vss.AC_ACTIVE] is True


async def test_a_refused_part_does_not_block_the_others_and_the_reply_says_why(stack: Stack, target: str) -> None:
    async with CockpitClient(target) as client:
        events = [e async for e in client.send_text("set the volume to 25 and open the trunk")]
    kinds = [e.type.value for e in events]
    assert kinds == ["intent", "policy", "action", "action", "state", "policy", "reply"]
    assert events[4].data["signal"] == vss.MEDIA_VOLUME and events[4].data["value"] == 25
    assert events[5].data["decision"] == "refused"
    reply = events[-1].data["text"]
    assert "25" in reply and "Sorry, I can't help with" in reply and "trunk" in reply
