"""Korean replies for the climate skill (issue 12, item 6): every command, refusal and "already"
answer is said in Korean in a Korean session, with the particles its nouns take and numbers as
digits. Through the gRPC API on the real service and simulated car, with golden event sequences."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from cockpit import vss
from cockpit.server.client import CockpitClient
from skills.climate.phrases import PHRASES
from tests.conftest import Stack
from tests.support import DONE, cockpit_ask, kinds, serve, states, turn

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(stack):
        yield made


@pytest.mark.parametrize(
    ("text", "intent", "state", "reply"),
    [
        ("에어컨 켜줘", "climate.set_ac", {vss.AC_ACTIVE: True}, "에어컨을 켰습니다."),
        ("에어컨 꺼 줘", "climate.set_ac", {vss.AC_ACTIVE: False}, "에어컨을 껐습니다."),
        (
            "온도 22도로 맞춰줘",
            "climate.set_temperature",
            {vss.DRIVER_TEMPERATURE: 22.0},
            "운전석 온도를 22도로 맞췄습니다.",
        ),
        (
            "조수석 온도 이십삼 도로 맞춰 줘",
            "climate.set_temperature",
            {vss.PASSENGER_TEMPERATURE: 23.0},
            "조수석 온도를 23도로 맞췄습니다.",
        ),
        (
            "화씨 칠십 도로 맞춰 줘",
            "climate.set_temperature",
            {vss.DRIVER_TEMPERATURE: 21.0},
            "운전석 온도를 화씨 70도로 맞췄습니다.",
        ),
        (
            "바람 세기 중간으로 해 줘",
            "climate.set_fan_speed",
            {vss.DRIVER_FAN_SPEED: 50},
            "바람 세기를 50퍼센트로 맞췄습니다.",
        ),
        ("바람 꺼 줘", "climate.set_fan_speed", {vss.DRIVER_FAN_SPEED: 0}, "송풍을 껐습니다."),
        ("내기 순환 켜 줘", "climate.set_recirculation", {vss.RECIRCULATION_ACTIVE: True}, "내기 순환을 켰습니다."),
        (
            "앞 유리 성에 제거해 줘",
            "climate.set_defrost",
            {vss.FRONT_DEFROSTER_ACTIVE: True},
            "앞 유리 성에 제거를 켰습니다.",
        ),
        (
            "열선 시트 켜 줘",
            "climate.set_seat_heating",
            {vss.DRIVER_SEAT_HEATING: 67},
            "운전석 열선을 2단계로 맞췄습니다.",
        ),
        ("조수석 열선 꺼 줘", "climate.set_seat_heating", {vss.PASSENGER_SEAT_HEATING: 0}, "조수석 열선을 껐습니다."),
    ],
)
async def test_climate_commands_are_confirmed_in_korean(
    client: CockpitClient, text: str, intent: str, state: dict[str, object], reply: str
) -> None:
    sid = (await client.create_session(language="ko")).session_id
    events = await turn(client, sid, text)
    assert kinds(events) == DONE
    assert events[0].data["intent"] == intent
    assert states(events) == state
    assert events[-1].data["text"] == reply
    await client.close_session(sid)


async def test_changes_and_already_there_answers_are_korean(client: CockpitClient) -> None:
    sid = (await client.create_session(language="ko")).session_id
    await turn(client, sid, "바람 세기 중간으로 해 줘")
    stronger = await turn(client, sid, "바람 좀 세게 해 줘")
    assert states(stronger) == {vss.DRIVER_FAN_SPEED: 70}
    assert stronger[-1].data["text"] == "바람 세기를 70퍼센트로 올렸습니다."
    await turn(client, sid, "바람 최대로 해 줘")
    at_max = await turn(client, sid, "바람 세게 해 줘")
    assert kinds(at_max) == ["intent", "reply"]  # nothing to send
    assert at_max[-1].data["text"] == "바람 세기가 이미 최대입니다."
    await turn(client, sid, "온도 30도로 맞춰줘")
    warmest = await turn(client, sid, "좀 따뜻하게 해 줘")
    assert warmest[-1].data["text"] == "온도가 이미 가장 따뜻한 설정입니다."
    asked = await turn(client, sid, "에어컨 켜져 있어")
    assert asked[0].data["intent"] == "climate.query"
    assert asked[-1].data["text"] in ("에어컨이 켜져 있습니다.", "에어컨이 꺼져 있습니다.")
    await client.close_session(sid)


async def test_a_rear_seat_is_refused_in_korean(client: CockpitClient) -> None:
    sid = (await client.create_session(language="ko", zone="rear-left")).session_id
    events = await turn(client, sid, "열선 시트 켜 줘")
    assert kinds(events) == ["intent", "policy", "reply"]
    assert events[1].data["decision"] == "refused"
    assert events[-1].data["text"] == PHRASES.say("ko", "rear_seat")
    assert events[-1].data["text"].startswith("뒷좌석에는")
    await client.close_session(sid)


def test_every_korean_sentence_is_korean() -> None:
    """Every key has a Korean sentence (the phrasebook checks at import) and it is not English."""
    for key in ("temperature_set", "ask_temperature", "temperature_range", "seat_levels", "ac_ask", "fan_at_min"):
        assert HANGUL.search(PHRASES.say("ko", key, zone="운전석", degrees="22도", lo=61, hi=86))
    english_words = re.compile(r"[A-Za-z]{3,}")
    for key in ("temperature_set_both", "fan_done_up", "seat_done", "rear_seat", "at_coolest", "ask_window"):
        sentence = PHRASES.say("ko", key, degrees="22도", percent=70, seat="운전석", level=2)
        assert not english_words.search(sentence), sentence


def test_cockpit_ask_in_korean_answers_climate_commands_in_korean() -> None:
    events = cockpit_ask("--language", "ko", "--same-session", "에어컨 켜줘", "온도 22도로 맞춰줘")
    replies = [e["text"] for e in events if e["type"] == "reply"]
    assert replies == ["에어컨을 켰습니다.", "운전석 온도를 22도로 맞췄습니다."]
    confirmed = {e["signal"]: e["value"] for e in events if e["type"] == "state"}
    assert confirmed == {vss.AC_ACTIVE: True, vss.DRIVER_TEMPERATURE: 22.0}
