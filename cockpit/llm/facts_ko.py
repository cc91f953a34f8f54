"""Rule 2 of the answer checker for Korean sentences: statements of the car's present state.

The Korean sibling of the checks in :mod:`cockpit.llm.facts`: the speed ("시속 80킬로미터로 달리고
있어요"), standing or moving ("주차되어 있습니다"), the gear ("기어는 D입니다"), a cabin
temperature ("온도는 22도로 설정되어 있습니다", "화씨 70도"), a switch ("에어컨이 켜져 있습니다"),
the fan ("바람 세기는 100퍼센트입니다") and seat heating level ("시트 열선은 2단계입니다"), the
volume, muting, whether something is playing and whether a route is on. Each check returns None
when the sentence says nothing of its fact. Numbers are digits or Sino-Korean words ("팔십"); a
number counts only next to its unit and tied to the car ("물은 100도에서 끓습니다" passes). The
amount of a change states no value ("온도를 2도 올렸어요", "풍량을 20% 더 세게 했어요", "볼륨을
10만큼 키웠어요", "1단계 높였습니다"), nor does the value it changed from ("20에서 30으로"): such a
sentence is a claimed change (rule 1); the value it changed to is checked ("80%로 올렸어요").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cockpit.llm.car_functions import AIR_CONDITIONING, FAN, MEDIA, SEAT_HEATING, TEMPERATURE, VOLUME
from cockpit.llm.claims_ko import GENERIC, NEGATION
from cockpit.llm.fact_texts import (
    DRIVE,
    MATCH,
    MOVING_MIN_KMH,
    NEUTRAL,
    PARK,
    SEAT_HEATING_PERCENT_PER_LEVEL,
    SPEED_TOLERANCE_KMH,
    UNTOLD,
    CarFacts,
    Finding,
    flag,
)
from cockpit.llm.sentences import Sentence
from cockpit.nlu.numbers_ko import parse_korean_number
from cockpit.skill_api import fact_number
from cockpit.units import KM_PER_MILE, to_celsius

_NUM = r"(?<![가-힣\d.])(?P<num>\d+(?:\.\d+)?|[영공일이삼사오육칠팔구십백천]+(?:\s*점\s*[영공일이삼사오육칠팔구]+)?)"
"""A number in digits or Sino-Korean words, not glued to a word before it ("에어컨이" is no 2)."""
_RANGE = r"(?!\s*(?:까지|부터|사이|이하|이상|에서|~|-))"
"""Not the end of a range ("3단계까지", "16도에서 30도 사이"): a range states no value."""
_SPEED = re.compile(rf"{_NUM}\s*(?P<unit>킬로미터|킬로|km/h|km|kph|마일|mph)")
_SPEED_ANCHOR = re.compile(r"달리|주행|운전\s*중|가고\s*있|이동|속도|움직이|달려|시속")
_SPEED_ELSEWHERE = re.compile(r"제한|최고|최대|권장|평균|법정|규정|한계|허용")
_SPEED_QUESTION = re.compile(r"속도|빨리|빠르|시속|몇\s*킬로|speed|fast|km/h|mph", re.I)
_STOPPED = re.compile(
    r"주차(?:되어|돼|해)\s*있|주차\s*(?:중|상태)|정차\s*(?:중|해\s*있|되어\s*있)|정지(?:해|되어|돼)\s*있|정지\s*(?:중|상태)|"
    r"멈춰\s*(?:서\s*)?있|(?:차|차량|자동차|우리|저희)[가-힣]?\s*(?:지금\s*)?서\s*있"
)
_MOVING = re.compile(
    r"움직이기\s*시작했|출발했|달리고\s*있|주행\s*중|주행하고\s*있|움직이고\s*있|이동\s*중|운전\s*중|달리는\s*중"
)
_GEAR = re.compile(
    r"기어[은는이가를]?\s*(?:지금\s*|현재\s*)?(?P<g>p|d|r|n|주차|파킹|드라이브|후진|리버스|중립|뉴트럴)(?![a-z])|"
    r"(?<![a-z가-힣])(?P<g2>p|d|r|n)\s*(?:단|모드|기어|레인지|위치)|"
    r"(?P<g3>파킹|드라이브|후진|리버스|중립|뉴트럴)\s*(?:모드|기어|단|상태)"
)
_GEARS = {"p": PARK, "주차": PARK, "파킹": PARK, "d": DRIVE, "드라이브": DRIVE, "r": -1, "후진": -1, "리버스": -1,
          "n": NEUTRAL, "중립": NEUTRAL, "뉴트럴": NEUTRAL}  # fmt: skip
_DEGREES = re.compile(rf"(?P<unit>화씨|섭씨)?\s*{_NUM}\s*(?:도|°\s*(?P<sign>[cf])?|℃|(?P<f>℉)){_RANGE}", re.I)
_DELTA = re.compile(
    r"\s*(?:퍼센트|%|프로|단계|칸|포인트)?\s*(?:씩|(?:정도\s*|만큼\s*)*(?:더\s*)?(?:올|내|높|낮|따뜻|시원|차갑|덥|춥|"
    r"키[우워웠]|줄[이여였어었]|늘[리려렸어었]|크게|커|작게|작아|세게|세[지졌]|강하|강해|약하|약해|빠르|빨라|느리|느려|"
    r"조용|증가|감소|상승|하락|더[하해했]))"
)
"""After a number, what makes it the amount of a change, not a value: "2도 올렸어요", "20% 더
세게", "10만큼 키웠어요", "10씩", "1단계 높였습니다" (the unit when the number is read without it)."""
_TEMPERATURE_ANCHOR = re.compile(r"온도|실내|차\s*안|차량|설정|에어컨|히터|난방|운전석|조수석")
_ELSEWHERE = re.compile(
    r"바깥|밖|외부|실외|외기\s*온도|날씨|기온|물[은이의]|끓|얼[어음]|체온|오늘|내일|어제|평균|기록|여름|겨울|봄|가을|실온|"
    r"상온|지구|태양|바다|오븐"
)
_TEMPERATURE_QUESTION = re.compile(r"온도|몇\s*도|따뜻|춥|더워|덥|시원|temperature|degrees|warm|cold", re.I)
_ON = re.compile(
    r"켜져|켜진|켜짐|켜\s*있|켰|켜졌|작동\s*중|작동하고|작동되고|가동\s*중|가동되고|활성화(?:되어|돼|된|됨|했)|틀어져"
)
_OFF = re.compile(r"꺼져|꺼진|꺼짐|꺼\s*있|껐|꺼졌|비활성화(?:되어|돼|된|됨|했)|해제(?:되어|돼|된|됨|했)|멈춰\s*있")
_DONE = ("켰", "켜졌", "껐", "꺼졌")
_PERCENT = re.compile(rf"{_NUM}\s*(?:퍼센트|%|프로){_RANGE}")
_LEVEL = re.compile(rf"{_NUM}\s*단계{_RANGE}")
_VOLUME = re.compile(
    r"(?:볼륨|음량)[은는이가을를]?\s*(?:지금\s*|현재\s*)?(?P<num>\d+(?:\.\d+)?)(?![\d.])(?!\s*(?:에서|부터))"
)
"""The volume, or the value it was set to; not the one it changed from ("볼륨을 20에서 30으로")."""
_TARGET = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)(?=\s*(?:으로|로)(?![가-힣]))")
"""A bare number the volume was set to ("... 10 올려서 60으로 맞췄어요")."""
_MUTED = re.compile(r"음소거(?:되어|돼)\s*있|음소거\s*(?:상태|중)|음소거됐|음소거되었|음소거했")
_UNMUTED = re.compile(r"음소거[가를]?\s*(?:해제|풀)")
_NOTHING_PLAYING = re.compile(r"재생\s*중인\s*(?:것|음악|곡|노래)?[이가은는]?\s*없|아무\s*것도\s*재생|아무것도\s*재생")
_PAUSED = re.compile(r"일시\s*정지(?:되어|돼|된|\s*상태|\s*중)")
_PLAYING = re.compile(r"재생\s*(?:중|되고\s*있)|흘러나오고|듣고\s*(?:있|계시)")
_NO_ROUTE = re.compile(
    r"목적지가?\s*(?:설정되어\s*있지\s*않|없)|설정된\s*목적지가\s*없|(?:경로|길)\s*안내[가는]?\s*(?:없|꺼져)"
)
_ROUTING = re.compile(r"(?:경로|길)\s*안내\s*중|(?:으로|로)\s*(?:안내하고|가고|향하고)\s*있|목적지[는가]\s*\S")


def _number(text: str) -> float | None:
    value = parse_korean_number(text)
    return None if value is None else float(value)


def _stated(body: str, *patterns: re.Pattern[str]) -> re.Match[str] | None:
    """The first number ``patterns`` find in ``body`` that is a value, not the amount of a change
    ("풍량을 20% 올렸어요" states no fan speed, "20% 올려서 80%로 맞췄어요" states 80)."""
    found = sorted((m for pattern in patterns for m in pattern.finditer(body)), key=lambda m: m.start("num"))
    return next((m for m in found if not _DELTA.match(body, m.end())), None)


def _flipped(on: bool, low: str) -> bool:
    """``on`` turned over when the statement is negated ("켜져 있지 않습니다")."""
    return on != (NEGATION.search(low) is not None)


def speed(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    if facts.moving is None or GENERIC.search(s.body) or _SPEED_ELSEWHERE.search(s.body):
        return None
    value = _SPEED.search(s.body)
    claimed = _number(value.group("num")) if value else None
    if claimed is not None and (_SPEED_ANCHOR.search(s.body) or _SPEED_QUESTION.search(question)):
        assert value is not None
        if value.group("unit") in ("마일", "mph"):
            claimed *= KM_PER_MILE
        if facts.speed is None:
            wrong = (claimed >= MOVING_MIN_KMH) != facts.moving
        else:
            wrong = abs(claimed - facts.speed) > max(SPEED_TOLERANCE_KMH, 0.05 * facts.speed)
    elif found := _STOPPED.search(s.body) or _MOVING.search(s.body):
        wrong = _flipped(found.re is _MOVING, s.body) != facts.moving
    else:
        return None
    return Finding("contradicts-speed", facts.speed_text()) if wrong else MATCH


def gear(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    if facts.gear is None or (found := _GEAR.search(s.body)) is None or GENERIC.search(s.body):
        return None
    claimed = _GEARS[(found.group("g") or found.group("g2") or found.group("g3")).lower()]
    actual = facts.gear
    same = claimed == actual or (claimed == DRIVE and 0 < actual < PARK) or (claimed < 0 and actual < 0)
    return MATCH if _flipped(same, s.body) else Finding("contradicts-gear", facts.gear_text())


def temperature(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    anchored = bool(_TEMPERATURE_ANCHOR.search(s.body) or _TEMPERATURE_QUESTION.search(question))
    anchored = anchored or bool(s.claim and TEMPERATURE in s.functions)
    if not anchored or _ELSEWHERE.search(s.body) or _ELSEWHERE.search(question) or GENERIC.search(s.body):
        return None
    finding: Finding | None = None
    for value in _DEGREES.finditer(s.body):
        claimed = _number(value.group("num"))
        if claimed is None or _DELTA.match(s.body, value.end()):
            continue  # "2도 올렸어요" is a change by 2 degrees, not a temperature
        if not facts.temperatures:
            return UNTOLD
        fahrenheit = value.group("unit") == "화씨" or value.group("f") or (value.group("sign") or "").lower() == "f"
        # A bare number is in the driver's units; the ranges (16-30 °C, 61-86 °F) do not overlap.
        fahrenheit = fahrenheit or (facts.imperial and value.group("unit") != "섭씨" and claimed > 45)
        tolerance = 0.5
        if fahrenheit:
            claimed, tolerance = to_celsius(claimed), 1.0
        before = s.body[max(0, value.start() - 15) : value.start()]
        side = "passenger" if "조수석" in before else "driver" if "운전석" in before else ""
        candidates = [t for z, t in facts.temperatures.items() if not side or z == side]
        if all(abs(claimed - t) > tolerance for t in candidates or facts.temperatures.values()):
            return Finding("contradicts-temperature", facts.temperature_text())
        finding = MATCH
    return finding


def switches(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    if GENERIC.search(s.body):
        return None
    for function in (f for f in s.functions if f.switch):
        named = function.words.search(s.body)
        rest = s.body[named.end() :] if named else s.body
        found = _OFF.search(rest) or _ON.search(rest)
        if found is None or (found.group() in _DONE and (NEGATION.search(rest) or not s.claim)):
            continue  # "안 켰어요", "운전자가 켰습니다": what was (not) done, not what the state is
        on = _flipped(found.re is _ON, rest)
        known = [flag(facts.state, signal) for signal in function.signals]
        if None in known:
            return UNTOLD if on else None
        if all(k == on for k in known):
            return MATCH
        reason = "contradicts-ac" if function is AIR_CONDITIONING else "contradicts-switch"
        return Finding(reason, facts.switch_text(function))
    return None


def amounts(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    """The fan speed (percent) and the seat heating level."""
    if GENERIC.search(s.body):
        return None
    for function, pattern, per_unit in ((FAN, _PERCENT, 1.0), (SEAT_HEATING, _LEVEL, SEAT_HEATING_PERCENT_PER_LEVEL)):
        if function not in s.functions:
            continue
        value, switch = _stated(s.body, pattern), _OFF.search(s.body) or _ON.search(s.body)
        claimed = _number(value.group("num")) if value else None
        if claimed is None and switch is None:
            continue
        on = claimed != 0 if claimed is not None else _flipped(switch is not None and switch.re is _ON, s.body)
        state = (fact_number(facts.state, signal) for signal in function.signals)
        levels = sorted({round(p / per_unit) for p in state if p is not None})
        if not levels:
            return UNTOLD if on else None
        if (claimed in levels) if claimed is not None else any((level > 0) == on for level in levels):
            return MATCH
        name = function.name
        fact = " ".join(facts.say(name, n=level) if level else facts.say(f"{name}_off") for level in levels)
        return Finding(f"contradicts-{name.replace(' ', '-')}", fact)
    return None


def volume(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    found = _stated(s.body, _VOLUME, _PERCENT, _TARGET) if VOLUME in s.functions else None
    claimed = _number(found.group("num")) if found else None
    if claimed is None or GENERIC.search(s.body):
        return None
    if facts.volume is None:
        return UNTOLD
    return MATCH if abs(claimed - facts.volume) <= 1 else Finding("contradicts-volume", facts.volume_text())


def mute(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    found = _UNMUTED.search(s.body) or _MUTED.search(s.body)
    if found is None or GENERIC.search(s.body):
        return None
    muted = _flipped(found.re is _MUTED, s.body)
    if facts.muted is None:
        return UNTOLD if muted else None
    return MATCH if facts.muted == muted else Finding("contradicts-mute", facts.mute_text())


def media(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    if GENERIC.search(s.body) or not (MEDIA in s.functions or _NOTHING_PLAYING.search(s.body)):
        return None
    wrong = Finding("contradicts-media", facts.media_text())
    playing = bool(facts.track) and not facts.paused
    if _NOTHING_PLAYING.search(s.body):
        return wrong if playing else MATCH
    if paused := _PAUSED.search(s.body):
        return MATCH if bool(facts.track) and _flipped(facts.paused, s.body[paused.end() :]) else wrong
    if _PLAYING.search(s.body):
        return MATCH if _flipped(playing, s.body) else wrong
    return None


def destination(facts: CarFacts, s: Sentence, question: str) -> Finding | None:
    if GENERIC.search(s.body):
        return None
    wrong = Finding("contradicts-destination", facts.destination_text())
    if _NO_ROUTE.search(s.body):
        return wrong if facts.routing else MATCH
    if _ROUTING.search(s.body) and not NEGATION.search(s.body):
        return MATCH if facts.routing else wrong  # a Korean place name is not compared with the stored one
    return None


CHECKS: tuple[Callable[[CarFacts, Sentence, str], Finding | None], ...] = (
    speed, gear, temperature, switches, amounts, volume, mute, media, destination,
)  # fmt: skip
"""The Korean checks, in the order :class:`cockpit.llm.facts.StateCheck` tries them."""
