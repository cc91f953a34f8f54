"""Tool schemas, grammars and tool-call parsing, all derived from the intent catalogue.

The catalogue (:mod:`cockpit.catalogue`) stays the single source of truth: each skill intent
becomes one JSON schema in the function-calling shape Qwen was trained on. The same schemas
validate what the model produced, and the GBNF grammar that constrains its output is generated
from them plus the argument values the gate allows this turn. Parsing is our own: we never rely
on llama-cpp-python's chat handlers for tool calls.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cockpit.catalogue import CATALOGUE, IntentMatch, IntentSpec
from cockpit.errors import LanguageModelError
from cockpit.skill_api import finite_number

CHAT_INTENT = "dialogue.chat"
"""The one catalogue intent that is not a tool."""
TOOL_CALL_CONFIDENCE = 0.6
"""Confidence reported for a tool call: below a full template match, because a model chose it."""

_JSON_TYPES = {"number": "number", "integer": "integer", "boolean": "boolean", "text": "string", "enum": "string"}


class ToolCallError(LanguageModelError):
    """The model's output is not a valid call of an allowed tool."""

    def __init__(self, message: str) -> None:
        super().__init__("llm-bad-tool-call", message)


@dataclass(frozen=True)
class ToolOption:
    """One tool the model may call this turn, with the values each argument may take."""

    intent: str
    """Catalogue intent name."""
    arguments: Mapping[str, tuple[Any, ...]]
    """Allowed values per argument, in a stable order; arguments not listed are not sent."""


def skill_intents(catalogue: Mapping[str, IntentSpec] = CATALOGUE) -> tuple[str, ...]:
    """Every intent a skill carries out: the catalogue minus chat."""
    return tuple(name for name in catalogue if name != CHAT_INTENT)


def tool_schema(spec: IntentSpec) -> dict[str, Any]:
    """The JSON schema of one intent as a function: name, description, parameters."""
    properties: dict[str, Any] = {}
    for slot in spec.slots:
        prop: dict[str, Any] = {"type": _JSON_TYPES[slot.kind]}
        if slot.description:
            prop["description"] = slot.description
        if slot.choices:
            prop["enum"] = list(slot.choices)
        if slot.minimum is not None:
            prop["minimum"] = slot.minimum
        if slot.maximum is not None:
            prop["maximum"] = slot.maximum
        properties[slot.name] = prop
    return {
        "name": spec.name,
        "description": spec.description,
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": [slot.name for slot in spec.slots if slot.required],
            "additionalProperties": False,
        },
    }


def tool_schemas(
    intents: Iterable[str] | None = None, catalogue: Mapping[str, IntentSpec] = CATALOGUE
) -> dict[str, dict[str, Any]]:
    """Schemas by intent name, for ``intents`` (default: every skill intent), in catalogue order."""
    wanted = set(skill_intents(catalogue) if intents is None else intents)
    unknown = wanted - set(catalogue)
    if unknown or CHAT_INTENT in wanted:
        bad = sorted(unknown | (wanted & {CHAT_INTENT}))
        raise ValueError(f"not skill intents: {', '.join(bad)}; known: {', '.join(skill_intents(catalogue))}")
    return {name: tool_schema(spec) for name, spec in catalogue.items() if name in wanted}


def validate_arguments(schema: Mapping[str, Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` checked against a tool schema (types, enums, bounds, required, no extras)."""
    params = schema["parameters"]
    properties: Mapping[str, Any] = params["properties"]
    extra = sorted(set(arguments) - set(properties))
    if extra:
        raise ToolCallError(f"{schema['name']} takes no argument {', '.join(extra)}")
    missing = [name for name in params["required"] if name not in arguments]
    if missing:
        raise ToolCallError(f"{schema['name']} needs {', '.join(missing)}")
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        out[name] = _check_value(f"{schema['name']}.{name}", properties[name], value)
    return out


def _check_value(where: str, prop: Mapping[str, Any], value: Any) -> Any:
    kind = prop["type"]
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ToolCallError(f"{where} must be true or false")
        return value
    if kind == "string":
        if not isinstance(value, str) or not value.strip():
            raise ToolCallError(f"{where} must be non-empty text")
        if "enum" in prop and value not in prop["enum"]:
            raise ToolCallError(f"{where} must be one of {', '.join(prop['enum'])}")
        return value
    if finite_number(value) is None:
        raise ToolCallError(f"{where} must be a number")
    if kind == "integer" and value != int(value):
        raise ToolCallError(f"{where} must be a whole number")
    if ("minimum" in prop and value < prop["minimum"]) or ("maximum" in prop and value > prop["maximum"]):
        raise ToolCallError(f"{where} must be between {prop.get('minimum')} and {prop.get('maximum')}")
    return int(value) if kind == "integer" else value


def check_options(options: Sequence[ToolOption], schemas: Mapping[str, Mapping[str, Any]]) -> None:
    """Every allowed value of every option must itself pass its tool's schema."""
    for option in options:
        if option.intent not in schemas:
            raise ValueError(f"{option.intent} is not an available tool")
        for name, values in option.arguments.items():
            if not values:
                raise ValueError(f"{option.intent}.{name} allows no value")
            for value in values:
                validate_arguments(schemas[option.intent], {**_first_values(option), name: value})


def _first_values(option: ToolOption) -> dict[str, Any]:
    return {name: values[0] for name, values in option.arguments.items()}


MAX_CALLS = 64
"""Most distinct calls one turn may offer (the grammar lists them all)."""


def _literal(text: str) -> str:
    """A GBNF string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def call_texts(options: Sequence[ToolOption]) -> list[str]:
    """Every call the options allow, as the JSON text the model writes:
    ``{"name": "<intent>", "arguments": {"<slot>": <value>, ...}}``."""
    calls: list[str] = []
    for option in options:
        names = list(option.arguments)
        for values in itertools.product(*(option.arguments[n] for n in names)):
            arguments = dict(zip(names, values, strict=True))
            calls.append(json.dumps({"name": option.intent, "arguments": arguments}))
    if not calls:
        raise ValueError("no call is allowed")
    if len(calls) > MAX_CALLS:
        raise ValueError(f"{len(calls)} calls offered; at most {MAX_CALLS}")
    return calls


def split_calls(options: Sequence[ToolOption]) -> tuple[str, list[str]]:
    """(text every allowed call starts with, the rest of each call).

    The shared start is prefilled as prompt, which the model reads in one batch instead of
    generating it token by token under the grammar; it ends before any trailing space so the
    model writes a value together with its usual leading space.
    """
    calls = call_texts(options)
    shared = os.path.commonprefix(calls)  # noqa: RUF071 - a text prefix, not a path
    if len(calls) == 1:
        shared = shared[: max(0, shared.rfind(":") + 1)]  # one call: the model still writes its last value
    return shared.rstrip(" "), [c[len(shared.rstrip(" ")) :] for c in calls]


def call_grammar(continuations: Sequence[str]) -> str:
    """A GBNF grammar whose sentences are exactly ``continuations``."""
    if not continuations:
        raise ValueError("a call grammar needs at least one continuation")
    return "root ::= " + " | ".join(_literal(c) for c in dict.fromkeys(continuations)) + "\n"


def parse_tool_call(
    text: str, options: Sequence[ToolOption], schemas: Mapping[str, Mapping[str, Any]], utterance: str = ""
) -> IntentMatch:
    """The model's output as an :class:`IntentMatch` with ``source="llm"``.

    The call must be JSON of the shape the grammar allows, name one of ``options``, pass its
    catalogue schema, and use only values the option allows. Anything else is a
    :class:`ToolCallError`, never a guess.
    """
    try:
        obj = json.loads(text.strip())
    except ValueError as err:
        raise ToolCallError(f"the tool call is not JSON: {err}") from err
    if not isinstance(obj, dict) or set(obj) != {"name", "arguments"} or not isinstance(obj["arguments"], dict):
        raise ToolCallError('a tool call is {"name": ..., "arguments": {...}} and nothing else')
    name = obj["name"]
    option = next((o for o in options if o.intent == name), None)
    if option is None or name not in schemas:
        raise ToolCallError(f"{name!r} is not a tool the model may call now")
    arguments = validate_arguments(schemas[name], obj["arguments"])
    for slot, value in arguments.items():
        allowed = option.arguments.get(slot, ())
        if not any(_same(value, a) for a in allowed):
            raise ToolCallError(f"{name}.{slot} = {value!r} is not what the driver asked for")
    if set(arguments) != set(option.arguments):
        raise ToolCallError(f"{name} must set exactly {', '.join(option.arguments)}")
    return IntentMatch(name, arguments, source="llm", confidence=TOOL_CALL_CONFIDENCE, text=utterance)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def render_call(match: IntentMatch) -> str:
    """A tool call as the JSON the grammar produces (for logs and history)."""
    return json.dumps({"name": match.intent, "arguments": dict(match.slots)})


def describe_call(match: IntentMatch) -> str:
    """A short note of a tool call for the chat history ("Okay, making it warmer.")."""
    slots = match.slots
    delta = slots.get("delta_celsius", slots.get("delta_percent"))
    if isinstance(delta, int | float) and not isinstance(delta, bool):
        if match.intent == "climate.adjust_temperature":
            return "Okay, making it " + ("warmer." if delta > 0 else "cooler.")
        what = "volume" if match.intent.startswith("media.") else "fan"
        return f"Okay, turning the {what} " + ("up." if delta > 0 else "down.")
    return "Okay, I asked the car to do that."
