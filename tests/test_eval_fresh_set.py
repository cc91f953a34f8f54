"""The fresh held-out sentence list (``bench/data/voice_eval_fresh.jsonl``): new sentences, all test.

The committed list's test half has been read too often to stay held out, so a second list was
written for one more honest reading. These tests check that it is what its docstring says: every
sentence ``test``, nothing shared with the committed list (no sentence, no SLURP id), SLURP
sentences from the development split only, and labels the catalogue can hold.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.voice_eval_set import FRESH_SENTENCES, SENTENCES, load_sentences, normalise
from cockpit.catalogue import CATALOGUE
from cockpit.nlu.slurp_eval import default_split


def test_the_fresh_list_has_no_tuning_half_and_nothing_of_the_committed_list() -> None:
    fresh, committed = load_sentences(FRESH_SENTENCES), load_sentences(SENTENCES)
    assert {s.split for s in fresh} == {"test"}
    assert not {normalise(s.text) for s in fresh} & {normalise(s.text) for s in committed}
    slurp = {s.source for s in committed if s.source.startswith("slurp-devel:")}
    assert not {s.source for s in fresh} & slurp
    assert not {s.id for s in fresh} & {s.id for s in committed}


def test_every_fresh_sentence_is_well_formed() -> None:
    fresh = load_sentences(FRESH_SENTENCES)
    for s in fresh:
        assert s.text == normalise(s.text), s.id
        if s.source == "hand":
            assert s.id.startswith("fresh-hand-"), s.id
        else:
            assert s.id == f"fresh-slurp-{s.source.removeprefix('slurp-devel:')}", s.id
        if s.kind == "command":
            spec = CATALOGUE[s.intent]
            assert set(s.slots) <= {slot.name for slot in spec.slots}, s.id
            assert s.wake, s.id
        else:
            assert (s.intent, dict(s.slots)) == ("none", {}), s.id
    kinds = Counter(s.kind for s in fresh)
    assert kinds["command"] >= 100 and kinds["question"] >= 20 and kinds["background"] >= 20, kinds
    domains = {s.intent.split(".")[0] for s in fresh if s.kind == "command"}
    assert {"climate", "navigation", "media", "body", "drive", "vehicle"} <= domains
    sources = Counter(s.source == "hand" for s in fresh if s.kind == "command")
    assert sources[True] >= 50 and sources[False] >= 50, sources


def test_fresh_slurp_sentences_come_from_the_development_split() -> None:
    split = default_split()  # the test split is never read
    if not split.exists():
        pytest.skip(f"SLURP development split not found at {split}")
    rows = map(json.loads, split.read_text().splitlines())
    devel = {f"slurp-devel:{row['slurp_id']}": normalise(row["sentence"]) for row in rows}
    slurp = [s for s in load_sentences(FRESH_SENTENCES) if s.source != "hand"]
    assert len(slurp) >= 60
    assert all(s.text in devel[s.source] for s in slurp)  # another assistant's name may be cut first
