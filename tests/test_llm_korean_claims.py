"""The answer checker reads Korean: a Korean sentence that claims a change the turn did not make is
replaced, a Korean statement of the car's state that contradicts the facts becomes the fact, and
the facts are said in the turn's language and the driver's units. Pure, no model.

The cars are those of :mod:`tests.test_llm_claims`: parked in P at 21 degrees with the A/C and
both defrosters off, and driving at 48 km/h at 22 degrees with the A/C on and "Yellow" playing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.llm.claims import PHRASES, AnswerChecker, Checked
from cockpit.llm.offers import offer_text, wanted_action
from cockpit.nlu import TemplateIntentRecognizer
from cockpit.skill_api import SignalValue
from tests.test_korean_replies import korean
from tests.test_llm_claims import CARS, DRIVING, OFFERS, PARKED

NOTHING_CHANGED_KO = PHRASES.say("ko", "nothing_changed")


def check(sentence: str, car: str = "parked", *, language: str = "ko", **kwargs: Any) -> Checked:
    state, memory = CARS[car]
    return AnswerChecker(state, memory=memory, language=language, **kwargs).check(sentence)


# --- claims of a change, for every function the English rules cover -----------------------------

CLAIMS: list[tuple[str, tuple[str, ...], dict[str, SignalValue]]] = [
    # (claim, the signals a confirmed action of it writes, the state after it)
    ("뒷유리 열선을 켰습니다.", (vss.REAR_DEFROSTER_ACTIVE,), {vss.REAR_DEFROSTER_ACTIVE: True}),
    ("뒷 유리 성에 제거를 켰어요.", (vss.REAR_DEFROSTER_ACTIVE,), {vss.REAR_DEFROSTER_ACTIVE: True}),
    ("앞 유리 성에 제거를 껐습니다.", (vss.FRONT_DEFROSTER_ACTIVE,), {vss.FRONT_DEFROSTER_ACTIVE: False}),
    ("앞유리 김서림 제거를 켜 드렸어요.", (vss.FRONT_DEFROSTER_ACTIVE,), {vss.FRONT_DEFROSTER_ACTIVE: True}),
    ("에어컨을 켰어요.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("에어컨을 틀었습니다.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("내기 순환을 껐습니다.", (vss.RECIRCULATION_ACTIVE,), {vss.RECIRCULATION_ACTIVE: False}),
    ("내기 순환 모드로 바꿨어요.", (vss.RECIRCULATION_ACTIVE,), {vss.RECIRCULATION_ACTIVE: True}),
    ("바람 세기를 100퍼센트로 올렸습니다.", (vss.DRIVER_FAN_SPEED,), {vss.DRIVER_FAN_SPEED: 100}),
    ("풍량을 낮췄어요.", (vss.DRIVER_FAN_SPEED,), {vss.DRIVER_FAN_SPEED: 20}),
    ("온도를 22도로 설정했습니다.", (vss.DRIVER_TEMPERATURE,), {vss.DRIVER_TEMPERATURE: 22.0}),
    ("온도를 2도 올렸어요.", (vss.DRIVER_TEMPERATURE,), {vss.DRIVER_TEMPERATURE: 23.0}),
    ("운전석 열선을 2단계로 맞췄습니다.", (vss.DRIVER_SEAT_HEATING,), {vss.DRIVER_SEAT_HEATING: 67}),
    ("시트 열선을 켰어요.", (vss.DRIVER_SEAT_HEATING,), {vss.DRIVER_SEAT_HEATING: 33}),
    ("볼륨을 40퍼센트로 높였어요.", (vss.MEDIA_VOLUME,), {vss.MEDIA_VOLUME: 40}),
    ("볼륨을 내렸습니다.", (vss.MEDIA_VOLUME,), {vss.MEDIA_VOLUME: 10}),
    ("음소거했습니다.", (vss.MEDIA_MUTED,), {vss.MEDIA_MUTED: True}),
    ("재즈를 재생합니다.", (vss.MEDIA_ACTION,), {vss.MEDIA_ACTION: "PLAY"}),
    ("음악을 일시 정지했습니다.", (vss.MEDIA_ACTION,), {vss.MEDIA_ACTION: "PAUSE"}),
    ("다음 곡으로 넘겼습니다.", (vss.MEDIA_ACTION,), {vss.MEDIA_ACTION: "PLAY"}),
    ("파리로 안내를 시작합니다.", (vss.NAV_GUIDANCE_ACTIVE,), {vss.NAV_GUIDANCE_ACTIVE: True}),
    ("경로 안내를 취소했습니다.", (vss.NAV_GUIDANCE_ACTIVE,), {vss.NAV_GUIDANCE_ACTIVE: False}),
    ("방금 바꾼 것을 되돌렸습니다.", (vss.AC_ACTIVE,), {}),
    ("완료했습니다.", (vss.AC_ACTIVE,), {}),
    ("네, 뒷유리 열선을 켜 드릴게요.", (vss.REAR_DEFROSTER_ACTIVE,), {vss.REAR_DEFROSTER_ACTIVE: True}),
    ("에어컨을 켜겠습니다.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("지금 에어컨을 켜고 있어요.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("에어컨이 켜졌습니다.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("이제 에어컨이 켜져 있습니다.", (vss.AC_ACTIVE,), {vss.AC_ACTIVE: True}),
    ("온도가 22도로 변경되었습니다.", (vss.DRIVER_TEMPERATURE,), {vss.DRIVER_TEMPERATURE: 22.0}),
]


@pytest.mark.parametrize(("claim", "signals", "after"), CLAIMS)
def test_a_korean_claim_without_its_confirmed_action_is_replaced(
    claim: str, signals: tuple[str, ...], after: dict[str, SignalValue]
) -> None:
    for car in CARS:
        checked = check(claim, car)
        assert checked.replaced and checked.reason in ("claims-change", "promises-action"), (car, checked)
        assert checked.text == NOTHING_CHANGED_KO and korean(checked.text)


@pytest.mark.parametrize(("claim", "signals", "after"), CLAIMS)
def test_a_korean_claim_with_its_confirmed_action_passes(
    claim: str, signals: tuple[str, ...], after: dict[str, SignalValue]
) -> None:
    for state in (PARKED, DRIVING):
        checker = AnswerChecker({**state, **after}, confirmed=set(signals), language="ko")
        assert checker.check(claim) == Checked(claim, False, ""), state


@pytest.mark.parametrize(("claim", "signals", "after"), [c for c in CLAIMS if c[1] != (vss.AC_ACTIVE,)])
def test_a_confirmed_action_of_another_function_does_not_cover_a_claim(
    claim: str, signals: tuple[str, ...], after: dict[str, SignalValue]
) -> None:
    if "완료" in claim or "되돌렸" in claim:
        pytest.skip("names no function: any confirmed action covers it")
    checked = AnswerChecker({**PARKED, **after}, confirmed={vss.AC_ACTIVE}, language="ko").check(claim)
    assert checked.replaced, claim


@pytest.mark.parametrize(
    "claim",
    [
        "음소거해 드릴게요.",
        "뒷유리 열선 켜기 완료!",
        "에어컨 켬.",
        "소리가 커졌습니다.",
        "뒷유리 열선을 켜 두었습니다.",
        "뒷유리 열선을 작동시켰습니다.",
        "뒷유리 열선이 활성화되었습니다.",
        "22도로 설정해 드릴게요.",
        "설정이 완료되었습니다.",
        "요청하신 대로 처리했습니다.",
        "알겠습니다, 뒷유리 열선을 켭니다.",
        "A/C를 켰습니다.",
        "지금 켰어요.",
    ],
)
def test_more_ways_of_saying_a_change_in_korean_are_replaced(claim: str) -> None:
    for car in CARS:
        assert check(claim, car).text == NOTHING_CHANGED_KO, car


def test_a_korean_claim_becomes_the_korean_offer() -> None:
    offer = offer_text(IntentMatch("climate.set_defrost", {"window": "rear", "on": True}), "ko")
    assert offer == "뒷유리 열선을 켤까요?"
    assert check("뒷유리 열선을 켰습니다.", offer=offer) == Checked(offer, True, "claims-change")


def test_a_confirmed_claim_with_the_wrong_value_becomes_the_fact() -> None:
    warm = {**PARKED, vss.DRIVER_TEMPERATURE: 22.0, vss.PASSENGER_TEMPERATURE: 22.0}
    checked = AnswerChecker(warm, confirmed={vss.DRIVER_TEMPERATURE}, language="ko").check(
        "온도를 25도로 설정했습니다."
    )
    assert checked == Checked("온도는 양쪽 모두 22도로 설정되어 있습니다.", True, "contradicts-temperature")


@pytest.mark.parametrize(
    "claim", ["핸들 열선을 켰습니다.", "창문을 열었습니다.", "선루프가 열려 있습니다.", "트렁크를 닫았어요."]
)
def test_a_function_this_car_cannot_control_is_never_claimed(claim: str) -> None:
    checked = AnswerChecker(PARKED, confirmed={vss.AC_ACTIVE}, language="ko").check(claim)
    assert checked == Checked(NOTHING_CHANGED_KO, True, "unsupported-function")


# --- statements of the state: replaced by the fact, in Korean, in each car -----------------------


@pytest.mark.parametrize(
    ("answer", "parked", "driving"),
    [
        ("지금 시속 80킬로미터로 달리고 있어요.", "차가 주차되어 있습니다.", "지금 시속 48킬로미터로 달리고 있습니다."),
        ("시속 48킬로미터로 주행 중입니다.", "차가 주차되어 있습니다.", None),
        ("차가 주차되어 있습니다.", None, "지금 시속 48킬로미터로 달리고 있습니다."),
        ("차가 움직이고 있습니다.", "차가 주차되어 있습니다.", None),
        ("차가 움직이기 시작했습니다.", "차가 주차되어 있습니다.", None),
        ("뒷유리 열선이 작동 중입니다.", "뒷 유리 성에 제거가 꺼져 있습니다.", NOTHING_CHANGED_KO),
        ("시속 팔십 킬로미터로 달리고 있습니다.", "차가 주차되어 있습니다.", "지금 시속 48킬로미터로 달리고 있습니다."),
        ("기어는 D입니다.", "기어는 P, 주차 상태입니다.", None),
        ("후진 기어에 있어요.", "기어는 P, 주차 상태입니다.", "기어는 D, 주행 상태입니다."),
        (
            "온도는 25도로 설정되어 있습니다.",
            "온도는 양쪽 모두 21도로 설정되어 있습니다.",
            "온도는 양쪽 모두 22도로 설정되어 있습니다.",
        ),
        ("실내 온도는 21도입니다.", None, "온도는 양쪽 모두 22도로 설정되어 있습니다."),
        ("에어컨이 켜져 있습니다.", "에어컨이 꺼져 있습니다.", None),
        ("에어컨이 꺼져 있습니다.", None, "에어컨이 켜져 있습니다."),
        ("에어컨은 작동하고 있지 않습니다.", None, "에어컨이 켜져 있습니다."),
        ("뒷유리 열선이 켜져 있습니다.", "뒷 유리 성에 제거가 꺼져 있습니다.", NOTHING_CHANGED_KO),
        ("앞 유리 성에 제거가 꺼져 있습니다.", None, None),
        ("바람 세기는 100퍼센트입니다.", "바람 세기는 30퍼센트입니다.", NOTHING_CHANGED_KO),
        ("볼륨은 80입니다.", "볼륨은 20퍼센트입니다.", "볼륨은 35퍼센트입니다."),
        ("음소거 상태입니다.", NOTHING_CHANGED_KO, "음소거 상태가 아닙니다."),
        ("지금은 재생 중인 것이 없습니다.", None, '지금 "Coldplay"의 "Yellow" 재생 중입니다.'),
        ("설정된 목적지가 없습니다.", None, '목적지는 "Paris"입니다.'),
    ],
)
def test_a_korean_statement_is_checked_against_the_facts(answer: str, parked: str | None, driving: str | None) -> None:
    for car, fact in (("parked", parked), ("driving", driving)):
        checked = check(answer, car)
        if fact is None:
            assert checked == Checked(answer, False, ""), car
        else:
            assert checked.replaced and checked.text == fact, (car, checked)
            assert korean(checked.text.replace('"Coldplay"', "").replace('"Yellow"', "").replace('"Paris"', ""))


@pytest.mark.parametrize(
    "answer",
    [
        "물은 100도에서 끓습니다.",
        "고속도로 제한 속도는 시속 100킬로미터입니다.",
        "오늘 서울의 기온은 30도입니다.",
        "뒷유리 열선은 유리를 데워 성에를 제거합니다.",
        "에어컨을 켜면 실내가 시원해집니다.",
        "내기 순환은 바깥 공기가 들어오지 않게 막아 줍니다.",
        "에어컨을 켰을 때는 창문을 닫는 것이 좋습니다.",
        "뒷유리 열선은 뒷유리의 성에를 제거하는 기능입니다.",
        "시트 열선은 3단계까지 있습니다.",
        "차량 설정은 아무것도 바꾸지 않았습니다.",
        "에어컨은 안 켰어요.",
        "이 차에는 핸들 열선이 없습니다.",
        "운전자가 에어컨을 켰습니다.",
        "뒷유리 열선을 켤까요?",
        "에어컨을 켜 드릴까요?",
        "에어컨을 켤 수 있어요.",
        "안녕하세요, 무엇을 도와드릴까요?",
        "세종대왕은 한글을 만들었습니다.",
        "네, 말씀하신 대로 설명해 드릴게요.",
        "에어컨이 자동으로 켜집니다.",
        "뒷유리 열선은 전원을 켜면 작동합니다.",
    ],
)
def test_korean_descriptions_negations_and_questions_pass(answer: str) -> None:
    for car in CARS:
        assert check(answer, car) == Checked(answer, False, ""), car


def test_every_korean_offer_passes_the_checker() -> None:
    for intent, cases in OFFERS.items():
        for slots, _ in cases:
            offer = offer_text(IntentMatch(intent, slots), "ko")
            assert check(offer, "driving") == Checked(offer, False, ""), offer


def test_an_english_answer_in_a_korean_turn_is_corrected_in_korean() -> None:
    assert check("I'm driving at 80 km/h.", question="how fast am I going").text == "차가 주차되어 있습니다."
    assert check("The A/C is on.").text == "에어컨이 꺼져 있습니다."
    assert check("I've turned on the rear defroster.").text == NOTHING_CHANGED_KO


def test_a_temperature_per_side_is_said_per_side() -> None:
    state = {**PARKED, vss.PASSENGER_TEMPERATURE: 24.0}
    checked = AnswerChecker(state, language="ko").check("운전석 온도는 24도입니다.")
    assert checked.text == "운전석 온도는 21도, 조수석 온도는 24도로 설정되어 있습니다."
    assert not AnswerChecker(state, language="ko").check("조수석 온도는 24도입니다.").replaced


def test_one_korean_answer_is_revised_sentence_by_sentence() -> None:
    answer = "뒷유리 열선은 뒷유리의 성에를 제거합니다. 지금 켰어요. 뒷유리 열선이 켜졌습니다."
    expected = f"뒷유리 열선은 뒷유리의 성에를 제거합니다. {NOTHING_CHANGED_KO}"
    assert AnswerChecker(PARKED, language="ko").revise(answer) == expected


# --- Korean requests phrased as questions get the offer -------------------------------------------


@pytest.fixture(scope="module")
def recognizer() -> TemplateIntentRecognizer:
    return TemplateIntentRecognizer.from_paths()


@pytest.mark.parametrize(
    ("question", "offer"),
    [
        ("뒷유리 열선 켜 줄 수 있어?", "뒷유리 열선을 켤까요?"),
        ("뒷유리 열선 좀 켜 주실 수 있나요?", "뒷유리 열선을 켤까요?"),
        ("에어컨 켤 수 있어?", "에어컨을 켤까요?"),
        ("에어컨 꺼도 돼?", "에어컨을 끌까요?"),
        ("앞유리 성에 제거 켜 주시겠어요?", "앞유리 성에 제거를 켤까요?"),
        ("온도를 22도로 맞춰 줄 수 있어?", "온도를 22도로 맞출까요?"),
        ("볼륨 좀 올려 줄 수 있어?", "볼륨을 올릴까요?"),
        ("재즈 틀어 줄 수 있어?", "재즈를 재생할까요?"),
        ("음소거해 줄 수 있어?", "음소거할까요?"),
        ("다음 곡으로 넘겨 줄래?", "다음 곡으로 넘길까요?"),
        ("내기 순환 켜 줘는 무슨 뜻이야?", "내기 순환을 켤까요?"),
        ("뒷유리 열선 켜기는 무슨 뜻이야?", "뒷유리 열선을 켤까요?"),
    ],
)
def test_a_korean_question_shaped_request_gets_the_offer(
    recognizer: TemplateIntentRecognizer, question: str, offer: str
) -> None:
    found = wanted_action(question, lambda text: recognizer.recognize(text, "ko"))
    assert found is not None and offer_text(found, "ko") == offer


@pytest.mark.parametrize(
    "question", ["뒷유리 열선은 어떻게 작동해?", "지금 몇 시야?", "기어 뭐야?", "핸들 열선 켜 줄 수 있어?"]
)
def test_a_korean_question_without_an_action_gets_no_offer(recognizer: TemplateIntentRecognizer, question: str) -> None:
    assert wanted_action(question, lambda text: recognizer.recognize(text, "ko")) is None


# --- the driver's units ----------------------------------------------------------------------------


def imperial(state: Mapping[str, SignalValue], language: str) -> AnswerChecker:
    return AnswerChecker(state, language=language, units="imperial")


def test_an_imperial_driver_hears_the_speed_in_mph() -> None:
    assert imperial(DRIVING, "en").check("You're driving at 80 km/h.").text == "You're driving at 30 mph."
    assert (
        imperial(DRIVING, "ko").check("지금 시속 80킬로미터로 달리고 있어요.").text
        == "지금 시속 30마일로 달리고 있습니다."
    )
    assert not imperial(DRIVING, "en").check("You're going about 30 mph.").replaced
    assert not imperial(DRIVING, "ko").check("시속 30마일로 달리고 있어요.").replaced
    # A metric driver still hears km/h.
    assert check("You're driving at 80 km/h.", "driving", language="en").text == "You're driving at 48 km/h."


def test_an_imperial_driver_hears_the_temperature_in_fahrenheit() -> None:
    assert imperial(PARKED, "en").check("The cabin is set to 25 degrees.").text == (
        "The cabin is set to 70 degrees Fahrenheit."
    )
    assert imperial(PARKED, "ko").check("온도는 25도로 설정되어 있습니다.").text == (
        "온도는 양쪽 모두 화씨 70도로 설정되어 있습니다."
    )
    sides = {**PARKED, vss.PASSENGER_TEMPERATURE: 24.0}
    assert imperial(sides, "ko").check("운전석 온도는 24도입니다.").text == (
        "운전석 온도는 화씨 70도, 조수석 온도는 화씨 75도로 설정되어 있습니다."
    )
    assert imperial(sides, "en").check("The driver side is set to 24 degrees.").text == (
        "The cabin is set to 70 degrees Fahrenheit on the driver side and 75 degrees Fahrenheit on the passenger side."
    )


def test_a_bare_number_of_degrees_is_read_in_the_drivers_units() -> None:
    assert not imperial(PARKED, "en").check("The cabin is set to 70 degrees.").replaced
    assert not imperial(PARKED, "ko").check("온도는 70도로 설정되어 있습니다.").replaced
    assert not imperial(PARKED, "ko").check("온도는 화씨 70도로 설정되어 있습니다.").replaced
    assert check("온도는 70도로 설정되어 있습니다.").reason == "contradicts-temperature"
    assert check("온도는 화씨 70도로 설정되어 있습니다.") == Checked("온도는 화씨 70도로 설정되어 있습니다.", False, "")


# --- the claim pattern: nothing that matches it passes without its confirmed action --------------

OBJECTS: list[tuple[str, tuple[str, ...]]] = [
    ("뒷유리 열선을", (vss.REAR_DEFROSTER_ACTIVE,)),
    ("뒷 유리 성에 제거를", (vss.REAR_DEFROSTER_ACTIVE,)),
    ("앞유리 성에 제거를", (vss.FRONT_DEFROSTER_ACTIVE,)),
    ("에어컨을", (vss.AC_ACTIVE,)),
    ("내기 순환을", (vss.RECIRCULATION_ACTIVE,)),
    ("바람 세기를", (vss.DRIVER_FAN_SPEED,)),
    ("풍량을", (vss.DRIVER_FAN_SPEED,)),
    ("온도를", (vss.DRIVER_TEMPERATURE,)),
    ("운전석 열선을", (vss.DRIVER_SEAT_HEATING,)),
    ("볼륨을", (vss.MEDIA_VOLUME,)),
    ("음악을", (vss.MEDIA_ACTION,)),
    ("경로 안내를", (vss.NAV_GUIDANCE_ACTIVE,)),
]
LEADS = ["", "네, ", "좋아요! ", "지금 ", "방금 ", "제가 ", "알겠어요, 바로 "]
DONE = ["켰", "껐", "틀었", "바꿨", "맞췄", "올렸", "내렸", "높였", "낮췄", "줄였", "설정했", "변경했", "조정했",
        "조절했", "활성화했", "비활성화했", "시작했", "재생했", "중지했", "취소했", "켜 드렸", "꺼 드렸", "바꿔 놓았",
        "설정해 드렸"]  # fmt: skip
ENDINGS = ["습니다.", "어요.", "습니다!", "어요~", "습니다"]
PROMISES = ["켜 드릴게요.", "꺼 드리겠습니다.", "켤게요.", "설정하겠습니다.", "바꿔 드릴게요.", "올려 드릴 수 있어요."]

claims = st.builds(
    lambda lead, obj, verb, ending: (f"{lead}{obj[0]} {verb}{ending}", obj[1]),
    st.sampled_from(LEADS),
    st.sampled_from(OBJECTS),
    st.sampled_from(DONE),
    st.sampled_from(ENDINGS),
) | st.builds(
    lambda lead, obj, promise: (f"{lead}{obj[0]} {promise}", obj[1]),
    st.sampled_from(LEADS),
    st.sampled_from(OBJECTS),
    st.sampled_from(PROMISES),
)


@settings(max_examples=300, deadline=None)
@given(claims, st.sampled_from(sorted(CARS)), st.sampled_from([(), (vss.MEDIA_MUTED,)]))
def test_no_korean_claim_passes_without_its_confirmed_action(
    claim: tuple[str, tuple[str, ...]], car: str, confirmed: tuple[str, ...]
) -> None:
    sentence, _ = claim
    state, memory = CARS[car]
    checked = AnswerChecker(state, memory=memory, confirmed=confirmed, language="ko").check(sentence)
    assert checked.replaced and checked.text == NOTHING_CHANGED_KO, sentence


SWITCHES = [(o, s) for o, s in OBJECTS if s[0] in (vss.REAR_DEFROSTER_ACTIVE, vss.FRONT_DEFROSTER_ACTIVE,
                                                   vss.AC_ACTIVE, vss.RECIRCULATION_ACTIVE)]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(LEADS), st.sampled_from(SWITCHES), st.booleans(), st.sampled_from(ENDINGS))
def test_a_true_korean_switch_claim_with_its_confirmed_action_passes(
    lead: str, switch: tuple[str, tuple[str, ...]], on: bool, ending: str
) -> None:
    words, signals = switch
    sentence = f"{lead}{words} {'켰' if on else '껐'}{ending}"
    for state in (PARKED, DRIVING):
        checker = AnswerChecker({**state, signals[0]: on}, confirmed=signals, language="ko")
        assert checker.check(sentence) == Checked(sentence, False, "")
    # The same claim against the opposite confirmed state is the fact, not the claim.
    wrong = AnswerChecker({**PARKED, signals[0]: not on}, confirmed=signals, language="ko").check(sentence)
    assert wrong.replaced and wrong.reason.startswith("contradicts-") and korean(wrong.text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("뒷유리열선에어컨을를켰껐습니다요도시속킬로미터 0123456789.?!")), max_size=60)
)
def test_the_korean_rules_never_raise(text: str) -> None:
    for car in CARS:
        checked = AnswerChecker(CARS[car][0], question=text, language="ko", offer="켤까요?").check(text)
        assert checked.replaced == bool(checked.reason)
        assert checked.replaced or checked.text == text
