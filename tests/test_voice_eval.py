"""Issue 11, item 6: the held-out spoken evaluation set, its split, its judging and a smoke run.

The full run (the test half, hundreds of recordings) belongs to ``make bench``
(:mod:`bench.voice_eval`); here the sentence list is checked, the judging is pinned down on
examples, the recording plan is checked for balance, and a handful of recordings go through the
real voice path.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from bench.voice_eval import eval_script, run_items
from bench.voice_eval_set import (
    SENTENCES,
    Heard,
    Outcome,
    Sentence,
    judge,
    load_sentences,
    normalise,
    slot_matches,
    split_of,
    tally,
)
from bench.voice_paths import VoicePath
from cockpit.catalogue import CATALOGUE
from cockpit.nlu.slurp_eval import default_split
from models.store import ModelStore

# -- the sentence list -----------------------------------------------------------------------------


def test_every_sentence_is_well_formed_and_split_by_its_text() -> None:
    sentences = load_sentences()
    assert len(sentences) >= 200
    for s in sentences:
        assert s.split == split_of(s.text), s.id
        assert s.text == normalise(s.text), s.id
        if s.kind == "command":
            spec = CATALOGUE[s.intent]
            assert set(s.slots) <= {slot.name for slot in spec.slots}, s.id
            assert s.wake, s.id
        else:
            assert (s.intent, dict(s.slots)) == ("none", {}), s.id
    kinds = Counter((s.kind, s.split) for s in sentences)
    assert min(kinds.values()) >= 9, kinds  # both halves have commands, questions and background talk
    tested = {normalise(s.text) for s in sentences if s.split == "test"}
    tuned = {normalise(s.text) for s in sentences if s.split == "tune"}
    assert not tested & tuned


def test_the_split_is_a_pure_function_of_the_normalised_text() -> None:
    assert split_of("Turn the volume UP!") == split_of("turn the volume up")
    halves = Counter(split_of(f"sentence number {i}") for i in range(2000))
    assert 900 < halves["test"] < 1100


def test_slurp_sentences_come_from_the_development_split() -> None:
    split = default_split()  # the test split is never read
    if not split.exists():
        pytest.skip(f"SLURP development split not found at {split}")
    devel = {}
    for line in split.read_text().splitlines():
        row = json.loads(line)
        devel[int(row["slurp_id"])] = normalise(row["sentence"])
    slurp = [s for s in load_sentences() if s.source.startswith("slurp-devel:")]
    assert len(slurp) >= 80
    for s in slurp:
        number = int(s.source.split(":")[1])
        assert s.id == f"slurp-{number}"
        assert s.text in devel[number], (s.id, devel[number])  # another assistant's name may be cut


# -- judging ---------------------------------------------------------------------------------------


def _command(intent: str, **slots: object) -> Sentence:
    return Sentence("x", "x", "command", True, intent, slots)


def test_a_command_is_right_only_with_its_intent_and_slots() -> None:
    said = _command("climate.set_temperature", celsius=21)
    assert judge(said, [Heard("climate.set_temperature", {"celsius": 21.0}, True)]) is Outcome.RIGHT
    assert judge(said, [Heard("climate.set_temperature", {"celsius": 12}, True)]) is Outcome.WRONG_ACTION
    assert judge(said, [Heard("navigation.navigate_to", {"destination": "puebla"}, True)]) is Outcome.WRONG_ACTION
    assert judge(said, [Heard("navigation.get_eta", {}, False)]) is Outcome.NO_ACTION
    assert judge(said, [Heard(None)]) is Outcome.NO_ACTION
    assert judge(said, []) is Outcome.NO_ACTION
    # a wrong action anywhere in the recording outweighs a right one
    turns = [Heard("climate.set_temperature", {"celsius": 21}, True), Heard("media.pause", {}, True)]
    assert judge(said, turns) is Outcome.WRONG_ACTION


def test_questions_and_background_talk_must_not_act() -> None:
    question = Sentence("q", "how tall is a giraffe", "question", True, "none")
    assert judge(question, [Heard("dialogue.chat", {}, False)]) is Outcome.IGNORED
    assert judge(question, [Heard("media.adjust_volume", {"delta_percent": 10}, True)]) is Outcome.WRONG_ACTION
    assert judge(question, []) is Outcome.IGNORED


def test_slot_expectations() -> None:
    assert slot_matches({"sign": 1}, 10) and not slot_matches({"sign": 1}, -10) and not slot_matches({"sign": 1}, 0)
    assert slot_matches({"contains": "billy joel"}, "uptown girl by Billy Joel")
    assert not slot_matches({"contains": "joel"}, "billy joelson")
    assert slot_matches("new york", "New York") and not slot_matches("york", "new york")
    assert slot_matches(True, True) and not slot_matches(True, 1)
    assert slot_matches(90, 90.0)


def test_tallies_divide_by_what_they_count() -> None:
    said = _command("media.pause")
    chat = Sentence("b", "hello there", "background", False, "none")
    records = [
        (said, Outcome.RIGHT, True),
        (said, Outcome.WRONG_ACTION, True),
        (said, Outcome.NO_ACTION, False),
        (chat, Outcome.WRONG_ACTION, True),
    ]
    rates = tally(records).rates()
    assert rates["intent_accuracy"] == pytest.approx(1 / 3)
    assert rates["wrong_action_rate"] == pytest.approx(1 / 3)
    assert rates["wake_miss_rate"] == pytest.approx(1 / 3)
    assert rates["non_command_act_rate"] == 1.0
    assert rates["false_wake_rate"] == 1.0


# -- the recording plan ----------------------------------------------------------------------------


def test_the_plan_is_balanced_and_varies_each_sentence() -> None:
    script = eval_script()
    sentences = load_sentences()
    items = script.plan(sentences)
    assert items == script.plan(sentences)  # deterministic
    assert len(items) >= 600
    assert len({i.file for i in items}) == len(items)
    by_sentence: dict[str, list[object]] = {}
    for item in items:
        by_sentence.setdefault(item.sentence_id, []).append(item)
    for group in by_sentence.values():
        assert len({i.voice for i in group}) == len(group)  # type: ignore[attr-defined]
        assert len({i.snr_db for i in group}) == len(group)  # type: ignore[attr-defined]
    test = [i for i in items if i.split == "test"]
    voices = Counter(i.voice for i in test)
    snrs = Counter(i.snr_db for i in test)
    assert set(voices) == {v.name for v in script.VOICES} and max(voices.values()) - min(voices.values()) <= 2
    assert set(snrs) == set(script.SNRS) and max(snrs.values()) - min(snrs.values()) <= 2
    assert {i.speed for i in test} == set(script.SPEEDS)


# -- a smoke run through the real voice path ---------------------------------------------------------

SMOKE = ("slurp-2360", "hand-climate-03", "slurp-12952", "hand-background-01")
"""A media command, a climate command, an open question and talk without the wake word. Whether
they are understood is for the benchmark to measure; this only checks that they run end to end."""


@pytest.mark.slow
def test_a_few_recordings_through_the_voice_path(tmp_path: Path) -> None:
    store = ModelStore()
    missing = [n for n in ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us") if not store.verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing}")
    if shutil.which("espeak-ng") is None or importlib.util.find_spec("piper") is None:
        pytest.skip("espeak-ng or piper-tts is not installed")
    script = eval_script()
    sentences = {s.id: s for s in load_sentences() if s.id in SMOKE}
    voice = next(v for v in script.VOICES if v.name == "piper-joe")
    manifest = script.build(tmp_path, sentences.values(), voices=[voice], renderings=1, speeds=[1.0], snrs=[None])
    items = manifest["items"]
    assert sorted(i["sentence_id"] for i in items) == sorted(SMOKE)
    assert json.loads((tmp_path / "manifest.json").read_text())["items"] == items
    records = {r["sentence_id"]: r for r in run_items(VoicePath(store), tmp_path, items, sentences)}
    assert records["hand-background-01"]["woke"] is False
    assert records["hand-background-01"]["outcome"] == Outcome.IGNORED.value
    assert records["slurp-2360"]["woke"] is True and records["slurp-2360"]["turns"]
    assert {r["outcome"] for r in records.values()} <= {o.value for o in Outcome}


def test_sentences_file_is_where_the_bench_reads_it() -> None:
    assert SENTENCES.exists() and SENTENCES.suffix == ".jsonl"
