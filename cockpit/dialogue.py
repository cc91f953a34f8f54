"""Open dialogue: what happens to an utterance no template matches.

A :class:`DialogueResponder` either answers in words (streaming ``llm_token`` events through
``emit`` as it goes) or proposes a tool call, which the pipeline then runs through the same
policy and skill path as a template match. It never actuates anything itself.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cockpit.catalogue import IntentMatch
from cockpit.events import LlmToken, Payload
from cockpit.phrasebook import Phrasebook
from cockpit.sessions import Session
from cockpit.skill_api import SignalValue

Emit = Callable[[Payload], None]
"""``emit(LlmToken("..."))``: report an event of the current turn."""


@dataclass(frozen=True)
class DialogueOutcome:
    """What the responder made of an utterance."""

    reply: str = ""
    """Words to say (may be empty when a tool call is proposed)."""
    tool_call: IntentMatch | None = None
    """A catalogue intent to carry out, with ``source="llm"``."""
    source: str = "rules"
    """Who wrote ``reply``: ``llm`` when the language model answered; ``rules`` for fixed
    replies (apologies, refusals). The turn's ``dialogue.chat`` intent carries it."""
    offer: IntentMatch | None = None
    """A car command the reply offers to carry out ("Do you want me to ...?"): a yes in the next
    turn runs it through the policy and the skill like any command; anything else drops it."""


class DialogueResponder(abc.ABC):
    """Answers what the templates could not."""

    @abc.abstractmethod
    async def respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        """Answer ``text`` in ``session``, given the car's state."""

    def health(self) -> tuple[str, ...]:
        """Degradations to report (empty when healthy)."""
        return ()

    def interrupt(self, session_id: str | None = None) -> None:
        """Stop answering in ``session_id`` (every session when None) as soon as possible.

        Barge-in: the driver said the wake word again. What was said so far stays the reply.
        """
        return None

    def close(self) -> None:
        """Release the model, if any (called once at shutdown)."""
        return None


class NoLanguageModel(DialogueResponder):
    """The responder when no language model is configured: a clear, honest apology."""

    REPLY = "Sorry, I can't help with that yet. I can control the climate, navigation and media."
    REPLIES = Phrasebook(
        {
            "en": {"reply": REPLY},
            "ko": {
                "reply": "죄송합니다. 그건 아직 도와드릴 수 없습니다. 공조, 내비게이션, 미디어는 조작할 수 있습니다."
            },
        }
    )
    """The apology by language."""

    async def respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        """Always the same apology, in the session's language; never a tool call."""
        return DialogueOutcome(reply=self.REPLIES.say(session.language, "reply"))


def token_event(emit: Emit, text: str) -> None:
    """Report one streamed token."""
    emit(LlmToken(text))
