"""The warmed prompt prefix on disk, so a new process loads it instead of evaluating it again.

Evaluating the fixed prefix (rules, tool schemas, examples: about 1,500 tokens) takes 20 s on two
idle cores and minutes on busy ones. Its KV state is the same every time for the same model,
prefix, context size and runtime, so it is saved once and loaded at every later start.

A file is only ever used for the exact state it was made from. Its header carries the whole
:class:`StateKey` and the prefix's tokens, and its payload a sha256. A file whose key or tokens
differ (a new model, a changed prompt, another llama-cpp-python) is stale; one whose payload does
not hash to its header is corrupt. Either is logged, deleted and rebuilt; neither is an error.

Layout of ``<models cache>/llm-state/<model>-<key>.kvstate``::

    COCKPIT-KV-STATE 1\\n
    {"key": {...}, "tokens": [...], "state_bytes": N, "sha256": "..."}\\n
    N bytes of backend state
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"COCKPIT-KV-STATE 1\n"
"""First line of every state file (the format version is part of it)."""
SUFFIX = ".kvstate"
"""File name suffix of state files."""
MAX_HEADER_BYTES = 1 << 20
"""Longest header line read (the token list of a long prefix fits easily)."""


@dataclass(frozen=True)
class StateKey:
    """Everything a saved prefix state depends on."""

    model: str
    """sha256 of the GGUF file."""
    prefix: str
    """sha256 of the prefix's token ids (see :func:`prefix_digest`)."""
    context_tokens: int
    """The context window the state was made in."""
    backend: str
    """The runtime and its version, e.g. ``llama-cpp-python 0.3.36``."""

    def digest(self) -> str:
        """A short, stable name for this key."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def prefix_digest(tokens: Sequence[int]) -> str:
    """sha256 of token ids, for :attr:`StateKey.prefix`."""
    return hashlib.sha256(",".join(str(int(t)) for t in tokens).encode()).hexdigest()


class PrefixStateStore:
    """Saved prefix states in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        """Where the state files live (created on first save)."""

    def path(self, key: StateKey) -> Path:
        """The file for ``key``."""
        return self.directory / f"{key.model[:16]}-{key.digest()}{SUFFIX}"

    def load(self, key: StateKey, tokens: Sequence[int]) -> bytes | None:
        """The saved state of ``tokens`` under ``key``; None when there is none or it is unusable
        (an unusable file is logged and deleted so the next save replaces it)."""
        path = self.path(key)
        try:
            with path.open("rb") as fh:
                if fh.read(len(MAGIC)) != MAGIC:
                    return self._discard(path, "it is not a state file of this version")
                header = json.loads(fh.readline(MAX_HEADER_BYTES))
                state = fh.read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            return self._discard(path, f"it cannot be read: {err}")
        if not isinstance(header, dict) or header.get("key") != asdict(key):
            return self._discard(path, "it was made for another model, prompt or runtime")
        if header.get("tokens") != [int(t) for t in tokens]:
            return self._discard(path, "its tokens are not the prefix's")
        if header.get("state_bytes") != len(state) or header.get("sha256") != hashlib.sha256(state).hexdigest():
            return self._discard(path, "its checksum does not match (corrupt or cut short)")
        return state

    def save(self, key: StateKey, tokens: Sequence[int], state: bytes) -> Path:
        """Write the state atomically and remove older states of the same model."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(key)
        header = {
            "key": asdict(key),
            "tokens": [int(t) for t in tokens],
            "state_bytes": len(state),
            "sha256": hashlib.sha256(state).hexdigest(),
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=SUFFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + json.dumps(header).encode() + b"\n" + state)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        for old in self.directory.glob(f"{key.model[:16]}-*{SUFFIX}"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
        return path

    def _discard(self, path: Path, why: str) -> bytes | None:
        log.warning("ignoring the saved prompt state %s: %s; it will be rebuilt", path, why)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
