"""Where a ``cockpit`` command reads and writes: shared by every subcommand's module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Io:
    """Where a command reads and writes (the process's streams unless a test passes its own)."""

    stdin: TextIO
    """Utterances for ``ask -``."""
    stdout: TextIO
    """Results: event lines, transcripts."""
    stderr: TextIO
    """Problems, and the server's address."""
