"""A scripted language model: the real :class:`~cockpit.llm.api.LanguageModel` interface, no weights.

Tokens are characters (one id per code point), so prompts can be read back. The reply is chosen
from the last user message of the ChatML prompt: with a grammar, from ``tool_calls``; otherwise
from ``replies`` (first key contained in the message, case-insensitive) or ``default``. Replies
are produced word by word, one "token" per word.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence

from cockpit.errors import LanguageModelError
from cockpit.llm.api import LanguageModel

_USER = re.compile(r"<\|im_start\|>user\n(.*?)<\|im_end\|>", re.S)


class FakeLanguageModel(LanguageModel):
    """Scripted replies, recorded prompts, optional per-token delay and failure."""

    name = "fake"

    def __init__(
        self,
        replies: Mapping[str, str] | None = None,
        *,
        tool_calls: Mapping[str, str] | None = None,
        default: str = "I don't know.",
        token_delay_s: float = 0.0,
        fail: bool = False,
        context_tokens: int = 32_768,
    ) -> None:
        super().__init__()
        self.replies = dict(replies or {})
        """Substring of the user message (lower case) -> free answer."""
        self.tool_calls = dict(tool_calls or {})
        """Substring of the user message (lower case) -> text produced under a grammar."""
        self.default = default
        """Answer when no key matches."""
        self.token_delay_s = token_delay_s
        """Sleep before each token, to make cancellation observable."""
        self.fail = fail
        """Raise from inside generation (a backend failure)."""
        self.prompts: list[str] = []
        """Every prompt generated from, decoded."""
        self.grammars: list[str | None] = []
        """The grammar of each generation."""
        self.warmed: list[str] = []
        """Every prompt passed to :meth:`warm`, decoded."""
        self.closed = False
        """Whether :meth:`close` was called."""
        self.restored: list[str] = []
        """Every prefix put back from a saved snapshot, decoded."""
        self._cache: list[int] = []
        self._context = context_tokens

    @property
    def context_tokens(self) -> int:
        """The scripted context window."""
        return self._context

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """One id per character."""
        return [ord(c) for c in text]

    def warm(self, prompt: Sequence[int], cancel: threading.Event | None = None) -> None:
        """Record the prefix (it becomes the cache)."""
        self.warmed.append(_decode(prompt))
        self._cache = list(prompt)

    def cache_state(self) -> tuple[list[int], bytes] | None:
        """The cached tokens; the snapshot is their text."""
        return (list(self._cache), _decode(self._cache).encode()) if self._cache else None

    def restore_cache(self, tokens: Sequence[int], state: bytes) -> bool:
        """Accept a snapshot of exactly ``tokens`` (recorded in :attr:`restored`)."""
        if state != _decode(tokens).encode():
            self._cache = []
            return False
        self._cache = list(tokens)
        self.restored.append(_decode(tokens))
        return True

    def close(self) -> None:
        """Record the close."""
        self.closed = True

    @staticmethod
    def last_user_message(prompt: str) -> str:
        """The text of the last ``user`` message of a ChatML prompt."""
        found = _USER.findall(prompt)
        return found[-1] if found else ""

    def _generate(
        self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event
    ) -> Iterator[str]:
        text = _decode(prompt)
        self.prompts.append(text)
        self.grammars.append(grammar)
        if self.fail:
            raise RuntimeError("scripted failure")
        message = self.last_user_message(text).lower()
        table = self.tool_calls if grammar is not None else self.replies
        reply = next((value for key, value in table.items() if key.lower() in message), None)
        if reply is None:
            reply = "" if grammar is not None else self.default
        for count, piece in enumerate(re.findall(r"\S+\s*", reply), start=1):
            if cancel.is_set():
                return
            if self.token_delay_s:
                time.sleep(self.token_delay_s)
            yield piece
            if count >= max_tokens:
                return


def _decode(tokens: Sequence[int]) -> str:
    try:
        return "".join(chr(t) for t in tokens)
    except (ValueError, OverflowError) as err:
        raise LanguageModelError("llm-bad-prompt", f"not a fake-model prompt: {err}") from err
