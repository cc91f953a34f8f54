"""The body skill: door windows, the sunroof and the rear child locks, through the body ECU.

Positions are percent open (0 closed .. 100 fully open). The skill plans the writes as asked;
whether they may go out at this speed, or from this seat, is the policy's interlock table
(:mod:`cockpit.interlocks`), which refuses or asks with a spoken reason. A window named by no
side is the speaker's own (the session's seat: the driver's unless a passenger's microphone or
``--zone`` says otherwise). A request that changes nothing (closing a closed sunroof) is answered
from the confirmed state, with no frame.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.phrasebook import Phrasebook
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, fact_number, slot_number

_WINDOWS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_WINDOW,),
    "passenger": (vss.PASSENGER_WINDOW,),
    "rear-left": (vss.REAR_DRIVER_SIDE_WINDOW,),
    "rear-right": (vss.REAR_PASSENGER_SIDE_WINDOW,),
    "front": (vss.DRIVER_WINDOW, vss.PASSENGER_WINDOW),
    "rear": vss.REAR_WINDOWS,
    "all": vss.WINDOWS,
}
_CHILD_LOCKS = (vss.REAR_DRIVER_SIDE_CHILD_LOCK, vss.REAR_PASSENGER_SIDE_CHILD_LOCK)

PHRASES = Phrasebook(
    {
        "en": {
            "driver": "driver's window",
            "passenger": "passenger's window",
            "rear-left": "rear left window",
            "rear-right": "rear right window",
            "front": "front windows",
            "rear": "rear windows",
            "all": "windows",
            "opened": "{what} open.",
            "closed": "{what} closed.",
            "moved": "{what} open {percent} percent.",
            "already_opened": "The {what} {be} already open.",
            "already_closed": "The {what} {be} already closed.",
            "already_moved": "The {what} {be} already open {percent} percent.",
            "sunroof": "sunroof",
            "lock_on": "Child locks on.",
            "lock_off": "Child locks off.",
            "lock_already_on": "The child locks are already on.",
            "lock_already_off": "The child locks are already off.",
            "windows_closed": "All windows are closed.",
            "windows_open": "Open: {list}.",
            "windows_unknown": "I don't have the window positions right now.",
            "roof_closed": "The sunroof is closed.",
            "roof_open": "The sunroof is {percent} percent open.",
            "roof_unknown": "I don't have the sunroof position right now.",
            "locks_on": "The child locks are on.",
            "locks_off": "The child locks are off.",
            "locks_mixed": "The child lock is on only on the {side} side.",
            "locks_unknown": "I don't know whether the child locks are on right now.",
            "item": "the {what} {percent} percent",
        },
        "ko": {
            "driver": "운전석 창문",
            "passenger": "조수석 창문",
            "rear-left": "뒷좌석 왼쪽 창문",
            "rear-right": "뒷좌석 오른쪽 창문",
            "front": "앞 창문",
            "rear": "뒤 창문",
            "all": "모든 창문",
            "opened": "{what} 열었습니다.",
            "closed": "{what} 닫았습니다.",
            "moved": "{what} {percent}퍼센트 열었습니다.",
            "already_opened": "{be} 이미 열려 있습니다.",
            "already_closed": "{be} 이미 닫혀 있습니다.",
            "already_moved": "{be} 이미 {percent}퍼센트 열려 있습니다.",
            "sunroof": "선루프",
            "lock_on": "차일드 락을 켰습니다.",
            "lock_off": "차일드 락을 껐습니다.",
            "lock_already_on": "차일드 락은 이미 켜져 있습니다.",
            "lock_already_off": "차일드 락은 이미 꺼져 있습니다.",
            "windows_closed": "모든 창문이 닫혀 있습니다.",
            "windows_open": "열려 있는 창문: {list}.",
            "windows_unknown": "지금은 창문 상태를 알 수 없습니다.",
            "roof_closed": "선루프가 닫혀 있습니다.",
            "roof_open": "선루프가 {percent}퍼센트 열려 있습니다.",
            "roof_unknown": "지금은 선루프 상태를 알 수 없습니다.",
            "locks_on": "차일드 락이 켜져 있습니다.",
            "locks_off": "차일드 락이 꺼져 있습니다.",
            "locks_mixed": "차일드 락은 {side}쪽만 켜져 있습니다.",
            "locks_unknown": "지금은 차일드 락 상태를 알 수 없습니다.",
            "item": "{what} {percent}퍼센트",
        },
    }
)
"""Every sentence the skill says, per language."""

EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "body.set_window": ("open the driver window", "close all the windows", "open the windows halfway"),
        "body.set_sunroof": ("open the sunroof", "close the sunroof"),
        "body.set_child_lock": ("turn on the child lock",),
        "body.query": ("is the sunroof open", "are the windows open"),
    },
    "ko": {
        "body.set_window": ("운전석 창문 열어 줘", "창문 닫아 줘"),
        "body.set_sunroof": ("선루프 열어 줘",),
        "body.set_child_lock": ("차일드 락 켜 줘",),
        "body.query": ("선루프 열려 있어",),
    },
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


Say = Callable[..., str]
"""A phrasebook's ``say`` for one language: key and fields to a sentence."""


def _whole(value: float) -> int:
    return int(value + 0.5)


class BodySkill(Skill):
    """Door windows, sunroof and child locks."""

    name = "body"
    description = "Opens and closes the windows and the sunroof, and switches the rear child locks."
    intents = tuple(name for name in CATALOGUE if name.startswith("body."))
    examples = EXAMPLES
    slot_signals: Mapping[tuple[str, str], str] = MappingProxyType(
        {("body.set_sunroof", "position"): vss.SUNROOF_POSITION}
    )
    replies = PHRASES
    summary_order = 40

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        say = functools.partial(PHRASES.say, context.language)
        if match.intent == "body.query":
            return SkillPlan(done=_answer(str(match.slots.get("what", "")), context.state, say))
        if match.intent == "body.set_child_lock":
            on = match.slots.get("on")
            if not isinstance(on, bool):
                return SkillPlan(refusal="Should I switch the child locks on or off?")
            return _move(_CHILD_LOCKS, on, context.state, say("lock_on" if on else "lock_off"),
                         say("lock_already_on" if on else "lock_already_off"))  # fmt: skip
        position = slot_number(match.slots, "position")
        if position is None or not 0 <= position <= 100:
            return SkillPlan(refusal="How far should I open it, from 0 to 100 percent?")
        target = _whole(position)
        if match.intent == "body.set_sunroof":
            return _position_plan((vss.SUNROOF_POSITION,), target, say("sunroof"), context.state, say)
        window = str(match.slots.get("window") or context.speaker)  # "my window": the speaker's own
        if window not in _WINDOWS:
            return SkillPlan(refusal="Which window: driver, passenger, rear left, rear right, or all?")
        return _position_plan(_WINDOWS[window], target, say(window), context.state, say)

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """Open windows and the sunroof, for the prompt's car facts; empty when all is closed or unknown."""
        say = functools.partial(PHRASES.say, "en")
        opened = _open_items(state, say)
        return f"Open: {', '.join(opened)}." if opened else ""

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Open: the driver's window 100 percent.``; empty when nothing is open or known."""
        return self.summarize(state, {})


def _position_plan(
    signals: Sequence[str], target: int, what: str, state: Mapping[str, SignalValue], say: Say
) -> SkillPlan:
    key = "opened" if target == 100 else "closed" if target == 0 else "moved"
    if _is_hangul(what):  # Korean marks the object and the topic with particles, not word order
        done = say(key, what=_particle(what, "을", "를"), percent=target)
        already = say(f"already_{key}", be=_particle(what, "은", "는"), percent=target)
    else:
        done = say(key, what=what, percent=target)
        already = say(f"already_{key}", what=what, be="are" if what.endswith("s") else "is", percent=target)
    return _move(signals, target, state, done[:1].upper() + done[1:], already)


def _is_hangul(word: str) -> bool:
    return bool(word) and "\uac00" <= word[-1] <= "\ud7a3"


def _particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """``word`` with the Korean particle its last syllable takes (을/를, 은/는: a final consonant or not)."""
    final_consonant = (ord(word[-1]) - 0xAC00) % 28 != 0
    return word + (after_consonant if final_consonant else after_vowel)


def _move(
    signals: Sequence[str], value: SignalValue, state: Mapping[str, SignalValue], done: str, already: str
) -> SkillPlan:
    writes = tuple(SignalWrite(s, value) for s in signals if state.get(s) != value)
    return SkillPlan(writes, done=done) if writes else SkillPlan(done=already)


def _open_items(state: Mapping[str, SignalValue], say: Say) -> list[str]:
    names = {
        vss.DRIVER_WINDOW: say("driver"),
        vss.PASSENGER_WINDOW: say("passenger"),
        vss.REAR_DRIVER_SIDE_WINDOW: say("rear-left"),
        vss.REAR_PASSENGER_SIDE_WINDOW: say("rear-right"),
        vss.SUNROOF_POSITION: say("sunroof"),
    }
    items = []
    for signal, what in names.items():
        percent = fact_number(state, signal)
        if percent is not None and percent > 0:
            items.append(say("item", what=what, percent=_whole(percent)))
    return items


def _answer(what: str, state: Mapping[str, SignalValue], say: Say) -> str:
    if what == "sunroof":
        roof = fact_number(state, vss.SUNROOF_POSITION)
        if roof is None:
            return say("roof_unknown")
        return say("roof_closed") if roof == 0 else say("roof_open", percent=_whole(roof))
    if what == "child_lock":
        left, right = (state.get(s) for s in _CHILD_LOCKS)
        if not isinstance(left, bool) or not isinstance(right, bool):
            return say("locks_unknown")
        if left == right:
            return say("locks_on" if left else "locks_off")
        return say("locks_mixed", side="left" if left else "right")
    if any(fact_number(state, s) is None for s in vss.WINDOWS):
        return say("windows_unknown")
    opened = [item for item in _open_items(state, say) if say("sunroof") not in item]
    return say("windows_open", list=", ".join(opened)) if opened else say("windows_closed")
