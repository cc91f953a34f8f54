"""Spoken numbers: examples, round trips through words, digits, and garbage that must not crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.nlu.numbers import parse_number, parse_ordinal, to_words


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("twenty one", 21),
        ("twenty one point five", 21.5),
        ("seventy two", 72),
        ("a hundred", 100),
        ("one hundred and five", 105),
        ("one hundred five", 105),
        ("nine hundred and eighty seven", 987),
        ("half", 0.5),
        ("a half", 0.5),
        ("twenty and a half", 20.5),
        ("21.5", 21.5),
        ("21,5", 21.5),
        ("1,600", 1600),
        ("minus three", -3),
        ("negative two point five", -2.5),
        ("zero", 0),
        ("a thousand", 1000),
        ("two thousand and five", 2005),
        ("fifteen hundred", 1500),
        ("point two five", 0.25),
        ("a couple", 2),
        ("a couple of", 2),
        ("one million two hundred thousand", 1_200_000),
        ("Twenty-One", 21),
    ],
)
def test_parse_number_examples(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "a", "and", "point", "one twenty", "twenty twenty", "hundred", "three point", "jazz", "twenty one and", "a b"],
)
def test_parse_number_refuses_what_is_not_one_number(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_returns_int_when_whole() -> None:
    assert isinstance(parse_number("twenty one"), int)
    assert isinstance(parse_number("21.0"), int)
    assert isinstance(parse_number("twenty one point five"), float)


@pytest.mark.parametrize(
    ("text", "value"), [("first", 1), ("third", 3), ("twenty first", 21), ("3rd", 3), ("tenth", 10), ("jazz", None)]
)
def test_parse_ordinal(text: str, value: int | None) -> None:
    assert parse_ordinal(text) == value


@given(st.integers(min_value=-999_999_999, max_value=999_999_999), st.booleans())
def test_integers_round_trip_through_words(number: int, use_and: bool) -> None:
    assert parse_number(to_words(number, use_and=use_and)) == number


@given(st.integers(min_value=-9999, max_value=9999), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip_through_words(whole: int, hundredths: int) -> None:
    value = float(f"{whole}.{hundredths:02d}")
    assert parse_number(to_words(value)) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_digits_parse(number: int) -> None:
    assert parse_number(str(number)) == number


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=0, max_value=9))
def test_decimal_digits_parse_with_point_or_comma(whole: int, tenth: int) -> None:
    expected = float(f"{abs(whole)}.{tenth}")
    assert parse_number(f"{abs(whole)}.{tenth}") == expected
    assert parse_number(f"{abs(whole)},{tenth}") == expected


@given(st.text(max_size=60))
def test_garbage_never_crashes(text: str) -> None:
    result = parse_number(text)
    assert result is None or isinstance(result, int | float)
    assert parse_ordinal(text) is None or isinstance(parse_ordinal(text), int)


@given(st.lists(st.sampled_from(["one", "twenty", "hundred", "and", "a", "point", "half", "minus", "thousand", "5"])))
def test_number_word_soup_never_crashes(words: list[str]) -> None:
    result = parse_number(" ".join(words))
    assert result is None or isinstance(result, int | float)
