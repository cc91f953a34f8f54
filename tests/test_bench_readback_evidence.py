"""The read-back suite's tuning evidence (:mod:`bench.confidence_tune`): collected when missing or
made by another decoder, reused when current, only ever from the tuning half; and the suite
(:func:`bench.readback_policy.report`) choosing a threshold from a small evidence file.

No audio is decoded: the collector is a fake that writes what a decoded recording would leave."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bench import confidence_tune as ct
from bench import readback_policy as rp
from bench.voice_eval_set import Sentence

AC_ON = Sentence("hand-climate-01", "turn on the ac", "command", True, "climate.set_ac", {"on": True})
QUESTION = Sentence("hand-question-01", "who wrote hamlet", "question", True, "none")
SENTENCES = {s.id: s for s in (AC_ON, QUESTION)}
KEY = {"set": "set-1", "settings": "s1", "models": "m1", "decoder": "d1", "understanding": "u1"}
# Evidence the shipped calibration rates about 0.92 (grammar route, both rivals agree); the
# confidence the file was collected with (0.5) is stale and must be recomputed from it.
SURE = {"route": "grammar", "grammar_confidence": 0.97, "phone_margin": 2.8, "free_margin": 17.2, "dropped": 0}


def item(n: int, sentence: Sentence = AC_ON, split: str = "tune", snr: float | None = None) -> dict[str, Any]:
    return {"file": f"{sentence.id}_{n}.wav", "sentence_id": sentence.id, "split": split, "snr_db": snr}


def heard(item: dict[str, Any], on: bool, agreement: float = 1.0, phone_margin: float = 2.8) -> dict[str, Any]:
    """What the voice path leaves for ``item``: the AC command heard, switched ``on`` or off."""
    turn = {
        "text": "turn on the ac" if on else "turn off the ac",
        "confidence": 0.5,
        "intent": "climate.set_ac",
        "slots": {"on": on},
        "actuates": True,
        "free_text": False,
        "evidence": {**SURE, "agreement": agreement, "phone_margin": phone_margin},
    }
    return {**item, "woke": True, "turns": [turn]}


class FakeVoicePath:
    """Stands in for decoding: hears every recording as the AC switched on, and counts what it decoded."""

    def __init__(self, wrong: Sequence[str] = ()) -> None:
        self.decoded: list[str] = []
        self.wrong = set(wrong)

    def __call__(self, items: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for i in items:
            self.decoded.append(i["file"])
            yield heard(i, on=i["file"] not in self.wrong)


ITEMS = [item(n) for n in range(4)]


def test_missing_evidence_is_collected_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "tune.jsonl"
    decode = FakeVoicePath()
    records = ct.ensure(KEY, ITEMS, decode, path, log=lambda m: None)
    assert decode.decoded == [i["file"] for i in ITEMS]
    assert [r["file"] for r in records] == [i["file"] for i in ITEMS]
    assert json.loads(ct.key_path(path).read_text())["key"] == KEY
    again = FakeVoicePath()
    assert ct.ensure(KEY, ITEMS, again, path, log=lambda m: None) == records
    assert again.decoded == []  # current: nothing decoded


@pytest.mark.parametrize("part", ["set", "decoder", "understanding"])
def test_evidence_from_another_decoder_or_set_is_collected_again(tmp_path: Path, part: str) -> None:
    path = tmp_path / "tune.jsonl"
    ct.ensure(KEY, ITEMS, FakeVoicePath(wrong=[ITEMS[0]["file"]]), path, log=lambda m: None)
    changed = {**KEY, part: "other"}
    assert ct.stale_parts(changed, path) == [part]
    said: list[str] = []
    decode = FakeVoicePath()
    records = ct.ensure(changed, ITEMS, decode, path, log=said.append)
    assert decode.decoded == [i["file"] for i in ITEMS]  # everything again, not just what is missing
    assert all(r["turns"][0]["slots"] == {"on": True} for r in records)  # the old wrong record is gone
    assert part in said[0] and json.loads(ct.key_path(path).read_text())["key"] == changed


def test_a_file_without_a_key_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "tune.jsonl"
    path.write_text(json.dumps(heard(ITEMS[0], on=False)) + "\n")  # made before keys were kept
    assert ct.stale_parts(KEY, path) == ["no key"]
    decode = FakeVoicePath()
    records = ct.ensure(KEY, ITEMS[:2], decode, path, log=lambda m: None)
    assert decode.decoded == [ITEMS[0]["file"], ITEMS[1]["file"]]
    assert [r["turns"][0]["slots"] for r in records] == [{"on": True}, {"on": True}]


def test_an_interrupted_collection_is_completed_not_restarted(tmp_path: Path) -> None:
    path = tmp_path / "tune.jsonl"
    ct.ensure(KEY, ITEMS[:2], FakeVoicePath(), path, log=lambda m: None)  # a short (quick) run
    with path.open("a") as f:
        f.write('{"file": "cut sh')  # the line a killed run was writing
    decode = FakeVoicePath()
    records = ct.ensure(KEY, ITEMS, decode, path, log=lambda m: None)
    assert decode.decoded == [ITEMS[2]["file"], ITEMS[3]["file"]]
    assert sorted(r["file"] for r in records) == sorted(i["file"] for i in ITEMS)


def test_only_the_tuning_half_is_decoded(tmp_path: Path) -> None:
    decode = FakeVoicePath()
    with pytest.raises(ValueError, match="tuning half"):
        ct.ensure(KEY, [*ITEMS, item(9, split="test")], decode, tmp_path / "tune.jsonl", log=lambda m: None)
    assert decode.decoded == []


def test_the_order_is_fixed_and_only_tuning_recordings() -> None:
    manifest = {"items": [item(n, split="tune" if n % 2 else "test") for n in range(40)]}
    first, second = ct.tuning_items(manifest), ct.tuning_items(manifest)
    assert first == second and {i["split"] for i in first} == {"tune"} and len(first) == 20
    assert [i["file"] for i in first] != sorted(i["file"] for i in first)  # shuffled: a cut run is spread


def test_the_suite_collects_missing_evidence_and_chooses_a_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tune_path, test_path, out = tmp_path / "tune.jsonl", tmp_path / "voice_eval.json", tmp_path / "readback.json"
    # Tuning half: a wrong action heard with a weaker phone-loop margin (so a lower confidence)
    # than the right ones.
    wrong = heard(item(9, snr=10.0), on=False, phone_margin=-2.0)
    tune_items = [*ITEMS, item(9, snr=10.0)]
    question = {**item(0, QUESTION, "test"), "woke": True, "turns": []}
    test_path.write_text(json.dumps({"quick": False, "records": [heard(item(5, split="test"), on=True), question]}))
    monkeypatch.setattr(rp, "TEST_RECORDS", test_path)
    monkeypatch.setattr(rp, "OUT", out)
    monkeypatch.setattr(rp, "load_sentences", lambda: list(SENTENCES.values()))
    calls: list[bool] = []

    def tuning(quick: bool) -> tuple[list[dict[str, Any]], int]:
        calls.append(quick)

        def decode(items: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for i in items:
                yield wrong if i["file"] == wrong["file"] else heard(i, on=True)

        return ct.ensure(KEY, tune_items, decode, tune_path, log=lambda m: None), len(tune_items)

    figures = rp.run(quick=False, tuning=tuning)
    assert calls == [False] and len(ct.load(tune_path)) == 5
    result = json.loads(out.read_text())
    recalibrated = rp.recalibrated([wrong])[0]["turns"][0]["confidence"]
    chosen = result["chosen_confirm_below"]
    # The lowest grid value with a clean neighbour below it: the wrong action must not act there.
    assert chosen is not None and chosen > recalibrated and chosen - 0.005 > recalibrated
    assert chosen - 0.01 <= recalibrated or chosen == rp.GRID[1]
    assert result["rule"]["confirm_below"] == chosen and result["tuning_recordings"] == 5
    wrong_all = next(f for f in figures if f.name.startswith("wrong actions without a read-back, all"))
    assert wrong_all.value == 0.0 and "test half, 2 recordings" in wrong_all.name


def test_the_suite_gives_no_figures_without_the_test_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rp, "TEST_RECORDS", tmp_path / "missing.json")
    calls: list[bool] = []

    def tuning(quick: bool) -> tuple[list[dict[str, Any]], int]:
        calls.append(quick)
        return [], 0

    assert rp.run(quick=True, tuning=tuning) == []
    assert calls == []  # nothing decoded when there is nothing to read the choice on


def test_the_key_follows_decoding_settings_not_the_thresholds_applied_after(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from cockpit import settings

    shipped = settings.VoiceSettings()
    key = ct.decoding_key("set-1", {"pocketsphinx-en-us": "abc"})
    assert key == ct.decoding_key("set-1", {"pocketsphinx-en-us": "abc"})
    monkeypatch.setattr(settings, "VoiceSettings", lambda: dataclasses.replace(shipped, confirm_below=0.5))
    assert ct.decoding_key("set-1", {"pocketsphinx-en-us": "abc"}) == key  # the policy's, applied afterwards
    monkeypatch.setattr(settings, "VoiceSettings", lambda: dataclasses.replace(shipped, wake_threshold=0.5))
    changed = ct.decoding_key("set-2", {"pocketsphinx-en-us": "abd"})
    assert {part for part in key if key[part] != changed[part]} == {"set", "settings", "models"}
