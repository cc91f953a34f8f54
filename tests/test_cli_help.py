"""Every ``cockpit`` command's ``--help``, as a user runs it (a subprocess): a description of what it
does and at least one example of the command itself. ``models list|pull|verify`` each have their own."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cockpit.cli.main import COMMANDS
from models.cli import ACTIONS

HELP_TIMEOUT_S = 60
"""Generous: the machine is shared, and --help needs only the CLI's imports."""

COMMAND_LINES = [(), *((name,) for name in COMMANDS), *(("models", action) for action in ACTIONS)]


def _help(words: tuple[str, ...]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", *words, "--help"],
        capture_output=True,
        text=True,
        timeout=HELP_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def _description(text: str) -> str:
    """The paragraph after the usage lines (argparse prints the description there)."""
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("usage: cockpit")
    return " ".join(paragraphs[1].split())


def _examples(text: str) -> list[str]:
    """The indented command lines under the ``examples:`` heading."""
    _, found, rest = text.partition("\nexamples:\n")
    assert found, f"no examples section in:\n{text}"
    return [line.strip() for line in rest.split("\n\n")[0].splitlines() if line.startswith("  ")]


@pytest.mark.parametrize("words", COMMAND_LINES, ids=lambda words: " ".join(words) or "cockpit")
def test_help_describes_the_command_and_shows_an_example(words: tuple[str, ...]) -> None:
    text = _help(words)
    description = _description(text)
    assert len(description.split()) >= 8, f"the description is a sentence, not a label: {description!r}"
    assert not description.startswith(("positional arguments", "options")), "no description at all"
    examples = _examples(text)
    assert examples, "at least one example"
    prefix = " ".join(("cockpit", *words))
    for example in examples:
        assert re.match(r"^(echo .* \| )?" + re.escape(prefix) + r"( |$)", example), (
            f"{example!r} is not an example of {prefix!r}"
        )


def test_each_models_action_has_its_own_help() -> None:
    texts = {action: _help(("models", action)) for action in ACTIONS}
    assert len({_description(t) for t in texts.values()}) == len(ACTIONS), "three different descriptions"
    assert "sha256" in _description(texts["verify"])
    assert "PyPI" in _description(texts["pull"])
    listing = _help(("models",))
    assert all(re.search(rf"^\s+{action}\s+\S", listing, re.MULTILINE) for action in ACTIONS)
