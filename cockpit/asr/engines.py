"""Which engine decodes which language, and the loaded models they share.

Each language gets the engine installed for it: Vosk wherever a verified Vosk model for the
language is in the model store; English falls back to the PocketSphinx model bundled with the
``pocketsphinx`` package. Engines are imported lazily, by name, only when first needed.

Loading a Vosk model takes seconds and hundreds of megabytes, so :class:`AsrEngines` loads each
once and hands out a fresh recogniser (its own decoding state) per stream.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cockpit.asr.base import SpeechRecognizer
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.hybrid import MIN_CONFIDENCE, HybridRecognizer
from cockpit.errors import ConfigError, SpeechToTextError

ENGINES = ("auto", "vosk", "pocketsphinx")
"""Accepted values of ``voice.asr_engine``."""
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


def choose_engine(store: ModelCatalogue, language: str, preference: str = "auto") -> EngineChoice:
    """Vosk where a verified Vosk model for ``language`` exists, else PocketSphinx for English.

    ``preference`` (``auto``, ``vosk``, ``pocketsphinx``) forces an engine; a forced engine
    that cannot decode the language is an error naming what is installed.
    """
    if preference not in ENGINES:
        raise ConfigError("bad-setting", f"voice.asr_engine must be one of {', '.join(ENGINES)}, not {preference!r}")
    lang = language.replace("_", "-").split("-", 1)[0].lower()
    vosk = [
        name
        for name, entry in store.entries.items()
        if getattr(entry, "role", "") == "asr" and getattr(entry, "language", "") == lang and name.startswith("vosk")
    ]
    installed = [name for name in vosk if store.verify(name)]
    if preference in ("auto", "vosk") and installed:
        return EngineChoice("vosk", installed[0], lang)
    if preference in ("auto", "pocketsphinx") and lang in POCKETSPHINX_LANGUAGES:
        for name, entry in store.entries.items():
            if name.startswith("pocketsphinx") and getattr(entry, "language", "") == lang:
                return EngineChoice("pocketsphinx", name, lang)
    available = sorted(
        {getattr(e, "language", "") for n, e in store.entries.items() if getattr(e, "role", "") == "asr"} - {""}
    )
    hint = f"; run: cockpit models pull {vosk[0]}" if vosk and not installed else ""
    raise SpeechToTextError(
        "no-asr-for-language",
        f"no {preference if preference != 'auto' else 'speech'} recogniser is installed for language {lang!r} "
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
        preference: str = "auto",
        grammars: Mapping[str, CommandGrammar] | None = None,
        is_command: Callable[[str, str], bool] | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self._store = store
        self._preference = preference
        self._grammars = dict(grammars or {})
        self._is_command = is_command
        self._min_confidence = min_confidence
        self._vosk_models: dict[str, Any] = {}
        self._automata: dict[str, Any] = {}  # compiled grammars, shared by PocketSphinx decoders
        self._idle: dict[str, list[SpeechRecognizer]] = {}  # released engine recognisers by language
        self._lock = threading.Lock()

    def choice(self, language: str) -> EngineChoice:
        """The engine that would decode ``language``."""
        return choose_engine(self._store, language, self._preference)

    def bare(self, language: str) -> SpeechRecognizer:
        """A new engine recogniser for ``language`` (no hybrid wrapper, grammar set if there is one)."""
        choice = self.choice(language)
        recognizer: SpeechRecognizer
        if choice.engine == "vosk":
            module = importlib.import_module("cockpit.asr.vosk_engine")
            if choice.model not in self._vosk_models:
                self._vosk_models[choice.model] = module.VoskModel(self._store.path(choice.model))
            recognizer = module.VoskRecognizer(self._vosk_models[choice.model], choice.language)
        else:
            module = importlib.import_module("cockpit.asr.sphinx_engine")
            recognizer = module.PocketSphinxRecognizer(self._store.path(choice.model), choice.language, self._automata)
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
