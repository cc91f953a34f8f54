"""A class-based trigram language model of the commands, built from the command grammar.

The finite-state grammar accepts exactly the template sentences: speech a little off them is
forced onto the nearest one. A language model of the same sentences lets the decoder leave the
templates' paths (a filler, a swapped word, a phrase cut short) while still preferring them.

Slots are classes, so that the ~400 city names, the numbers or the games do not outweigh the
command words: the template sentences are spelled out with each slot list left as one class
token (``<c:f1_list_destination>``) and the prefix and suffix fillers likewise; that corpus is
counted into a fixed-discount back-off trigram model by PocketSphinx's own ARPA builder
(:class:`pocketsphinx.lm.ArpaBoLM`); then every class token is replaced by its members, the
class's probability split evenly between them (a member in a history keeps the class's
probabilities; as the predicted word it gets the class's share). A member of several words
becomes one compound word (``new_york``), pronounced as its parts: :func:`compound` /
:func:`split_compounds`.

Pure Python: the engine turns the ARPA text into its binary form and caches it by the
grammar's content hash (:mod:`cockpit.asr.sphinx_engine`).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from cockpit.asr.grammar import CommandGrammar, Expr, expand

FORMAT_VERSION = "1"
"""Bumped when the model built from the same grammar changes (part of the cache key)."""
CLASS_PREFIX = "<c:"
"""Class tokens are ``<c:RULE>``."""
JOINER = "_"
"""Joins the words of a multi-word class member into one compound word."""
MAX_SKELETONS = 400
"""Spellings kept per template sentence (its optional words multiply them)."""
SENTENCE_WEIGHT = 24
"""Corpus lines per template sentence, shared between its spellings (at least one each)."""
DISCOUNT = 0.02
"""Fixed discount mass of the back-off model: what each history leaves to unseen words (0.3,
0.1 and 0.02 tried on a fifth of the tuning half: the tighter the better, 0.35 -> 0.43 intent
accuracy)."""
CLASS_LIMIT = 500
"""Slot lists with more members than this (the spelled-out number ranges: "twenty one point five
degrees celsius" and two thousand more) are not classes: their words go into the corpus, a few
members sampled for each sentence, so the trigrams learn how numbers are said instead of
listing thousands of compound words (whose class trigrams would run into millions)."""
SAMPLES = 6
"""Members sampled per sentence for each of those lists."""


def is_class(rule: str) -> bool:
    """Whether a rule is a slot list or a filler set (a class), not a piece of sentence."""
    return "list_" in rule or rule.startswith("filler_")


def compound(phrase: str) -> str:
    """The one-word form of a class member ("new york" -> "new_york")."""
    return JOINER.join(phrase.split())


def split_compounds(text: str) -> str:
    """A decoded text with compounds back into words."""
    return text.replace(JOINER, " ")


def _skeletons(expr: Expr, rules: Mapping[str, Expr]) -> Iterator[tuple[str, ...]]:
    """Spellings of ``expr`` with class rules left as class tokens, other rules spelled out."""
    return expand(expr, rules, lambda rule: f"{CLASS_PREFIX}{rule}>" if is_class(rule) else None)


def _members(expr: Expr, rules: Mapping[str, Expr]) -> list[str]:
    """Every phrase a class rule can be, spelled out (nested rules included)."""
    return list(dict.fromkeys(" ".join(words) for words in expand(expr, rules) if words))


@dataclass(frozen=True)
class DomainCorpus:
    """The class-level corpus of a grammar and what each class stands for."""

    lines: tuple[str, ...]
    """Sentences over words and class tokens (repeated as weighted)."""
    classes: Mapping[str, tuple[str, ...]]
    """Members of each class token, as phrases."""


def corpus(grammar: CommandGrammar) -> DomainCorpus:
    """Every template sentence spelled over class tokens, each sentence weighted alike.

    Each spelling comes bare, after a prefix filler and before a suffix filler (when the grammar
    has them), so fillers are possible but not expected."""
    lines: list[str] = []
    rules = grammar.rules
    head = "" if grammar.prefix is None else " ".join(next(_skeletons(grammar.prefix, rules))) + " "
    tail = "" if grammar.suffix is None else " " + " ".join(next(_skeletons(grammar.suffix, rules)))
    for sentence in grammar.sentences:
        spelt = list(dict.fromkeys(" ".join(s) for s in itertools.islice(_skeletons(sentence, rules), MAX_SKELETONS)))
        spelt = [s for s in spelt if s]
        repeat = max(1, round(SENTENCE_WEIGHT / max(1, len(spelt))))
        for text in spelt:
            lines.extend([text] * repeat)
            if head:
                lines.append(head + text)
            if tail:
                lines.append(text + tail)
    used = {t for line in lines for t in line.split() if t.startswith(CLASS_PREFIX)}
    classes = {token: tuple(_members(rules[token[len(CLASS_PREFIX) : -1]], rules)) for token in sorted(used)}
    wide = {token: m for token, m in classes.items() if len(m) > CLASS_LIMIT}
    if wide:
        lines = _spelled(lines, wide)
    return DomainCorpus(tuple(lines), {t: m for t, m in classes.items() if t not in wide})


def _spelled(lines: list[str], wide: Mapping[str, tuple[str, ...]]) -> list[str]:
    """``lines`` with each wide list's token replaced by sampled members (a fixed seed: the same
    grammar always gives the same model)."""
    rng = random.Random(0)
    out: list[str] = []
    for line in lines:
        tokens = line.split()
        if not any(t in wide for t in tokens):
            out.append(line)
            continue
        for _ in range(SAMPLES):
            out.append(" ".join(rng.choice(wide[t]) if t in wide else t for t in tokens))
    return out


def build_arpa(grammar: CommandGrammar, known: Callable[[str], bool] = lambda w: True) -> str:
    """The grammar's class-based trigram model, classes expanded, as ARPA text.

    ``known`` says which words the engine can pronounce: a class member with another word is
    left out (as :meth:`CommandGrammar.pruned` leaves it out of the grammar)."""
    from pocketsphinx.lm import ArpaBoLM

    data = corpus(grammar)
    members = {
        token: [compound(m) for m in phrases if all(known(w) for w in m.split())]
        for token, phrases in data.classes.items()
    }
    lm = ArpaBoLM(text="\n".join(data.lines), add_start=True, discount_mass=DISCOUNT)
    lm.compute()
    return _expanded(lm, members)


def _expanded(lm: object, members: Mapping[str, list[str]]) -> str:
    """ARPA text of a computed :class:`ArpaBoLM` with class tokens replaced by their members."""

    def each(token: str) -> list[str]:
        return members.get(token, [token]) if token.startswith(CLASS_PREFIX) else [token]

    def share(token: str) -> float:
        n = len(members.get(token, ())) if token.startswith(CLASS_PREFIX) else 1
        return -math.log10(n) if n else 0.0

    grams: list[list[str]] = [[], [], []]
    prob_1, alpha_1 = lm.prob_1, lm.alpha_1  # type: ignore[attr-defined]
    for w1, p in sorted(prob_1.items()):
        lp, la = math.log10(p) + share(w1), math.log10(alpha_1[w1])
        grams[0] += [f"{lp:.4f} {m} {la:.4f}" for m in each(w1)]
    for w1, nexts in sorted(lm.prob_2.items()):  # type: ignore[attr-defined]
        for w2, p in sorted(nexts.items()):
            lp, la = math.log10(p) + share(w2), math.log10(lm.alpha_2[w1][w2])  # type: ignore[attr-defined]
            grams[1] += [f"{lp:.4f} {a} {b} {la:.4f}" for a in each(w1) for b in each(w2)]
    for w1, by2 in sorted(lm.grams_3.items()):  # type: ignore[attr-defined]
        for w2, by3 in sorted(by2.items()):
            for w3, count in sorted(by3.items()):
                p = count * lm.deflator / lm.grams_2[w1][w2]  # type: ignore[attr-defined]
                lp = math.log10(p) + share(w3)
                grams[2] += [f"{lp:.4f} {a} {b} {c}" for a in each(w1) for b in each(w2) for c in each(w3)]
    out = io.StringIO()
    out.write("\\data\\\n")
    for n, rows in enumerate(grams, 1):
        out.write(f"ngram {n}={len(rows)}\n")
    for n, rows in enumerate(grams, 1):
        out.write(f"\n\\{n}-grams:\n")
        out.write("\n".join(rows) + "\n")
    out.write("\n\\end\\\n")
    return out.getvalue()


def cache_key(grammar: CommandGrammar) -> str:
    """What a built model is cached under: the grammar's content and this builder's version."""
    params = f"{FORMAT_VERSION} {DISCOUNT} {CLASS_LIMIT} {SAMPLES} {SENTENCE_WEIGHT} {MAX_SKELETONS}\n"
    return hashlib.sha256((params + grammar.to_jsgf()).encode()).hexdigest()[:24]
