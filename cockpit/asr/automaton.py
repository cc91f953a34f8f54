"""A command grammar as a minimal deterministic word automaton.

PocketSphinx's grammar search expands a JSGF grammar into a finite-state graph as written:
every alternative of every sentence becomes its own branch, so a grammar compiled from a few
hundred templates runs slower than real time. Determinising (sentences that start alike share
their start) and minimising (sentences that end alike share their end) the word graph first
shrinks it by one to two orders of magnitude; the engine then gets this graph directly.

The grammar has no loops, so minimisation is the linear bottom-up merge of equivalent states of
an acyclic automaton (Revuz). Pure Python, no engine imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from cockpit.asr.grammar import Alt, CommandGrammar, Expr, Ref, Seq, Word

MAX_NFA_STATES = 2_000_000
"""Guard against a grammar that would not fit in memory once its rules are expanded."""


@dataclass(frozen=True)
class WordAutomaton:
    """A deterministic automaton over words: state 0 is the start."""

    n_states: int
    """Number of states (0 .. n_states - 1)."""
    arcs: tuple[tuple[int, str, int], ...]
    """Transitions ``(from, word, to)``."""
    finals: frozenset[int]
    """Accepting states."""

    @property
    def words(self) -> frozenset[str]:
        """Every word on some arc."""
        return frozenset(w for _, w, _ in self.arcs)

    @cached_property
    def _table(self) -> dict[tuple[int, str], int]:
        return {(s, w): d for s, w, d in self.arcs}

    def accepts(self, text: str) -> bool:
        """Whether the automaton accepts the space-separated words of ``text``."""
        state = 0
        for word in text.split():
            nxt = self._table.get((state, word))
            if nxt is None:
                return False
            state = nxt
        return state in self.finals


class _Nfa:
    """Thompson-style construction: word arcs plus epsilon moves."""

    def __init__(self, rules: Mapping[str, Expr]) -> None:
        self.rules = rules
        self.arcs: list[list[tuple[str, int]]] = []
        self.eps: list[list[int]] = []

    def state(self) -> int:
        if len(self.arcs) >= MAX_NFA_STATES:
            raise ValueError("the grammar is too large to compile")
        self.arcs.append([])
        self.eps.append([])
        return len(self.arcs) - 1

    def build(self, expr: Expr, start: int, stack: tuple[str, ...] = ()) -> int:
        """Add ``expr`` starting at ``start``; return the state where it ends."""
        if isinstance(expr, Word):
            end = self.state()
            self.arcs[start].append((expr.text, end))
            return end
        if isinstance(expr, Seq):
            current = start
            for item in expr.items:
                current = self.build(item, current, stack)
            return current
        if isinstance(expr, Ref):
            if expr.name in stack or expr.name not in self.rules:
                raise ValueError(f"rule {expr.name} is recursive or missing")
            return self.build(self.rules[expr.name], start, (*stack, expr.name))
        assert isinstance(expr, Alt)
        end = self.state()
        for option in expr.options:
            self.eps[self.build(option, start, stack)].append(end)
        if expr.optional:
            self.eps[start].append(end)
        return end


def _closure(nfa: _Nfa, states: Iterable[int]) -> frozenset[int]:
    seen = set(states)
    todo = list(seen)
    while todo:
        for nxt in nfa.eps[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


def _determinise(nfa: _Nfa, start: int, final: int) -> tuple[list[dict[str, int]], set[int]]:
    first = _closure(nfa, [start])
    index: dict[frozenset[int], int] = {first: 0}
    table: list[dict[str, int]] = [{}]
    finals: set[int] = set()
    todo = [first]
    while todo:
        subset = todo.pop()
        here = index[subset]
        if final in subset:
            finals.add(here)
        moves: dict[str, set[int]] = {}
        for s in subset:
            for word, nxt in nfa.arcs[s]:
                moves.setdefault(word, set()).add(nxt)
        for word, targets in moves.items():
            target = _closure(nfa, targets)
            if target not in index:
                index[target] = len(table)
                table.append({})
                todo.append(target)
            table[here][word] = index[target]
    return table, finals


def _minimise(table: list[dict[str, int]], finals: set[int]) -> WordAutomaton:
    """Merge equivalent states of an acyclic DFA, bottom-up by signature."""
    order: list[int] = []
    mark = [0] * len(table)  # 0 new, 1 on the stack, 2 done
    stack: list[tuple[int, list[int]]] = [(0, list(table[0].values()))]
    mark[0] = 1
    while stack:
        state, pending = stack[-1]
        if pending:
            nxt = pending.pop()
            if mark[nxt] == 1:
                raise ValueError("the grammar has a loop")
            if mark[nxt] == 0:
                mark[nxt] = 1
                stack.append((nxt, list(table[nxt].values())))
            continue
        stack.pop()
        mark[state] = 2
        order.append(state)  # children before parents
    klass: dict[int, int] = {}
    signatures: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    for state in order:
        sig = (state in finals, tuple(sorted((w, klass[d]) for w, d in table[state].items())))
        klass[state] = signatures.setdefault(sig, len(signatures))
    # Renumber so the start state is 0.
    start_class = klass[0]
    renum = {start_class: 0}
    for sig_class in range(len(signatures)):
        if sig_class != start_class:
            renum[sig_class] = len(renum)
    arcs = set()
    new_finals = set()
    for state in order:
        src = renum[klass[state]]
        if state in finals:
            new_finals.add(src)
        for word, dst in table[state].items():
            arcs.add((src, word, renum[klass[dst]]))
    return WordAutomaton(len(signatures), tuple(sorted(arcs)), frozenset(new_finals))


def compile_grammar(grammar: CommandGrammar) -> WordAutomaton:
    """The minimal deterministic word automaton accepting exactly the grammar's sentences
    (with the optional prefix before and suffix after)."""
    nfa = _Nfa(grammar.rules)
    start = nfa.state()
    current = start
    if grammar.prefix is not None:
        current = nfa.build(Alt((grammar.prefix,), optional=True), current)
    current = nfa.build(Alt(grammar.sentences), current)
    if grammar.suffix is not None:
        current = nfa.build(Alt((grammar.suffix,), optional=True), current)
    table, finals = _determinise(nfa, start, current)
    return _minimise(table, finals)
