"""Korean end to end for navigation and drive (issue 12, item 6): every reply in Korean, numbers
as digits, durations in 시간/분, cities by their Hangul names from GeoNames, the right particles.
Through the real service and gRPC with the NAV_CMD frame confirmed; then the CLI as a subprocess."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.catalogue import POI_CATEGORIES, IntentMatch
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.skill_api import SkillContext
from skills.drive.skill import PHRASES as DRIVE_PHRASES
from skills.navigation import NavigationSkill
from skills.navigation.phrases import PHRASES as NAV_PHRASES
from tests.conftest import Stack, close_stack, make_stack
from tests.support import cockpit_ask

ACTED = ["intent", "policy", "action", "action", "action", "action", "state", "state", "reply"]
LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("phrases", [NAV_PHRASES, DRIVE_PHRASES])
def test_every_sentence_has_a_korean_translation_in_hangul(phrases: object) -> None:
    assert "ko" in phrases.languages  # type: ignore[attr-defined]
    for key in ("which", "navigating", "not_found", "cancelled") if phrases is NAV_PHRASES else ("speed", "mph"):
        said = phrases.say(
            "ko",
            key,
            name="부산으로",
            options="A, B",
            what="X를",
            distance="1킬로미터",
            duration="1분",
            n=3,
            kmh="시속 3킬로미터",
        )  # type: ignore[attr-defined]
        assert re.search(r"[\uac00-\ud7a3]", said), said


@pytest.fixture(scope="module")
def nav() -> NavigationSkill:
    return NavigationSkill()


def korean(nav: NavigationSkill, intent: str, **slots: object) -> str:
    plan = nav.plan(IntentMatch(intent, slots), SkillContext({}, {}, "ko"))
    return plan.refusal or plan.done


@pytest.mark.parametrize("category", POI_CATEGORIES)
def test_nearby_places_are_named_in_korean(nav: NavigationSkill, category: str) -> None:
    said = korean(nav, "navigation.find_nearby", category=category)
    label, _name, distance = re.fullmatch(
        r"가장 가까운 (\S+)[은는] (.+)입니다\. (\S+) 떨어져 있습니다\.", said
    ).groups()  # type: ignore[union-attr]
    assert not LATIN.search(label) and re.fullmatch(r"\d+(\.\d)?(킬로미터|미터)", distance), said


def test_korean_refusals_and_particles(nav: NavigationSkill) -> None:
    assert korean(nav, "navigation.navigate_to", destination="아틀란티스") == "아틀란티스를 찾지 못했습니다."
    assert korean(nav, "navigation.navigate_to", destination="서울").startswith("서울로 안내를 시작합니다. ")
    assert korean(nav, "navigation.navigate_to", destination="부산").startswith("부산으로 안내를 시작합니다. ")
    assert korean(nav, "navigation.navigate_to", destination="") == "어디로 갈까요?"
    assert korean(nav, "navigation.navigate_to", destination="there") == (
        "어느 곳인지 모르겠습니다. 먼저 장소를 찾아 달라고 말씀해 주세요."
    )
    assert korean(nav, "navigation.find_nearby", category="화산") == "화산은 검색할 수 없습니다."
    assert korean(nav, "navigation.cancel") == "진행 중인 경로 안내가 없습니다."


@pytest.fixture(scope="module")
def ko_stack() -> Iterator[Stack]:
    built = make_stack()
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(ko_stack: Stack) -> AsyncIterator[CockpitClient]:
    server, port = await start_server(ko_stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}") as connected:
            yield connected
    finally:
        await server.stop(grace_s=0)


async def test_a_korean_trip_through_grpc(client: CockpitClient, ko_stack: Stack) -> None:
    session = (await client.create_session("ko")).session_id

    async def say(text: str) -> tuple[list[str], str]:
        events = [e async for e in client.send_text(text, session)]
        return [e.type.value for e in events], str(events[-1].data["text"])

    kinds, said = await say("부산으로 안내해 줘")
    assert kinds == ACTED and said == "부산으로 안내를 시작합니다. 2010킬로미터, 약 40시간 13분 걸립니다."
    state = ko_stack.parts.service.vehicle_state()
    assert (state[vss.NAV_LATITUDE], state[vss.NAV_LONGITUDE]) == (
        pytest.approx(35.1017, abs=2e-4),
        pytest.approx(129.03, abs=2e-4),
    )
    assert await say("얼마나 남았어") == (["intent", "reply"], "부산까지 2010킬로미터, 약 40시간 13분 걸립니다.")
    assert await say("어디로 가고 있어") == (
        ["intent", "reply"],
        "목적지는 부산입니다. 남은 거리는 2010킬로미터입니다.",
    )
    kinds, said = await say("근처 주유소 찾아 줘")
    assert kinds == ["intent", "reply"] and re.fullmatch(r"가장 가까운 주유소는 .+입니다\. \S+ 떨어져 있습니다\.", said)
    assert await say("지금 속도 얼마야") == (["intent", "reply"], "차가 주차되어 있습니다.")
    assert await say("기어 뭐야") == (["intent", "reply"], "기어는 P, 주차 상태입니다.")
    kinds, said = await say("안내 취소해 줘")
    assert said == "경로 안내를 취소했습니다." and "action" in kinds
    assert ko_stack.parts.service.vehicle_state()[vss.NAV_GUIDANCE_ACTIVE] is False
    assert await say("안내 취소해 줘") == (["intent", "reply"], "진행 중인 경로 안내가 없습니다.")


def test_cli_korean_navigation_reply() -> None:
    events = cockpit_ask("--language", "ko", "부산으로 안내해 줘")
    assert [e["type"] for e in events] == ACTED
    assert events[-1]["text"] == "부산으로 안내를 시작합니다. 2010킬로미터, 약 40시간 13분 걸립니다."
