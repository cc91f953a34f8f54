"""The language-model responder: open dialogue and gated tool calls, streamed, cancellable.

Every model call runs on one dedicated, lower-priority thread (so the model is used by one turn
at a time and never competes on equal terms with the audio path); tokens come back to the event
loop as ``llm_token`` events while they are generated. Cancelling the turn's task (a client
deadline) or :meth:`LlmResponder.interrupt` (a barge-in) stops generation within one token or one
small prompt chunk and frees the model for the next turn.

The parts live beside it: :mod:`cockpit.llm.loading` (building and warming the model),
:mod:`cockpit.llm.model_thread` (the thread and its cancellable work), :mod:`cockpit.llm.limits`
(the queue limit and the turn deadline), :mod:`cockpit.llm.turn` (a turn on the model thread:
refusal, tool call or checked answer) and :mod:`cockpit.llm.replies` (the fixed replies). Their
public names are re-exported here, where callers have always found them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping

from cockpit.catalogue import IntentMatch
from cockpit.dialogue import DialogueOutcome, DialogueResponder, Emit, token_event
from cockpit.errors import CockpitError, LanguageModelError
from cockpit.events import Error
from cockpit.llm import gate
from cockpit.llm.api import LanguageModel
from cockpit.llm.limits import TurnLimits
from cockpit.llm.loading import (
    STATE_DIR,
    LlmBackend,
    ModelLocator,
    WarmStart,
    cache_prefix,
    load_llama_cpp,
    load_model,
    prefix_state_store,
)
from cockpit.llm.model_thread import DEFAULT_NICE, ModelThread, lower_thread_priority
from cockpit.llm.offers import wanted_action
from cockpit.llm.prompt import Exchange, PromptBuilder, summarize_state, trim_history
from cockpit.llm.replies import APOLOGY, BUSY, FIXED, NO_ANSWER, REFUSAL, STARTING, TOO_SLOW
from cockpit.llm.state_cache import PrefixStateStore
from cockpit.llm.tools import tool_schemas
from cockpit.llm.turn import ANSWER_STOPS, TOOL_CALL_TOKENS, LoadedModel, Turn, TurnRunner
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from cockpit.skill_api import SignalValue
from cockpit.skill_registry import SkillCapabilities, builtin_capabilities

__all__ = [
    "ANSWER_STOPS",
    "APOLOGY",
    "BUSY",
    "DEFAULT_NICE",
    "FIXED",
    "HISTORY_KEY",
    "MAX_HISTORY_EXCHANGES",
    "NO_ANSWER",
    "REFUSAL",
    "STARTING",
    "STATE_DIR",
    "TOOL_CALL_TOKENS",
    "TOO_SLOW",
    "LlmBackend",
    "LlmResponder",
    "ModelLocator",
    "WarmStart",
    "load_llama_cpp",
    "load_model",
    "lower_thread_priority",
]

log = logging.getLogger(__name__)

HISTORY_KEY = "llm.history"
"""Session memory key of the chat history (a list of :class:`~cockpit.llm.prompt.Exchange`)."""
MAX_HISTORY_EXCHANGES = 32
"""Exchanges kept in a session's memory at most (the token budget usually cuts sooner)."""


class LlmResponder(DialogueResponder):
    """Answers unmatched turns with the embedded model; proposes tool calls only when the gate
    allows one (see :mod:`cockpit.llm.gate`).

    Work is bounded: at most ``llm.max_queue`` questions wait for or use the model at once (one
    more is told at once that the assistant is busy), and each has ``llm.turn_deadline_s`` from
    when it is asked. Answers are released a sentence at a time, each checked against the car by
    :mod:`cockpit.llm.claims` first: a sentence that claims a change the turn did not make, or
    contradicts the car's confirmed state, never reaches an ``llm_token`` event or the reply.
    """

    def __init__(
        self,
        load: Callable[[], LanguageModel],
        settings: LlmSettings | None = None,
        *,
        tools: Collection[str] | None = None,
        max_sentences: int = 2,
        nice: int = DEFAULT_NICE,
        state_store: PrefixStateStore | None = None,
        understand: Callable[[str, str], IntentMatch | None] | None = None,
        skills: SkillCapabilities | None = None,
        units: str = "metric",
    ) -> None:
        """``load`` builds the model (called once, on the model thread). ``tools`` are the intents
        the model may call (default: every skill intent of the catalogue); pass the intents of
        the registered skills. ``max_sentences`` bounds a spoken answer. ``state_store`` keeps
        the warmed prefix between runs. ``understand(text, language)`` is the template
        recogniser: it finds the command a driver asks about, so an answer can offer it.
        ``skills`` is what the skill registry collected (default: the built-in skills): the
        catalogue, the gate's cues and the car facts come from there. ``units`` are the driver's
        (the ``units`` setting): the answer checker says its facts in them."""
        self._load = load
        self._settings = settings or LlmSettings()
        self._skills = skills or builtin_capabilities()
        self._schemas = tool_schemas(tools, self._skills.catalogue)
        # The prompt lists only the tools a gate cue can offer: the others could never be called,
        # and every schema is paid for in prefix tokens at every cold start.
        offered = self._skills.tool_intents
        self._prompt_schemas = {name: s for name, s in self._schemas.items() if name in offered}
        self._turns = TurnRunner(self._settings, self._schemas, max_sentences=max_sentences, units=units)
        self._limits = TurnLimits(self._settings)
        self._state_store = state_store
        self._understand = understand
        self._thread = ModelThread(nice)
        self._future: concurrent.futures.Future[LoadedModel] | None = None
        self._failure = ""
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._loading: LanguageModel | None = None
        self.warm_start: WarmStart | None = None
        """How the prefix was cached at start-up, once the model is ready."""

    @classmethod
    def from_settings(
        cls,
        settings: LlmSettings,
        models: ModelLocator,
        *,
        tools: Collection[str] | None = None,
        nice: int = DEFAULT_NICE,
        understand: Callable[[str, str], IntentMatch | None] | None = None,
        skills: SkillCapabilities | None = None,
        backends: Registry[LlmBackend] | None = None,
        units: str = "metric",
    ) -> LlmResponder:
        """The responder the composition root builds; call :meth:`start` to load in the background.
        ``backends`` are the language-model backends by name (default: :func:`llm_backends`)."""
        return cls(
            lambda: load_model(settings, models, backends),
            settings,
            tools=tools,
            nice=nice,
            state_store=prefix_state_store(settings, models),
            understand=understand,
            skills=skills,
            units=units,
        )

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Load the model and cache the fixed prompt prefix, on the model thread (idempotent)."""
        with self._lock:
            if self._future is None:
                self._future = self._thread.submit(self._load_and_warm)

    def _load_and_warm(self) -> LoadedModel:
        try:
            if self._closing.is_set():
                raise LanguageModelError("llm-closed", "the responder was closed before the model loaded")
            started = time.perf_counter()
            model = self._load()
            self._loading = model
            loaded_at = time.perf_counter()
            prompts = PromptBuilder(model, self._prompt_schemas)
            how = cache_prefix(model, prompts.prefix, self._state_store, self._closing)
        except CockpitError as err:
            self._failure = err.message
            log.warning("language model unavailable: %s", err)
            raise
        except Exception as err:
            self._failure = f"{type(err).__name__}: {err}"
            log.exception("language model failed to load")
            raise
        done = time.perf_counter()
        self.warm_start = WarmStart(how, len(prompts.prefix), loaded_at - started, done - loaded_at)
        log.info(
            "language model %s ready: %d prefix tokens %s in %.2f s (load %.2f s)",
            model.name,
            len(prompts.prefix),
            how,
            done - loaded_at,
            loaded_at - started,
        )
        return LoadedModel(model, prompts)

    async def _loaded(self) -> LoadedModel | None:
        self.start()
        assert self._future is not None
        try:
            return await asyncio.shield(asyncio.wrap_future(self._future))
        except asyncio.CancelledError:
            raise
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

    def _done(self) -> LoadedModel | None:
        future = self._future
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()

    def health(self) -> tuple[str, ...]:
        """A degradation while the model is unavailable."""
        if self._failure:
            return (f"language model unavailable: {self._failure}",)
        return ()

    def interrupt(self, session_id: str | None = None) -> None:
        """Stop the generation in flight for ``session_id`` (every one when None): a barge-in."""
        self._thread.interrupt(session_id)

    async def idle(self) -> None:
        """Wait until the model thread has finished everything handed to it so far."""
        await self._thread.idle()

    def close(self, *, free_model: bool = True) -> None:
        """Stop generating, wait for the model thread and free the model (unless ``free_model``
        is false: a model shared with another responder).

        A load or warm-up still in progress is cut short (the model's evaluation is aborted
        within a graph node), so closing right after start-up does not wait for it.
        """
        self._closing.set()
        self.interrupt()
        if free_model and self._loading is not None:
            self._loading.abort()
        self._thread.shutdown()
        model = self._loading
        if model is not None and free_model:
            model.close()

    async def aclose(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    # --- turns ------------------------------------------------------------------------------

    async def respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        """A tool call when the gate allows one and the model makes a valid one; else words.

        Beyond the queue limit the answer is an ``llm-busy`` error and a spoken "busy" at once;
        past the turn deadline it is cancelled with ``llm-deadline`` (``llm-loading`` while the
        model is still loading). Neither fails the turn (see :mod:`cockpit.llm.limits`).
        """
        return await self._limits.bound(
            lambda: self._respond(text, session, state, emit),
            session.language,
            emit,
            loading=lambda: self._done() is None,
        )

    async def _respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        loaded = await self._loaded()
        if loaded is None:
            emit(Error("llm-unavailable", f"The language model is unavailable: {self._failure}"))
            return DialogueOutcome(reply=FIXED.say(session.language, "apology"))
        turn = Turn(
            text=text,
            facts=summarize_state(state, session.memory, self._skills),
            state=dict(state),
            memory=dict(session.memory),
            history=[h for h in session.memory.get(HISTORY_KEY, []) if isinstance(h, Exchange)],
            refuse=gate.asks_to_change_rules(text),
            options=gate.decide(text, self._schemas, self._skills.cues).options,
            offer=self._wanted(text, session.language),
            language=session.language,
        )
        try:
            outcome, exchange = await self._thread.run(
                lambda cancel, push: self._turns.take(loaded, turn, cancel, push),
                lambda piece: token_event(emit, piece),
                session.session_id,
            )
        except LanguageModelError as err:
            log.warning("language model failed in a turn: %s", err)
            emit(Error("llm-failed", err.message))
            return DialogueOutcome(reply=FIXED.say(session.language, "apology"))
        history = [*turn.history, exchange][-MAX_HISTORY_EXCHANGES:]
        session.memory[HISTORY_KEY] = trim_history(history, self._settings.history_tokens)
        return outcome

    def _wanted(self, text: str, language: str) -> IntentMatch | None:
        """The car command the driver asks about, if the templates know one (for an offer)."""
        understand = self._understand
        if understand is None:
            return None
        return wanted_action(text, lambda part: understand(part, language))
