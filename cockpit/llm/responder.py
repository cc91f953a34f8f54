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
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cockpit import vss
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import DialogueOutcome, DialogueResponder, Emit, token_event
from cockpit.errors import CockpitError, LanguageModelError
from cockpit.events import Error
from cockpit.interlocks import DrivingState, driving_state
from cockpit.llm import claims, gate
from cockpit.llm.api import LanguageModel
from cockpit.llm.offers import offer_text, wanted_action
from cockpit.llm.prompt import Exchange, PromptBuilder, summarize_state, trim_history
from cockpit.llm.speech import SentenceSplitter, shorten_for_driving, speakable
from cockpit.llm.state_cache import PrefixStateStore, StateKey, prefix_digest
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
from cockpit.phrasebook import Phrasebook
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from cockpit.skill_api import SignalValue
from cockpit.skill_registry import SkillCapabilities, builtin_capabilities

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
BUSY = "I'm still answering another question. Ask me again in a moment."
"""Said at once to a question beyond the queue limit (``llm.max_queue``)."""
TOO_SLOW = "Sorry, that took too long to answer. Please ask me again."
"""Said when an answer passes the turn deadline (``llm.turn_deadline_s``)."""
STARTING = "I'm still getting ready to answer questions. Ask me again in a moment."
"""Said when the turn deadline passes while the model is still loading."""
FIXED = Phrasebook(
    {
        "en": {
            "apology": APOLOGY,
            "no_answer": NO_ANSWER,
            "refusal": REFUSAL,
            "busy": BUSY,
            "too_slow": TOO_SLOW,
            "starting": STARTING,
        },
        "ko": {
            "apology": "죄송합니다. 지금은 질문에 답할 수 없지만, 공조, 내비게이션, 미디어는 계속 조작할 수 있습니다.",
            "no_answer": "죄송합니다. 그건 잘 모르겠습니다.",
            "refusal": "죄송합니다. 그건 할 수 없습니다. 제 규칙은 바뀌지 않습니다.",
            "busy": "아직 다른 질문에 답하고 있습니다. 잠시 후에 다시 물어봐 주세요.",
            "too_slow": "죄송합니다. 답하는 데 너무 오래 걸렸습니다. 다시 물어봐 주세요.",
            "starting": "아직 질문에 답할 준비를 하고 있습니다. 잠시 후에 다시 물어봐 주세요.",
        },
    }
)
"""The fixed replies above, by the session's language."""
STATE_DIR = "llm-state"
"""Where, under the model cache, the warmed prefix states are saved."""


class ModelLocator(Protocol):
    """Where a manifest model is (``models.store.ModelStore`` is one)."""

    cache_dir: Path
    """The model cache (the warmed prefix state is saved beside the models)."""

    def path(self, name: str) -> Path:
        """The verified artefact ``name``; raises a ``CockpitError`` saying how to install it."""

    def entry(self, name: str) -> Any:
        """The manifest entry ``name`` (its ``sha256`` identifies the file)."""


LlmBackend = Callable[[LlmSettings, ModelLocator], LanguageModel]
"""How a language-model backend is built: from the settings and the model store."""


def load_model(
    settings: LlmSettings, models: ModelLocator, backends: Registry[LlmBackend] | None = None
) -> LanguageModel:
    """The configured model, built by the backend ``settings.backend`` names (default registry:
    :func:`cockpit.backends.llm_backends`).

    Raises a :class:`CockpitError` that says what is wrong (disabled, unknown backend, not
    installed, unloadable).
    """
    if not settings.enabled:
        raise LanguageModelError("llm-disabled", "the language model is switched off (llm.enabled = false)")
    if backends is None:
        from cockpit.backends import llm_backends

        backends = llm_backends()
    return backends.get(settings.backend)(settings, models)


def load_llama_cpp(settings: LlmSettings, models: ModelLocator) -> LanguageModel:
    """A GGUF on llama-cpp-python: ``settings.model_path`` if set, else the manifest's ``settings.model``."""
    path = Path(settings.model_path) if settings.model_path else models.path(settings.model)
    sha256 = "" if settings.model_path else str(models.entry(settings.model).sha256)
    try:
        from cockpit.llm.llama import LlamaCppModel
    except ImportError as err:
        raise LanguageModelError("llm-load-failed", f"llama-cpp-python is not installed: {err}") from err
    return LlamaCppModel(
        path, threads=settings.threads, context_tokens=settings.context_tokens, seed=settings.seed, sha256=sha256
    )


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
    state: Mapping[str, SignalValue]
    memory: Mapping[str, Any]
    history: list[Exchange]
    refuse: bool
    options: tuple[ToolOption, ...]
    offer: IntentMatch | None
    language: str = "en"


@dataclass(frozen=True)
class WarmStart:
    """How the fixed prefix got into the model's cache at start-up (for logs and benchmarks)."""

    how: str
    """``restored`` (from the saved state), ``evaluated`` (and saved, when a store is set) or
    ``cancelled`` (the responder was closed first)."""
    prefix_tokens: int
    """Tokens in the fixed prefix."""
    load_s: float
    """Seconds to load the model file."""
    warm_s: float
    """Seconds to restore or evaluate the prefix."""


class _Cancelled(Exception):
    """A queued turn whose caller had gone before the model thread reached it."""


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
        self._units = units
        self._settings = settings or LlmSettings()
        self._skills = skills or builtin_capabilities()
        self._schemas = tool_schemas(tools, self._skills.catalogue)
        # The prompt lists only the tools a gate cue can offer: the others could never be called,
        # and every schema is paid for in prefix tokens at every cold start.
        offered = self._skills.tool_intents
        self._prompt_schemas = {name: s for name, s in self._schemas.items() if name in offered}
        self._max_sentences = max_sentences
        self._state_store = state_store
        self._understand = understand
        self._executor = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="cockpit-llm", initializer=lower_thread_priority, initargs=(nice,)
        )
        self._future: concurrent.futures.Future[_Loaded] | None = None
        self._failure = ""
        self._active: dict[threading.Event, str] = {}  # cancel flag -> session id
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._loading: LanguageModel | None = None
        self._questions = 0  # waiting for or using the model
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
        store = PrefixStateStore(Path(models.cache_dir) / STATE_DIR) if settings.state_cache else None
        return cls(
            lambda: load_model(settings, models, backends),
            settings,
            tools=tools,
            nice=nice,
            state_store=store,
            understand=understand,
            skills=skills,
            units=units,
        )

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Load the model and cache the fixed prompt prefix, on the model thread (idempotent)."""
        with self._lock:
            if self._future is None:
                self._future = self._executor.submit(self._load_and_warm)

    def _load_and_warm(self) -> _Loaded:
        try:
            if self._closing.is_set():
                raise LanguageModelError("llm-closed", "the responder was closed before the model loaded")
            started = time.perf_counter()
            model = self._load()
            self._loading = model
            loaded_at = time.perf_counter()
            prompts = PromptBuilder(model, self._prompt_schemas)
            how = self._cache_prefix(model, prompts.prefix)
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
        return _Loaded(model, prompts)

    def _cache_prefix(self, model: LanguageModel, prefix: list[int]) -> str:
        """Restore the prefix's saved state, or evaluate it (then save it); how it went."""
        key: StateKey | None = None
        if self._state_store is not None:
            try:
                key = StateKey(model.identity, prefix_digest(prefix), model.context_tokens, model.backend)
                saved = self._state_store.load(key, prefix)
                if saved is not None:
                    if model.restore_cache(prefix, saved):
                        return "restored"
                    log.warning("the model did not accept the saved prompt state; evaluating the prefix again")
            except (OSError, CockpitError) as err:
                log.warning("cannot use the saved prompt state: %s", err)
        model.warm(prefix, self._closing)
        if self._closing.is_set():
            return "cancelled"
        if key is not None and self._state_store is not None:
            try:
                snapshot = model.cache_state()
                if snapshot is not None and snapshot[0] == list(prefix):
                    path = self._state_store.save(key, prefix, snapshot[1])
                    log.info("saved the warmed prompt state to %s (%d bytes)", path, len(snapshot[1]))
            except (OSError, CockpitError) as err:
                log.warning("cannot save the warmed prompt state: %s", err)
        return "evaluated"

    async def _loaded(self) -> _Loaded | None:
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

    def _done(self) -> _Loaded | None:
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
        with self._lock:
            for flag, owner in self._active.items():
                if session_id is None or owner == session_id:
                    flag.set()

    async def idle(self) -> None:
        """Wait until the model thread has finished everything handed to it so far."""
        await asyncio.wrap_future(self._executor.submit(lambda: None))

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
        self._executor.shutdown(wait=True, cancel_futures=True)
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
        model is still loading). Neither fails the turn.
        """
        with self._lock:
            admitted = self._questions < max(1, self._settings.max_queue)
            self._questions += admitted
        if not admitted:
            emit(Error("llm-busy", f"{self._settings.max_queue} questions are already waiting for the language model"))
            return DialogueOutcome(reply=FIXED.say(session.language, "busy"))
        try:
            async with asyncio.timeout(self._settings.turn_deadline_s):
                return await self._respond(text, session, state, emit)
        except TimeoutError:
            if self._done() is None:
                emit(Error("llm-loading", "the language model was still loading"))
                return DialogueOutcome(reply=FIXED.say(session.language, "starting"))
            emit(Error("llm-deadline", f"no answer within llm.turn_deadline_s = {self._settings.turn_deadline_s:g} s"))
            return DialogueOutcome(reply=FIXED.say(session.language, "too_slow"))
        finally:
            with self._lock:
                self._questions -= 1

    async def _respond(
        self, text: str, session: Session, state: Mapping[str, SignalValue], emit: Emit
    ) -> DialogueOutcome:
        loaded = await self._loaded()
        if loaded is None:
            emit(Error("llm-unavailable", f"The language model is unavailable: {self._failure}"))
            return DialogueOutcome(reply=FIXED.say(session.language, "apology"))
        turn = _Turn(
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
            outcome, exchange = await self._run(
                lambda cancel, push: self._take(loaded, turn, cancel, push),
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

    # Everything below runs on the model thread: the model (and its tokenizer) is only ever
    # used from there.

    def _take(
        self, loaded: _Loaded, turn: _Turn, cancel: threading.Event, push: Callable[[str], None]
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

    def _answer(
        self, loaded: _Loaded, turn: _Turn, cancel: threading.Event, push: Callable[[str], None]
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

    async def _run(
        self,
        work: Callable[[threading.Event, Callable[[str], None]], T],
        on_piece: Callable[[str], Any],
        owner: str = "",
    ) -> T:
        """Run ``work`` for session ``owner`` on the model thread, delivering its pieces to
        ``on_piece`` on the loop.

        If the awaiting task is cancelled (a client that went away, the turn deadline), ``work``'s
        cancel flag is set: a running generation stops within a token and frees the model, and a
        queued one is skipped when the model thread reaches it.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        cancel = threading.Event()

        def push(piece: str | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop may be gone after a cancelled turn
                loop.call_soon_threadsafe(queue.put_nowait, piece)

        def run() -> T:
            try:
                if cancel.is_set():
                    raise _Cancelled()
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


def _and_more(sentence: str) -> str:
    """How a shortened list ends, in the sentence's language."""
    return "등" if any("\uac00" <= ch <= "\ud7a3" for ch in sentence) else "and more"
