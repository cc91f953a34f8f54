"""The skill registry: built-ins, entry-point discovery, duplicates and unknown names."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest

from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.errors import ConfigError
from cockpit.registry import Registry
from cockpit.skill_api import Skill, SkillContext, SkillPlan
from cockpit.skill_registry import ENTRY_POINT_GROUP, build_skill_registry, installed_entry_points, skill_for_intent
from skills.climate import ClimateSkill
from skills.drive import DriveSkill
from skills.media import MediaSkill
from skills.navigation import GeoPoint, NavigationSkill


class WeatherSkill(Skill):
    """An outside skill, as a plug-in package would ship it."""

    name = "weather"
    description = "Says the weather."
    intents = ("weather.forecast",)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return SkillPlan(done="Sunny.")


class OtherClimate(Skill):
    """A plug-in that claims a built-in's name."""

    name = "climate"
    intents = ("climate.set_ac",)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return SkillPlan()


NOT_A_SKILL = 42


def ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_without_discovery() -> None:
    registry = build_skill_registry(extra_entry_points=False)
    assert registry.names() == ["body", "climate", "drive", "media", "navigation", "vehicle"]
    assert isinstance(registry.get("climate"), ClimateSkill)
    assert isinstance(registry.get("navigation"), NavigationSkill)
    assert isinstance(registry.get("media"), MediaSkill)
    assert isinstance(registry.get("drive"), DriveSkill)


def test_installed_metadata_lists_the_builtins_and_they_are_not_registered_twice() -> None:
    installed = {e.name for e in installed_entry_points()}
    assert {"climate", "navigation", "media", "drive", "vehicle"} <= installed
    assert build_skill_registry().names() == ["body", "climate", "drive", "media", "navigation", "vehicle"]


def test_an_entry_point_adds_a_skill() -> None:
    registry = build_skill_registry(entry_points=[ep("weather", f"{__name__}:WeatherSkill")])
    assert registry.names() == ["body", "climate", "drive", "media", "navigation", "vehicle", "weather"]
    assert isinstance(registry.get("weather"), WeatherSkill)
    assert skill_for_intent(registry, "weather.forecast") is registry.get("weather")


def test_builtins_listed_as_entry_points_are_skipped() -> None:
    builtins = [
        ep("climate", "skills.climate:ClimateSkill"),
        ep("navigation", "skills.navigation : NavigationSkill"),
        ep("media", "skills.media.skill:MediaSkill"),  # the same class through another module path
        ep("drive", "skills.drive:DriveSkill"),
    ]
    assert build_skill_registry(entry_points=builtins).names() == [
        "body",
        "climate",
        "drive",
        "media",
        "navigation",
        "vehicle",
    ]


def test_a_second_skill_with_a_builtin_name_is_a_duplicate() -> None:
    with pytest.raises(ConfigError) as err:
        build_skill_registry(entry_points=[ep("climate", f"{__name__}:OtherClimate")])
    assert err.value.code == "duplicate-skill"


def test_the_same_plugin_twice_is_a_duplicate() -> None:
    twice = [ep("weather", f"{__name__}:WeatherSkill")] * 2
    with pytest.raises(ConfigError) as err:
        build_skill_registry(entry_points=twice)
    assert err.value.code == "duplicate-skill"


@pytest.mark.parametrize(
    ("entry_point", "code"),
    [
        (ep("ghost", "no_such_module_xyz:Ghost"), "skill-entry-point-failed"),
        (ep("number", f"{__name__}:NOT_A_SKILL"), "bad-skill-entry-point"),
        (ep("text", "builtins:str"), "bad-skill-entry-point"),
        (ep("rain", f"{__name__}:WeatherSkill"), "skill-name-mismatch"),
    ],
)
def test_bad_entry_points_are_config_errors(entry_point: importlib.metadata.EntryPoint, code: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_skill_registry(entry_points=[entry_point])
    assert err.value.code == code


def test_discovery_can_be_switched_off() -> None:
    registry = build_skill_registry(False, entry_points=[ep("weather", f"{__name__}:WeatherSkill")])
    assert "weather" not in registry


def test_unknown_skill_lists_the_valid_ones() -> None:
    registry = build_skill_registry(extra_entry_points=False)
    with pytest.raises(ConfigError) as err:
        registry.get("weather")
    assert err.value.code == "unknown-skill"
    assert "climate, drive, media, navigation" in err.value.message


def test_skill_for_intent_covers_the_whole_catalogue() -> None:
    registry = build_skill_registry(extra_entry_points=False)
    for intent in CATALOGUE:
        if intent == "dialogue.chat":
            continue
        assert skill_for_intent(registry, intent).name == intent.split(".")[0]


def test_skill_for_an_unknown_intent_lists_the_handled_ones() -> None:
    registry = build_skill_registry(extra_entry_points=False)
    with pytest.raises(ConfigError) as err:
        skill_for_intent(registry, "climate.open_sunroof")
    assert err.value.code == "unknown-intent"
    assert "climate.set_ac" in err.value.message and "media.play" in err.value.message


def test_skill_for_intent_finds_a_skill_outside_its_prefix() -> None:
    registry: Registry[Skill] = Registry("skill")
    registry.register("weather", WeatherSkill())
    registry.register("extras", _Extras())
    assert isinstance(skill_for_intent(registry, "media.karaoke"), _Extras)


class _Extras(Skill):
    name = "extras"
    intents = ("media.karaoke",)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        return SkillPlan()


def test_collaborators_are_passed_to_the_skills(tmp_path: Path) -> None:
    origin = GeoPoint(48.137, 11.575)
    library = tmp_path / "library.json"
    library.write_text(json.dumps({"stations": [{"id": 5, "name": "Test FM", "frequency": "88.0 FM", "genre": "x"}]}))
    registry = build_skill_registry(extra_entry_points=False, origin=origin, media_library_path=library)
    navigation, media = registry.get("navigation"), registry.get("media")
    assert isinstance(navigation, NavigationSkill) and navigation.origin == origin
    assert isinstance(media, MediaSkill) and [i.title for i in media.library] == ["Test FM"]
    again = build_skill_registry(extra_entry_points=False)
    assert again.get("climate") is not registry.get("climate")  # a value per build, never a shared global
