"""The read-back rule (issue 11 item 2): how the threshold is chosen on the tuning half
(:mod:`bench.readback_policy`), and what the shipped default does to a spoken command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import readback_policy as rp
from bench.voice_eval_set import Sentence, load_sentences
from cockpit import vss
from cockpit.asr.calibration import Evidence, calibrated
from cockpit.catalogue import IntentMatch
from cockpit.dialogue import NoLanguageModel
from cockpit.events import EventRecorder, EventType
from cockpit.pipeline import TurnPipeline
from cockpit.policy import Hearing, Policy
from cockpit.registry import Registry
from cockpit.sessions import Session
from cockpit.settings import VoiceSettings
from cockpit.skill_api import SignalWrite, Skill, SkillContext, SkillPlan
from cockpit.testing import FakeVehicle, ScriptedIntents, SlotToSignalSkill

AC_ON = Sentence("hand-climate-01", "turn on the ac", "command", True, "climate.set_ac", {"on": True})
PLAY = Sentence("hand-media-01", "play some jazz", "command", True, "media.play", {"query": {"contains": "jazz"}})
QUESTION = Sentence("hand-question-01", "who wrote hamlet", "question", True, "none")
SENTENCES = {s.id: s for s in (AC_ON, PLAY, QUESTION)}
GRID = (0.9, 0.905, 0.91, 0.915, 0.92, 0.925)


def turn(
    intent: str | None, confidence: float, slots: dict[str, Any] | None = None, free: bool = False
) -> dict[str, Any]:
    return {
        "text": "heard",
        "intent": intent,
        "slots": slots or {},
        "actuates": intent is not None,
        "confidence": confidence,
        "free_text": free,
    }


def record(sentence: Sentence, *turns: dict[str, Any], snr: float | None = None) -> dict[str, Any]:
    return {"sentence_id": sentence.id, "snr_db": snr, "split": "tune", "turns": list(turns)}


RIGHT = record(AC_ON, turn("climate.set_ac", 0.928, {"on": True}))
WRONG_AT_0912 = record(AC_ON, turn("climate.set_ac", 0.912, {"on": False}))


def test_the_chosen_threshold_clears_the_last_wrong_action_with_a_step_to_spare() -> None:
    records = [RIGHT, WRONG_AT_0912]
    # 0.915 is the first value at which nothing acts wrongly; 0.92 is the first whose lower
    # neighbour is clean too.
    assert rp.choose(records, SENTENCES, GRID) == 0.92
    assert rp.choose([RIGHT], SENTENCES, GRID) == 0.905  # nothing wrong anywhere: the second value


def test_a_question_that_acts_or_wrong_free_text_also_blocks_a_threshold() -> None:
    question = record(QUESTION, turn("media.mute", 0.917, {"on": True}))
    assert rp.choose([RIGHT, question], SENTENCES, GRID) == 0.925
    # Free text gets the same limit: a misheard query at 0.912 acts below 0.915.
    misheard = record(PLAY, turn("media.play", 0.912, {"query": "jam"}, free=True))
    assert rp.choose([RIGHT, misheard], SENTENCES, GRID) == 0.92
    assert rp.choose([RIGHT, WRONG_AT_0912, question], SENTENCES, (0.9, 0.91)) is None


def test_the_tables_count_per_snr_what_acts_what_is_read_back_and_what_is_refused() -> None:
    records = [
        record(AC_ON, turn("climate.set_ac", 0.928, {"on": True})),  # clean: right, at once
        record(AC_ON, turn("climate.set_ac", 0.95, {"on": False}), snr=10.0),  # 10 dB: wrong, acts
        record(AC_ON, turn("climate.set_ac", 0.88, {"on": True}), snr=10.0),  # 10 dB: read back
        record(AC_ON, turn("climate.set_ac", 0.1, {"on": True}), snr=5.0),  # 5 dB: refused
        record(QUESTION, turn(None, 0.9), snr=5.0),
    ]
    now = rp.gates(records, SENTENCES, rp.hearing_at(0.92))
    assert (now["all"].commands, now["all"].acted_wrong, now["all"].read_back, now["all"].refused) == (4, 1, 1, 1)
    assert (now["clean"].acted_right, now["10 dB"].acted_wrong, now["10 dB"].read_back) == (1, 1, 1)
    assert (now["5 dB"].refused, now["5 dB"].others, now["5 dB"].others_acted) == (1, 1, 0)
    before = rp.gates(records, SENTENCES, rp.PREVIOUS)
    assert (before["10 dB"].acted_right, before["10 dB"].read_back) == (1, 0)  # 0.88 acted before
    text = rp.table("SNR", now, before)
    assert text.splitlines()[0].split()[:3] == ["SNR", "cmds", "wrong"]
    assert "1 = 50.0 % / 50.0 %" in text  # 10 dB: one wrong of two, now and before


def test_confidences_are_recomputed_from_the_evidence_with_the_shipped_calibration() -> None:
    evidence = {"route": "grammar", "grammar_confidence": 0.97, "phone_margin": 2.8, "free_margin": 17.2, "dropped": 0}
    stale = {**turn("climate.set_ac", 0.5, {"on": True}), "evidence": {**evidence, "agreement": 0.8}}
    typed = turn("climate.set_ac", 0.7, {"on": True})  # no evidence: kept as it is
    (out,) = rp.recalibrated([record(AC_ON, stale, typed)])
    expected = round(calibrated(Evidence.from_dict(stale["evidence"])), 4)
    assert out["turns"][0]["confidence"] == expected != 0.5
    assert out["turns"][1]["confidence"] == 0.7


def test_the_loaders_refuse_the_other_half(tmp_path: Path) -> None:
    tune = tmp_path / "tune.jsonl"
    tune.write_text(json.dumps({**RIGHT, "split": "test"}) + "\n")
    with pytest.raises(ValueError, match="tuning half"):
        rp.load_tuning(tune)
    test = tmp_path / "test.json"
    test.write_text(json.dumps({"quick": True, "records": [RIGHT]}))
    with pytest.raises(ValueError, match="test half"):
        rp.load_test(test)


@pytest.mark.skipif(
    not rp.TUNE_RECORDS.exists(), reason="no tuning-half records (script/calibrate_confidence.py collect)"
)
def test_the_recorded_tuning_half_chooses_the_shipped_thresholds() -> None:
    # The figure quoted for issue 11 (2026-12-05: 0.875 is the first clean value on these records,
    # 0.88 the first with a clean neighbour); records from another decoder may choose otherwise,
    # and then the defaults and the README must follow.
    sentences = {s.id: s for s in load_sentences()}
    chosen = rp.choose(rp.recalibrated(rp.load_tuning()), sentences)
    shipped = VoiceSettings()
    assert chosen == shipped.confirm_below == shipped.confirm_free_text_below


# -- what the default thresholds do in the pipeline ------------------------------------------------

HEARD = "set the passenger temperature to twenty three degrees"


def default_pipeline(car: FakeVehicle) -> TurnPipeline:
    """A pipeline with the hearing thresholds the composition root builds from the default settings."""
    skills: Registry[Skill] = Registry("skill")
    skills.register(
        "climate", SlotToSignalSkill("climate", {"climate.set_temperature": (vss.PASSENGER_TEMPERATURE, "celsius")})
    )
    voice = VoiceSettings()
    policy = Policy(hearing=Hearing(voice.confirm_below, voice.reject_below, voice.confirm_free_text_below))
    script = {HEARD: IntentMatch("climate.set_temperature", {"celsius": 23.0, "zone": "passenger"}, text=HEARD)}
    return TurnPipeline(ScriptedIntents(script), skills, policy, car, NoLanguageModel(), 6.0)


@pytest.mark.parametrize(("below", "decision"), [(0.005, "needs_confirmation"), (0.0, "allowed")])
async def test_just_below_the_default_limit_is_read_back_and_at_it_the_car_moves(below: float, decision: str) -> None:
    car = FakeVehicle()
    rec = EventRecorder()
    heard = VoiceSettings().confirm_below - below
    await default_pipeline(car).run_text(Session("s"), HEARD, rec, heard=heard)
    assert rec.of_type(EventType.POLICY)[0].data["decision"] == decision
    if decision == "allowed":
        assert car.snapshot()[vss.PASSENGER_TEMPERATURE] == 23.0
    else:
        assert car.sent == [] and rec.of_type(EventType.REPLY)[0].data["text"] == f"Did you say: {HEARD}?"


# -- a play request that lost its title is read back however sure ---------------------------------

SAID_MUSIC = "i want to listen to the music"
SAID_JAZZ = "i want to listen to jazz"


class PlaySkill(Skill):
    """Starts playback for ``media.play``, whatever was asked for."""

    name = "media"
    description = "fake media"
    intents = ("media.play",)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return SkillPlan((SignalWrite(vss.MEDIA_ACTION, "PLAY"),), done="Playing.")


def media_pipeline(car: FakeVehicle) -> TurnPipeline:
    """The default thresholds, and a media skill that starts playback."""
    skills: Registry[Skill] = Registry("skill")
    skills.register("media", PlaySkill())
    voice = VoiceSettings()
    policy = Policy(hearing=Hearing(voice.confirm_below, voice.reject_below, voice.confirm_free_text_below))
    script = {
        SAID_MUSIC: IntentMatch("media.play", {}, text=SAID_MUSIC),
        SAID_JAZZ: IntentMatch("media.play", {"query": "jazz"}, text=SAID_JAZZ),
    }
    return TurnPipeline(ScriptedIntents(script), skills, policy, car, NoLanguageModel(), 6.0)


async def test_a_spoken_play_request_without_a_title_is_read_back_however_sure() -> None:
    # "i want to listen to up beat music" heard at 0.90 as "i want to listen to the music":
    # the grammar cannot spell the genre, so it drops it, and the car played something else.
    car = FakeVehicle()
    rec = EventRecorder()
    await media_pipeline(car).run_text(Session("s"), SAID_MUSIC, rec, heard=0.99)
    assert rec.of_type(EventType.POLICY)[0].data["decision"] == "needs_confirmation"
    assert car.sent == [] and rec.of_type(EventType.REPLY)[0].data["text"] == f"Did you say: {SAID_MUSIC}?"


async def test_typed_or_with_its_title_a_play_request_acts() -> None:
    car = FakeVehicle()
    rec = EventRecorder()
    pipeline = media_pipeline(car)
    await pipeline.run_text(Session("typed"), SAID_MUSIC, rec)  # typed: nothing was misheard
    await pipeline.run_text(Session("spoken"), SAID_JAZZ, rec, heard=0.99)
    assert [p.data["decision"] for p in rec.of_type(EventType.POLICY)] == ["allowed", "allowed"]
    assert car.sent != []
