"""Hypothesis strategies for any protobuf message, built from its descriptor (no tests here).

Field values cover the whole wire range of each type, enum fields include numbers the schema
does not name, one member of each oneof is set, and nesting is bounded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

MAX_DEPTH = 3
MAX_REPEATED = 4
_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}


def _edge_ints(low: int, high: int) -> st.SearchStrategy[int]:
    """Small numbers most of the time (ids, counters, rates), the extremes some of the time."""
    return st.one_of(
        st.integers(max(low, -3), min(high, 70_000)), st.sampled_from([low, high, 0, 1]), st.integers(low, high)
    )


@functools.cache
def _is_a_command() -> Callable[[str], bool]:
    """Whether a text is a real command the service would carry out (in English or Korean, alone or
    as several): Hypothesis mines string constants from the project's own modules ("defrost the
    windshield" is one), so a generated text can be a command, and a command rightly moves the
    car. Fuzzing is about malformed requests; those texts are left out."""
    from cockpit.catalogue import CATALOGUE, IntentMatch
    from cockpit.multi import split_commands
    from cockpit.nlu.recognizer import TemplateIntentRecognizer

    recognizer = TemplateIntentRecognizer.from_paths()

    def acts(result: object) -> bool:
        return isinstance(result, IntentMatch) and result.intent in CATALOGUE and CATALOGUE[result.intent].actuates

    def is_command(text: str) -> bool:
        for language in ("en", "ko"):
            if acts(recognizer.recognize(text, language)):
                return True
            if split_commands(text, lambda part, lang=language: recognizer.recognize(part, lang)):  # type: ignore[misc]
                return True
        return False

    return is_command


def _text() -> st.SearchStrategy[str]:
    """A turn's words: any text but a real command."""
    return st.text(max_size=40).filter(lambda text: not _is_a_command()(text))


def _scalar(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return _text() if field.name == "text" else st.text(max_size=40)  # what a turn says
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=96)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        width = 32 if kind == FieldDescriptor.TYPE_FLOAT else 64
        return st.floats(width=width, allow_nan=True, allow_infinity=True)
    if kind == FieldDescriptor.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(-5, 40))  # open enums: unnamed numbers too
    if kind == FieldDescriptor.TYPE_MESSAGE:
        return messages(field.message_type, depth + 1)
    low, high = _INT_RANGES[kind]
    return _edge_ints(low, high)


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of type ``descriptor``, any field set or not."""
    cls = GetMessageClass(descriptor)
    if depth > MAX_DEPTH:
        return st.just(cls())
    plain = [f for f in descriptor.fields if f.containing_oneof is None]
    oneofs = list(descriptor.oneofs)

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        message = cls()
        for field in plain:
            if not draw(st.booleans()):
                continue
            if _is_map(field):
                entry = field.message_type
                key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
                pairs = draw(st.dictionaries(_scalar(key, depth), _scalar(value, depth), max_size=MAX_REPEATED))
                _fill_map(getattr(message, field.name), value, pairs)
            elif field.is_repeated:
                _extend(message, field, draw(st.lists(_scalar(field, depth), max_size=MAX_REPEATED)))
            else:
                _set(message, field, draw(_scalar(field, depth)))
        for oneof in oneofs:
            chosen = draw(st.one_of(st.none(), st.sampled_from(list(oneof.fields))))
            if chosen is not None:
                _set(message, chosen, draw(_scalar(chosen, depth)))
        return message

    return build()


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _fill_map(target: Any, value_field: FieldDescriptor, pairs: dict[Any, Any]) -> None:
    for key, value in pairs.items():
        if value_field.type == FieldDescriptor.TYPE_MESSAGE:
            target[key].CopyFrom(value)
        else:
            target[key] = value


def _set(message: Message, field: FieldDescriptor, value: Any) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(message, field.name).CopyFrom(value)
    else:
        setattr(message, field.name, value)


def _extend(message: Message, field: FieldDescriptor, values: list[Any]) -> None:
    target = getattr(message, field.name)
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        for value in values:
            target.add().CopyFrom(value)
    else:
        target.extend(values)
