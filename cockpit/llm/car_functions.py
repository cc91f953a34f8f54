"""The functions of this car an answer may talk about, and how an answer names them.

Each :class:`CarFunction` ties the words an answer may use ("rear window defroster", "A/C"; in
Korean "뒷유리 열선", "에어컨", which take their particle unspaced) to the VSS paths behind it;
:data:`UNSUPPORTED` names what the model may never claim or state: what this car has no control
of (doors, lights, ...), and the windows and the sunroof, which the body skill alone moves and
reports (by rules, from the body ECU's confirmed state). :func:`mentions` finds both in a
sentence. Part of the answer checker: the rules are in :mod:`cockpit.llm.claims`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit import vss


@dataclass(frozen=True)
class CarFunction:
    """A function of this car an answer may talk about, and the VSS paths behind it."""

    name: str
    """Spoken name, used in fact sentences: ``rear defroster``."""
    signals: tuple[str, ...]
    """The VSS paths that carry its state."""
    words: re.Pattern[str]
    """How an answer names it."""
    switch: bool = False
    """Whether its state is on/off (one boolean per signal)."""


def _function(name: str, signals: tuple[str, ...], words: str, switch: bool = False) -> CarFunction:
    return CarFunction(name, signals, re.compile(words, re.I), switch)


# Korean names take their particle right after them ("에어컨을"): no closing word boundary.
_DEFROST_KO = r"(?:(?:성에|김서림|서리|습기)(?:\s*제거\w*)?|열선|디프로스터|디포거|디프로스트|제상)"
_FRONT_KO = r"(?:앞\s*유리|앞\s*창|전면\s*유리|전면|프런트|프론트|윈드\s*실드)\s*(?:의\s*)?"
_REAR_KO = r"(?:뒷\s*유리|(?<!앞)뒤\s*유리|뒷\s*창|(?<!앞)뒤\s*창|후면\s*유리|후면|리어)\s*(?:의\s*)?"
_DEFROST = r"(?:defrost\w*|defog\w*|demist\w*|de-?ic\w*|window\s+heat\w*)"
_GLASS = r"(?:window\s+|windshield\s+|windscreen\s+|glass\s+)?"
_FRONT, _REAR = r"(?:front|windshield|windscreen)", r"(?:rear|back)"
FRONT_DEFROSTER, REAR_DEFROSTER = (
    _function(
        f"{side} defroster",
        (signal,),
        rf"\b{words}\s+{_GLASS}{_DEFROST}|\b{_DEFROST}\s+(?:for\s+|on\s+|of\s+)?(?:the\s+)?{words}\w*(?:\s+window)?|"
        rf"{korean}{_DEFROST_KO}",
        switch=True,
    )
    for side, signal, words, korean in (
        ("front", vss.FRONT_DEFROSTER_ACTIVE, _FRONT, _FRONT_KO),
        ("rear", vss.REAR_DEFROSTER_ACTIVE, _REAR, _REAR_KO),
    )
)
DEFROSTERS = _function(
    "defrosters",
    (vss.FRONT_DEFROSTER_ACTIVE, vss.REAR_DEFROSTER_ACTIVE),
    rf"\b{_DEFROST}|앞뒤\s*유리\s*{_DEFROST_KO}|(?:성에|김서림|서리)(?:\s*제거\w*)?|디프로스터|디포거|제상",
    True,
)
SEAT_HEATING = _function(
    "seat heating",
    (vss.DRIVER_SEAT_HEATING, vss.PASSENGER_SEAT_HEATING),
    r"\b(?:seat\s+(?:heat\w*|warmers?)|heated\s+seats?)\b|(?:시트|좌석|의자|앞좌석|운전석|조수석)\s*(?:양쪽\s*)?"
    r"(?:의\s*)?(?:열선|히터|히팅|난방|온열)|(?:열선|온열)\s*시트|엉따",
)
AIR_CONDITIONING = _function(
    "air conditioning",
    (vss.AC_ACTIVE,),
    r"\b(?:a/c|ac|a\.c\.?|air[\s-]?con\w*)(?![\w/])|에어컨|에어\s*컨디셔너|냉방",
    True,
)
RECIRCULATION = _function(
    "recirculation",
    (vss.RECIRCULATION_ACTIVE,),
    r"\b(?:recirc\w*|\w*\s?recycl\w*)\b|(?:내기|외기|공기)\s*(?:순환|유입|모드)|순환\s*모드",
    True,
)
FAN = _function(
    "fan",
    (vss.DRIVER_FAN_SPEED,),
    r"\b(?:fan|fans|blower|ventilation|air\s?flow)\b(?:\s+speed)?|풍량|송풍|바람\s*(?:의\s*)?세기|블로워|블로어|"
    r"(?<![가-힣])팬(?:\s*(?:속도|세기))?(?![가-힣]{2})",
)
VOLUME = _function(
    "volume",
    (vss.MEDIA_VOLUME,),
    r"\b(?:volume|louder|quieter)\b|볼륨|음량|소리\s*크기|소리를\s*(?:(?:조금|좀|약간|살짝|더)\s*)*(?:키|줄|높|낮|올|내|크게|작게)|"
    r"소리가\s*(?:(?:조금|좀|약간|살짝|더)\s*)*(?:커|작아)",
)
MUTE = _function(
    "sound", (vss.MEDIA_MUTED,), r"\b(?:mute\w*|unmute\w*|sound|audio)\b|음소거|무음|(?<!목)소리|오디오|사운드"
)
MEDIA = _function(
    "music",
    (vss.MEDIA_ACTION, vss.MEDIA_SELECTED_URI),
    r"\b(?:music|songs?|tracks?|playback|radio|podcasts?|station|album|playlist|jazz|pause\w*|resum\w*|skip\w*)\b|"
    r"음악|노래|(?<![가-힣])곡(?![선물식예면])|트랙|재생|라디오|팟캐스트|앨범|플레이\s*리스트|재즈|일시\s*정지|뮤직",
)
NAVIGATION = _function(
    "route guidance",
    (vss.NAV_GUIDANCE_ACTIVE, vss.NAV_LATITUDE, vss.NAV_LONGITUDE),
    r"\b(?:navigat\w*|routes?|guidance|destination|directions|(?:tak|bring|gett|driv)ing\s+you\s+(?:to|home))\b|"
    r"길\s*안내|경로|내비(?:게이션)?|네비(?:게이션)?|목적지|길\s*찾기|(?:으로|로)\s*안내|안내를\s*시작",
)
TEMPERATURE = _function(
    "temperature",
    (vss.DRIVER_TEMPERATURE, vss.PASSENGER_TEMPERATURE),
    r"\b(?:temperatures?|temp|thermostat|climate|degrees?|heater|heating|warmer|cooler)\b|온도|히터|난방|냉난방|공조|"
    r"따뜻하게|시원하게|섭씨|화씨|\d+(?:\.\d+)?\s*(?:도|°|℃)",
)
FUNCTIONS: tuple[CarFunction, ...] = (
    FRONT_DEFROSTER, REAR_DEFROSTER, DEFROSTERS, SEAT_HEATING,
    AIR_CONDITIONING, RECIRCULATION, FAN, VOLUME, MUTE, MEDIA, NAVIGATION, TEMPERATURE,
)  # fmt: skip
"""Every function of this car, most specific first: a match hides its words from the later ones
(so "seat heating" is not also "heating", nor the "rear window defroster" a window)."""
UNSUPPORTED = re.compile(
    r"\b(?:heated\s+steering\s+wheel|steering\s+wheel(?:\s+heat\w*)?|windows?|sun\s?roof|moon\s?roof|roof|"
    r"doors?|locks?|trunk|boot|tailgate|frunk|(?:head|fog|hazard|interior|cabin|reading|dome|ambient)?\s?"
    r"lights?|headlamps?|high\s+beams?|hazards|wipers?|horn|cruise\s+control|engine|motor|mirrors?|massage\w*|"
    r"ventilated\s+seats?|cooled\s+seats?|autopilot|self[\s-]driving)\b|"
    r"(?:핸들|운전대|스티어링\s*휠|스티어링)(?:\s*(?:열선|히터|히팅|온열))?|창문|차창|(?<![가-힣])창(?=[을를이가은는도]|\s)|"
    r"선루프|썬루프|도어|문\s*잠금|차일드\s*락|(?:차|자동차|운전석|조수석|뒷좌석|앞)\s*문|(?<![가-힣])문(?=[을를이가은는]\s)|"
    r"트렁크|테일\s*게이트|전조등|헤드\s*라이트|헤드\s*램프|안개등|비상등|실내등|무드등|상향등|라이트|조명|와이퍼|"
    r"경적|클랙슨|크루즈\s*컨트롤|엔진|시동|사이드\s*미러|미러|안마|마사지|통풍\s*시트|시트\s*통풍|자율\s*주행|오토\s*파일럿",
    re.I,
)
"""Things the model may not speak of as changed or in a state: what this car has no control of, and
the windows and sunroof (the body skill's, answered by rules). Such a claim is replaced."""
UNSUPPORTED_STATE = re.compile(
    rf"(?:{UNSUPPORTED.pattern})[\w\s'-]{{0,20}}?\s(?:is|are)\s+(?:now\s+|currently\s+|still\s+|already\s+)*(?:on|"
    r"off|open|opened|closed|shut|locked|unlocked|up|down|active|running|heating|warming|warm|engaged|activated|"
    r"enabled|disabled|set|turned|switched)\b",
    re.I,
)
"""A thing this car has no control of said to be in some state ("The windows are open.")."""


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def mentions(low: str) -> tuple[tuple[CarFunction, ...], bool]:
    """The functions a lower-case sentence names, most specific first, and whether it names something
    :data:`UNSUPPORTED`."""
    found: list[CarFunction] = []
    for function in FUNCTIONS[:4]:  # the defrosters and seat heating hide their "window", "heat"
        if function.words.search(low):
            if function is not DEFROSTERS or not found:
                found.append(function)
            low = _masked(low, function.words)
    unsupported = UNSUPPORTED.search(low) is not None
    low = _masked(low, UNSUPPORTED)
    for function in FUNCTIONS[4:]:
        if function.words.search(low):
            found.append(function)
            low = _masked(low, function.words)
    return tuple(found), unsupported
