"""Template parsing, loading and expansion: the data side of the recogniser."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.catalogue import CATALOGUE
from cockpit.errors import IntentError
from cockpit.nlu import TemplateIntentRecognizer, default_template_paths, load_templates
from cockpit.nlu.expand import expand_phrase, sample_sentence
from cockpit.nlu.model import Group, SlotRef, TemplateFile, TemplateGroup, Words
from cockpit.nlu.numbers import tidy
from cockpit.nlu.parser import parse_template

FILES = load_templates(default_template_paths())
RECOGNIZER = TemplateIntentRecognizer(FILES)
TEMPLATES = [(file, group, template) for file in FILES for group in file.groups for template in group.sentences]


def test_parse_template_structure() -> None:
    body = parse_template("set [the] (driver's|passenger) seat to {level:lvl}").body
    assert body.items[0] == Words("set")
    assert isinstance(body.items[1], Group) and body.items[1].optional
    alternatives = body.items[2]
    assert isinstance(alternatives, Group) and not alternatives.optional
    assert [alt.items[0] for alt in alternatives.alternatives] == [Words("drivers"), Words("passenger")]
    assert body.items[3] == Words("seat to")
    assert body.items[4] == SlotRef("level", "lvl")


def test_top_level_alternatives_and_phrase_expansion() -> None:
    top = parse_template("a c|air (con|conditioning) [please]").body
    assert expand_phrase(top) == ["a c", "air con please", "air con", "air conditioning please", "air conditioning"]
    grouped = parse_template("(a c|air con) [please]").body
    assert expand_phrase(grouped) == ["a c please", "a c", "air con please", "air con"]


def test_every_catalogue_intent_but_chat_has_templates() -> None:
    targets = {group.target for file in FILES for group in file.groups}
    assert {name for name in CATALOGUE if name != "dialogue.chat"} <= targets
    assert "dialogue.chat" not in targets
    features = {t.split(":", 1)[1] for t in targets if t.startswith("unsupported:")}
    assert {"sunroof tilt", "doors", "trunk", "lights", "wipers", "horn", "games", "driving"} <= features


def _expected(group: TemplateGroup, spoken: dict[str, Any]) -> dict[str, Any]:
    slots = dict(group.slots)
    slots.update({k: v for k, v in spoken.items() if not k.startswith("_")})
    for name, sign in group.sign.items():
        if name in slots:
            slots[name] = tidy(sign * abs(slots[name]))
    return slots


def _check_sample(file: TemplateFile, group: TemplateGroup, text: str, spoken: dict[str, Any], source: str) -> None:
    hit = RECOGNIZER.explain(text, file.language)
    assert hit is not None, f"{text!r} (from {source!r}) matched nothing"
    assert hit.target == group.target, f"{text!r} (from {source!r}) -> {hit.target} via {hit.source!r}"
    if hit.source == f"{file.path}: {source}" and not group.is_unsupported:
        assert dict(hit.slots) == _expected(group, spoken), text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_expansion_matches_back_to_its_intent(data: st.DataObject) -> None:
    file, group, template = data.draw(st.sampled_from(TEMPLATES))
    sample = sample_sentence(
        template.body, file.lists, lambda options: data.draw(st.sampled_from(list(options))), language=file.language
    )
    _check_sample(file, group, sample.text, sample.slots, template.text)


def test_every_template_expands_and_matches_back() -> None:
    rng = random.Random(20240601)
    for file, group, template in TEMPLATES:
        for _ in range(25):
            sample = sample_sentence(template.body, file.lists, rng.choice, language=file.language)
            _check_sample(file, group, sample.text, sample.slots, template.text)


# --- malformed templates -------------------------------------------------------------------------

GOOD_LISTS = "lists:\n  zone: {values: {driver: [driver]}}\n  celsius: {range: {from: 0, to: 40}}\n"


def _load(tmp_path: Path, body: str) -> tuple[TemplateFile, ...]:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    return load_templates([path])


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("intents:\n  climate.set_temperature: ['set (the temperature to {celsius}']\n", "missing ')'"),
        ("intents:\n  climate.set_temperature: ['set [the temperature to {celsius}']\n", "missing ']'"),
        ("intents:\n  climate.set_temperature: ['set the) temperature to {celsius}']\n", "unexpected ')'"),
        ("intents:\n  climate.set_temperature: ['set the temperature to {celsius']\n", "unbalanced '{'"),
        ("intents:\n  climate.set_temperature: ['set () temperature to {celsius}']\n", "empty ()"),
        ("intents:\n  climate.set_temperature: ['set the temperature to {Celsius!}']\n", "bad slot reference"),
        ("intents:\n  climate.set_temperature: ['set the temperature to {kelvin}']\n", "unknown slot list"),
        ("intents:\n  climate.set_temperature: ['set <nope> to {celsius}']\n", "unknown expansion rule"),
        ("intents:\n  climate.set_temperature: ['set {zone:window} to {celsius}']\n", "not a slot of"),
        ("intents:\n  climate.set_temperature: ['set the temperature']\n", "required slots ['celsius']"),
        ("intents:\n  climate.set_temperature: ['set [the temperature to {celsius}]']\n", "required slots"),
        ("intents:\n  climate.set_temperature: ['']\n", "non-empty string"),
        ("intents:\n  climate.set_temperature: []\n", "non-empty list"),
        ("intents:\n  climate.fly: ['fly away']\n", "not a catalogue intent"),
        ("intents:\n  dialogue.chat: ['tell me a story']\n", "not a catalogue intent"),
        ("intents:\n  climate.set_ac: [{sentences: ['ac on'], slots: {on: true}}]\n", "quote it"),
        ("intents:\n  climate.set_ac: [{sentences: ['ac on'], slots: {'on': 'yes'}}]\n", "not a valid boolean"),
        ("intents:\n  climate.set_ac: [{sentences: ['ac on'], colour: red}]\n", "unknown group keys"),
        (
            "intents:\n  climate.adjust_temperature: [{sentences: ['warmer'], slots: {delta_celsius: 1},"
            " sign: {delta_celsius: 2}}]\n",
            "must be 1 or -1",
        ),
        (
            "intents:\n  navigation.find_nearby: ['find {poi:category}']\n"
            "lists:\n  poi: {values: {bakery: [bakery]}}\n",
            "not a valid enum",
        ),
        ("expansion_rules:\n  a: '<b>'\n  b: '<a>'\n", "refers to itself"),
        ("lists:\n  x: {values: {a: [same], b: ['(same|other)']}}\n", "means both 'a' and 'b'"),
        ("lists:\n  x: {values: {a: ['[same]']}}\n", "can be empty"),
        ("lists:\n  x: {values: {a: ['{zone}']}}\n", "may not contain"),
        ("lists:\n  x: {range: {from: 10, to: 1}}\n", "from <= to"),
        ("lists:\n  x: {range: {from: 1, to: 10, unit: kelvin}}\n", "unit"),
        ("lists:\n  x: {range: {from: 1, to: 10}, wildcard: {}}\n", "exactly one of"),
        ("colour: red\n", "unknown keys"),
        ("intents: [1, 2]\n", "must be a mapping"),
        ("intents: {climate.set_temperature: ['set it to {celsius}'\n", "not valid YAML"),
    ],
)
def test_malformed_templates_raise_intent_error_naming_file_and_template(
    tmp_path: Path, body: str, needle: str
) -> None:
    common = GOOD_LISTS if "lists:" not in body and "expansion_rules" not in body else ""
    with pytest.raises(IntentError) as info:
        _load(tmp_path, body + common)
    message = str(info.value)
    assert "bad.yaml" in message
    assert needle in message


def test_redefining_a_common_list_is_an_error(tmp_path: Path) -> None:
    common = tmp_path / "common.yaml"
    common.write_text("lists:\n  zone: {values: {driver: [driver]}}\n", encoding="utf-8")
    path = tmp_path / "skill.yaml"
    path.write_text("lists:\n  zone: {values: {all: [all]}}\n", encoding="utf-8")
    with pytest.raises(IntentError, match=r"skill\.yaml: list 'zone' is already defined"):
        load_templates([path], common=common)


def test_template_error_quotes_the_template(tmp_path: Path) -> None:
    with pytest.raises(IntentError) as info:
        _load(tmp_path, "intents:\n  climate.set_temperature: ['set (the temperature to {celsius}']\n" + GOOD_LISTS)
    assert "'set (the temperature to {celsius}'" in str(info.value)
    assert "climate.set_temperature" in str(info.value)
    assert info.value.code == "template-invalid"


def test_missing_file_raises_intent_error(tmp_path: Path) -> None:
    with pytest.raises(IntentError, match="cannot read"):
        load_templates([tmp_path / "nope.yaml"])


def test_loaded_templates_are_frozen() -> None:
    file = FILES[0]
    with pytest.raises(AttributeError):
        file.path = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        file.lists["zone"] = file.lists["zone"]  # type: ignore[index]
