"""One turn, from text to reply: intent -> policy -> skill -> vehicle -> confirmation -> reply.

Every stage reports through one :data:`~cockpit.events.EventSink`. The rule that matters most:
the reply says "done" only after the ECU's status frame confirmed every write.
"""

from __future__ import annotations

import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from cockpit.catalogue import CLASSIFIER_SOURCE, IntentMatch, Recognition, Unsupported
from cockpit.dialogue import DialogueResponder
from cockpit.errors import CockpitError
from cockpit.events import (
    Action,
    ActionStatus,
    Error,
    EventSink,
    EventType,
    Intent,
    Payload,
    PolicyDecision,
    Reply,
    State,
    TurnClock,
)
from cockpit.events import Policy as PolicyEvent
from cockpit.followups import follow_up, remember
from cockpit.langtag import primary_language
from cockpit.llm.offers import offer_text
from cockpit.multi import split_commands
from cockpit.phrasebook import Phrasebook
from cockpit.policy import Policy, PolicyResult, must_read_back, text_filled
from cockpit.registry import Registry
from cockpit.sessions import PendingConfirmation, Session
from cockpit.skill_api import SignalWrite, Skill, SkillContext, SkillPlan
from cockpit.skill_registry import skill_catalogue
from cockpit.vehicle.api import Vehicle, WriteOutcome

log = logging.getLogger(__name__)

_YES = re.compile(r"^(yes|yeah|yep|sure|ok|okay|confirm|do it|go ahead|please do|네|예|응|그래|좋아|확인)\b")
_NO = re.compile(r"^(no|nope|cancel|don't|do not|never ?mind|stop|아니요|아니오|아니|취소|됐어|하지 마)\b")

SORRY = "Sorry, something went wrong on my side. Please try again."

PHRASES = Phrasebook(
    {
        "en": {
            "sorry": SORRY,
            "wont": "Okay, I won't.",
            "unsupported": "Sorry, I can't help with {feature} in this car.",
            "cant": "Sorry, I can't do that.",
            "timeout": "Sorry, the car didn't confirm that in time, so it may not have changed. {reason}",
            "refused": "Sorry, the car refused that. {reason}",
        },
        "ko": {
            "sorry": "죄송합니다. 제 쪽에서 문제가 생겼습니다. 다시 말씀해 주세요.",
            "wont": "알겠습니다. 하지 않을게요.",
            "unsupported": "죄송합니다. 이 차에서는 {feature} 기능을 도와드릴 수 없습니다.",
            "cant": "죄송합니다. 그건 할 수 없습니다.",
            # The ECU's reason is a technical English text: the action event carries it, not the reply.
            "timeout": "죄송합니다. 차량이 제시간에 확인하지 않아서 바뀌지 않았을 수 있습니다.",
            "refused": "죄송합니다. 차량이 그 요청을 거부했습니다.",
        },
    }
)
"""The pipeline's own sentences, per language."""

UNSUPPORTED_KO: Mapping[str, str] = {
    "sunroof tilt": "선루프 틸트",
    "doors": "문",
    "trunk": "트렁크",
    "lights": "조명",
    "wipers": "와이퍼",
    "cruise control": "크루즈 컨트롤",
    "horn": "경적",
    "seat massage": "시트 마사지",
    "steering wheel heating": "핸들 열선",
    "seat ventilation": "통풍 시트",
    "rear seat heating": "뒷좌석 열선",
    "head-up display": "헤드업 디스플레이",
    "seat position": "시트 위치",
    "mirrors": "사이드 미러",
    "engine": "시동",
    "driving": "자율 주행",
    "games": "게임",
}
"""The unsupported features (``unsupported.yaml`` keys) as a Korean reply names them."""


def unsupported_reply(feature: str, language: str) -> str:
    """ "Sorry, I can't help with the trunk in this car." in ``language``."""
    if primary_language(language) == "ko":
        feature = UNSUPPORTED_KO.get(feature, "그")
    return PHRASES.say(language, "unsupported", feature=feature)


class Recognizer(Protocol):
    """What the pipeline needs of intent recognition (see :mod:`cockpit.nlu`)."""

    def recognize(self, text: str, language: str = "en") -> Recognition:
        """An :class:`IntentMatch`, an :class:`Unsupported` request, or None."""


class TurnPipeline:
    """Runs typed (and, later, transcribed) turns through the stages."""

    def __init__(
        self,
        recognizer: Recognizer,
        skills: Registry[Skill],
        policy: Policy,
        vehicle: Vehicle,
        dialogue: DialogueResponder,
        answer_window_s: float = math.inf,
        clock: Callable[[], float] = time.monotonic,
        units: str = "metric",
        drive_side: str = "left",
    ) -> None:
        """``answer_window_s``: how long a question ("Did you say ...?", "Should I go ahead?")
        waits for its yes; after that it lapses and nothing is done. ``units`` and ``drive_side``
        are the settings of the same names, passed to every skill in its context."""
        self._recognizer = recognizer
        self._skills = skills
        self._catalogue = skill_catalogue(skills)  # cockpit's intents and those the skills add
        self._policy = policy
        self._vehicle = vehicle
        self._dialogue = dialogue
        self._answer_window_s = answer_window_s
        self._clock = clock
        self._units = units
        self._drive_side = drive_side

    async def run_text(
        self,
        session: Session,
        text: str,
        sink: EventSink,
        turn: int | None = None,
        clock: TurnClock | None = None,
        heard: float | None = None,
    ) -> None:
        """Run one turn of ``session`` on ``text``; never raises for failures inside the turn.

        ``turn`` is the turn index (the session's next one by default); ``clock`` the turn's
        clock when the turn began earlier (a spoken turn starts at its wake word, so its
        pipeline events share the voice events' time origin). ``heard`` is the recogniser's
        confidence (0..1) in ``text`` when it was spoken: an unsure command is read back and
        waits for a yes, a very unsure one is not acted on.
        """
        if clock is None:
            clock = TurnClock(session.next_turn() if turn is None else turn)
        turn_ = _Turn(clock, sink, heard)
        try:
            await self._run(session, text.strip(), turn_)
        except CockpitError as err:
            log.warning("turn failed: %s", err)
            turn_.emit(Error(err.code, err.message))
            turn_.emit(Reply(PHRASES.say(session.language, "sorry")))
        except Exception as err:  # a bug in a stage must not take the service down
            log.exception("unexpected failure in a turn")
            turn_.emit(Error("internal", f"{type(err).__name__}: {err}"))
            turn_.emit(Reply(PHRASES.say(session.language, "sorry")))

    def interrupt(self, session: Session) -> None:
        """Barge-in: stop the language model's answer in ``session`` (vehicle actions run on)."""
        self._dialogue.interrupt(session.session_id)

    async def _run(self, session: Session, text: str, turn: _Turn) -> None:
        if session.pending is not None:
            pending, session.pending = session.pending, None
            answer = text.lower()
            chosen = _choose(answer, pending.choices)
            if self._clock() > pending.expires_at:
                pass  # the question lapsed: this is a new request
            elif chosen is not None:  # "Illinois": the command that answer means, checked as if said
                turn.chose = True
                turn.emit(Reply(await self._handle(session, chosen, turn)))
                return
            elif pending.choices and not _NO.match(answer):
                pass  # not one of the answers: a new request, and the question is dropped
            elif _YES.match(answer):
                if pending.plan is None:  # an offer: planned and checked now, like a command
                    turn.emit(Reply(await self._handle(session, pending.match, turn)))
                else:
                    turn.emit(Reply(await self._execute(session, pending.match, pending.plan, turn)))
                return
            if _NO.match(answer):
                turn.emit(Reply(PHRASES.say(session.language, "wont")))
                return
        followed = follow_up(text, session.memory)
        if followed is not None:  # "and the passenger side too", "set it to 23"
            turn.emit(Reply(await self._handle(session, followed, turn)))
            return
        parts = split_commands(text, lambda part: self._recognizer.recognize(part, session.language))
        if parts is not None:  # several commands at once: each runs on its own, one reply covers them
            replies = [await self._command(session, result, turn) for result in parts]
            turn.emit(Reply(" ".join(r for r in replies if r)))
            return
        result = self._recognizer.recognize(text, session.language)
        if result is None:
            await self._chat(session, text, turn)
        else:
            turn.emit(Reply(await self._command(session, result, turn)))

    async def _command(self, session: Session, result: IntentMatch | Unsupported, turn: _Turn) -> str:
        """Carry out a recognised command, or refuse an unsupported one; the reply."""
        if isinstance(result, IntentMatch):
            return await self._handle(session, result, turn)
        reason = unsupported_reply(result.feature, session.language)
        turn.emit(PolicyEvent(PolicyDecision.REFUSED, reason))
        return reason

    async def _chat(self, session: Session, text: str, turn: _Turn) -> None:
        outcome = await self._dialogue.respond(text, session, self._vehicle.snapshot(), turn.emit)
        if outcome.tool_call is not None:
            turn.emit(Reply(await self._handle(session, outcome.tool_call, turn)))
            return
        if not turn.has(EventType.INTENT):
            turn.emit(Intent("dialogue.chat", {}, outcome.source, 0.0))
        turn.emit(Reply(outcome.reply))
        if outcome.offer is not None and outcome.offer.intent in self._catalogue:
            session.pending = PendingConfirmation(outcome.offer, None, self._clock() + self._answer_window_s)

    async def _handle(self, session: Session, match: IntentMatch, turn: _Turn) -> str:
        """Plan, check and carry out one command; every event but the reply, which is returned."""
        confidence = round(match.confidence if turn.heard is None else min(match.confidence, turn.heard), 3)
        if match.intent not in self._catalogue or match.intent == "dialogue.chat":
            # A chat intent from a tool call, or a name outside the contract: never actuate.
            turn.emit(Intent(match.intent, dict(match.slots), match.source, confidence))
            return PHRASES.say(session.language, "cant")
        context = SkillContext(
            self._vehicle.snapshot(),
            dict(session.memory),
            session.language,
            session.zone,
            self._units,
            self._drive_side,
        )
        try:
            plan = self._skills.get(match.intent.split(".", 1)[0]).plan(match, context)
        except Exception:
            turn.emit(Intent(match.intent, dict(match.slots), match.source, confidence))
            raise  # the turn's error event follows the intent, as for any failing stage
        # Planning emits nothing, so the intent event can show the slots as the skill understood them.
        understood = match.slots if plan.slots is None else plan.slots
        turn.emit(Intent(match.intent, dict(understood), match.source, confidence))
        session.memory.update(plan.memory)
        if plan.refusal is not None:
            turn.emit(PolicyEvent(PolicyDecision.REFUSED, plan.refusal))
            return plan.refusal
        if plan.choices:  # the skill asks which one was meant; the answer comes as the next turn
            session.pending = PendingConfirmation(
                match, None, self._clock() + self._answer_window_s, dict(plan.choices)
            )
            return plan.done
        if not plan.writes:
            return plan.done
        verdict = self._policy.check_plan(plan.writes, context.state, session.zone, session.language)
        if match.source == CLASSIFIER_SOURCE and verdict.decision is PolicyDecision.ALLOWED:
            # No template vouches for it: offer it, and act on a yes only.
            verdict = PolicyResult(PolicyDecision.NEEDS_CONFIRMATION, offer_text(match, session.language))
        if turn.heard is not None and verdict.decision is not PolicyDecision.REFUSED:
            spec = self._catalogue[match.intent]
            hearing = self._policy.check_hearing(
                match.text or "that",
                turn.heard,
                text_filled(spec, match.slots),
                session.language,
                not turn.chose and must_read_back(spec, match.slots),
            )
            if hearing.decision is not PolicyDecision.ALLOWED:
                verdict = hearing  # a mishearing is ruled out first; a yes then also covers the plan
        turn.emit(PolicyEvent(verdict.decision, verdict.reason))
        if verdict.decision is PolicyDecision.REFUSED:
            return verdict.reason
        if verdict.decision is PolicyDecision.NEEDS_CONFIRMATION:
            session.pending = PendingConfirmation(match, plan, self._clock() + self._answer_window_s)
            return verdict.reason
        return await self._execute(session, match, plan, turn)

    async def _execute(self, session: Session, match: IntentMatch, plan: SkillPlan, turn: _Turn) -> str:
        """Write the plan and wait for the ECUs; the reply (done only when every write was confirmed)."""

        def sent(write: SignalWrite) -> None:
            turn.emit(Action(write.signal, write.value, ActionStatus.SENT, ""))

        before = self._vehicle.snapshot()
        outcomes = await self._vehicle.write(plan.writes, on_sent=sent)
        confirmed = [(o.signal, o.value) for o in outcomes if o.status is ActionStatus.CONFIRMED]
        remember(session.memory, match, before, confirmed)  # for "undo" and follow-ups
        for outcome in outcomes:
            turn.emit(Action(outcome.signal, outcome.value, outcome.status, outcome.reason))
        for outcome in outcomes:
            if outcome.status is ActionStatus.CONFIRMED:
                turn.emit(State(outcome.signal, outcome.value))
        return outcome_reply(plan, outcomes, session.language)


def _fold(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces, a space at each end."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
    plain = unicodedata.normalize("NFC", stripped)  # Hangul syllables come back whole
    return " " + " ".join(re.sub(r"[^\w\s]", " ", plain).split()) + " "


def _choose(answer: str, choices: Mapping[str, IntentMatch]) -> IntentMatch | None:
    """The choice ``answer`` names: the one whose words it holds ("the one in Illinois", "Illinois
    please", "일리노이로 가 줘": a Korean particle may follow the words); None when it names none,
    or more than one. A choice whose words lie inside another named one's ("virginia" in "west
    virginia") does not count."""
    said = _fold(answer)
    named: dict[str, IntentMatch] = {}
    for words, match in choices.items():
        key = _fold(words).strip()
        if re.search(rf"(?<=\s){re.escape(key)}(?=\s|[\uac00-\ud7a3])", said):
            named[key] = match
    kept = [match for key, match in named.items() if not any(key != other and key in other for other in named)]
    return kept[0] if len(kept) == 1 else None


def outcome_reply(plan: SkillPlan, outcomes: Sequence[WriteOutcome], language: str = "en") -> str:
    """The reply for a plan once its writes have ended: done only when all were confirmed."""
    failed = [o for o in outcomes if o.status is not ActionStatus.CONFIRMED]
    if not failed:
        return plan.done
    first = failed[0]
    key = "timeout" if first.status is ActionStatus.TIMEOUT else "refused"
    return PHRASES.say(language, key, reason=first.reason).strip()


class _Turn:
    """The clock and sink of one turn, plus what has been emitted so far."""

    def __init__(self, clock: TurnClock, sink: EventSink, heard: float | None = None) -> None:
        self._clock = clock
        self._sink = sink
        self._seen: set[EventType] = set()
        self.heard = heard
        """The recogniser's confidence when the turn was spoken; None when typed."""
        self.chose = False
        """The turn answers the car's own question with one of the places it offered ("Spain"):
        the car named the place, so it is not read back for naming one (only if heard unsure)."""

    def emit(self, payload: Payload) -> None:
        self._seen.add(payload.TYPE)
        self._sink(self._clock.event(payload))

    def has(self, type_: EventType) -> bool:
        return type_ in self._seen
