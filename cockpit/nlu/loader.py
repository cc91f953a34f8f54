"""Load sentence-template YAML files into checked, frozen :class:`~cockpit.nlu.model.TemplateFile` values.

File format (one file per skill, plus ``cockpit/nlu/unsupported.yaml``)::

    language: en
    intents:                       # catalogue intent -> template groups
      climate.set_ac:
        - sentences: ["turn on [the] <ac>", "<ac> on"]
          slots: {"on": true}      # fixed values (a captured value of the same slot wins)
        - sentences: ["turn off [the] <ac>"]
          slots: {"on": false}
      climate.adjust_temperature:
        - sentences: ["make it cooler [by {delta_celsius}]"]
          slots: {delta_celsius: 1}
          sign: {delta_celsius: -1}   # value = -abs(value)
    unsupported:                   # feature -> template groups (things the car cannot do)
      sunroof: ["open [the] sunroof"]
    lists:
      zone: {values: {driver: ["driver", "drivers side", "my"]}}
      celsius: {range: {from: -50, to: 100, unit: temperature}}
      destination: {wildcard: {exclude: [website], samples: [shenzhen]}}
    expansion_rules:
      ac: "(a c|ac|air conditioning)"
    fillers: {prefixes: [please], suffixes: [please]}

A group may also be written as a bare list of sentences. Lists, rules and fillers of the common
file (``cockpit/nlu/common.yaml``) are visible in every file of its language; a file in another
language shares those of the common file's sibling for that language (``common.ko.yaml``), if
there is one. Redefining a shared name is an error, as is anything else malformed: each
:class:`~cockpit.errors.IntentError` names the file and template.

Translations sit beside the English file as ``templates.<lang>.yaml`` (and
``unsupported.<lang>.yaml``). Which files there are is the skills' business: each skill declares
its own (:meth:`cockpit.skill_api.Skill.template_paths`) and :func:`default_template_paths` asks
the skill registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from cockpit.catalogue import CATALOGUE, IntentSpec
from cockpit.errors import IntentError
from cockpit.nlu.expand import expand_phrase
from cockpit.nlu.model import (
    Fillers,
    Group,
    Node,
    RangeList,
    RuleRef,
    Seq,
    SlotList,
    SlotRef,
    Template,
    TemplateFile,
    TemplateGroup,
    ValueList,
    WildcardList,
    Words,
)
from cockpit.nlu.normalize import normalize
from cockpit.nlu.parser import parse_phrase, parse_template

if TYPE_CHECKING:
    from cockpit.skill_registry import SkillCapabilities

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C where libyaml is built in (several times faster at start-up)."""
NLU_DIR = Path(__file__).resolve().parent
COMMON_PATH = NLU_DIR / "common.yaml"
"""Lists, rules and fillers shared by every template file."""
UNSUPPORTED_PATH = NLU_DIR / "unsupported.yaml"
"""Templates for car functions this car cannot perform."""
_UNITS = (None, "temperature", "temperature_delta", "percent")
_TOP_KEYS = {"language", "intents", "unsupported", "lists", "expansion_rules", "fillers"}


def default_template_paths(skills: SkillCapabilities | None = None) -> tuple[Path, ...]:
    """The template files of ``skills`` (default: the built-in skills), in registry order, each
    followed by its translations, then ``unsupported.yaml`` and its translations."""
    from cockpit.skill_registry import template_paths

    return template_paths(skills, (UNSUPPORTED_PATH,))


def load_templates(
    paths: Sequence[str | Path],
    common: str | Path | None = COMMON_PATH,
    catalogue: Mapping[str, IntentSpec] = CATALOGUE,
) -> tuple[TemplateFile, ...]:
    """Read and check ``paths`` (in order: earlier files win ties).

    ``common`` is shared by the files of its language; files in another language share its
    sibling ``<stem>.<lang><suffix>`` when that exists (see the module docstring). ``catalogue``
    is every intent a template may name (the skill registry's, with intents skills add).
    """
    shared: dict[str, TemplateFile | None] = {}
    base = parse_template_file(_read(Path(common)), str(common)) if common is not None else None
    if base is not None:
        shared[base.language] = base
    files = []
    for path in paths:
        data = _read(Path(path))
        language = data.get("language") if isinstance(data, Mapping) else None
        language = str(language) if language is not None else (base.language if base else "en")
        if language not in shared and common is not None:
            sibling = Path(common).with_name(f"{Path(common).stem}.{language}{Path(common).suffix}")
            shared[language] = parse_template_file(_read(sibling), str(sibling)) if sibling.is_file() else None
        files.append(parse_template_file(data, str(path), shared.get(language), catalogue))
    return tuple(files)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_YAML_LOADER)
    except OSError as err:
        raise IntentError("templates-unreadable", f"{path}: cannot read template file: {err}") from err
    except yaml.YAMLError as err:
        raise IntentError("templates-invalid", f"{path}: not valid YAML: {err}") from err


def parse_template_file(
    data: Any, path: str, common: TemplateFile | None = None, catalogue: Mapping[str, IntentSpec] = CATALOGUE
) -> TemplateFile:
    """Check and parse the YAML document ``data`` read from ``path`` (its intents must be in ``catalogue``)."""
    where = path
    doc = _mapping(data, where, "the file")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise IntentError("templates-invalid", f"{where}: unknown keys {sorted(map(str, unknown))}")
    lists: dict[str, SlotList] = dict(common.lists) if common else {}
    for name, spec in _mapping(doc.get("lists", {}), where, "lists").items():
        if name in lists:
            raise IntentError("templates-invalid", f"{where}: list {name!r} is already defined")
        lists[name] = _slot_list(name, spec, f"{where}: list {name}")
    rules = dict(common.rules) if common else {}
    for name, text in _mapping(doc.get("expansion_rules", {}), where, "expansion_rules").items():
        if name in rules:
            raise IntentError("templates-invalid", f"{where}: expansion rule {name!r} is already defined")
        rules[name] = parse_template(text, f"{where}: rule <{name}>").body
    resolved = {name: _inline(seq, rules, (name,), f"{where}: rule <{name}>") for name, seq in rules.items()}
    groups: list[TemplateGroup] = []
    for intent, raw in _mapping(doc.get("intents", {}), where, "intents").items():
        spec = catalogue.get(intent)
        if spec is None or intent == "dialogue.chat":
            raise IntentError("templates-invalid", f"{where}: {intent!r} is not a catalogue intent with templates")
        groups += _groups(intent, spec, raw, lists, resolved, f"{where}: {intent}")
    for feature, raw in _mapping(doc.get("unsupported", {}), where, "unsupported").items():
        groups += _groups(f"unsupported:{feature}", None, raw, lists, resolved, f"{where}: unsupported {feature}")
    fillers = _mapping(doc.get("fillers", {}), where, "fillers")
    return TemplateFile(
        path=path,
        language=str(doc.get("language", common.language if common else "en")),
        groups=tuple(groups),
        lists=MappingProxyType(lists),
        rules=MappingProxyType(resolved),
        fillers=Fillers(
            (common.fillers.prefixes if common else ())
            + tuple(normalize(p) for p in _strings(fillers.get("prefixes", []), where, "fillers.prefixes")),
            (common.fillers.suffixes if common else ())
            + tuple(normalize(s) for s in _strings(fillers.get("suffixes", []), where, "fillers.suffixes")),
        ),
    )


def _mapping(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise IntentError("templates-invalid", f"{where}: {what} must be a mapping")
    for key in value:
        if not isinstance(key, str):
            hint = " (quote it: YAML reads on/off/yes/no as booleans)" if isinstance(key, bool) else ""
            raise IntentError("templates-invalid", f"{where}: {what}: key {key!r} must be a string{hint}")
    return value


def _strings(value: Any, where: str, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IntentError("templates-invalid", f"{where}: {what} must be a list of strings")
    return value


def _slot_list(name: str, spec: Any, where: str) -> SlotList:
    spec = _mapping(spec, where, "the list")
    kinds = [k for k in ("values", "range", "wildcard") if k in spec]
    if len(kinds) != 1:
        raise IntentError("templates-invalid", f"{where}: give exactly one of values, range, wildcard")
    if kinds[0] == "values":
        return ValueList(name, _phrases(spec["values"], where))
    if kinds[0] == "range":
        rng = _mapping(spec["range"], where, "range")
        low, high, unit = rng.get("from"), rng.get("to"), rng.get("unit")
        if not isinstance(low, int | float) or not isinstance(high, int | float) or low > high:
            raise IntentError("templates-invalid", f"{where}: range needs numbers from <= to")
        if unit not in _UNITS:
            raise IntentError("templates-invalid", f"{where}: unit {unit!r} is not one of {_UNITS}")
        words = _phrases(spec.get("words", {}), where)
        if rng.get("require_unit") and unit is None:
            raise IntentError("templates-invalid", f"{where}: require_unit needs a unit")
        integer, require_unit = bool(rng.get("integer", False)), bool(rng.get("require_unit", False))
        return RangeList(name, float(low), float(high), unit, integer, require_unit, words)
    wild = _mapping(spec["wildcard"] or {}, where, "wildcard")
    return WildcardList(
        name,
        *(
            tuple(normalize(s) for s in _strings(wild.get(key, []), where, key))
            for key in ("exclude", "require", "strip_prefixes", "strip_suffixes", "samples")
        ),
    )


def _phrases(values: Any, where: str) -> tuple[tuple[Seq, Any], ...]:
    if not isinstance(values, Mapping):
        raise IntentError("templates-invalid", f"{where}: values must map each value to its phrases")
    out = []
    seen: dict[str, Any] = {}
    for value, phrases in values.items():
        if isinstance(value, bool):
            raise IntentError("templates-invalid", f"{where}: value {value!r}: quote on/off/yes/no keys")
        for phrase in _strings(phrases, where, f"phrases of {value!r}"):
            seq = parse_phrase(phrase, where)
            for text in expand_phrase(seq):
                if not text or seen.setdefault(text, value) != value:
                    problem = "can be empty" if not text else f"means both {seen[text]!r} and {value!r}"
                    raise IntentError("templates-invalid", f"{where}: phrase {phrase!r} {problem}")
            out.append((seq, value))
    return tuple(out)


def _inline(seq: Seq, rules: Mapping[str, Seq], stack: tuple[str, ...], where: str) -> Seq:
    """Replace every ``<rule>`` by its body (recursively); a cycle or unknown rule is an error."""
    items: list[Node] = []
    for item in seq.items:
        if isinstance(item, RuleRef):
            if item.name not in rules:
                raise IntentError("template-invalid", f"{where}: unknown expansion rule <{item.name}>")
            if item.name in stack:
                raise IntentError("template-invalid", f"{where}: expansion rule <{item.name}> refers to itself")
            items.append(Group((_inline(rules[item.name], rules, (*stack, item.name), where),)))
        elif isinstance(item, Group):
            alts = tuple(_inline(alt, rules, stack, where) for alt in item.alternatives)
            items.append(Group(alts, item.optional))
        else:
            items.append(item)
    return Seq(tuple(items))


def _groups(
    target: str,
    spec: IntentSpec | None,
    raw: Any,
    lists: Mapping[str, SlotList],
    rules: Mapping[str, Seq],
    where: str,
) -> list[TemplateGroup]:
    if not isinstance(raw, list) or not raw:
        raise IntentError("templates-invalid", f"{where}: expected a non-empty list of sentences or groups")
    bare = [item for item in raw if isinstance(item, str)]
    blocks: list[Mapping[str, Any]] = [{"sentences": bare}] if bare else []
    blocks += [_mapping(item, where, "a template group") for item in raw if not isinstance(item, str)]
    groups = []
    for block in blocks:
        unknown = set(block) - {"sentences", "slots", "sign"}
        if unknown:
            raise IntentError("templates-invalid", f"{where}: unknown group keys {sorted(unknown)}")
        fixed = dict(_mapping(block.get("slots", {}), where, "slots"))
        sign = dict(_mapping(block.get("sign", {}), where, "sign"))
        _check_fixed(spec, fixed, sign, where)
        sentences = []
        for text in _strings(block.get("sentences", []), where, "sentences"):
            template = parse_template(text, where)
            body = _inline(template.body, rules, (), f"{where}: template {text!r}")
            _check_slots(spec, body, lists, fixed, f"{where}: template {text!r}")
            sentences.append(Template(text, body))
        if not sentences:
            raise IntentError("templates-invalid", f"{where}: a group has no sentences")
        groups.append(TemplateGroup(target, tuple(sentences), MappingProxyType(fixed), MappingProxyType(sign)))
    return groups


def _check_fixed(spec: IntentSpec | None, fixed: Mapping[str, Any], sign: Mapping[str, Any], where: str) -> None:
    slots = {s.name: s for s in spec.slots} if spec else {}
    for name, value in fixed.items():
        if name not in slots:
            raise IntentError("templates-invalid", f"{where}: fixed slot {name!r} is not a slot of the intent")
        _check_value(slots[name].kind, slots[name].choices, value, f"{where}: fixed slot {name}")
    for name, value in sign.items():
        if name not in slots or value not in (1, -1) or isinstance(value, bool):
            raise IntentError("templates-invalid", f"{where}: sign {name}: {value!r} must be 1 or -1 for a slot")


def _check_value(kind: str, choices: tuple[str, ...], value: Any, where: str) -> None:
    ok = {
        "boolean": isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "enum": value in choices,
        "text": isinstance(value, str),
    }.get(kind, False)
    if not ok:
        raise IntentError("templates-invalid", f"{where}: {value!r} is not a valid {kind}")


def _check_slots(
    spec: IntentSpec | None, body: Seq, lists: Mapping[str, SlotList], fixed: Mapping[str, Any], where: str
) -> None:
    slots = {s.name: s for s in spec.slots} if spec else {}
    for ref in _refs(body):
        lst = lists.get(ref.list_name)
        if lst is None:
            raise IntentError("template-invalid", f"{where}: unknown slot list {{{ref.list_name}}}")
        if spec is None or ref.slot.startswith("_"):
            continue  # unsupported requests keep no slots; "_name" slots are read and dropped
        slot = slots.get(ref.slot)
        if slot is None:
            raise IntentError("template-invalid", f"{where}: {{{ref.slot}}} is not a slot of {spec.name}")
        if (isinstance(lst, WildcardList) and slot.kind != "text") or (
            isinstance(lst, RangeList) and slot.kind not in ("number", "integer")
        ):
            raise IntentError("template-invalid", f"{where}: list {lst.name!r} cannot fill {slot.kind} slot")
        for _, value in lst.values if isinstance(lst, ValueList) else lst.words if isinstance(lst, RangeList) else ():
            _check_value(slot.kind, slot.choices, value, f"{where}: list {lst.name}")
    missing = {s.name for s in (spec.slots if spec else ()) if s.required} - _guaranteed(body) - set(fixed)
    if missing:
        raise IntentError("template-invalid", f"{where}: some wordings leave out required slots {sorted(missing)}")


def _refs(seq: Seq) -> list[SlotRef]:
    out: list[SlotRef] = []
    for item in seq.items:
        if isinstance(item, SlotRef):
            out.append(item)
        elif isinstance(item, Group):
            for alt in item.alternatives:
                out += _refs(alt)
    return out


def _guaranteed(seq: Seq) -> set[str]:
    """Slots every wording of ``seq`` fills."""
    out: set[str] = set()
    for item in seq.items:
        if isinstance(item, SlotRef):
            out.add(item.slot)
        elif isinstance(item, Group) and not item.optional:
            out |= set.intersection(*(_guaranteed(alt) for alt in item.alternatives))
        elif isinstance(item, Words):
            continue
    return out
