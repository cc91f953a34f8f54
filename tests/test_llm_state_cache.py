"""The warmed prefix saved to disk (issue 10, item 3): the file format, stale and corrupt files,
and the responder restoring instead of evaluating. The fake model here; the real one in
tests/test_llm_startup.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.llm.responder import LlmResponder
from cockpit.llm.state_cache import MAGIC, PrefixStateStore, StateKey, prefix_digest
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from cockpit.testing import FakeLanguageModel
from tests.test_llm_responder import _Recorder

TOKENS = [151644, 8948, 198, 2610, 525, 279]
KEY = StateKey("ab" * 32, prefix_digest(TOKENS), 4096, "llama-cpp-python 0.3.36")
STATE = bytes(range(256)) * 40


def test_a_saved_state_loads_back_byte_for_byte(tmp_path: Path) -> None:
    store = PrefixStateStore(tmp_path)
    path = store.save(KEY, TOKENS, STATE)
    assert path.parent == tmp_path and path.read_bytes().startswith(MAGIC)
    assert store.load(KEY, TOKENS) == STATE


@pytest.mark.parametrize(
    "other",
    [
        StateKey("cd" * 32, KEY.prefix, KEY.context_tokens, KEY.backend),
        StateKey(KEY.model, prefix_digest([1, 2, 3]), KEY.context_tokens, KEY.backend),
        StateKey(KEY.model, KEY.prefix, 8192, KEY.backend),
        StateKey(KEY.model, KEY.prefix, KEY.context_tokens, "llama-cpp-python 0.3.99"),
    ],
    ids=["another-model", "another-prefix", "another-context", "another-runtime"],
)
def test_a_state_made_for_anything_else_is_never_served(tmp_path: Path, other: StateKey) -> None:
    store = PrefixStateStore(tmp_path)
    store.save(KEY, TOKENS, STATE)
    assert store.load(other, TOKENS) is None


def test_a_file_whose_header_does_not_match_its_name_is_stale_and_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = PrefixStateStore(tmp_path)
    other = StateKey(KEY.model, KEY.prefix, 8192, KEY.backend)
    store.path(other).parent.mkdir(parents=True, exist_ok=True)
    store.save(KEY, TOKENS, STATE).rename(store.path(other))  # a key mismatch inside the file
    with caplog.at_level(logging.WARNING):
        assert store.load(other, TOKENS) is None
    assert "another model, prompt or runtime" in caplog.text and not store.path(other).exists()


def test_other_tokens_under_the_same_key_are_refused(tmp_path: Path) -> None:
    store = PrefixStateStore(tmp_path)
    store.save(KEY, TOKENS, STATE)
    assert store.load(KEY, [*TOKENS[:-1], 7]) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1],  # cut short
        lambda b: b[: len(b) // 2],
        lambda b: b[:-10] + bytes(10),  # flipped payload
        lambda b: b"NOT A STATE\n" + b,
        lambda b: b"",
        lambda b: MAGIC + b"{not json\n" + STATE,
    ],
    ids=["one-byte-short", "half", "zeroed-tail", "bad-magic", "empty", "bad-header"],
)
def test_a_corrupt_file_is_logged_ignored_and_removed(tmp_path: Path, damage, caplog: pytest.LogCaptureFixture) -> None:
    store = PrefixStateStore(tmp_path)
    path = store.save(KEY, TOKENS, STATE)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        assert store.load(KEY, TOKENS) is None
    assert "rebuilt" in caplog.text and not path.exists()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_any_single_byte_change_is_caught_or_harmless(tmp_path: Path, position: int, value: int) -> None:
    store = PrefixStateStore(tmp_path / "h")
    path = store.save(KEY, TOKENS, STATE)
    data = bytearray(path.read_bytes())
    data[position % len(data)] = value
    path.write_bytes(bytes(data))
    assert store.load(KEY, TOKENS) in (None, STATE)  # never a different state


def test_saving_replaces_older_states_of_the_same_model(tmp_path: Path) -> None:
    store = PrefixStateStore(tmp_path)
    old = store.save(StateKey(KEY.model, prefix_digest([1]), 4096, KEY.backend), [1], b"old")
    new = store.save(KEY, TOKENS, STATE)
    assert not old.exists() and new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [new.name]


async def test_the_responder_evaluates_once_then_restores_from_disk(tmp_path: Path) -> None:
    store = PrefixStateStore(tmp_path)
    first_model = FakeLanguageModel(default="Hello.")
    first = LlmResponder(lambda: first_model, LlmSettings(), nice=0, state_store=store)
    assert await first.ready()
    assert first.warm_start is not None and first.warm_start.how == "evaluated"
    assert len(first_model.warmed) == 1 and list(tmp_path.glob("*.kvstate"))
    first.close()

    second_model = FakeLanguageModel(default="Hello.")
    second = LlmResponder(lambda: second_model, LlmSettings(), nice=0, state_store=store)
    assert await second.ready()
    assert second.warm_start is not None and second.warm_start.how == "restored"
    assert second_model.warmed == [] and second_model.restored == first_model.warmed
    assert (await second.respond("hi", Session("s"), {}, _Recorder())).reply == "Hello."
    second.close()


async def test_a_corrupt_saved_state_is_rebuilt_at_start(tmp_path: Path) -> None:
    store = PrefixStateStore(tmp_path)
    first = LlmResponder(FakeLanguageModel, LlmSettings(), nice=0, state_store=store)
    assert await first.ready()
    first.close()
    (path,) = tmp_path.glob("*.kvstate")
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    model = FakeLanguageModel()
    again = LlmResponder(lambda: model, LlmSettings(), nice=0, state_store=store)
    assert await again.ready()
    assert again.warm_start is not None and again.warm_start.how == "evaluated" and model.restored == []
    assert store.load(
        StateKey(model.identity, prefix_digest(model.tokenize(model.warmed[0])), model.context_tokens, model.backend),
        model.tokenize(model.warmed[0]),
    ), "a good state was saved in its place"
    again.close()


async def test_a_state_the_model_refuses_is_evaluated_instead(tmp_path: Path) -> None:
    class Refusing(FakeLanguageModel):
        def restore_cache(self, tokens: object, state: bytes) -> bool:
            return False

    store = PrefixStateStore(tmp_path)
    first = LlmResponder(FakeLanguageModel, LlmSettings(), nice=0, state_store=store)
    assert await first.ready()
    first.close()
    model = Refusing()
    again = LlmResponder(lambda: model, LlmSettings(), nice=0, state_store=store)
    assert await again.ready() and again.warm_start is not None and again.warm_start.how == "evaluated"
    again.close()
