"""A stated change is not a stated state, in Korean too: "풍량을 20% 올렸어요." reports a change by
20 percent, it does not say the fan is at 20 percent; "온도를 2도 더 따뜻하게 했어요." claims a
change as surely as "온도를 2도 올렸어요." does.

The answer checker passes such a sentence when the turn confirmed a change of that function, and
replaces it ("차량 설정은 아무것도 바꾸지 않았습니다.") when it did not; a sentence that states a
value the car does not have is still replaced by the fact, in Korean. Temperature, fan speed, seat
heating and volume, through the checker API (pure, no model); the English counterpart is
:mod:`tests.test_llm_claim_deltas`.
"""

from __future__ import annotations

from collections.abc import Collection

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import vss
from cockpit.llm.claims import PHRASES, AnswerChecker, Checked
from cockpit.skill_api import SignalValue
from tests.test_llm_claims import PARKED

NOTHING_CHANGED_KO = PHRASES.say("ko", "nothing_changed")
CHANGED: dict[str, SignalValue] = {
    **PARKED,
    vss.DRIVER_TEMPERATURE: 23.0,
    vss.PASSENGER_TEMPERATURE: 22.0,
    vss.DRIVER_FAN_SPEED: 50,
    vss.DRIVER_SEAT_HEATING: 67,
    vss.MEDIA_VOLUME: 30,
}
"""Parked, after the turn's change: driver side 21 -> 23 degrees, fan 30 -> 50 percent, driver's seat
heating to level 2, volume 20 -> 30."""
TEMPERATURE = vss.DRIVER_TEMPERATURE
FAN = vss.DRIVER_FAN_SPEED
SEAT = vss.DRIVER_SEAT_HEATING
VOLUME = vss.MEDIA_VOLUME
EVERYTHING = {TEMPERATURE, FAN, SEAT, VOLUME}


def check(sentence: str, confirmed: Collection[str] = ()) -> Checked:
    return AnswerChecker(CHANGED, confirmed=confirmed, language="ko").check(sentence)


# --- a true change with its confirmed action passes --------------------------------------------

AMOUNT_CHANGES = [
    (FAN, "풍량을 20% 올렸어요."),
    (FAN, "풍량을 20퍼센트 더 올렸습니다."),
    (FAN, "바람 세기를 20프로 높였어요."),
    (FAN, "풍량을 20%만큼 늘렸습니다."),
    (FAN, "풍량이 20% 증가했습니다."),
    (SEAT, "운전석 열선을 1단계 올렸어요."),
    (SEAT, "시트 열선을 1단계 더 높였습니다."),
    (VOLUME, "볼륨을 10 올렸어요."),
    (VOLUME, "볼륨을 10만큼 올렸어요."),
    (VOLUME, "볼륨을 10퍼센트 키웠습니다."),
    (VOLUME, "음량을 10 정도 더 높였어요."),
    (VOLUME, "볼륨을 10씩 두 번 올렸어요."),
    (VOLUME, "볼륨이 10 커졌습니다."),
]
"""Each was replaced by the fact before (``contradicts-fan``, ``-seat-heating``, ``-volume``): its
amount was read as the fan speed, seat heating level or volume."""
RESULT_CHANGES = [
    (TEMPERATURE, "온도를 2도 더 따뜻하게 했어요."),
    (TEMPERATURE, "실내를 시원하게 만들었어요."),
    (TEMPERATURE, "온도를 조금 더 따뜻하게 했습니다."),
    (TEMPERATURE, "차 안을 2도 따뜻하게 해 드렸어요."),
    (TEMPERATURE, "차 안을 따뜻하게 만들어 드렸습니다."),
    (TEMPERATURE, "온도가 따뜻하게 되었습니다."),
    (FAN, "풍량을 20% 더 세게 했어요."),
    (FAN, "바람 세기를 약하게 해 두었어요."),
    (VOLUME, "볼륨을 조금 더 크게 했어요."),
    (VOLUME, "음량을 작게 했습니다."),
    (VOLUME, "볼륨을 10 더 크게 만들었어요."),
    (VOLUME, "소리를 조금 더 크게 했어요."),
]
""""-게 했 / -게 만들었 / -게 해 드렸": each passed before even with no action (no verb of a change seen)."""
OTHER_CHANGES = [
    (TEMPERATURE, "온도를 2도 올렸어요."),
    (TEMPERATURE, "온도를 2도 올려서 23도로 맞췄어요."),
    (SEAT, "시트 열선을 한 단계 올렸어요."),
    (FAN, "풍량을 20% 올려서 50%로 맞췄어요."),
    (VOLUME, "볼륨을 10 올려서 30으로 맞췄어요."),
    (FAN, "풍량을 30%에서 50%로 올렸어요."),
    (VOLUME, "볼륨을 20에서 30으로 올렸어요."),
]
"""Changes that state the value the car now has (the one they changed from is none)."""


@pytest.mark.parametrize(("signal", "sentence"), AMOUNT_CHANGES + RESULT_CHANGES + OTHER_CHANGES)
def test_a_korean_change_passes_with_its_confirmed_action(signal: str, sentence: str) -> None:
    assert check(sentence, confirmed={signal}) == Checked(sentence, False, "")


@pytest.mark.parametrize(("signal", "sentence"), AMOUNT_CHANGES + RESULT_CHANGES + OTHER_CHANGES)
def test_the_same_korean_change_without_its_action_is_replaced(signal: str, sentence: str) -> None:
    assert check(sentence) == Checked(NOTHING_CHANGED_KO, True, "claims-change")


@pytest.mark.parametrize(("signal", "sentence"), AMOUNT_CHANGES + RESULT_CHANGES)
def test_a_confirmed_action_of_another_function_does_not_cover_it(signal: str, sentence: str) -> None:
    other = vss.AC_ACTIVE
    assert check(sentence, confirmed={other}) == Checked(NOTHING_CHANGED_KO, True, "claims-change")


@pytest.mark.parametrize(
    "sentence",
    [
        "따뜻하게 만들어 드릴게요.",
        "실내를 시원하게 만들게요.",
        "볼륨을 조금 크게 해 드릴게요.",
        "온도를 2도 더 따뜻하게 하겠습니다.",
    ],
)
def test_a_korean_promise_of_a_result_is_replaced(sentence: str) -> None:
    assert check(sentence) == Checked(NOTHING_CHANGED_KO, True, "promises-action")


@pytest.mark.parametrize(
    "sentence",
    [
        "지금 실내를 따뜻하게 하고 있어요.",
        "실내를 시원하게 만듭니다.",
        "소리가 조용해졌습니다.",
        "바람 세기가 약해졌어요.",
        "차 안을 따뜻하게 합니다.",
    ],
)
def test_other_korean_forms_of_a_result_claim_a_change(sentence: str) -> None:
    assert check(sentence) == Checked(NOTHING_CHANGED_KO, True, "claims-change")


_FAN_OR_VOLUME = [
    (FAN, "풍량을 {n}0% 올렸어요."),
    (FAN, "바람 세기를 {n}0퍼센트 더 낮췄습니다."),
    (FAN, "풍량을 {n}0프로만큼 줄였어요."),
    (VOLUME, "볼륨을 {n} 올렸어요."),
    (VOLUME, "음량을 {n}만큼 낮췄습니다."),
    (VOLUME, "볼륨을 {n}퍼센트 더 크게 했어요."),
]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=100), st.integers(min_value=1, max_value=9), st.sampled_from(_FAN_OR_VOLUME))
def test_a_fan_or_volume_change_is_never_read_as_the_level(level: int, amount: int, change: tuple[str, str]) -> None:
    """Whatever the fan or the volume is at and however much the change was."""
    signal, template = change
    sentence = template.format(n=amount)
    state = {**CHANGED, FAN: level, VOLUME: level}
    assert AnswerChecker(state, confirmed={signal}, language="ko").check(sentence) == Checked(sentence, False, "")
    assert AnswerChecker(state, language="ko").check(sentence) == Checked(NOTHING_CHANGED_KO, True, "claims-change")


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=32, max_value=60).map(lambda half: half / 2),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(["따뜻하게", "시원하게", "차갑게", "높게", "낮게"]),
    st.sampled_from(["했어요.", "했습니다.", "만들었어요.", "해 드렸습니다.", "해 두었어요."]),
)
def test_a_temperature_made_warmer_is_a_change_never_the_temperature(
    cabin: float, amount: int, result: str, verb: str
) -> None:
    sentence = f"온도를 {amount}도 더 {result} {verb}"
    state = {**CHANGED, TEMPERATURE: cabin, vss.PASSENGER_TEMPERATURE: cabin}
    assert AnswerChecker(state, confirmed={TEMPERATURE}, language="ko").check(sentence) == Checked(sentence, False, "")
    assert AnswerChecker(state, language="ko").check(sentence) == Checked(NOTHING_CHANGED_KO, True, "claims-change")


# --- a wrong state is still the fact ------------------------------------------------------------

FAN_FACT = "바람 세기는 50퍼센트입니다."
VOLUME_FACT = "볼륨은 30퍼센트입니다."
TEMPERATURE_FACT = "운전석 온도는 23도, 조수석 온도는 22도로 설정되어 있습니다."


@pytest.mark.parametrize(
    ("sentence", "fact", "reason"),
    [
        ("풍량을 80%로 올렸어요.", FAN_FACT, "contradicts-fan"),
        ("풍량을 20% 올려서 80%로 맞췄어요.", FAN_FACT, "contradicts-fan"),
        ("바람 세기는 80퍼센트입니다.", FAN_FACT, "contradicts-fan"),
        ("시트 열선을 3단계로 올렸어요.", "시트 열선은 2단계입니다.", "contradicts-seat-heating"),
        ("볼륨을 60으로 올렸어요.", VOLUME_FACT, "contradicts-volume"),
        ("볼륨을 10 올려서 60으로 맞췄어요.", VOLUME_FACT, "contradicts-volume"),
        ("볼륨은 60입니다.", VOLUME_FACT, "contradicts-volume"),
        ("볼륨을 60퍼센트로 크게 했어요.", VOLUME_FACT, "contradicts-volume"),
        ("볼륨을 40에서 60으로 올렸어요.", VOLUME_FACT, "contradicts-volume"),
        ("온도를 2도 올려서 25도로 맞췄어요.", TEMPERATURE_FACT, "contradicts-temperature"),
        ("온도를 25도로 따뜻하게 맞췄어요.", TEMPERATURE_FACT, "contradicts-temperature"),
    ],
)
def test_a_wrong_value_is_replaced_by_the_fact_even_with_the_action(sentence: str, fact: str, reason: str) -> None:
    assert check(sentence, confirmed=EVERYTHING) == Checked(fact, True, reason)


@pytest.mark.parametrize(
    "sentence",
    [
        "볼륨은 30입니다.",
        "바람 세기는 50퍼센트입니다.",
        "시트 열선은 3단계까지 있습니다.",
        "에어컨은 실내를 시원하게 합니다.",
        "따뜻하게 하려면 히터를 켜세요.",
        "히터를 켜면 차 안을 따뜻하게 만들 수 있어요.",
        "온도를 따뜻하게 하지 않았어요.",
        "운전자가 온도를 따뜻하게 했습니다.",
        "볼륨은 1부터 100까지 조절할 수 있습니다.",
    ],
)
def test_true_states_descriptions_and_negations_pass(sentence: str) -> None:
    assert check(sentence) == Checked(sentence, False, "")
