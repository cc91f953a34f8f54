"""The body skill: door windows, the sunroof and the rear child locks, through the body ECU.

Positions are percent open (0 closed .. 100 fully open). The skill plans the writes as asked;
whether they may go out at this speed, or from this seat, is the policy's interlock table
(:mod:`cockpit.interlocks`), which refuses or asks with a spoken reason. A window named by no
side is the speaker's own (the session's seat: the driver's unless a passenger's microphone or
``--zone`` says otherwise). A request that changes nothing (closing a closed sunroof) is answered
from the confirmed state, with no frame. Rear windows are named by side ("rear left window"); which
door that is depends on the drive side: for a request, its :class:`SkillContext`'s; for the language
model's car facts (:meth:`BodySkill.summarize`, which has no context), the one the skill was built with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.hangul import is_hangul, particle
from cockpit.phrasebook import Phrasebook
from cockpit.seats import DRIVE_SIDES, rear_on_driver_side
from cockpit.skill_api import SignalValue, SignalWrite, Skill, SkillContext, SkillPlan, fact_number, slot_number

_FIXED_WINDOWS: Mapping[str, tuple[str, ...]] = {
    "driver": (vss.DRIVER_WINDOW,),
    "passenger": (vss.PASSENGER_WINDOW,),
    "rear-driver-side": (vss.REAR_DRIVER_SIDE_WINDOW,),
    "rear-passenger-side": (vss.REAR_PASSENGER_SIDE_WINDOW,),
    "front": (vss.DRIVER_WINDOW, vss.PASSENGER_WINDOW),
    "rear": vss.REAR_WINDOWS,
    "all": vss.WINDOWS,
}
"""Windows named by role: the same in a left- and a right-hand drive car."""
_SIDES = {"left": "left", "right": "right", "rear-left": "left", "rear-right": "right"}
"""Windows named by side, and the side: which door that is depends on the drive side."""


def _rear_names(drive_side: str) -> dict[str, str]:
    """Rear window signal -> its phrasebook key (``rear-left``/``rear-right``) on this drive side."""
    left_is_driver = rear_on_driver_side("left", drive_side)
    return {
        vss.REAR_DRIVER_SIDE_WINDOW: "rear-left" if left_is_driver else "rear-right",
        vss.REAR_PASSENGER_SIDE_WINDOW: "rear-right" if left_is_driver else "rear-left",
    }


def _window_name(signals: tuple[str, ...], window: str, drive_side: str) -> str:
    """The phrasebook key that names ``signals`` as asked for (``window``): the front by role, the rear by side."""
    if len(signals) > 1:
        return window
    front = {vss.DRIVER_WINDOW: "driver", vss.PASSENGER_WINDOW: "passenger"}
    return front.get(signals[0]) or _rear_names(drive_side)[signals[0]]


def _windows(window: str, drive_side: str) -> tuple[str, ...] | None:
    """The window signals ``window`` names in a car with its wheel on ``drive_side``; None if none."""
    side = _SIDES.get(window)
    if side is None:
        return _FIXED_WINDOWS.get(window)
    driver_side = rear_on_driver_side(side, drive_side)
    if window.startswith("rear-"):
        return (vss.REAR_DRIVER_SIDE_WINDOW if driver_side else vss.REAR_PASSENGER_SIDE_WINDOW,)
    return (vss.DRIVER_WINDOW if driver_side else vss.PASSENGER_WINDOW,)


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
            "side_left": "left",
            "side_right": "right",
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
            "side_left": "왼",
            "side_right": "오른",
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

    def __init__(self, drive_side: str = "left") -> None:
        """``drive_side``: the car's (the ``drive_side`` setting), for the car facts :meth:`summarize`
        gives the language model; a request uses its context's."""
        if drive_side not in DRIVE_SIDES:
            raise ValueError(f"drive_side is 'left' or 'right', not {drive_side!r}")
        self._drive_side = drive_side

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        say = functools.partial(PHRASES.say, context.language)
        if match.intent == "body.query":
            what = str(match.slots.get("what", ""))
            return SkillPlan(done=_answer(what, context.state, say, context.drive_side))
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
        signals = _windows(window, context.drive_side)
        if signals is None:
            return SkillPlan(refusal="Which window: driver, passenger, rear left, rear right, or all?")
        return _position_plan(
            signals, target, say(_window_name(signals, window, context.drive_side)), context.state, say
        )

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """Open windows and the sunroof, for the prompt's car facts, the rear ones named by side as
        the driver names them in this car; empty when all is closed or unknown."""
        say = functools.partial(PHRASES.say, "en")
        opened = _open_items(state, say, self._drive_side)
        return f"Open: {', '.join(opened)}." if opened else ""

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Open: the driver's window 100 percent.``; empty when nothing is open or known."""
        return self.summarize(state, {})


def _position_plan(
    signals: Sequence[str], target: int, what: str, state: Mapping[str, SignalValue], say: Say
) -> SkillPlan:
    key = "opened" if target == 100 else "closed" if target == 0 else "moved"
    if is_hangul(what[-1:]):  # Korean marks the object and the topic with particles, not word order
        done = say(key, what=particle(what, "을", "를"), percent=target)
        already = say(f"already_{key}", be=particle(what, "은", "는"), percent=target)
    else:
        done = say(key, what=what, percent=target)
        already = say(f"already_{key}", what=what, be="are" if what.endswith("s") else "is", percent=target)
    return _move(signals, target, state, done[:1].upper() + done[1:], already)


def _move(
    signals: Sequence[str], value: SignalValue, state: Mapping[str, SignalValue], done: str, already: str
) -> SkillPlan:
    writes = tuple(SignalWrite(s, value) for s in signals if state.get(s) != value)
    return SkillPlan(writes, done=done) if writes else SkillPlan(done=already)


def _open_items(state: Mapping[str, SignalValue], say: Say, drive_side: str) -> list[str]:
    rear = _rear_names(drive_side)
    names = {
        vss.DRIVER_WINDOW: say("driver"),
        vss.PASSENGER_WINDOW: say("passenger"),
        vss.REAR_DRIVER_SIDE_WINDOW: say(rear[vss.REAR_DRIVER_SIDE_WINDOW]),
        vss.REAR_PASSENGER_SIDE_WINDOW: say(rear[vss.REAR_PASSENGER_SIDE_WINDOW]),
        vss.SUNROOF_POSITION: say("sunroof"),
    }
    items = []
    for signal, what in names.items():
        percent = fact_number(state, signal)
        if percent is not None and percent > 0:
            items.append(say("item", what=what, percent=_whole(percent)))
    return items


def _answer(what: str, state: Mapping[str, SignalValue], say: Say, drive_side: str) -> str:
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
        driver_side = "left" if rear_on_driver_side("left", drive_side) else "right"
        passenger_side = "right" if driver_side == "left" else "left"
        return say("locks_mixed", side=say("side_" + (driver_side if left else passenger_side)))
    if any(fact_number(state, s) is None for s in vss.WINDOWS):
        return say("windows_unknown")
    opened = [item for item in _open_items(state, say, drive_side) if say("sunroof") not in item]
    return say("windows_open", list=", ".join(opened)) if opened else say("windows_closed")
