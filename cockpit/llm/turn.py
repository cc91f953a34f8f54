"""One question on the model thread: a refusal, a gated tool call, or a streamed, checked answer.

Everything here runs on the model thread (:mod:`cockpit.llm.model_thread`): the model and its
tokenizer are only ever used from there. The answer is released a sentence at a time, each
checked against the car by :mod:`cockpit.llm.claims` first: a sentence that claims a change the
turn did not make, or contradicts the car's confirmed state, is never pushed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import DialogueOutcome
from cockpit.interlocks import DrivingState, driving_state
from cockpit.llm import claims
from cockpit.llm.api import LanguageModel
from cockpit.llm.offers import offer_text
from cockpit.llm.prompt import Exchange, PromptBuilder, trim_history
from cockpit.llm.replies import FIXED
from cockpit.llm.speech import SentenceSplitter, shorten_for_driving, speakable
from cockpit.llm.tools import (
    ToolCallError,
    ToolOption,
    call_grammar,
    check_options,
    describe_call,
    parse_tool_call,
    split_calls,
)
from cockpit.settings import LlmSettings
from cockpit.skill_api import SignalValue

log = logging.getLogger(__name__)

ANSWER_STOPS = ("<tool_call>", "</tool_call>", '{"name"', "<|im_start|>", "<|im_end|>")
"""Text that ends a spoken answer: the start of a tool call or of another message."""
TOOL_CALL_TOKENS = 64
"""Longest tool call, in tokens (the grammar ends it well before)."""


@dataclass(frozen=True)
class LoadedModel:
    """A ready model and the prompt builder whose fixed prefix is in its cache."""

    model: LanguageModel
    """The model, warmed."""
    prompts: PromptBuilder
    """Its prompts."""


@dataclass(frozen=True)
class Turn:
    """What a question is answered from, taken on the event loop when it is asked."""

    text: str
    """The driver's words."""
    facts: str
    """The vehicle summary for the prompt."""
    state: Mapping[str, SignalValue]
    """The car's confirmed state (a copy)."""
    memory: Mapping[str, Any]
    """The session's memory (a copy)."""
    history: list[Exchange]
    """Earlier exchanges of the session."""
    refuse: bool
    """Whether the words try to rewrite the rules (answered with a refusal, without the model)."""
    options: tuple[ToolOption, ...]
    """The tool calls the gate allows (none: words only)."""
    offer: IntentMatch | None
    """The command the driver asks about, which the answer may offer."""
    language: str = "en"
    """The session's language."""


class TurnRunner:
    """Carries out turns with a loaded model, within the ``llm`` settings' bounds."""

    def __init__(
        self, settings: LlmSettings, schemas: Mapping[str, Mapping[str, Any]], *, max_sentences: int, units: str
    ) -> None:
        """``schemas`` are the tools the model may call; ``max_sentences`` bounds a spoken answer;
        ``units`` are the driver's, in which the answer checker says its facts."""
        self._settings = settings
        self._schemas = schemas
        self._max_sentences = max_sentences
        self._units = units

    def take(
        self, loaded: LoadedModel, turn: Turn, cancel: threading.Event, push: Callable[[str], None]
    ) -> tuple[DialogueOutcome, Exchange]:
        """Carry out one turn: a refusal, a tool call, or a streamed answer."""
        if turn.refuse:
            log.info("refused a rule change: %r", turn.text)
            refusal = FIXED.say(turn.language, "refusal")
            return DialogueOutcome(reply=refusal), loaded.prompts.exchange(turn.text, refusal)
        if turn.options:
            match = self._tool_call(loaded, turn, cancel)
            if match is not None:
                return DialogueOutcome(tool_call=match), loaded.prompts.exchange(turn.text, describe_call(match))
        reply, offered = self._answer(loaded, turn, cancel, push)
        outcome = DialogueOutcome(reply=reply, source="llm", offer=turn.offer if offered else None)
        return outcome, loaded.prompts.exchange(turn.text, reply)

    def _prompt(self, loaded: LoadedModel, turn: Turn, max_tokens: int, tool_call: bool) -> list[int]:
        bare = loaded.prompts.build(turn.text, turn.facts, (), tool_call)
        room = loaded.model.context_tokens - max_tokens - len(bare)
        kept = trim_history(turn.history, max(0, min(self._settings.history_tokens, room)))
        return loaded.prompts.build(turn.text, turn.facts, kept, tool_call)

    def _tool_call(self, loaded: LoadedModel, turn: Turn, cancel: threading.Event) -> IntentMatch | None:
        check_options(turn.options, self._schemas)
        shared, continuations = split_calls(turn.options)
        prompt = self._prompt(loaded, turn, TOOL_CALL_TOKENS, tool_call=True) + loaded.model.tokenize(shared)
        pieces = loaded.model.generate(
            prompt,
            max_tokens=TOOL_CALL_TOKENS,
            grammar=call_grammar(continuations),
            stop=("</tool_call>",),
            cancel=cancel,
        )
        with contextlib.closing(pieces):
            output = shared + "".join(pieces)
        try:
            match = parse_tool_call(output, turn.options, self._schemas, utterance=turn.text)
        except ToolCallError as err:
            log.warning("discarded the model's tool call %r: %s", output, err)
            return None
        log.info("tool call from the model: %s %s", match.intent, dict(match.slots))
        return match

    def _answer(
        self, loaded: LoadedModel, turn: Turn, cancel: threading.Event, push: Callable[[str], None]
    ) -> tuple[str, bool]:
        """The spoken answer, released a checked sentence at a time; whether it ends in the offer."""
        max_tokens = self._settings.max_reply_tokens
        max_sentences = self._max_sentences
        # The interlock table: long answers and lists are shortened while the car is known to move
        # (an unknown speed is not shortened: the interlocks refuse on it, a long answer is no danger then).
        speed_known = isinstance(turn.state.get(vss.SPEED), int | float)
        moving = speed_known and driving_state(turn.state) is DrivingState.MOVING
        if moving:
            max_sentences = min(max_sentences, max(1, self._settings.moving_max_sentences))
        prompt = self._prompt(loaded, turn, max_tokens, tool_call=False)
        offer = offer_text(turn.offer, turn.language) if turn.offer is not None else None
        # A chat turn has confirmed nothing: every claim of a change is checked as unconfirmed.
        checker = claims.AnswerChecker(
            turn.state, offer=offer, question=turn.text, memory=turn.memory, language=turn.language, units=self._units
        )
        splitter = SentenceSplitter()
        said: list[str] = []

        def release(sentence: str) -> None:
            if moving:
                sentence = shorten_for_driving(sentence, self._settings.moving_max_words, _and_more(sentence))
            checked = checker.check(speakable(sentence))
            if checked.replaced:
                log.info("replaced a sentence of the model (%s): %r -> %r", checked.reason, sentence, checked.text)
            if checked.text and not (checked.replaced and checked.text in said):
                push(checked.text if not said else " " + checked.text)
                said.append(checked.text)

        pieces = loaded.model.generate(prompt, max_tokens=max_tokens, stop=ANSWER_STOPS, cancel=cancel)
        with contextlib.closing(pieces):
            for piece in pieces:
                for sentence in splitter.feed(piece):
                    release(sentence)
                if len(said) >= max_sentences:
                    break
        if len(said) < max_sentences and not cancel.is_set():
            release(splitter.rest())
        reply = " ".join(said[:max_sentences])
        return (reply or FIXED.say(turn.language, "no_answer")), bool(offer) and offer in said


def _and_more(sentence: str) -> str:
    """How a shortened list ends, in the sentence's language."""
    return "등" if any("\uac00" <= ch <= "\ud7a3" for ch in sentence) else "and more"
