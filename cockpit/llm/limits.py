"""Bounds on the questions the model answers: how many at once, and how long each may take.

At most ``llm.max_queue`` questions wait for or use the model at once; one more is told at once
that the assistant is busy (``llm-busy``). Each has ``llm.turn_deadline_s`` from when it is asked;
past it the answer is cancelled, which frees the model (see :mod:`cockpit.llm.model_thread`), and
a fixed reply says so (``llm-deadline``, or ``llm-loading`` while the model is still loading).
Neither fails the turn.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

from cockpit.dialogue import DialogueOutcome, Emit
from cockpit.events import Error
from cockpit.llm.replies import FIXED
from cockpit.settings import LlmSettings


class TurnLimits:
    """Admission (``llm.max_queue``) and the turn deadline (``llm.turn_deadline_s``) of questions."""

    def __init__(self, settings: LlmSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._questions = 0  # waiting for or using the model

    async def bound(
        self,
        answer: Callable[[], Awaitable[DialogueOutcome]],
        language: str,
        emit: Emit,
        loading: Callable[[], bool],
    ) -> DialogueOutcome:
        """``answer()`` if the question is admitted and answered in time; else a fixed reply in
        ``language``, with an error event. ``loading()`` says whether the model is still loading."""
        with self._lock:
            admitted = self._questions < max(1, self._settings.max_queue)
            self._questions += admitted
        if not admitted:
            emit(Error("llm-busy", f"{self._settings.max_queue} questions are already waiting for the language model"))
            return DialogueOutcome(reply=FIXED.say(language, "busy"))
        try:
            async with asyncio.timeout(self._settings.turn_deadline_s):
                return await answer()
        except TimeoutError:
            if loading():
                emit(Error("llm-loading", "the language model was still loading"))
                return DialogueOutcome(reply=FIXED.say(language, "starting"))
            emit(Error("llm-deadline", f"no answer within llm.turn_deadline_s = {self._settings.turn_deadline_s:g} s"))
            return DialogueOutcome(reply=FIXED.say(language, "too_slow"))
        finally:
            with self._lock:
                self._questions -= 1
