"""Parse one sentence template string into a :class:`~cockpit.nlu.model.Template`.

Syntax (hassil-like)::

    (a|b)        one of the alternatives
    [a|b]        one of the alternatives, or nothing
    {list}       a slot filled by the slot list ``list`` (slot name = list name)
    {list:slot}  a slot filled by ``list`` into the slot named ``slot``
    <rule>       the file's expansion rule ``rule``
    anything else: literal words, normalised like utterances

A malformed template raises :class:`~cockpit.errors.IntentError` naming the template and where it
came from.
"""

from __future__ import annotations

import re

from cockpit.errors import IntentError
from cockpit.nlu.model import Group, Node, RuleRef, Seq, SlotRef, Template, Words
from cockpit.nlu.normalize import normalize

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_TOKEN = re.compile(r"\{[^{}]*\}|<[^<>]*>|[()\[\]|]|[^(){}\[\]|<>]+|[{}<>]")


def parse_template(text: str, where: str = "") -> Template:
    """Parse ``text``; ``where`` (e.g. ``file.yaml: intent``) goes into error messages."""
    if not isinstance(text, str) or not text.strip():
        raise _error(str(text), where, "a template must be a non-empty string")
    parser = _Parser(text, where)
    body = parser.parse()
    if not body.items:
        raise _error(text, where, "the template has no words")
    return Template(text, body)


def parse_phrase(text: str, where: str = "") -> Seq:
    """Parse a slot-list phrase: template syntax without slots or rules."""
    template = parse_template(text, where)
    if _has_refs(template.body):
        raise _error(text, where, "a list phrase may not contain {slots} or <rules>")
    return template.body


def _has_refs(seq: Seq) -> bool:
    for item in seq.items:
        if isinstance(item, SlotRef | RuleRef):
            return True
        if isinstance(item, Group) and any(_has_refs(alt) for alt in item.alternatives):
            return True
    return False


def _error(text: str, where: str, problem: str) -> IntentError:
    place = f"{where}: " if where else ""
    return IntentError("template-invalid", f"{place}template {text!r}: {problem}")


class _Parser:
    """Recursive descent over the token stream of one template."""

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.tokens = _TOKEN.findall(text)
        self.pos = 0

    def parse(self) -> Seq:
        alternatives = self._alternatives(closer=None)
        if len(alternatives) == 1:
            return alternatives[0]
        return Seq((Group(tuple(alternatives)),))

    def _alternatives(self, closer: str | None) -> list[Seq]:
        alternatives = [self._sequence()]
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token == "|":
                self.pos += 1
                alternatives.append(self._sequence())
            elif token in ")]":
                if token != closer:
                    raise _error(self.text, self.where, f"unexpected {token!r}")
                return alternatives
            else:  # pragma: no cover - _sequence stops only at | ) ] or the end
                raise _error(self.text, self.where, f"unexpected {token!r}")
        if closer is not None:
            raise _error(self.text, self.where, f"missing {closer!r}")
        return alternatives

    def _sequence(self) -> Seq:
        items: list[Node] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token in "|)]":
                break
            self.pos += 1
            if token in "([":
                closer = ")" if token == "(" else "]"
                alternatives = self._alternatives(closer)
                self.pos += 1  # the closer
                if all(not alt.items for alt in alternatives):
                    raise _error(self.text, self.where, f"empty {token}{closer}")
                items.append(Group(tuple(alternatives), optional=token == "["))
            elif token in ("{", "}", "<", ">"):
                raise _error(self.text, self.where, f"unbalanced {token!r}")
            elif token.startswith("{"):
                items.append(self._slot(token))
            elif token.startswith("<"):
                name = token[1:-1].strip()
                if not _NAME.match(name):
                    raise _error(self.text, self.where, f"bad rule reference {token!r}")
                items.append(RuleRef(name))
            else:
                words = normalize(token)
                if words:
                    items.append(Words(words))
        return Seq(tuple(items))

    def _slot(self, token: str) -> SlotRef:
        inner = token[1:-1].strip()
        list_name, _, slot = inner.partition(":")
        list_name, slot = list_name.strip(), (slot.strip() or list_name.strip())
        if not _NAME.match(list_name) or not _NAME.match(slot):
            raise _error(self.text, self.where, f"bad slot reference {token!r}")
        return SlotRef(list_name, slot)
