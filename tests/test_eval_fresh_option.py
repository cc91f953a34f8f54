"""Another sentence file through the evaluation tools: ``--sentences PATH`` and the held-out sets
by name (``--held-out NAME``; ``--fresh``, ``--third``, ``--fourth``, ``--fifth``), the third,
fourth and fifth sets' voices, cache keys and sentence lists.

``script/make_eval_set.py`` synthesises the file named on its command line into a folder of its
own (keyed by the file's content), and ``bench/voice_eval.py`` reports on every sentence of a file
whose sentences are all ``test``. Here a three-sentence file, one voice, clean speech.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench import voice_eval
from bench.voice_eval import eval_script, report
from bench.voice_eval_set import (
    FIFTH_SENTENCES,
    FOURTH_SENTENCES,
    FRESH_SENTENCES,
    KINDS,
    NO_INTENT,
    SENTENCES,
    THIRD_SENTENCES,
    Sentence,
    judge,
    load_sentences,
    normalise,
)
from bench.voice_paths import TextPath
from bench.voice_report import typed_baseline
from cockpit.catalogue import CATALOGUE

TINY: list[dict[str, Any]] = [
    {"id": "tiny-volume", "text": "turn the volume up", "kind": "command", "wake": True},
    {"id": "tiny-heat", "text": "set the temperature to twenty degrees", "kind": "command", "wake": True},
    {"id": "tiny-chat", "text": "we should stop for lunch soon", "kind": "background", "wake": False},
]
LABELS = [
    ("media.adjust_volume", {"delta_percent": {"sign": 1}}),
    ("climate.set_temperature", {"celsius": 20}),
    ("none", {}),
]


def write_tiny(folder: Path, name: str = "tiny_eval.jsonl") -> Path:
    """The three sentences as a sentence file, every one ``test``."""
    path = folder / name
    labels = zip(TINY, LABELS, strict=True)
    rows = [{**row, "intent": i, "slots": s, "source": "hand", "split": "test"} for row, (i, s) in labels]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_sentence_file_gets_a_cache_folder_of_its_own(tmp_path: Path) -> None:
    script = eval_script()
    tiny = write_tiny(tmp_path)
    try:
        committed = script.default_out()
    except script.Unavailable as err:
        pytest.skip(str(err))
    folder = script.default_out(tiny)
    assert committed.name == script.set_key()  # the committed list's folder is named as before
    assert folder.parent == committed.parent and folder.name.startswith("tiny_eval-")
    assert folder != script.default_out(SENTENCES)
    tiny.write_text(tiny.read_text().replace("twenty", "twenty one"))
    assert script.default_out(tiny) != folder  # the key digests the file's content


def test_make_eval_set_synthesises_the_file_named_on_its_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    script = eval_script()
    tiny, out = write_tiny(tmp_path), tmp_path / "set"
    assert script.main(["--sentences", str(tiny), "--out", str(out), "--voice", "espeak-us", "--clean"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sentences"] == str(tiny.resolve())
    assert manifest["sentences_sha256"] == hashlib.sha256(tiny.read_bytes()).hexdigest()
    items = manifest["items"]
    assert sorted(i["sentence_id"] for i in items) == sorted(str(r["id"]) for r in TINY)
    for item in items:
        assert (item["voice"], item["speed"], item["snr_db"], item["split"]) == ("espeak-us", 1.0, None, "test")
        assert item["seconds"] > 1.0
        assert hashlib.sha256((out / item["file"]).read_bytes()).hexdigest() == item["sha256"]
    assert f"3 recordings of {tiny.resolve()}" in capsys.readouterr().out


def perfect_hearing(path: TextPath, sentence: Sentence) -> dict[str, Any]:
    """The record of a recording heard word for word (what ``run_items`` writes), without audio."""
    heard = [path.understand(sentence.text)] if sentence.wake else []
    turns = [
        {"text": sentence.text, "confidence": 1.0, "mode": "grammar", "intent": h.intent, "slots": dict(h.slots),
         "actuates": h.actuates, "free_text": path.free_text(h), "evidence": None}
        for h in heard
    ]  # fmt: skip
    item: dict[str, Any] = {"file": f"{sentence.id}.wav", "sentence_id": sentence.id, "split": sentence.split}
    item |= {"kind": sentence.kind, "voice": "espeak-us", "speed": 1.0, "snr_db": None}
    return {**item, "woke": sentence.wake, "turns": turns, "outcome": judge(sentence, heard).value}


def test_voice_eval_reports_every_sentence_of_an_all_test_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = write_tiny(tmp_path)
    assert voice_eval.main(["--sentences", str(tiny), "--typed"]) == 0
    typed_table = capsys.readouterr().out.splitlines()
    assert typed_table[1].split()[:2] == ["all", "2"] and typed_table[1].split()[-1] == "1"  # 2 commands, 1 other

    path, sentences = TextPath(), load_sentences(tiny)
    records = [perfect_hearing(path, s) for s in sentences]
    info = {"sentences": str(tiny), "sentences_sha256": "", "synthesisers": {}, "renderings": 1}
    typed = typed_baseline(path, sentences)
    out = tmp_path / "out" / "tiny_eval.json"
    info = {**info, "quick": False, "wall_seconds": 0.0}
    found = report(records, {s.id: s for s in sentences}, typed, info, tiny, out)
    written = json.loads(out.read_text())
    overall = written["tables"]["overall"]["all"]
    assert (written["recordings"], overall["commands"], overall["non_commands"]) == (3, 2, 1)
    assert overall["intent_accuracy"] == written["tables"]["typed_reference_text"]["intent_accuracy"]
    assert out.with_name("tiny_eval_reliability.png").exists()
    assert found and all("held-out tiny_eval" in f.name for f in found)
    assert voice_eval.outputs(tiny)[0].name == "tiny_eval.json"
    assert voice_eval.outputs(SENTENCES) == (voice_eval.OUT, voice_eval.PLOT)  # make bench writes where it did


def test_a_file_already_read_is_not_read_again_by_accident(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = write_tiny(tmp_path, f"tiny_read_once_{tmp_path.name}.jsonl")
    done = voice_eval.outputs(tiny)[0]
    assert done.parent == voice_eval.OUT.parent and not done.exists()
    done.parent.mkdir(parents=True, exist_ok=True)
    done.write_text("{}\n")
    try:
        assert voice_eval.main(["--sentences", str(tiny)]) == 2  # refused before any audio is decoded
        assert "--again" in capsys.readouterr().err
        assert done.read_text() == "{}\n"
    finally:
        done.unlink()


# -- the third set: Festival's voices, keys that do not digest the script, its sentence list ----------


@pytest.mark.skipif(shutil.which("text2wave") is None, reason="Festival (text2wave) is not installed")
def test_a_festival_voice_says_16_khz_speech_longer_when_slower() -> None:
    script = eval_script()
    for voice in script.FESTIVAL_VOICES:
        try:
            script.synthesiser_versions([voice])
        except script.Unavailable as err:
            pytest.skip(str(err))
        slow, fast = (script.say(voice, "Turn the fan down a notch.", speed) for speed in (0.8, 1.25))
        assert slow.dtype == fast.dtype == np.int16 and slow.ndim == 1
        assert len(slow) > 1.2 * len(fast), voice.name
        assert np.sqrt(np.mean(fast.astype(np.float64) ** 2)) > 300, f"{voice.name} is silent"


def test_the_third_set_adds_festival_voices_and_the_others_keep_theirs() -> None:
    script = eval_script()
    assert script.set_voices(THIRD_SENTENCES) == script.VOICES + script.FESTIVAL_VOICES
    assert script.set_voices(SENTENCES) == script.set_voices(FRESH_SENTENCES) == script.VOICES
    assert {v.engine for v in script.FESTIVAL_VOICES} == {"festival"}
    assert not {v.name for v in script.FESTIVAL_VOICES} & {v.name for v in script.VOICES}


def test_a_set_key_does_not_digest_the_script_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = eval_script()
    try:
        before = {path: script.set_key(path) for path in (SENTENCES, FRESH_SENTENCES)}
    except script.Unavailable as err:
        pytest.skip(str(err))
    copy = tmp_path / "make_eval_set_edited.py"
    copy.write_text(voice_eval.SCRIPT.read_text() + "\n# an unrelated line\n")
    monkeypatch.setattr(sys, "path", list(sys.path))  # the copy puts its folder on the path
    spec = importlib.util.spec_from_file_location(copy.stem, copy)
    assert spec is not None and spec.loader is not None
    edited = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, copy.stem, edited)  # its dataclasses look their module up there
    spec.loader.exec_module(edited)
    assert {path: edited.set_key(path) for path in before} == before
    # ...while what decides the audio does change it
    monkeypatch.setattr(edited, "SYNTHESIS_REVISION", edited.SYNTHESIS_REVISION + 1)
    assert edited.set_key(SENTENCES) != before[SENTENCES]
    assert edited.set_key(SENTENCES, speeds=(1.0,)) != before[SENTENCES]
    assert edited.set_key(SENTENCES, voices=edited.VOICES[:3]) != edited.set_key(SENTENCES)


def held_out_list(path: Path, name: str, earlier: tuple[Path, ...]) -> list[Sentence]:
    """``path``'s sentences, checked as a held-out list is: all ``test``, hand-written, ids
    ``<name>-hand-<domain>-NN``, catalogue intents and slots, no sentence of the ``earlier`` lists,
    enough of each kind, and every intent a driver commands."""
    sentences = load_sentences(path)
    assert 150 <= len(sentences) <= 220
    assert all(s.split == "test" and s.source == "hand" for s in sentences)
    assert all(re.fullmatch(rf"{name}-hand-[a-z]+-\d\d", s.id) for s in sentences)
    for sentence in sentences:
        if sentence.kind == "command":
            assert sentence.wake and sentence.intent in CATALOGUE, sentence.id
            assert set(sentence.slots) <= {slot.name for slot in CATALOGUE[sentence.intent].slots}, sentence.id
        else:
            assert (sentence.intent, dict(sentence.slots)) == (NO_INTENT, {}), sentence.id
            assert sentence.kind in KINDS and (sentence.wake or sentence.kind == "background")
    others = {normalise(s.text) for other in earlier for s in load_sentences(other)}
    assert not [s.text for s in sentences if normalise(s.text) in others]
    kinds = {kind: sum(s.kind == kind for s in sentences) for kind in KINDS}
    assert kinds["command"] > 100 and kinds["question"] >= 20 and kinds["background"] >= 20
    commanded = {s.intent for s in sentences if s.kind == "command"}
    assert commanded == set(CATALOGUE) - {"dialogue.chat"}  # every intent a driver commands
    return sentences


def test_the_third_list_is_valid_and_shares_no_sentence() -> None:
    held_out_list(THIRD_SENTENCES, "third", (SENTENCES, FRESH_SENTENCES))


# -- the fourth and fifth sets: their sentence lists, their voices, and --held-out NAME ---------------

SEAT_OF_SPEAKER = re.compile(r"\b(my (seat|side)|for me)\b")
"""How a driver names their own seat: the car uses the speaker's, so no ``zone`` is expected."""


@pytest.mark.parametrize(
    ("path", "name", "earlier"),
    [
        (FOURTH_SENTENCES, "fourth", (SENTENCES, FRESH_SENTENCES, THIRD_SENTENCES)),
        (FIFTH_SENTENCES, "fifth", (SENTENCES, FRESH_SENTENCES, THIRD_SENTENCES, FOURTH_SENTENCES)),
    ],
)
def test_the_later_lists_are_valid_and_share_no_sentence(path: Path, name: str, earlier: tuple[Path, ...]) -> None:
    """The fourth and fifth lists: no sentence of an earlier list, no zone for the speaker's own
    seat, background talk both with and without the wake word."""
    later = held_out_list(path, name, earlier)
    for sentence in later:
        if sentence.kind == "command" and SEAT_OF_SPEAKER.search(sentence.text):
            assert "zone" not in sentence.slots, sentence.id
    background = [s for s in later if s.kind == "background"]
    assert sum(s.wake for s in background) >= 5 and sum(not s.wake for s in background) >= 10


@pytest.mark.parametrize(
    ("path", "voices_of"), [(FOURTH_SENTENCES, THIRD_SENTENCES), (FIFTH_SENTENCES, FOURTH_SENTENCES)]
)
def test_the_later_sets_have_the_third_sets_voices(path: Path, voices_of: Path) -> None:
    script = eval_script()
    assert script.set_voices(path) == script.set_voices(voices_of)


HELD_OUT_FILES = {
    "fresh": FRESH_SENTENCES,
    "third": THIRD_SENTENCES,
    "fourth": FOURTH_SENTENCES,
    "fifth": FIFTH_SENTENCES,
}


def test_both_tools_know_the_same_held_out_sets() -> None:
    assert voice_eval.HELD_OUT == eval_script().HELD_OUT == HELD_OUT_FILES


@pytest.mark.parametrize("name", sorted(HELD_OUT_FILES))
def test_held_out_picks_the_named_file_in_make_eval_set(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = eval_script()
    asked: list[Path] = []

    def build(out: Path, **kwargs: Any) -> dict[str, Any]:  # nothing is synthesised
        asked.append(kwargs["sentences_path"])
        return {"items": [], "sentences": kwargs["sentences_path"].name}

    monkeypatch.setattr(script, "build", build)
    monkeypatch.setattr(script, "default_out", lambda path: tmp_path / path.stem)
    for argv in (["--held-out", name], [f"--{name}"]):
        assert script.main(argv) == 0
    assert script.main([]) == 0
    assert asked == [HELD_OUT_FILES[name], HELD_OUT_FILES[name], SENTENCES]
    with pytest.raises(SystemExit):
        script.main(["--held-out", name, "--sentences", str(SENTENCES)])


@pytest.mark.parametrize("name", sorted(HELD_OUT_FILES))
def test_held_out_picks_the_named_file_in_voice_eval(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[Path] = []

    def load(path: Path) -> list[Sentence]:  # nothing is read: the held-out lists are not understood here
        asked.append(path)
        return []

    monkeypatch.setattr(voice_eval, "load_sentences", load)
    monkeypatch.setattr(voice_eval, "typed_report", lambda path, sentences: "")
    for argv in (["--held-out", name, "--typed"], [f"--{name}", "--typed"]):
        assert voice_eval.main(argv) == 0
    assert asked == [HELD_OUT_FILES[name]] * 2
    with pytest.raises(SystemExit):
        voice_eval.main(["--held-out", "sixth", "--typed"])
    with pytest.raises(SystemExit):
        voice_eval.main(["--fresh", f"--held-out={name}", "--typed"])
    assert "--held-out" in capsys.readouterr().err
