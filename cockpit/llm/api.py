"""The seam for language models: :class:`LanguageModel`.

The public :meth:`LanguageModel.generate` owns what every backend needs the same way: argument
checks, stop strings, cancellation between tokens, timing, and wrapping backend failures in a
:class:`~cockpit.errors.LanguageModelError`. A backend fills two small hooks, :meth:`tokenize` and
:meth:`_generate`, which yields exactly one text piece per generated token (possibly empty while
a multi-byte character is incomplete). Nothing here imports a runtime.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

from cockpit.errors import LanguageModelError


@dataclass
class GenerationStats:
    """What the last :meth:`LanguageModel.generate` call did (for benchmarks and tests)."""

    prompt_tokens: int = 0
    """Tokens in the prompt."""
    reused_tokens: int = 0
    """Prompt tokens already in the model's KV cache (not evaluated again)."""
    generated_tokens: int = 0
    """Tokens the model produced."""
    first_token_s: float | None = None
    """Seconds from the call to the first generated token (time to first token)."""
    total_s: float = 0.0
    """Seconds from the call to the end of generation."""
    cancelled: bool = False
    """Whether a cancellation ended the generation."""

    @property
    def tokens_per_s(self) -> float | None:
        """Generation rate after the first token, when at least two tokens were produced."""
        if self.first_token_s is None or self.generated_tokens < 2 or self.total_s <= self.first_token_s:
            return None
        return (self.generated_tokens - 1) / (self.total_s - self.first_token_s)


class LanguageModel(abc.ABC):
    """A causal language model that continues a prompt of tokens.

    Implementations are not thread-safe: one caller at a time (the responder runs every call on
    one dedicated thread).
    """

    name: str = "language-model"
    """Short name for logs and health reports."""
    backend: str = "none"
    """The runtime and its version (part of the key of a saved cache state)."""

    @property
    def identity(self) -> str:
        """What identifies the weights (the GGUF's sha256 for a file-backed model)."""
        return self.name

    def __init__(self) -> None:
        self.last_stats = GenerationStats()
        """Statistics of the most recent generation."""

    @abc.abstractmethod
    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Token ids of ``text``; with ``special`` control markers such as ``<|im_start|>`` become
        their special tokens, without it they stay plain text (use that for untrusted text)."""

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` takes as plain text."""
        return len(self.tokenize(text))

    @property
    def context_tokens(self) -> int:
        """The context window in tokens (prompt plus generated tokens must fit)."""
        return 4096

    def warm(self, prompt: Sequence[int], cancel: threading.Event | None = None) -> None:
        """Evaluate ``prompt`` into the cache so a later prompt that starts with it only pays for
        its own tokens. The default does nothing (models without a cache)."""
        return None

    def reset(self) -> None:
        """Forget any cached prompt (the next prompt is evaluated from scratch)."""
        return None

    def abort(self) -> None:
        """Stop the evaluation in progress as soon as the backend can, and every later one: the
        model is being closed. Safe from any thread. The default does nothing."""
        return None

    def cache_state(self) -> tuple[list[int], bytes] | None:
        """The tokens in the cache and an opaque snapshot of it, to be saved and handed to
        :meth:`restore_cache` in a later process; None when the backend has no such state."""
        return None

    def restore_cache(self, tokens: Sequence[int], state: bytes) -> bool:
        """Make the cache hold ``tokens`` from a :meth:`cache_state` snapshot, without evaluating
        them; False when the snapshot is not accepted (the cache is then empty)."""
        return False

    def close(self) -> None:
        """Release the model's memory; the model is unusable afterwards."""
        return None

    def generate(
        self,
        prompt: Sequence[int],
        *,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        cancel: threading.Event | None = None,
    ) -> Generator[str, None, None]:
        """Continue ``prompt`` greedily, yielding text as it is produced.

        ``grammar`` is a GBNF grammar the output must follow. Generation ends at the model's end
        of turn, after ``max_tokens`` tokens, before the first ``stop`` string (which is not
        yielded), or within one token of ``cancel`` being set. Backend failures are raised as
        :class:`LanguageModelError` with code ``llm-generation-failed``.
        """
        if max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        tokens = list(prompt)
        if not tokens:
            raise ValueError("the prompt is empty")
        if len(tokens) + max_tokens > self.context_tokens:
            raise LanguageModelError(
                "llm-context-full",
                f"prompt of {len(tokens)} tokens plus {max_tokens} to generate exceeds the "
                f"{self.context_tokens}-token context",
            )
        flag = cancel or threading.Event()
        stats = GenerationStats(prompt_tokens=len(tokens), reused_tokens=self._reusable_prefix(tokens))
        self.last_stats = stats
        start = time.perf_counter()
        pending = ""
        hook = self._generate(tokens, max_tokens, grammar, flag)
        try:
            for piece in hook:
                stats.generated_tokens += 1
                if stats.first_token_s is None:
                    stats.first_token_s = time.perf_counter() - start
                pending += piece
                cut = _find_stop(pending, stop)
                if cut is not None:
                    if pending[:cut]:
                        yield pending[:cut]
                    return
                keep = _partial_stop_length(pending, stop)
                ready, pending = pending[: len(pending) - keep], pending[len(pending) - keep :]
                if ready:
                    yield ready
                if flag.is_set():
                    stats.cancelled = True
                    return
                if stats.generated_tokens >= max_tokens:
                    break
            if pending and not flag.is_set():
                yield pending
            stats.cancelled = stats.cancelled or flag.is_set()
        except LanguageModelError:
            raise
        except Exception as err:
            raise LanguageModelError("llm-generation-failed", f"{self.name} failed while generating: {err}") from err
        finally:
            close = getattr(hook, "close", None)
            if close is not None:
                close()
            stats.total_s = time.perf_counter() - start

    def _reusable_prefix(self, prompt: Sequence[int]) -> int:
        """How many leading tokens of ``prompt`` are already cached (0 without a cache)."""
        return 0

    @abc.abstractmethod
    def _generate(
        self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event
    ) -> Iterator[str]:
        """Yield one text piece per generated token, greedily; stop at end of turn, at
        ``max_tokens`` or when ``cancel`` is set (also while evaluating the prompt)."""


def _find_stop(text: str, stop: Sequence[str]) -> int | None:
    """Index of the earliest stop string in ``text``, or None."""
    hits = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return min(hits) if hits else None


def _partial_stop_length(text: str, stop: Sequence[str]) -> int:
    """Length of the longest tail of ``text`` that could still grow into a stop string."""
    best = 0
    for s in stop:
        for n in range(min(len(s) - 1, len(text)), best, -1):
            if s.startswith(text[-n:]):
                best = n
                break
    return best
