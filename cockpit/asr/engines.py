"""Which engine decodes which language, and the loaded models they share.

Engines are registered by name (:func:`asr_backends`; ``voice.asr_engine`` names one, or ``auto``).
With ``auto`` each language gets the first engine installed for it: Vosk wherever a verified Vosk
model for the language is in the model store; English falls back to the PocketSphinx model
bundled with the ``pocketsphinx`` package. Engines are imported lazily, only when first needed.

Loading a Vosk model takes seconds and hundreds of megabytes, so :class:`AsrEngines` loads each
once and hands out a fresh recogniser (its own decoding state) per stream.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cockpit.asr.base import SpeechRecognizer
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.hybrid import MIN_CONFIDENCE, HybridRecognizer
from cockpit.errors import ConfigError, SpeechToTextError
from cockpit.langtag import primary_language
from cockpit.registry import Registry

T = TypeVar("T")

AUTO = "auto"
"""``voice.asr_engine`` value that picks, per language, the first registered engine with a model for it."""
POOL_SIZE = 4
"""Idle recognisers kept per language for the next streams."""
POCKETSPHINX_LANGUAGES = ("en",)
"""Languages the bundled PocketSphinx model covers."""


class ModelCatalogue(Protocol):
    """What engine choice needs of :class:`models.store.ModelStore`."""

    @property
    def entries(self) -> Mapping[str, Any]:
        """Manifest entries by name."""

    def verify(self, name: str) -> bool:
        """Whether the artefact is installed and intact."""

    def path(self, name: str) -> Path:
        """The verified artefact."""


@dataclass(frozen=True)
class EngineChoice:
    """The engine picked for a language, and the model it uses."""

    engine: str
    """``vosk`` or ``pocketsphinx``."""
    model: str
    """Manifest name of the model."""
    language: str
    """The language it decodes."""


@dataclass(frozen=True)
class AsrBackend:
    """A speech-recogniser engine, as the engine registry knows it."""

    models: Callable[[ModelCatalogue, str], list[str]]
    """The manifest models this engine could decode ``language`` with (installed or not)."""
    create: Callable[[AsrEngines, str, str], SpeechRecognizer]
    """A new recogniser: ``(engines, model, language)``; ``engines`` holds the loaded models it shares."""
    installed: Callable[[ModelCatalogue, str], bool] = lambda store, name: store.verify(name)
    """Whether a model is there to use (the bundled PocketSphinx model always is)."""


def _vosk_models(store: ModelCatalogue, language: str) -> list[str]:
    return [
        name
        for name, entry in store.entries.items()
        if getattr(entry, "role", "") == "asr"
        and getattr(entry, "language", "") == language
        and name.startswith("vosk")
    ]


def _pocketsphinx_models(store: ModelCatalogue, language: str) -> list[str]:
    if language not in POCKETSPHINX_LANGUAGES:
        return []
    return [
        name
        for name, entry in store.entries.items()
        if name.startswith("pocketsphinx") and getattr(entry, "language", "") == language
    ]


def _vosk(engines: AsrEngines, model: str, language: str) -> SpeechRecognizer:
    module = importlib.import_module("cockpit.asr.vosk_engine")
    return module.VoskRecognizer(engines.shared(model, lambda: module.VoskModel(engines.store.path(model))), language)


def _pocketsphinx(engines: AsrEngines, model: str, language: str) -> SpeechRecognizer:
    module = importlib.import_module("cockpit.asr.sphinx_engine")
    automata: dict[str, Any] = engines.shared("pocketsphinx-automata", dict)  # compiled grammars, shared
    recognizer: SpeechRecognizer = module.PocketSphinxRecognizer(engines.store.path(model), language, automata)
    return recognizer


def asr_backends() -> Registry[AsrBackend]:
    """The speech engines cockpit ships, by name, in ``auto`` order: ``vosk``, then ``pocketsphinx``."""
    registry: Registry[AsrBackend] = Registry("asr-engine")
    registry.register("vosk", AsrBackend(_vosk_models, _vosk))
    registry.register("pocketsphinx", AsrBackend(_pocketsphinx_models, _pocketsphinx, lambda store, name: True))
    return registry


def choose_engine(
    store: ModelCatalogue, language: str, preference: str = AUTO, backends: Registry[AsrBackend] | None = None
) -> EngineChoice:
    """The first engine in ``backends`` (default: :func:`asr_backends`) with an installed model for
    ``language``: Vosk where a verified Vosk model exists, else PocketSphinx for English.

    ``preference`` (``auto`` or an engine's name) forces an engine; a forced engine that cannot
    decode the language is an error naming what is installed.
    """
    backends = backends if backends is not None else asr_backends()
    if preference != AUTO and preference not in backends:
        valid = ", ".join([AUTO, *(name for name, _ in backends.items())])
        raise ConfigError("bad-setting", f"voice.asr_engine must be one of {valid}, not {preference!r}")
    lang = primary_language(language)
    missing: list[str] = []
    for name, backend in backends.items():
        if preference not in (AUTO, name):
            continue
        models = backend.models(store, lang)
        installed = [model for model in models if backend.installed(store, model)]
        if installed:
            return EngineChoice(name, installed[0], lang)
        missing += models
    available = sorted(
        {getattr(e, "language", "") for n, e in store.entries.items() if getattr(e, "role", "") == "asr"} - {""}
    )
    hint = f"; run: cockpit models pull {missing[0]}" if missing else ""
    raise SpeechToTextError(
        "no-asr-for-language",
        f"no {preference if preference != AUTO else 'speech'} recogniser is installed for language {lang!r} "
        f"(languages with a model: {', '.join(available) or 'none'}){hint}",
    )


class AsrEngines:
    """Loaded speech models, shared; a new hybrid recogniser per stream.

    ``grammars`` maps a language to its command grammar (from the skills' templates);
    ``is_command`` optionally checks a grammar result before it is trusted (see
    :class:`~cockpit.asr.hybrid.HybridRecognizer`).
    """

    def __init__(
        self,
        store: ModelCatalogue,
        preference: str = AUTO,
        grammars: Mapping[str, CommandGrammar] | None = None,
        is_command: Callable[[str, str], bool] | None = None,
        min_confidence: float = MIN_CONFIDENCE,
        backends: Registry[AsrBackend] | None = None,
    ) -> None:
        self.store = store
        """The model store the engines load from."""
        self._backends = backends if backends is not None else asr_backends()
        self._preference = preference
        self._grammars = dict(grammars or {})
        self._is_command = is_command
        self._min_confidence = min_confidence
        self._shared: dict[str, Any] = {}  # loaded models and caches the engines share, by key
        self._idle: dict[str, list[SpeechRecognizer]] = {}  # released engine recognisers by language
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    def choice(self, language: str) -> EngineChoice:
        """The engine that would decode ``language``."""
        return choose_engine(self.store, language, self._preference, self._backends)

    def shared(self, key: str, load: Callable[[], T]) -> T:
        """The object under ``key`` every recogniser of an engine shares (a loaded model), loaded once."""
        with self._load_lock:  # not self._lock: loading a model takes seconds, the pool must not wait
            if key not in self._shared:
                self._shared[key] = load()
            return self._shared[key]

    def bare(self, language: str) -> SpeechRecognizer:
        """A new engine recogniser for ``language`` (no hybrid wrapper, grammar set if there is one)."""
        choice = self.choice(language)
        recognizer = self._backends.get(choice.engine).create(self, choice.model, choice.language)
        grammar = self._grammars.get(choice.language)
        if grammar is not None:
            recognizer.set_grammar(grammar)
        return recognizer

    def recognizer(self, language: str) -> HybridRecognizer:
        """A hybrid recogniser for ``language``: command grammar first, free decoding as fallback.

        Its engine comes from the pool of released ones when there is one (loading a decoder
        takes about a second); give it back with :meth:`release` when the stream ends.
        """
        choice = self.choice(language)
        with self._lock:
            idle = self._idle.get(choice.language, [])
            inner = idle.pop() if idle else None
        if inner is None:
            inner = self.bare(language)
        check = self._is_command
        lang = inner.language
        return HybridRecognizer(
            inner,
            self._min_confidence,
            None if check is None else (lambda text: check(text, lang)),
        )

    def release(self, recognizer: SpeechRecognizer) -> None:
        """Give a stream's recogniser back for the next stream (at most :data:`POOL_SIZE` are kept)."""
        inner = recognizer.inner if isinstance(recognizer, HybridRecognizer) else recognizer
        if inner.active:
            inner.cancel()
        with self._lock:
            idle = self._idle.setdefault(inner.language, [])
            if len(idle) < POOL_SIZE and inner not in idle:
                idle.append(inner)

    def prepare(self, language: str) -> None:
        """Load one recogniser for ``language`` into the pool now, so the first stream starts at once."""
        self.release(self.bare(language))
