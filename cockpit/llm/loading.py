"""Building the language model from the settings, and warming its fixed prompt prefix.

:func:`load_model` builds the model the ``llm`` settings name, through a backend registry
(:func:`cockpit.backends.llm_backends`); :func:`cache_prefix` gets the fixed prompt prefix into
the model's cache, from a saved state when one fits, so a cold start pays for it once.
:class:`~cockpit.llm.responder.LlmResponder` calls both on its model thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cockpit.errors import CockpitError, LanguageModelError
from cockpit.llm.api import LanguageModel
from cockpit.llm.state_cache import PrefixStateStore, StateKey, prefix_digest
from cockpit.registry import Registry
from cockpit.settings import LlmSettings

log = logging.getLogger(__name__)

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


def prefix_state_store(settings: LlmSettings, models: ModelLocator) -> PrefixStateStore | None:
    """Where the warmed prefix is kept between runs (None when ``llm.state_cache`` is off)."""
    return PrefixStateStore(Path(models.cache_dir) / STATE_DIR) if settings.state_cache else None


def cache_prefix(
    model: LanguageModel, prefix: list[int], store: PrefixStateStore | None, closing: threading.Event
) -> str:
    """Restore the prefix's saved state from ``store``, or evaluate it (then save it); how it went
    (see :attr:`WarmStart.how`). Setting ``closing`` cuts the evaluation short."""
    key: StateKey | None = None
    if store is not None:
        try:
            key = StateKey(model.identity, prefix_digest(prefix), model.context_tokens, model.backend)
            saved = store.load(key, prefix)
            if saved is not None:
                if model.restore_cache(prefix, saved):
                    return "restored"
                log.warning("the model did not accept the saved prompt state; evaluating the prefix again")
        except (OSError, CockpitError) as err:
            log.warning("cannot use the saved prompt state: %s", err)
    model.warm(prefix, closing)
    if closing.is_set():
        return "cancelled"
    if key is not None and store is not None:
        try:
            snapshot = model.cache_state()
            if snapshot is not None and snapshot[0] == list(prefix):
                path = store.save(key, prefix, snapshot[1])
                log.info("saved the warmed prompt state to %s (%d bytes)", path, len(snapshot[1]))
        except (OSError, CockpitError) as err:
            log.warning("cannot save the warmed prompt state: %s", err)
    return "evaluated"
