"""The word error rate the voice benchmark reports: word-level Levenshtein distance and its normalisation."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from bench.wer import word_error_rate, word_errors, words

WORD = st.sampled_from(["set", "the", "fan", "to", "forty", "four", "percent", "turn", "on", "off"])
SENTENCE = st.lists(WORD, max_size=8)


def _reference_distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """The textbook recursion, for comparison."""

    @cache
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


@given(SENTENCE, SENTENCE)
def test_distance_matches_the_textbook_recursion(a: list[str], b: list[str]) -> None:
    assert word_errors(a, b) == _reference_distance(tuple(a), tuple(b))


@given(SENTENCE, SENTENCE, SENTENCE)
def test_distance_is_a_metric(a: list[str], b: list[str], c: list[str]) -> None:
    assert word_errors(a, a) == 0
    assert word_errors(a, b) == word_errors(b, a)
    assert word_errors(a, c) <= word_errors(a, b) + word_errors(b, c)
    assert abs(len(a) - len(b)) <= word_errors(a, b) <= max(len(a), len(b))


@given(st.lists(WORD, min_size=1, max_size=8), st.data())
def test_one_edit_costs_one(reference: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(reference) - 1))
    deleted = reference[:i] + reference[i + 1 :]
    inserted = [*reference[:i], "xyzzy", *reference[i:]]
    substituted = [*reference[:i], "xyzzy", *reference[i + 1 :]]
    assert word_errors(reference, deleted) == 1
    assert word_errors(reference, inserted) == 1
    assert word_errors(reference, substituted) == 1


@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), max_size=8), st.sampled_from(".,!?;:"))
def test_case_and_punctuation_do_not_count(tokens: list[str], mark: str) -> None:
    plain = " ".join(tokens)
    shouted = " ".join(f"{t.upper()}{mark}" for t in tokens)
    assert words(shouted) == words(plain) == tokens
    assert word_error_rate([(plain, shouted)]) == 0.0


def test_words_keeps_any_script_and_apostrophes() -> None:
    assert words("에어컨 켜 줘.") == ["에어컨", "켜", "줘"]
    assert words("Hey Jarvis, that's too loud!") == ["hey", "jarvis", "that's", "too", "loud"]


def test_rate_is_summed_over_the_set() -> None:
    pairs = [
        ("set the temperature to twenty one degrees", "set the temperature to ninety degrees"),  # 2 of 7
        ("next track", "next track"),  # 0 of 2
        ("unmute", ""),  # 1 of 1
    ]
    assert word_error_rate(pairs) == 3 / 10
    assert word_error_rate([]) == 0.0
    assert word_error_rate([("", "")]) == 0.0
