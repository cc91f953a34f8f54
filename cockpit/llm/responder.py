"""The language-model responder: open dialogue and gated tool calls, streamed, cancellable.

Every model call runs on one dedicated, lower-priority thread (so the model is used by one turn
at a time and never competes on equal terms with the audio path); tokens come back to the event
loop as ``llm_token`` events while they are generated. Cancelling the turn's task (a client
deadline) or :meth:`LlmResponder.interrupt` (a barge-in) stops generation within one token or one
small prompt chunk and frees the model for the next turn.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cockpit.catalogue import IntentMatch
from cockpit.dialogue import DialogueOutcome, DialogueResponder, Emit, token_event
from cockpit.errors import CockpitError, LanguageModelError
from cockpit.events import EventType
from cockpit.llm import gate
from cockpit.llm.api import LanguageModel
from cockpit.llm.prompt import Exchange, PromptBuilder, summarize_state, trim_history
from cockpit.llm.speech import SentenceLimiter, speakable
from cockpit.llm.tools import (
    ToolCallError,
    ToolOption,
    call_grammar,
    check_options,
    describe_call,
    parse_tool_call,
    split_calls,
    tool_schemas,
)
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from cockpit.skill_api import SignalValue

log = logging.getLogger(__name__)

T = TypeVar("T")

APOLOGY = "Sorry, I can't answer questions right now, but I can still control the climate, navigation and media."
"""Said when the model is unavailable or failed."""
NO_ANSWER = "Sorry, I don't know that."
"""Said when the model produced nothing speakable."""
HISTORY_KEY = "llm.history"
"""Session memory key of the chat history (a list of :class:`~cockpit.llm.prompt.Exchange`)."""
REFUSAL = "Sorry, I can't do that. My rules stay as they are."
"""Said, without asking the model, to an explicit attempt to rewrite the rules."""
ANSWER_STOPS = ("<tool_call>", "</tool_call>", '{"name"', "<|im_start|>", "<|im_end|>")
"""Text that ends a spoken answer: the start of a tool call or of another message."""
TOOL_CALL_TOKENS = 64
"""Longest tool call, in tokens (the grammar ends it well before)."""
MAX_HISTORY_EXCHANGES = 32
"""Exchanges kept in a session's memory at most (the token budget usually cuts sooner)."""
DEFAULT_NICE = 10
"""How much lower than the rest of the process the model thread runs (Linux nice increment)."""


class ModelLocator(Protocol):
    """Where a manifest model is (``models.store.ModelStore`` is one)."""

    def path(self, name: str) -> Path:
        """The verified artefact ``name``; raises a ``CockpitError`` saying how to install it."""


def load_model(settings: LlmSettings, models: ModelLocator) -> LanguageModel:
    """The configured model: ``settings.model_path`` if set, else the manifest's ``settings.model``.

    Raises a :class:`CockpitError` that says what is wrong (disabled, not installed, unloadable).
    """
    if not settings.enabled:
        raise LanguageModelError("llm-disabled", "the language model is switched off (llm.enabled = false)")
    path = Path(settings.model_path) if settings.model_path else models.path(settings.model)
    try:
        from cockpit.llm.llama import LlamaCppModel
    except ImportError as err:
        raise LanguageModelError("llm-load-failed", f"llama-cpp-python is not installed: {err}") from err
    return LlamaCppModel(path, threads=settings.threads, context_tokens=settings.context_tokens, seed=settings.seed)


def lower_thread_priority(increment: int) -> None:
    """Raise the calling thread's nice value by ``increment`` (Linux: per thread; threads it
    starts later, such as llama.cpp's OpenMP workers, inherit it)."""
    if increment <= 0 or not hasattr(os, "setpriority"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + increment))
    except OSError as err:
        log.warning("cannot lower the model thread's priority: %s", err)


@dataclass(frozen=True)
class _Loaded:
    model: LanguageModel
    prompts: PromptBuilder


@dataclass(frozen=True)
class _Turn:
    text: str
    facts: str
    history: list[Exchange]
    refuse: bool
    options: tuple[ToolOption, ...]


class LlmResponder(DialogueResponder):
    """Answers unmatched turns with the embedded model; proposes tool calls only when the gate
    allows one (see :mod:`cockpit.llm.gate`)."""

    def __init__(
        self,
        load: Callable[[], LanguageModel],
        settings: LlmSettings | None = None,
        *,
        tools: Collection[str] | None = None,
        max_sentences: int = 2,
        nice: int = DEFAULT_NICE,
    ) -> None:
        """``load`` builds the model (called once, on the model thread). ``tools`` are the intents
        the model may call (default: every skill intent of the catalogue); pass the intents of
        the registered skills. ``max_sentences`` bounds a spoken answer."""
        self._load = load
        self._settings = settings or LlmSettings()
        self._schemas = tool_schemas(tools)
        self._max_sentences = max_sentences
        self._executor = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="cockpit-llm", initializer=lower_thread_priority, initargs=(nice,)
        )
        self._future: concurrent.futures.Future[_Loaded] | None = None
        self._failure = ""
        self._active: dict[threading.Event, str] = {}  # cancel flag -> session id
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: LlmSettings,
        models: ModelLocator,
        *,
        tools: Collection[str] | None = None,
        nice: int = DEFAULT_NICE,
    ) -> LlmResponder:
        """The responder the composition root builds; call :meth:`start` to load in the background."""
        return cls(lambda: load_model(settings, models), settings, tools=tools, nice=nice)

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Load the model and evaluate the fixed prompt prefix, on the model thread (idempotent)."""
        with self._lock:
            if self._future is None:
                self._future = self._executor.submit(self._load_and_warm)

    def _load_and_warm(self) -> _Loaded:
        try:
            model = self._load()
            prompts = PromptBuilder(model, self._schemas)
            model.warm(prompts.prefix)
        except CockpitError as err:
            self._failure = err.message
            log.warning("language model unavailable: %s", err)
            raise
        except Exception as err:
            self._failure = f"{type(err).__name__}: {err}"
            log.exception("language model failed to load")
            raise
        log.info("language model %s ready; %d prefix tokens cached", model.name, len(prompts.prefix))
        return _Loaded(model, prompts)

    async def _loaded(self) -> _Loaded | None:
        self.start()
        assert self._future is not None
        try:
            return await asyncio.wrap_future(self._future)
        except Exception:
            return None

    async def ready(self) -> bool:
        """Wait for loading to end; whether the model is usable."""
        return await self._loaded() is not None

    @property
    def model(self) -> LanguageModel | None:
        """The loaded model (None while loading or when unavailable)."""
        loaded = self._done()
        return loaded.model if loaded else None

    @property
    def prompts(self) -> PromptBuilder | None:
        """The prompt builder of the loaded model (None while loading or when unavailable)."""
        loaded = self._done()
        return loaded.prompts if loaded else None

    def _done(self) -> _Loaded | None:
        future = self._future
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def health(self) -> tuple[str, ...]:
        """A degradation while the model is unavailable."""
        if self._failure:
            return (f"language model unavailable: {self._failure}",)
        return ()

    def interrupt(self, session_id: str | None = None) -> None:
        """Stop the generation in flight for ``session_id`` (every one when None): a barge-in."""
        with self._lock:
            for flag, owner in self._active.items():
                if session_id is None or owner == session_id:
                    flag.set()

    async def idle(self) -> None:
        """Wait until the model thread has finished everything handed to it so far."""
        await asyncio.wrap_future(self._executor.submit(lambda: None))

    def close(self, *, free_model: bool = True) -> None:
        """Stop generating, wait for the model thread and free the model (unless ``free_model``
        is false: a model shared with another responder)."""
        self.interrupt()
        self._executor.shutdown(wait=True, cancel_futures=True)
        loaded = self._done()
        if loaded is not None and free_model:
            loaded.model.close()

    async def aclose(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    # --- turns ------------------------------------------------------------------------------

    async def respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        """A tool call when the gate allows one and the model makes a valid one; else words."""
        loaded = await self._loaded()
        if loaded is None:
            emit(EventType.ERROR, code="llm-unavailable", message=f"The language model is unavailable: {self._failure}")
            return DialogueOutcome(reply=APOLOGY)
        turn = _Turn(
            text=text,
            facts=summarize_state(state, session.memory),
            history=[h for h in session.memory.get(HISTORY_KEY, []) if isinstance(h, Exchange)],
            refuse=gate.asks_to_change_rules(text),
            options=gate.decide(text, self._schemas).options,
        )
        try:
            outcome, exchange = await self._run(
                lambda cancel, push: self._take(loaded, turn, cancel, push),
                lambda piece: token_event(emit, piece),
                session.session_id,
            )
        except LanguageModelError as err:
            log.warning("language model failed in a turn: %s", err)
            emit(EventType.ERROR, code="llm-failed", message=err.message)
            return DialogueOutcome(reply=APOLOGY)
        history = [*turn.history, exchange][-MAX_HISTORY_EXCHANGES:]
        session.memory[HISTORY_KEY] = trim_history(history, self._settings.history_tokens)
        return outcome

    # Everything below runs on the model thread: the model (and its tokenizer) is only ever
    # used from there.

    def _take(
        self, loaded: _Loaded, turn: _Turn, cancel: threading.Event, push: Callable[[str], None]
    ) -> tuple[DialogueOutcome, Exchange]:
        """Carry out one turn: a refusal, a tool call, or a streamed answer."""
        if turn.refuse:
            log.info("refused a rule change: %r", turn.text)
            return DialogueOutcome(reply=REFUSAL), loaded.prompts.exchange(turn.text, REFUSAL)
        if turn.options:
            match = self._tool_call(loaded, turn, cancel)
            if match is not None:
                return DialogueOutcome(tool_call=match), loaded.prompts.exchange(turn.text, describe_call(match))
        reply = self._answer(loaded, turn, cancel, push)
        return DialogueOutcome(reply=reply, source="llm"), loaded.prompts.exchange(turn.text, reply)

    def _prompt(self, loaded: _Loaded, turn: _Turn, max_tokens: int, tool_call: bool) -> list[int]:
        bare = loaded.prompts.build(turn.text, turn.facts, (), tool_call)
        room = loaded.model.context_tokens - max_tokens - len(bare)
        kept = trim_history(turn.history, max(0, min(self._settings.history_tokens, room)))
        return loaded.prompts.build(turn.text, turn.facts, kept, tool_call)

    def _tool_call(self, loaded: _Loaded, turn: _Turn, cancel: threading.Event) -> IntentMatch | None:
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

    def _answer(self, loaded: _Loaded, turn: _Turn, cancel: threading.Event, push: Callable[[str], None]) -> str:
        max_tokens = self._settings.max_reply_tokens
        prompt = self._prompt(loaded, turn, max_tokens, tool_call=False)
        limiter = SentenceLimiter(self._max_sentences)
        said: list[str] = []
        pieces = loaded.model.generate(prompt, max_tokens=max_tokens, stop=ANSWER_STOPS, cancel=cancel)
        with contextlib.closing(pieces):
            for piece in pieces:
                out = limiter.feed(piece if said else piece.lstrip())
                if out:
                    said.append(out)
                    push(out)
                if limiter.done:
                    break
        return speakable("".join(said)) or NO_ANSWER

    async def _run(
        self,
        work: Callable[[threading.Event, Callable[[str], None]], T],
        on_piece: Callable[[str], Any],
        owner: str = "",
    ) -> T:
        """Run ``work`` for session ``owner`` on the model thread, delivering its pieces to
        ``on_piece`` on the loop.

        If the awaiting task is cancelled, ``work``'s cancel flag is set so the model thread
        stops within a token and is free for the next turn.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        cancel = threading.Event()

        def push(piece: str | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop may be gone after a cancelled turn
                loop.call_soon_threadsafe(queue.put_nowait, piece)

        def run() -> T:
            try:
                return work(cancel, push)
            finally:
                push(None)

        with self._lock:
            self._active[cancel] = owner
        future = loop.run_in_executor(self._executor, run)
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            while (piece := await queue.get()) is not None:
                on_piece(piece)
            return await future
        finally:
            cancel.set()
            with self._lock:
                self._active.pop(cancel, None)
