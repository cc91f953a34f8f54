"""Numbers in Korean replies are read in Sino-Korean (issue 12, item 6): replies write digits, the
Korean voice gets words. The number reader is checked against the Korean number parser the
recogniser uses (any number read out parses back to itself), and against espeak-ng itself."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.hangul import particle
from cockpit.nlu.numbers_ko import parse_korean_number
from cockpit.tts.korean import MAX_READ, speakable_korean

UNITS = ("도", "퍼센트", "단계", "킬로미터", "")


@given(st.integers(min_value=0, max_value=MAX_READ), st.sampled_from(UNITS))
def test_a_whole_number_is_read_in_words_that_parse_back(number: int, unit: str) -> None:
    said = speakable_korean(f"볼륨을 {number}{unit}로")
    assert not re.search(r"\d", said)
    words = said.removeprefix("볼륨을 ").removesuffix(f"{unit}로")
    assert parse_korean_number(words) == number


@given(st.decimals(min_value=-99, max_value=999, places=1, allow_nan=False, allow_infinity=False))
def test_a_decimal_or_negative_number_keeps_its_point_and_sign(value: object) -> None:
    text = f"{value}"
    said = speakable_korean(f"온도 {text}도")
    assert not re.search(r"\d", said)
    parsed = parse_korean_number(said.removeprefix("온도 ").removesuffix("도"))
    assert parsed is not None and abs(parsed - float(text)) < 1e-9


@given(st.text(alphabet=st.characters().filter(lambda c: not c.isdecimal()), max_size=40))
def test_text_without_digits_is_left_alone_apart_from_unit_signs(text: str) -> None:
    if not re.search(r"%|°C|℃|km/h", text, re.IGNORECASE):
        assert speakable_korean(text) == text


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("온도를 21.5도로 맞췄습니다.", "온도를 이십일 점 오도로 맞췄습니다."),
        ("볼륨을 40퍼센트로 맞췄습니다.", "볼륨을 사십퍼센트로 맞췄습니다."),
        ("지금 속도는 시속 120킬로미터입니다.", "지금 속도는 시속 백이십킬로미터입니다."),
        ("50%", "오십퍼센트"),
        ("120 km/h", "백이십킬로미터"),
        ("영하 -5도", "영하 영하 오도"),  # what the reply wrote, read as written
        ("1,000원", "천원"),
        ("M83의 Midnight City", "M83의 Midnight City"),  # a name's digits are the voice's to read
        ("Jazz FM, 102.2 FM", "Jazz FM, 백이 점 이 FM"),
    ],
)
def test_reply_sentences_as_the_voice_gets_them(text: str, said: str) -> None:
    assert speakable_korean(text) == said


def _phonemes(text: str) -> str:
    done = subprocess.run(["espeak-ng", "-v", "ko", "-x", "-q", "--stdin"], input=text.encode(), capture_output=True)
    return done.stdout.decode()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is a system package (script/setup.sh)")
def test_espeak_ng_drops_a_decimal_point_that_the_words_keep() -> None:
    point = _phonemes("점").strip()
    assert point and point not in _phonemes("21.5도")  # why the reader exists: "이십일 오 도"
    assert point in _phonemes(speakable_korean("21.5도"))

    def sounds(text: str) -> str:  # the phonemes without stress, pause and word breaks
        return re.sub(r"_!|[',\s]", "", _phonemes(text))

    assert sounds(speakable_korean("22도 40퍼센트")) == sounds("22도 40퍼센트")  # whole numbers: read alike


def test_particles_follow_the_last_sound() -> None:
    assert [particle(w, "은", "는") for w in ("볼륨", "온도", "30", "2", "선루프")] == [
        "볼륨은",
        "온도는",
        "30은",
        "2는",
        "선루프는",
    ]
    assert particle("서울", "으로", "로") == "서울로" and particle("부산역", "으로", "로") == "부산역으로"
