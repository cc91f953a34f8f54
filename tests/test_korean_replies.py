"""Korean end to end (issue 12, item 6): in a Korean session every reply is Korean.

Through the real gRPC server, the real service and the simulated car (cruising at 120 km/h, so the
sunroof interlock applies) on a private virtual CAN bus, with golden event sequences: media
commands and questions (jazz asked for by its Korean name), a refusal from the interlock table, a
spoken command heard unsure and read back (a scripted recogniser stands in for Vosk, through
``Converse``), "아니" answering it, a feature this car lacks, and an undo with nothing to undo.
Each reply is checked for Hangul and for no English sentence, and the car for what it did.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from cockpit import vss
from cockpit.app import build_parts
from cockpit.asr.engines import AsrBackend
from cockpit.audio.format import FRAME_SAMPLES
from cockpit.backends import Backends
from cockpit.catalogue import IntentMatch
from cockpit.events import Event
from cockpit.hangul import has_hangul
from cockpit.llm import offers
from cockpit.llm.offers import offer_text
from cockpit.llm.responder import BUSY, LlmResponder
from cockpit.policy import Policy
from cockpit.server import start_server
from cockpit.server.client import CockpitClient
from cockpit.sessions import Session
from cockpit.settings import LlmSettings, load_settings
from cockpit.skill_api import SignalWrite, SkillContext
from cockpit.testing import FakeLanguageModel
from cockpit.testing.voice import LoudnessVad, ScriptedRecognizer, ScriptedWakeWord
from cockpit.voice.factory import VoiceBackends
from skills.media import MediaSkill
from skills.media.library import load_library
from skills.media.query import search
from tests.conftest import Stack, close_stack
from tests.support import eventually
from tests.test_llm_responder import _Recorder
from vehicle_contract.dbc import COCKPIT_DBC, DbcCodec

CODEC = DbcCodec.load(COCKPIT_DBC)
BODY_CMD = CODEC.frame_id("BODY_CMD")
HEARD = "에어컨 켜 줘"
"""What the scripted recogniser hears, unsure (confidence 0.45: read back, not acted on)."""
ENGLISH = re.compile(r"\b(?:the|is|are|you|I|I'm|Sorry|can't|couldn't|to|in|of|that|Playing|Volume|There's)\b")
"""Words an English sentence of the cockpit has; Korean replies hold none (titles aside)."""


def korean(text: str) -> bool:
    """Hangul, and no English sentence (a library title or artist may stay in Latin letters)."""
    return has_hangul(text) and ENGLISH.search(text) is None


def _voice() -> VoiceBackends:
    backends = VoiceBackends()
    backends.wake.register("scripted", lambda store, settings: lambda: ScriptedWakeWord([]))
    backends.vad.register("loudness", lambda store, settings: lambda: LoudnessVad())
    backends.asr.register(
        "scripted",
        AsrBackend(
            models=lambda store, language: ["scripted-asr"],
            # Every utterance is heard so (loading the stack may already run one through it).
            create=lambda engines, model, language: ScriptedRecognizer([(HEARD, 0.45)] * 20, language),
            installed=lambda store, name: True,
        ),
    )
    return backends


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The real stack, cruising at 120 km/h, with a scripted recogniser as its ears."""
    channel = f"korean-{uuid.uuid4().hex[:12]}"
    settings = load_settings(
        overrides={
            "can.channel": channel,
            "can.drive_profile": "steady:120",
            "llm.enabled": False,
            "server.turn_burst": 100,
            "voice.wake_backend": "scripted",
            "voice.vad_backend": "loudness",
            "voice.asr_engine": "scripted",
        },
        env={},
    )
    built = Stack(build_parts(settings, backends=Backends(voice=_voice())), BusTap(BusConfig("virtual", channel)))
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[CockpitClient]:
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        async with CockpitClient(f"127.0.0.1:{port}", timeout_s=60.0) as made:
            yield made
    finally:
        await server.stop(grace_s=0)


async def turn(client: CockpitClient, session: str, text: str) -> list[Event]:
    return [e async for e in client.send_text(text, session)]


def kinds(events: list[Event]) -> list[str]:
    return [e.type.value for e in events]


def reply(events: list[Event]) -> str:
    return str(events[-1].data["text"])


def confirmed(events: list[Event]) -> list[tuple[str, Any]]:
    return [
        (e.data["signal"], e.data["value"])
        for e in events
        if kinds([e]) == ["action"] and e.data["status"] == "confirmed"
    ]


async def test_jazz_by_its_korean_name_volume_and_what_is_playing(stack: Stack, client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    jazz = await turn(client, sid, "재즈 틀어 줘")
    assert kinds(jazz) == ["intent", "policy", "action", "action", "action", "action", "state", "state", "reply"]
    assert jazz[0].data["intent"] == "media.play" and jazz[0].data["slots"] == {"query": "재즈"}
    assert confirmed(jazz) == [(vss.MEDIA_SELECTED_URI, "media:track:1"), (vss.MEDIA_ACTION, "PLAY")]
    assert reply(jazz) == "재즈 재생을 시작합니다. 첫 곡은 Miles Davis의 So What입니다."
    volume = await turn(client, sid, "볼륨 삼십으로 해 줘")
    assert kinds(volume) == ["intent", "policy", "action", "action", "state", "reply"]
    assert confirmed(volume) == [(vss.MEDIA_VOLUME, 30)]
    assert reply(volume) == "볼륨을 30퍼센트로 맞췄습니다."
    await eventually(lambda: stack.parts.service.vehicle_state().get(vss.MEDIA_PLAYED_URI) == "media:track:1")
    playing = await turn(client, sid, "지금 나오는 노래 뭐야")
    assert kinds(playing) == ["intent", "reply"]
    assert reply(playing) == "지금 Miles Davis의 So What 재생 중입니다."
    asked = await turn(client, sid, "볼륨 얼마야")
    assert reply(asked) == "볼륨은 30퍼센트입니다."
    undone = await turn(client, sid, "되돌려 줘")  # the volume before "30" (the car's default)
    assert kinds(undone) == ["intent", "policy", "action", "action", "state", "reply"]
    before = confirmed(undone)[0][1]
    assert reply(undone) == f"원래대로 되돌렸습니다: 볼륨 {before:g}퍼센트."
    assert stack.parts.service.vehicle_state()[vss.MEDIA_VOLUME] == before
    for events in (jazz, volume, playing, asked, undone):
        assert korean(reply(events)), reply(events)
    await client.close_session(sid)


async def test_a_genre_the_library_lacks_is_said_in_korean(client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    missing = await turn(client, sid, "트로트 틀어 줘")
    assert kinds(missing) == ["intent", "policy", "reply"] and missing[1].data["decision"] == "refused"
    assert reply(missing) == "라이브러리에 트로트에 맞는 항목이 없습니다."
    await client.close_session(sid)


async def test_the_sunroof_at_120_is_refused_in_korean_and_nothing_is_sent(stack: Stack, client: CockpitClient) -> None:
    await eventually(lambda: stack.parts.service.vehicle_state().get(vss.SPEED) == 120.0, timeout=10)
    stack.tap.clear()
    sid = (await client.create_session("ko")).session_id
    refused = await turn(client, sid, "선루프 열어 줘")
    assert kinds(refused) == ["intent", "policy", "reply"]
    assert refused[1].data["decision"] == "refused" and refused[1].data["reason"] == reply(refused)
    assert reply(refused) == "시속 80킬로미터가 넘으면 선루프를 열 수 없습니다. 지금 속도는 시속 120킬로미터입니다."
    assert korean(reply(refused))
    await asyncio.sleep(0.3)  # a frame, had one been sent, would be on the bus by now
    assert stack.tap.frames(BODY_CMD) == []
    assert stack.parts.service.vehicle_state()[vss.SUNROOF_POSITION] == 0
    await client.close_session(sid)


async def _spoken(client: CockpitClient, session: str) -> list[Event]:
    """One push-to-talk utterance through ``Converse``: quiet, speech, quiet."""
    quiet = np.zeros(FRAME_SAMPLES, dtype=np.int16).tobytes()
    loud = (np.sin(np.arange(FRAME_SAMPLES) / 3.0) * 8000).astype(np.int16).tobytes()

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in [quiet] * 4 + [loud] * 10 + [quiet] * 20:
            yield chunk

    return [e async for e in client.converse(chunks(), session, push_to_talk=True)]


async def test_an_unsure_spoken_command_is_read_back_in_korean_and_aniyo_does_nothing(
    stack: Stack, client: CockpitClient
) -> None:
    sid = (await client.create_session("ko")).session_id
    ac_before = stack.parts.service.vehicle_state().get(vss.AC_ACTIVE)
    asked = [e for e in await _spoken(client, sid) if not (kinds([e]) == ["transcript"] and not e.data["final"])]
    assert kinds(asked) == ["speech_start", "speech_end", "transcript", "intent", "policy", "reply"]
    assert asked[2].data["text"] == HEARD and asked[3].data["intent"] == "climate.set_ac"
    assert asked[4].data["decision"] == "needs_confirmation"
    assert reply(asked) == f"{HEARD}, 이렇게 말씀하셨나요?"
    no = await turn(client, sid, "아니")
    assert kinds(no) == ["reply"] and reply(no) == "알겠습니다. 하지 않을게요."
    assert korean(reply(asked)) and korean(reply(no))
    assert stack.parts.service.vehicle_state().get(vss.AC_ACTIVE) == ac_before
    await client.close_session(sid)


async def test_a_feature_this_car_lacks_and_an_undo_with_nothing_to_undo(client: CockpitClient) -> None:
    sid = (await client.create_session("ko")).session_id
    trunk = await turn(client, sid, "트렁크 열어 줘")
    assert kinds(trunk) == ["policy", "reply"] and trunk[0].data["decision"] == "refused"
    assert reply(trunk) == "죄송합니다. 이 차에서는 트렁크 기능을 도와드릴 수 없습니다."
    undo = await turn(client, sid, "되돌려 줘")
    assert kinds(undo) == ["intent", "reply"] and undo[0].data["intent"] == "vehicle.undo"
    assert reply(undo) == "되돌릴 것이 없습니다."
    chat = await turn(client, sid, "오늘 기분이 어때")  # no language model in this stack
    assert reply(chat) == "죄송합니다. 그건 아직 도와드릴 수 없습니다. 공조, 내비게이션, 미디어는 조작할 수 있습니다."
    for events in (trunk, undo, chat):
        assert korean(reply(events)), reply(events)
    await client.close_session(sid)


async def test_the_same_turns_in_english_keep_their_english_replies(client: CockpitClient) -> None:
    sid = (await client.create_session("en")).session_id
    assert reply(await turn(client, sid, "undo")) == "There's nothing to undo."
    assert reply(await turn(client, sid, "open the trunk")) == "Sorry, I can't help with trunk in this car."
    await client.close_session(sid)


# --- the fixed replies and questions outside a skill, in Korean ------------------------------


async def test_a_korean_question_beyond_the_queue_limit_is_told_in_korean() -> None:
    class Gated(FakeLanguageModel):
        def __init__(self) -> None:
            super().__init__(default="파리는 프랑스의 수도입니다.")
            self.gate, self.started = threading.Event(), 0

        def _generate(self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event) -> Any:
            self.started += 1
            while not self.gate.wait(0.01):
                if cancel.is_set():
                    return
            yield from super()._generate(prompt, max_tokens, grammar, cancel)

    model = Gated()
    dialogue = LlmResponder(lambda: model, LlmSettings(max_queue=1), nice=0)
    await dialogue.ready()
    asking = asyncio.create_task(dialogue.respond("프랑스 수도가 어디야", Session("a", language="ko"), {}, _Recorder()))
    await eventually(lambda: model.started == 1, timeout=10.0)
    busy = await dialogue.respond("스페인은", Session("b", language="ko"), {}, _Recorder())
    english = await dialogue.respond("and spain?", Session("c"), {}, _Recorder())
    model.gate.set()
    await asking
    dialogue.close()
    assert busy.reply == "아직 다른 질문에 답하고 있습니다. 잠시 후에 다시 물어봐 주세요."
    assert english.reply == BUSY


@pytest.mark.parametrize(
    ("intent", "slots", "said"),
    [
        ("climate.set_ac", {"on": True}, "에어컨을 켤까요?"),
        ("media.play", {"query": "재즈"}, "재즈를 재생할까요?"),
        ("media.set_volume", {"percent": 30}, "볼륨을 30퍼센트로 맞출까요?"),
        ("navigation.navigate_to", {"destination": "서울역"}, "서울역으로 안내할까요?"),
        ("climate.set_temperature", {"celsius": 22, "zone": "passenger"}, "조수석 온도를 22도로 맞출까요?"),
        ("body.set_window", {"window": "driver", "position": 50}, "운전석 창문을 50퍼센트 열까요?"),
        ("body.set_sunroof", {"position": 0}, "선루프를 닫을까요?"),
        ("media.set_volume", {}, "그렇게 할까요?"),  # no number: no guess at one
    ],
)
def test_offers_are_asked_in_korean(intent: str, slots: dict[str, Any], said: str) -> None:
    match = IntentMatch(intent, slots)
    assert offer_text(match, "ko") == said
    assert offer_text(match).startswith("Do you want me to ")


def test_every_offer_has_a_korean_question() -> None:
    assert set(offers._OFFERS_KO) == set(offers._OFFERS)


@pytest.mark.parametrize(
    ("signal", "value", "said"),
    [
        (vss.MEDIA_VOLUME, 150, "볼륨은 0퍼센트에서 100퍼센트 사이로만 설정할 수 있습니다."),
        (vss.DRIVER_TEMPERATURE, 40, "온도는 16도에서 30도 사이로만 설정할 수 있습니다."),
        (vss.DRIVER_TEMPERATURE, 21.3, "온도는 0.5도 단위로 설정할 수 있습니다."),
        (vss.AC_ACTIVE, 1, "그 설정은 켜거나 끄는 것만 할 수 있습니다."),
        (vss.MEDIA_VOLUME, 95, "95퍼센트는 아주 큰 소리입니다. 그대로 할까요?"),
    ],
)
def test_policy_reasons_are_said_in_korean(signal: str, value: Any, said: str) -> None:
    result = Policy().check_write(SignalWrite(signal, value), {}, "driver", "ko")
    assert result.reason == said and korean(result.reason)
    assert not has_hangul(Policy().check_write(SignalWrite(signal, value), {}).reason)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("재즈", "So What by Miles Davis"),
        ("재즈를", "So What by Miles Davis"),  # a particle left on the name
        ("힙합", "Lose Yourself by Eminem"),
        ("잔잔한", "Moonlight Sonata by Ludwig van Beethoven"),  # a mood names its genre
        ("재즈 라디오", "Jazz FM on 102.2 FM"),
        ("교통 정보", "Traffic Radio on 106.7 FM"),
        ("뉴스 팟캐스트", "the podcast The Daily Brief"),
        ("라디오", "Jazz FM on 102.2 FM"),
    ],
)
def test_korean_genre_and_mood_names_find_the_genre(query: str, found: str) -> None:
    result = search(load_library(), query)
    assert result is not None and result.item.spoken() == found


def test_korean_transport_volume_and_mute_replies() -> None:
    skill = MediaSkill()
    context = SkillContext({vss.MEDIA_VOLUME: 100}, {}, "ko")

    def done(intent: str, **slots: Any) -> str:
        plan = skill.plan(IntentMatch(intent, slots), context)
        return plan.refusal or plan.done

    assert [done(i) for i in ("media.pause", "media.resume", "media.next_track", "media.previous_track")] == [
        "일시 정지했습니다.",
        "다시 재생합니다.",
        "다음 곡으로 넘깁니다.",
        "이전 곡으로 돌아갑니다.",
    ]
    assert done("media.adjust_volume", delta_percent=10) == "볼륨이 이미 최대입니다."
    assert done("media.adjust_volume", delta_percent=-20) == "볼륨을 80퍼센트로 내렸습니다."
    assert done("media.mute", on=True) == "음소거했습니다." and done("media.mute") == "음소거할까요, 아니면 해제할까요?"
    assert done("media.set_volume") == "볼륨을 몇 퍼센트로 할까요?"
