"""Offers: the car command a driver's words are about, and an offer to carry it out.

:func:`wanted_action` finds the actuating command behind "what does recirculation do?" or "can
you turn on the rear defroster?"; :func:`offer_text` turns it into "Do you want me to turn on the
rear defroster?". The answer checker (:mod:`cockpit.llm.claims`) says the offer instead of a change
the model claimed but the turn did not make.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.hangul import has_hangul, particle
from cockpit.langtag import primary_language
from cockpit.llm.facts import clean_field
from cockpit.skill_api import fact_number

_WRAPPER_START = re.compile(
    r"^(?:(?:hey|ok|okay)\s+jarvis\W*\s*)?(?:(?:what\s+does|what\s+do|what\s+is|what's|whats|what\s+would|"
    r"what\s+happens\s+(?:if|when)\s+(?:i|you)|explain(?:\s+to\s+me)?|tell\s+me\s+(?:what|about)|can\s+you|could\s+you|"
    r"would\s+you|will\s+you|please|how\s+do\s+i|how\s+does|what\s+is\s+meant\s+by|(?:the\s+)?meaning\s+of|define|"
    r"i\s+(?:want|would\s+like)\s+(?:you\s+)?to|i'd\s+like\s+(?:you\s+)?to|is\s+it\s+(?:ok|okay|safe)\s+to|should\s+i|"
    r"if\s+i\s+say|when\s+i\s+say)\s+)+",
    re.I,
)
_WRAPPER_END = re.compile(r"(?:\s+(?:mean|means|do|does|stand\s+for|exactly|for\s+me|please|work))+\s*$", re.I)
_QUOTED_PARTS = re.compile(
    r'"([^"]+)"|“([^”]+)”|‘([^’]+)’|(?:^|(?<=[\s(\[{:]))\'([^\']+)\'(?=$|[\s.,;:!?)\]}]|[\uac00-\ud7a3])'
)
"""Quoted parts of a question; a Korean particle may follow the closing quote ("'에어컨 켜 줘'가 무슨 뜻이야?")."""


# Korean asks with the verb's ending: "켜 줄 수 있어?", "켜 줄래?", "켤 수 있어?", "켜도 돼?". The
# command is the same verb with "줘" ("켜 줘"), which the templates understand.
_KO_PLEASE = re.compile(
    r"^(?P<stem>.*\S)\s*(?:좀\s*)?(?:줄|주실|주시|주|줘)\s*(?:수\s*(?:있|없)\S*|래\S*|겠\S*|시겠\S*|세요|실래\S*|"
    r"면\s*안\s*(?:돼|될까|되나)\S*|나요|니|는지\S*|어|어요|요)?$"
)
_KO_MAY = re.compile(r"^(?P<stem>.*\S)도\s*(?:돼|될까|되나요|되니|되겠|괜찮)\S*$")
_KO_CAN = re.compile(r"^(?P<stem>.*?)(?P<verb>\S+)\s*수\s*(?:있|없)\S*$")
_KO_MEANING = re.compile(
    r"^(?P<stem>.*?\S)\s*(?:(?:이|가|은|는|이란|란|라는\s*(?:말|건|게)?[은는이가]?)\s*)?"
    r"(?:무슨\s*뜻\S*|뜻이\s*뭐\S*|의미가\s*뭐\S*|무슨\s*의미\S*|뭐(?:야|예요|에요|지|죠)?|(?:하|으)?면\s*(?:어떻게|뭐가)\s*\S+)$"
)
_KO_WILL = {"켤": "켜", "끌": "꺼", "틀": "틀어", "열": "열어", "닫을": "닫아", "바꿀": "바꿔", "맞출": "맞춰",
            "올릴": "올려", "내릴": "내려", "높일": "높여", "낮출": "낮춰", "줄일": "줄여", "늘릴": "늘려",
            "키울": "키워", "넘길": "넘겨", "되돌릴": "되돌려", "멈출": "멈춰", "할": "해"}  # fmt: skip
"""A verb's future attributive (before "수 있어") and its -어 form (before "줘")."""


def _korean_forms(text: str) -> list[str]:
    """The command inside a Korean question: "뒷유리 열선 켜 줄 수 있어" -> "뒷유리 열선 켜 줘"."""
    forms: list[str] = []
    if meaning := _KO_MEANING.match(text):
        forms.append(stem := meaning.group("stem").strip(" '\""))
        if stem.endswith("기"):  # a verb made a noun: "켜기" -> "켜 줘", "끄기" -> "꺼 줘"
            forms.append(re.sub(r"끄$", "꺼", stem[:-1]) + " 줘")
    for form in [text, *forms]:
        if please := _KO_PLEASE.match(form) or _KO_MAY.match(form):
            forms.append(f"{please.group('stem')} 줘")
        elif (can := _KO_CAN.match(form)) and (
            verb := _KO_WILL.get(can.group("verb"))
            or (can.group("verb")[:-1] + "해" if can.group("verb").endswith("할") else "")
        ):
            forms.append(f"{can.group('stem')}{verb} 줘")
    return forms


def _asked_forms(question: str) -> list[str]:
    forms = [next(g for g in m.groups() if g is not None).strip(" .,!?") for m in _QUOTED_PARTS.finditer(question)]
    text = " ".join(question.split()).strip(" .!?")
    if has_hangul(text):
        forms += _korean_forms(text)
    forms += [_WRAPPER_END.sub("", _WRAPPER_START.sub("", text)).strip(" .,!?\"'“”‘’"), text]
    return [f for i, f in enumerate(forms) if f and f not in forms[:i]]


def wanted_action(question: str, understand: Callable[[str], object]) -> IntentMatch | None:
    """The car command the driver seems to ask about or want, or None.

    Tries, through ``understand`` (the template recogniser), the quoted parts of ``question``
    ('...', "...", “...”), then for a Korean question the command its ending asks for ("켜 줄 수
    있어?", "켤 수 있어?", "켜도 돼?" -> "켜 줘"; "X는 무슨 뜻이야?" -> X), then the question
    without a leading "what does / what is / explain / can you / please / could you ..." and a
    trailing "mean / do / means", then the question itself.
    Only an :class:`IntentMatch` of an actuating catalogue intent counts; anything else
    ``understand`` returns (None, an unsupported request, a query) is skipped."""
    for form in _asked_forms(question):
        found = understand(form)
        if isinstance(found, IntentMatch) and found.intent in CATALOGUE and CATALOGUE[found.intent].actuates:
            return found
    return None


class _Slots:
    """An intent's slots as words for an offer; a missing number raises :class:`LookupError`."""

    def __init__(self, slots: Mapping[str, Any]) -> None:
        self._slots = slots
        self.on = "off" if slots.get("on") is False else "on"
        zone = str(slots.get("zone") or "")
        self.whose = {"passenger": "the passenger's", "driver": "the driver's", "all": "everyone's"}.get(zone, "the")
        self.side = {"passenger": "the passenger's side", "driver": "the driver's side"}.get(zone, "it")

    def number(self, name: str) -> str:
        value = fact_number(self._slots, name)
        if value is None:
            raise LookupError(name)
        return f"{abs(value):g}"

    def up(self, name: str) -> bool:
        return (fact_number(self._slots, name) or 1) > 0

    def text(self, name: str) -> str:
        text = clean_field(str(self._slots.get(name) or ""))
        return text.title() if name == "destination" and text.islower() else text


def _warmer(s: _Slots) -> str:
    size = "" if s.number("delta_celsius") == "1" else f"{s.number('delta_celsius')} degrees "
    return f"make {s.side} {size}{'warmer' if s.up('delta_celsius') else 'cooler'}"


def _window_words(window: str) -> str:
    """``body.set_window``'s ``window`` slot as words: "driver's window", "rear left window", "windows"."""
    if window in ("driver", "passenger"):
        return f"{window}'s window"
    if window in ("front", "rear"):
        return f"{window} windows"
    return "windows" if window == "all" else f"{window.replace('-', ' ')} window".strip()


def _opening(s: _Slots, what: str) -> str:
    position = s.number("position")
    if position == "0":
        return f"close the {what}"
    return f"open the {what}" + ("" if position == "100" else f" to {position} percent")


_OFFERS: Mapping[str, Callable[[_Slots], str]] = {
    "climate.set_temperature": lambda s: f"set {s.whose} temperature to {s.number('celsius')} degrees",
    "vehicle.undo": lambda s: "undo the last change",
    "climate.adjust_temperature": _warmer,
    "climate.set_fan_speed": lambda s: f"set the fan to {s.number('percent')} percent",
    "climate.adjust_fan_speed": lambda s: f"turn the fan {'up' if s.up('delta_percent') else 'down'}",
    "climate.set_ac": lambda s: f"turn {s.on} the air conditioning",
    "climate.set_recirculation": lambda s: f"turn {s.on} recirculation",
    "climate.set_defrost": lambda s: f"turn {s.on} the {s.text('window') or 'front'} defroster",
    "climate.set_seat_heating": lambda s: f"set {s.whose} seat heating to level {s.number('level')}",
    "navigation.navigate_to": lambda s: f"navigate to {s.text('destination')}",
    "navigation.cancel": lambda s: "stop the route guidance",
    "media.play": lambda s: f"play {s.text('query') or 'some music'}",
    "media.pause": lambda s: "pause the music",
    "media.resume": lambda s: "resume the music",
    "media.next_track": lambda s: "skip to the next track",
    "media.previous_track": lambda s: "go back to the previous track",
    "media.set_volume": lambda s: f"set the volume to {s.number('percent')} percent",
    "media.adjust_volume": lambda s: f"turn the volume {'up' if s.up('delta_percent') else 'down'}",
    "media.mute": lambda s: "mute the sound" if s.on == "on" else "unmute the sound",
    "body.set_window": lambda s: _opening(s, _window_words(s.text("window"))),
    "body.set_sunroof": lambda s: _opening(s, "sunroof"),
    "body.set_child_lock": lambda s: f"turn {s.on} the child locks",
}
"""What an offer proposes, by intent."""


def offer_text(match: IntentMatch, language: str = "en") -> str:
    """An offer to carry out ``match``: "Do you want me to turn on the rear defroster?", in
    ``language`` (English, or Korean: "뒷유리 열선을 켤까요?").

    Covers every actuating intent of the catalogue (one missing its number falls back on the
    intent's description); raises :class:`ValueError` for the others, which change nothing."""
    spec = CATALOGUE.get(match.intent)
    if spec is None or not spec.actuates:
        raise ValueError(f"{match.intent!r} is not an action this car carries out")
    if primary_language(language) == "ko":
        return _offer_ko(match)
    try:
        action = _OFFERS[match.intent](_Slots(match.slots))
    except LookupError:  # a number missing, or an intent added to the catalogue without an offer here
        action = spec.description[0].lower() + spec.description[1:].rstrip(".")
    return f"Do you want me to {action}?"


# --- Korean: the verb ends the sentence, so each entry is the whole question -------------------

_WHOSE_KO = {"passenger": "조수석 ", "driver": "운전석 ", "all": "모든 좌석 "}
_WINDOWS_KO = {
    "driver": "운전석 창문",
    "passenger": "조수석 창문",
    "rear-left": "뒷좌석 왼쪽 창문",
    "rear-right": "뒷좌석 오른쪽 창문",
    "left": "왼쪽 창문",
    "right": "오른쪽 창문",
    "front": "앞 창문",
    "rear": "뒤 창문",
}


def _object(word: str) -> str:
    return particle(word, "을", "를")


def _switch_ko(what: str) -> Callable[[_Slots], str]:
    return lambda s: f"{_object(what)} {'켤' if s.on == 'on' else '끌'}까요"


def _whose_ko(s: _Slots) -> str:
    return _WHOSE_KO.get(str(s._slots.get("zone") or ""), "")


def _warmer_ko(s: _Slots) -> str:
    size = "" if s.number("delta_celsius") == "1" else f"{s.number('delta_celsius')}도 "
    return f"{_whose_ko(s)}온도를 {size}{'높일' if s.up('delta_celsius') else '낮출'}까요"


def _opening_ko(s: _Slots, what: str) -> str:
    position = s.number("position")
    if position == "0":
        return f"{_object(what)} 닫을까요"
    return f"{_object(what)} " + ("" if position == "100" else f"{position}퍼센트 ") + "열까요"


def _play_ko(s: _Slots) -> str:
    query = s.text("query")
    return f"{_object(query)} 재생할까요" if query else "음악을 재생할까요"


_OFFERS_KO: Mapping[str, Callable[[_Slots], str]] = {
    "climate.set_temperature": lambda s: f"{_whose_ko(s)}온도를 {s.number('celsius')}도로 맞출까요",
    "vehicle.undo": lambda s: "방금 바꾼 것을 되돌릴까요",
    "climate.adjust_temperature": _warmer_ko,
    "climate.set_fan_speed": lambda s: f"풍량을 {s.number('percent')}퍼센트로 맞출까요",
    "climate.adjust_fan_speed": lambda s: f"풍량을 {'올릴' if s.up('delta_percent') else '내릴'}까요",
    "climate.set_ac": _switch_ko("에어컨"),
    "climate.set_recirculation": _switch_ko("내기 순환"),
    "climate.set_defrost": lambda s: _switch_ko("뒷유리 열선" if s.text("window") == "rear" else "앞유리 성에 제거")(s),
    "climate.set_seat_heating": lambda s: f"{_whose_ko(s)}시트 열선을 {s.number('level')}단계로 맞출까요",
    "navigation.navigate_to": lambda s: f"{particle(s.text('destination'), '으로', '로')} 안내할까요",
    "navigation.cancel": lambda s: "경로 안내를 멈출까요",
    "media.play": _play_ko,
    "media.pause": lambda s: "음악을 일시 정지할까요",
    "media.resume": lambda s: "음악을 다시 재생할까요",
    "media.next_track": lambda s: "다음 곡으로 넘길까요",
    "media.previous_track": lambda s: "이전 곡으로 돌아갈까요",
    "media.set_volume": lambda s: f"볼륨을 {s.number('percent')}퍼센트로 맞출까요",
    "media.adjust_volume": lambda s: f"볼륨을 {'올릴' if s.up('delta_percent') else '내릴'}까요",
    "media.mute": lambda s: "음소거할까요" if s.on == "on" else "음소거를 해제할까요",
    "body.set_window": lambda s: _opening_ko(s, _WINDOWS_KO.get(s.text("window"), "모든 창문")),
    "body.set_sunroof": lambda s: _opening_ko(s, "선루프"),
    "body.set_child_lock": _switch_ko("차일드 락"),
}
"""What a Korean offer asks, by intent (the same intents as :data:`_OFFERS`)."""


def _offer_ko(match: IntentMatch) -> str:
    try:
        return _OFFERS_KO[match.intent](_Slots(match.slots)) + "?"
    except LookupError:  # a number missing, or an intent without a Korean offer here
        return "그렇게 할까요?"
