"""The command grammar: a small expression tree both engines can be given.

:class:`CommandGrammar` holds sentences made of words, sequences, alternatives (optional or
not) and references to named rules. It is built from the skills' sentence templates by
:mod:`cockpit.asr.templates`, then:

- :meth:`CommandGrammar.pruned` drops every alternative that needs a word the engine does not
  know (a word missing from the pronunciation dictionary would make the whole grammar fail);
- :meth:`CommandGrammar.to_jsgf` writes it as a JSGF grammar (PocketSphinx);
- :meth:`CommandGrammar.phrases` spells it out as the phrase list Vosk takes.

Pure functions over frozen dataclasses; no engine is imported here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

MAX_PHRASES = 20_000
"""Most phrases :meth:`CommandGrammar.phrases` spells out before it splits sentences at rules."""


@dataclass(frozen=True)
class Word:
    """One word."""

    text: str
    """The word, lower case."""


@dataclass(frozen=True)
class Seq:
    """Expressions one after another (empty: matches nothing, i.e. silence)."""

    items: tuple[Expr, ...] = ()
    """The expressions, in order."""


@dataclass(frozen=True)
class Alt:
    """One of several expressions, or (``optional``) none of them."""

    options: tuple[Expr, ...]
    """The choices."""
    optional: bool = False
    """Whether the whole group may be left out."""


@dataclass(frozen=True)
class Ref:
    """A named rule of the grammar (a slot list, a number range, a filler set)."""

    name: str
    """Rule name."""


Expr = Word | Seq | Alt | Ref
"""Any grammar expression."""

EMPTY = Seq()
"""The expression that matches nothing."""


def words(text: str) -> Expr:
    """An expression for a fixed run of words ("set the" -> Seq(Word, Word))."""
    items = tuple(Word(w) for w in text.split())
    return items[0] if len(items) == 1 else Seq(items)


@dataclass(frozen=True)
class CommandGrammar:
    """Every command sentence the skills accept, as a grammar."""

    language: str
    """BCP 47 primary tag of the sentences."""
    sentences: tuple[Expr, ...]
    """Top-level alternatives: one per template (fillers already wrapped around)."""
    rules: Mapping[str, Expr] = field(default_factory=dict)
    """Named rules that sentences refer to."""
    prefix: Expr | None = None
    """What may come before any sentence (fillers, wake phrases); optional."""
    suffix: Expr | None = None
    """What may come after any sentence (fillers); optional."""

    def vocabulary(self) -> frozenset[str]:
        """Every word the grammar can produce."""
        found: set[str] = set()
        extras = [x for x in (self.prefix, self.suffix) if x is not None]
        for expr in (*self.sentences, *self.rules.values(), *extras):
            found.update(_words_in(expr))
        return frozenset(found)

    def pruned(self, known: Callable[[str], bool]) -> CommandGrammar:
        """The grammar without the alternatives that need a word ``known`` rejects."""
        rules: dict[str, Expr | None] = {}

        def rule(name: str) -> Expr | None:
            if name not in rules:
                rules[name] = None  # a rule that refers to itself cannot be expanded
                rules[name] = _prune(self.rules[name], known, rule)
            return rules[name]

        sentences = tuple(s for s in (_prune(x, known, rule) for x in self.sentences) if s is not None and s != EMPTY)
        prefix = None if self.prefix is None else _prune(self.prefix, known, rule)
        suffix = None if self.suffix is None else _prune(self.suffix, known, rule)
        prefix, suffix = (None if x in (None, EMPTY) else x for x in (prefix, suffix))
        used = {name for s in (*sentences, prefix, suffix) if s is not None for name in _refs_in(s, self.rules)}
        kept = {name: expr for name, expr in rules.items() if expr is not None and name in used}
        return CommandGrammar(self.language, sentences, kept, prefix, suffix)

    def to_jsgf(self, name: str = "cockpit") -> str:
        """The grammar in JSGF 1.0; the public rule is ``<command>``."""
        lines = ["#JSGF V1.0;", f"grammar {name};"]
        if not self.sentences:
            raise ValueError("an empty grammar has no JSGF form")
        head = f"[{_jsgf(self.prefix)}] " if self.prefix is not None else ""
        tail = f" [{_jsgf(self.suffix)}]" if self.suffix is not None else ""
        lines.append(f"public <command> = {head}<sentence>{tail};")
        lines.append("<sentence> = " + " | ".join(_jsgf(s) for s in self.sentences) + ";")
        for rule_name, expr in self.rules.items():
            lines.append(f"<{_rule_id(rule_name)}> = {_jsgf(expr)};")
        return "\n".join(lines) + "\n"

    def phrases(self, limit: int = MAX_PHRASES) -> list[str]:
        """Every sentence spelled out; past ``limit``, sentences split where rules are used.

        Vosk joins phrases of its list freely, so split pieces still let it hear whole
        commands; the unsplit form just constrains it more. The prefix and suffix are listed as
        phrases of their own, for the same reason.
        """
        extras: dict[str, None] = {}
        for part in (self.prefix, self.suffix):
            if part is not None:
                extras.update((t, None) for t in itertools.islice(_spell(part, self.rules), limit))
        return [t for t in {**dict.fromkeys(self._sentence_phrases(limit)), **extras} if t]

    def _sentence_phrases(self, limit: int) -> list[str]:
        out: dict[str, None] = {}
        try:
            for sentence in self.sentences:
                for text in _spell(sentence, self.rules):
                    out[text] = None
                    if len(out) > limit:
                        raise OverflowError
            return list(out)
        except OverflowError:
            pass
        pieces: dict[str, None] = {}
        for sentence in self.sentences:
            for part in _split_at_refs(sentence):
                for text in itertools.islice(_spell(part, {}), limit):
                    pieces[text] = None
        for expr in self.rules.values():
            for text in itertools.islice(_spell(expr, self.rules), limit):
                pieces[text] = None
        return list(pieces)


def _words_in(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Word):
        yield expr.text
    elif isinstance(expr, Seq):
        for item in expr.items:
            yield from _words_in(item)
    elif isinstance(expr, Alt):
        for option in expr.options:
            yield from _words_in(option)


def _refs_in(expr: Expr, rules: Mapping[str, Expr], seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(expr, Ref) and expr.name not in seen:
        seen.add(expr.name)
        if expr.name in rules:
            _refs_in(rules[expr.name], rules, seen)
    elif isinstance(expr, Seq):
        for item in expr.items:
            _refs_in(item, rules, seen)
    elif isinstance(expr, Alt):
        for option in expr.options:
            _refs_in(option, rules, seen)
    return seen


def _prune(expr: Expr, known: Callable[[str], bool], rule: Callable[[str], Expr | None]) -> Expr | None:
    """``expr`` with unknown words removed; None if it can no longer match anything."""
    if isinstance(expr, Word):
        return expr if known(expr.text) else None
    if isinstance(expr, Ref):
        return expr if rule(expr.name) is not None else None
    if isinstance(expr, Seq):
        items = []
        for item in expr.items:
            kept = _prune(item, known, rule)
            if kept is None:
                return None
            if kept != EMPTY:
                items.append(kept)
        return items[0] if len(items) == 1 else Seq(tuple(items))
    options = tuple(dict.fromkeys(o for o in (_prune(x, known, rule) for x in expr.options) if o is not None))
    optional = expr.optional or EMPTY in options
    options = tuple(o for o in options if o != EMPTY)
    if not options:
        return EMPTY if optional else None
    if len(options) == 1 and not optional:
        return options[0]
    return Alt(options, optional)


_RULE_ID = re.compile(r"[^A-Za-z0-9_]")


def _rule_id(name: str) -> str:
    return _RULE_ID.sub("_", name)


def _jsgf(expr: Expr) -> str:
    if isinstance(expr, Word):
        return expr.text
    if isinstance(expr, Ref):
        return f"<{_rule_id(expr.name)}>"
    if isinstance(expr, Seq):
        return " ".join(_jsgf(i) for i in expr.items) if expr.items else "<NULL>"
    inner = " | ".join(_jsgf(o) for o in expr.options)
    return f"[{inner}]" if expr.optional else f"({inner})"


def _spell(expr: Expr, rules: Mapping[str, Expr]) -> Iterator[str]:
    """Every wording of ``expr`` (rules expanded; a missing rule is left out)."""
    for combo in expand(expr, rules):
        yield " ".join(combo)


def expand(
    expr: Expr, rules: Mapping[str, Expr], stop: Callable[[str], str | None] = lambda rule: None
) -> Iterator[tuple[str, ...]]:
    """Every wording of ``expr`` as a word tuple: rules are spelled out, except one for which
    ``stop(name)`` gives a token, which stands in its place; a missing rule is left out."""
    if isinstance(expr, Word):
        yield (expr.text,)
    elif isinstance(expr, Ref):
        token = stop(expr.name)
        if token is not None:
            yield (token,)
        elif expr.name in rules:
            yield from expand(rules[expr.name], rules, stop)
        else:
            yield ()
    elif isinstance(expr, Alt):
        for option in expr.options:
            yield from expand(option, rules, stop)
        if expr.optional:
            yield ()
    else:
        yield from _product(expr.items, rules, stop)


def _product(
    items: tuple[Expr, ...], rules: Mapping[str, Expr], stop: Callable[[str], str | None]
) -> Iterator[tuple[str, ...]]:
    if not items:
        yield ()
        return
    for head in expand(items[0], rules, stop):
        for tail in _product(items[1:], rules, stop):
            yield head + tail


def _split_at_refs(expr: Expr) -> list[Expr]:
    """The stretches of a sentence between its rule references (references dropped)."""
    if isinstance(expr, Ref):
        return []
    if isinstance(expr, Seq):
        pieces: list[Expr] = []
        run: list[Expr] = []
        for item in expr.items:
            if isinstance(item, Ref) or (isinstance(item, Alt) and _has_ref(item)):
                if run:
                    pieces.append(Seq(tuple(run)))
                    run = []
                pieces.extend(_split_at_refs(item))
            else:
                run.append(item)
        if run:
            pieces.append(Seq(tuple(run)))
        return pieces
    if isinstance(expr, Alt) and _has_ref(expr):
        return [p for option in expr.options for p in _split_at_refs(option)]
    return [expr]


def _has_ref(expr: Expr) -> bool:
    if isinstance(expr, Ref):
        return True
    if isinstance(expr, Seq):
        return any(_has_ref(i) for i in expr.items)
    if isinstance(expr, Alt):
        return any(_has_ref(o) for o in expr.options)
    return False
