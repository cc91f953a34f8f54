"""Asking which city a bare name means: "Springfield in Missouri, Massachusetts or Illinois?".

A wrong destination is worse than a question: when a name means several well-known cities
(:meth:`skills.navigation.cities.CityIndex.rivals`), the skill answers with a question and its
choices (:attr:`cockpit.skill_api.SkillPlan.choices`). Each choice is the same command with a
destination that names one city alone ("Springfield, Illinois"), so the answer can never be
ambiguous again. The answers a choice takes: its region's name and its place in the list ("the
first one"); in a Korean session also the region's Korean name, with the particles a Korean answer
puts after it ("일리노이로"). Korean words are left out of an English session's answers: the voice
front end decodes the answer with a grammar of them, and English speech models have no Hangul.
"""

from __future__ import annotations

from collections.abc import Sequence

from cockpit.catalogue import IntentMatch
from cockpit.hangul import particle
from cockpit.phrasebook import say_back
from cockpit.skill_api import SkillPlan
from skills.navigation.cities import Rival, normalise
from skills.navigation.phrases import PHRASES, either, marked
from skills.navigation.regions import korean_names

ORDINALS = (("first", "첫 번째", "첫번째"), ("second", "두 번째", "두번째"), ("third", "세 번째", "세번째"))
"""Answers that pick a choice by its place in the question."""


def ask_which(match: IntentMatch, rivals: Sequence[Rival], name: str, language: str) -> SkillPlan:
    """The question that tells ``rivals`` apart, named ``name`` (the city, in the reply's language)."""
    regions = [region_name(r, language) for r in rivals]
    question = PHRASES.say(
        language, "which", name=marked(language, say_back(name), "to"), options=either(language, regions)
    )
    choices: dict[str, IntentMatch] = {}
    for index, rival in enumerate(rivals):
        command = IntentMatch(
            match.intent, {"destination": rival.destination}, match.source, match.confidence, match.text
        )
        for answer in answers(rival, index, language):
            choices.setdefault(answer, command)
    return SkillPlan(done=question, choices=choices)


def answers(rival: Rival, index: int, language: str = "en") -> tuple[str, ...]:
    """The words that choose ``rival``, the ``index``-th choice: ``illinois``, ``first`` (Korean
    sessions also ``일리노이``, ``일리노이로``, ``첫 번째``...)."""
    english, *korean_ordinals = ORDINALS[index] if index < len(ORDINALS) else ("",)
    words = [normalise(rival.region), english]
    korean = _korean_region(rival)
    if language == "ko":
        words += korean_ordinals
        if korean:
            words += [korean, particle(korean, "으로", "로"), korean + "요", korean + "에"]
    return tuple(w for w in words if w)


def region_name(rival: Rival, language: str) -> str:
    """The rival's state or country as a reply in ``language`` names it (Korean when known)."""
    return (_korean_region(rival) or rival.region) if language == "ko" else rival.region


def _korean_region(rival: Rival) -> str | None:
    return korean_names().get(rival.region_code)
