"""Where a ``cockpit`` command reads and writes: shared by every subcommand's module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cockpit.errors import ConfigError


@dataclass(frozen=True)
class Io:
    """Where a command reads and writes (the process's streams unless a test passes its own)."""

    stdin: TextIO
    """Utterances for ``ask -``."""
    stdout: TextIO
    """Results: event lines, transcripts."""
    stderr: TextIO
    """Problems, and the server's address."""


def read_token(path: Path) -> str:
    """The bearer secret on the first line of ``path`` (a file, so it never shows in ``ps``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError("bad-usage", f"cannot read the token file {str(path)!r}: {err}") from err
    if not lines or not lines[0].strip():
        raise ConfigError("bad-usage", f"the token file {str(path)!r} is empty")
    return lines[0].strip()
