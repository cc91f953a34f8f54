"""Command grammar: compiled from the templates, pruned, written as JSGF, phrases and automaton."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cockpit.asr.automaton import compile_grammar
from cockpit.asr.base import Mode
from cockpit.asr.grammar import Alt, CommandGrammar, Ref, Seq, Word, words
from cockpit.asr.hybrid import HybridRecognizer
from cockpit.asr.templates import build_grammar
from cockpit.nlu import default_template_paths, load_templates
from cockpit.testing import ScriptedRecognizer

COMMANDS = yaml.safe_load((Path(__file__).parent / "fixtures/audio/commands.yaml").read_text())["commands"]

SMALL = CommandGrammar(
    "en",
    (Seq((words("set the temperature to"), Ref("num"), Alt((Word("degrees"),), True))), words("turn on the ac")),
    {"num": Alt((Word("twenty"), words("twenty one"), Word("zork")))},
    prefix=Alt((Word("please"), words("hey jarvis"))),
)


def test_jsgf_phrases_and_automaton_agree() -> None:
    jsgf = SMALL.to_jsgf()
    assert jsgf.startswith("#JSGF V1.0;") and "public <command> = [(please | hey jarvis)] <sentence>;" in jsgf
    phrases = SMALL.phrases()
    assert "set the temperature to twenty one degrees" in phrases and "please" in phrases
    automaton = compile_grammar(SMALL)
    for text in (
        "set the temperature to twenty one",
        "hey jarvis turn on the ac",
        "please set the temperature to zork",
    ):
        assert automaton.accepts(text)
    assert not automaton.accepts("set the temperature")


def test_pruning_drops_alternatives_with_unknown_words() -> None:
    pruned = SMALL.pruned(lambda w: w != "zork")
    assert "zork" not in pruned.vocabulary()
    assert compile_grammar(pruned).accepts("set the temperature to twenty degrees")
    assert not pruned.pruned(lambda w: w not in ("ac", "temperature")).sentences


def test_phrases_split_at_rules_when_too_many() -> None:
    phrases = SMALL.phrases(limit=2)
    assert "set the temperature to" in phrases and "twenty one" in phrases


@pytest.fixture(scope="module")
def english() -> CommandGrammar:
    return build_grammar(load_templates(default_template_paths()), "en", ("hey jarvis",), {"destination": ["berlin"]})


def test_template_grammar_accepts_every_spoken_command(english: CommandGrammar) -> None:
    automaton = compile_grammar(english)
    assert automaton.n_states < 10_000
    accepted = [c["text"] for c in COMMANDS if automaton.accepts(c["text"])]
    assert len(accepted) >= 0.9 * len(COMMANDS)  # the rest go through free decoding
    assert automaton.accepts("hey jarvis set the temperature to twenty one degrees please")
    assert not automaton.accepts("what is the capital of france")


def test_hybrid_keeps_a_confident_command() -> None:
    inner = ScriptedRecognizer([("turn on the ac", 0.9)])
    inner.set_grammar(SMALL)
    hybrid = HybridRecognizer(inner, 0.5, is_command=lambda text: text.startswith("turn"))
    result = hybrid.decode([__import__("numpy").zeros(1280, "int16")] * 5)
    assert (result.text, result.mode, hybrid.last_route) == ("turn on the ac", Mode.GRAMMAR, "grammar")
    assert inner.modes == [Mode.GRAMMAR]


@pytest.mark.parametrize(
    ("first", "is_command"), [(("turn on the ac", 0.2), True), (("", 0.0), True), (("turn on the ac", 0.9), False)]
)
def test_hybrid_decodes_again_in_free_mode(first: tuple[str, float], is_command: bool) -> None:
    import numpy as np

    inner = ScriptedRecognizer([first, ("what a lovely day", 1.0)])
    inner.set_grammar(SMALL)
    hybrid = HybridRecognizer(inner, 0.5, is_command=lambda _text: is_command)
    result = hybrid.decode([np.zeros(1280, np.int16)] * 7)
    assert (result.text, result.mode, hybrid.last_route) == ("what a lovely day", Mode.FREE, "fallback")
    assert inner.modes == [Mode.GRAMMAR, Mode.FREE]
    assert inner.frames_seen == [7, 7]  # the second pass gets the very same audio
