"""Keep the model generating in the background: the load for measuring the audio path.

The voice front end's benchmark compares wake-word and ASR real-time factors while the model
generates with the same figures when it is idle::

    with BackgroundGeneration.from_settings(settings.llm, ModelStore()) as load:
        ... run the wake word and ASR over a recording ...
    print(load.tokens, load.tokens_per_s)

Generation runs on its own thread with the same thread count and priority as the responder.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from cockpit.llm.api import LanguageModel
from cockpit.llm.responder import DEFAULT_NICE, ModelLocator, load_model, lower_thread_priority
from cockpit.settings import LlmSettings

STORY_PROMPT = (
    "<|im_start|>system\nYou are a storyteller.<|im_end|>\n"
    "<|im_start|>user\nTell me a long story about a road trip across Europe.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
"""A prompt that keeps a model talking."""


class BackgroundGeneration:
    """Generates continuously on a background thread until stopped."""

    def __init__(
        self, model: LanguageModel, *, prompt: str = STORY_PROMPT, max_tokens: int = 256, nice: int = DEFAULT_NICE
    ) -> None:
        self._model = model
        self._prompt = model.tokenize(prompt, special=True)
        self._max_tokens = max_tokens
        self._nice = nice
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._owned = False
        self._started = 0.0
        self._elapsed = 0.0
        self.tokens = 0
        """Tokens generated so far."""
        self.error: BaseException | None = None
        """What stopped generation early, if anything did."""

    @classmethod
    def from_settings(cls, settings: LlmSettings, models: ModelLocator) -> BackgroundGeneration:
        """Load the configured model (freed again on :meth:`stop`)."""
        generation = cls(load_model(settings, models))
        generation._owned = True
        return generation

    @property
    def tokens_per_s(self) -> float:
        """Average generation rate while running."""
        elapsed = self._elapsed or (time.perf_counter() - self._started if self._started else 0.0)
        return self.tokens / elapsed if elapsed > 0 else 0.0

    def start(self) -> None:
        """Start generating (once)."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="cockpit-llm-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        lower_thread_priority(self._nice)
        try:
            while not self._stop.is_set():
                self._model.reset()  # every round evaluates the prompt again, like a new turn
                for _ in self._model.generate(self._prompt, max_tokens=self._max_tokens, cancel=self._stop):
                    self.tokens += 1
        except BaseException as err:
            self.error = err

    def stop(self) -> None:
        """Stop generating and wait for the thread; frees the model if this object loaded it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._elapsed = time.perf_counter() - self._started
        if self._owned:
            self._model.close()

    def __enter__(self) -> BackgroundGeneration:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
