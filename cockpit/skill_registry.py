"""The skill registry: the built-in skills plus any a package adds through an entry point.

An outside package adds a skill by declaring, in its own ``pyproject.toml``::

    [project.entry-points."cockpit.skills"]
    weather = "cockpit_weather:WeatherSkill"

The entry point names a :class:`~cockpit.skill_api.Skill` subclass (built with no arguments), a
skill instance, or a factory returning one; it is registered under the skill's ``name``, which
must equal the entry-point name. cockpit's own ``pyproject.toml`` lists the built-ins the same
way; those entries are recognised and skipped, since the built-ins are constructed here with
their collaborators. The registry is a value built once at the composition root, never a global.

A skill owns its whole capability and declares it on its class (:class:`~cockpit.skill_api.Skill`):
intents, sentence templates in every language, grammar vocabularies, tool cues, its part of the
car facts and its reply texts. :func:`capabilities` collects them into one
:class:`SkillCapabilities`, the only place NLU, the speech grammar, the prompt and the tool gate
read them from; :func:`builtin_capabilities` is the built-in skills' collection, their default.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.catalogue import CATALOGUE, IntentSpec
from cockpit.errors import ConfigError
from cockpit.registry import Registry
from cockpit.skill_api import SignalValue, Skill, ToolCue

if TYPE_CHECKING:
    from cockpit.phrasebook import Phrasebook

ENTRY_POINT_GROUP = "cockpit.skills"
"""The entry-point group outside packages use to add skills."""

BUILTIN_SKILLS: tuple[str, ...] = (
    "skills.climate:ClimateSkill",
    "skills.navigation:NavigationSkill",
    "skills.media:MediaSkill",
    "skills.drive:DriveSkill",
    "skills.vehicle:VehicleSkill",
    "skills.body:BodySkill",
)
"""The built-in skills as ``module:Class`` specs, loaded by name as plug-ins are (also how
``pyproject.toml`` declares them): the service depends on the :class:`Skill` seam, never on a skill."""


class EntryPointLike(Protocol):
    """What the registry needs of an :class:`importlib.metadata.EntryPoint`."""

    @property
    def name(self) -> str:
        """The entry point's name (the skill name)."""

    @property
    def value(self) -> str:
        """``module:Attribute``."""

    def load(self) -> Any:
        """Import and return the object the entry point names."""


def installed_entry_points(group: str = ENTRY_POINT_GROUP) -> list[EntryPointLike]:
    """The entry points installed packages declare in ``group``."""
    return list(importlib.metadata.entry_points(group=group))


def build_skill_registry(
    extra_entry_points: bool = True,
    *,
    entry_points: Iterable[EntryPointLike] | None = None,
    origin: object | None = None,
    media_library_path: Path | None = None,
    drive_side: str = "left",
) -> Registry[Skill]:
    """The climate, navigation, media, drive, vehicle (undo) and body skills, plus skills added through entry points.

    ``extra_entry_points`` turns discovery off. ``entry_points`` replaces discovery in the
    installed metadata (for tests, or a curated list). ``origin`` is the
    car's position for navigation and
    ``media_library_path`` the media library file; both default to the shipped ones. ``drive_side``
    (the setting) tells the body skill which rear window is the left one. A name
    registered twice, an entry point that cannot be loaded, or one that is not a skill raises
    :class:`~cockpit.errors.ConfigError`.
    """
    options: dict[str, dict[str, Any]] = {
        "skills.navigation:NavigationSkill": {} if origin is None else {"origin": origin},
        "skills.media:MediaSkill": {} if media_library_path is None else {"library_path": media_library_path},
        "skills.body:BodySkill": {"drive_side": drive_side},
    }
    registry: Registry[Skill] = Registry("skill")
    builtin_classes: set[type] = set()
    for spec in BUILTIN_SKILLS:
        cls = _builtin_class(spec)
        builtin_classes.add(cls)
        skill = cls(**options.get(spec, {}))
        registry.register(skill.name, skill)
    if not extra_entry_points:
        return registry
    for entry_point in installed_entry_points() if entry_points is None else entry_points:
        if _spec(entry_point.value) in BUILTIN_SKILLS:
            continue
        target = _load(entry_point)
        if target in builtin_classes or type(target) in builtin_classes:
            continue  # a built-in reached through another path (an alias module, a re-export)
        skill = _instantiate(entry_point, target)
        if skill.name != entry_point.name:
            raise ConfigError(
                "skill-name-mismatch",
                f"entry point {entry_point.name!r} ({entry_point.value}) gives a skill called {skill.name!r}; "
                "make the entry-point name the skill's name",
            )
        registry.register(skill.name, skill)
    return registry


def skill_for_intent(registry: Registry[Skill], intent_name: str) -> Skill:
    """The skill that handles ``intent_name``; the error lists every intent the registry handles.

    The skill named by the intent's prefix (``climate`` for ``climate.set_ac``) is asked first,
    then any other skill that lists the intent.
    """
    prefix = intent_name.split(".", 1)[0]
    if prefix in registry:
        skill = registry.get(prefix)
        if intent_name in skill.intents:
            return skill
    for name in registry.names():
        skill = registry.get(name)
        if intent_name in skill.intents:
            return skill
    handled = sorted(i for name in registry.names() for i in registry.get(name).intents)
    raise ConfigError("unknown-intent", f"no skill handles {intent_name!r}; handled: {', '.join(handled) or '(none)'}")


def _builtin_class(spec: str) -> type[Skill]:
    """The built-in skill class ``module:Class`` names."""
    module, _, name = spec.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Skill)):
        raise ConfigError("bad-skill-entry-point", f"built-in {spec} is not a Skill subclass")
    return cls


def _spec(value: str) -> str:
    """``module : Class [extras]`` as ``module:Class``."""
    module, _, rest = value.partition(":")
    return f"{module.strip()}:{rest.split('[', 1)[0].strip()}"


def _load(entry_point: EntryPointLike) -> Any:
    try:
        return entry_point.load()
    except Exception as err:  # any import-time failure of a plug-in is a configuration problem
        raise ConfigError(
            "skill-entry-point-failed",
            f"cannot load skill entry point {entry_point.name!r} ({entry_point.value}): {err}",
        ) from err


def _instantiate(entry_point: EntryPointLike, target: Any) -> Skill:
    if isinstance(target, Skill):
        return target
    if isinstance(target, type) and not issubclass(target, Skill):
        raise ConfigError(
            "bad-skill-entry-point", f"entry point {entry_point.name!r} ({entry_point.value}) is not a Skill subclass"
        )
    if not callable(target):
        raise ConfigError(
            "bad-skill-entry-point", f"entry point {entry_point.name!r} ({entry_point.value}) is not a skill"
        )
    try:
        skill = target()
    except Exception as err:
        raise ConfigError(
            "skill-entry-point-failed", f"cannot build skill {entry_point.name!r} ({entry_point.value}): {err}"
        ) from err
    if not isinstance(skill, Skill):
        raise ConfigError(
            "bad-skill-entry-point",
            f"entry point {entry_point.name!r} ({entry_point.value}) returned {type(skill).__name__}, not a Skill",
        )
    return skill


@dataclass(frozen=True)
class SkillCapabilities:
    """Everything the registered skills declare, collected once: what NLU, the speech grammar,
    the language model's prompt and its tool gate read, and nothing else tells them."""

    skills: tuple[Skill, ...]
    """The skills, in registration order (built-ins first)."""
    catalogue: Mapping[str, IntentSpec]
    """The intent catalogue: cockpit's own, then the intents skills add (:attr:`Skill.intent_specs`)."""
    template_paths: tuple[Path, ...]
    """Every skill's template files, every language, in registration order."""
    cues: tuple[ToolCue, ...]
    """The tool gate's cues, skill by skill in registration order."""
    replies: Mapping[str, Phrasebook]
    """Each skill's reply sentences by language, by skill name (skills with a phrasebook)."""

    @property
    def intents(self) -> tuple[str, ...]:
        """Every intent the skills handle, in registration order."""
        return tuple(intent for skill in self.skills for intent in skill.intents)

    @property
    def tool_intents(self) -> tuple[str, ...]:
        """Intents some cue may offer (the only tools the model needs to know about), in catalogue order."""
        offered = {cue.intent for cue in self.cues}
        return tuple(name for name in self.catalogue if name in offered)

    def vocabulary(self, language: str) -> dict[str, list[str]]:
        """Wildcard-list values for the speech grammar in ``language``, from every skill, by list name."""
        values: dict[str, list[str]] = {}
        for skill in self.skills:
            for name, words in skill.vocabulary(language).items():
                values.setdefault(name, []).extend(words)
        return values

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any] | None = None) -> str:
        """The car facts for the prompt: each skill's summary, in :attr:`Skill.summary_order`."""
        ordered = sorted(self.skills, key=lambda skill: skill.summary_order)  # stable: ties keep registry order
        parts = (skill.summarize(state, memory or {}) for skill in ordered)
        return " ".join(p for p in parts if p)


def skill_catalogue(registry: Registry[Skill]) -> Mapping[str, IntentSpec]:
    """cockpit's intent catalogue plus the intents the skills of ``registry`` add (:attr:`Skill.intent_specs`);
    an intent declared twice is a :class:`~cockpit.errors.ConfigError`."""
    catalogue = dict(CATALOGUE)
    for _, skill in registry.items():
        for spec in skill.intent_specs:
            if spec.name in catalogue:
                raise ConfigError("duplicate-intent", f"skill {skill.name!r} declares intent {spec.name!r} again")
            catalogue[spec.name] = spec
    return MappingProxyType(catalogue)


def capabilities(registry: Registry[Skill]) -> SkillCapabilities:
    """Collect what the skills of ``registry`` declare; an intent no catalogue entry describes, one
    declared twice, or a cue for an intent the skill does not handle is a ConfigError."""
    skills = tuple(skill for _, skill in registry.items())
    catalogue = skill_catalogue(registry)
    for skill in skills:
        unknown = [intent for intent in skill.intents if intent not in catalogue]
        if unknown:
            raise ConfigError(
                "unknown-intent",
                f"skill {skill.name!r} handles {', '.join(unknown)}, which no catalogue entry describes",
            )
        strays = [cue.name for cue in skill.tool_cues if cue.intent not in skill.intents]
        if strays:
            raise ConfigError("bad-tool-cue", f"skill {skill.name!r} has cues for intents it does not handle: {strays}")
    return SkillCapabilities(
        skills,
        catalogue,
        tuple(path for skill in skills for path in skill.template_paths()),
        tuple(cue for skill in skills for cue in skill.tool_cues),
        MappingProxyType({s.name: s.replies for s in skills if s.replies is not None}),
    )


@functools.cache
def builtin_capabilities() -> SkillCapabilities:
    """What the built-in skills declare (the default of every reader not handed a registry)."""
    return capabilities(build_skill_registry(extra_entry_points=False))


def template_paths(skills: SkillCapabilities | None = None, extra: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The skills' template files (default: the built-ins'), then ``extra`` files with their translations."""
    paths = list((skills or builtin_capabilities()).template_paths)
    for english in extra:
        paths.append(english)
        paths += sorted(english.parent.glob(f"{english.stem}.*{english.suffix}"))
    return tuple(paths)
