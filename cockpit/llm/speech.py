"""Keeping answers speakable: at most a few sentences, no markdown."""

from __future__ import annotations

import re

_FULL_STOPS = ".!?…"
_CJK_STOPS = "。！？"
_AFTER_STOP = "\"')]"
_MARKDOWN = re.compile(r"[*_`#>|]+")


class SentenceSplitter:
    """Cuts streamed text into complete sentences, with the boundaries of :class:`SentenceLimiter`.

    Feed pieces as they come; each call returns the sentences completed so far (stripped), and
    :meth:`rest` the unfinished tail at the end of the stream.
    """

    def __init__(self) -> None:
        self._text = ""
        self._pos = 0

    def feed(self, piece: str) -> list[str]:
        """Sentences that ``piece`` completed, in order."""
        self._text += piece
        done: list[str] = []
        i = self._pos
        while i < len(self._text):
            cut = _sentence_end(self._text, i)
            if cut == _UNDECIDED:
                break
            i += 1
            if cut >= 0:
                sentence = self._text[:cut].strip()
                self._text, i = self._text[cut:], 0
                if sentence:
                    done.append(sentence)
        self._pos = i
        return done

    def rest(self) -> str:
        """The text after the last complete sentence (the stream has ended)."""
        rest, self._text, self._pos = self._text.strip(), "", 0
        return rest


_UNDECIDED = -2


def _sentence_end(text: str, i: int) -> int:
    """Where a sentence ending at ``text[i]`` is cut (-1: not an end; -2: the next piece decides)."""
    ch = text[i]
    if ch in _CJK_STOPS:
        return i + 1
    if ch in _FULL_STOPS:
        if i + 1 == len(text):
            return _UNDECIDED  # "3." may become "3.5"
        if text[i + 1].isspace() or text[i + 1] in _AFTER_STOP:
            return i + 1
    elif ch == "\n" and text[:i].strip():
        return i
    return -1


class SentenceLimiter:
    """Passes streamed text through until ``max_sentences`` sentences are complete.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a space, a line break or a
    closing quote (so "3.5" does not end one), at a CJK full stop, or at a line break after some
    text. Feed pieces as they come; once :attr:`done` is true, stop generating.
    """

    def __init__(self, max_sentences: int = 2) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self._max = max_sentences
        self._text = ""
        self._pos = 0
        self._last = 0
        self._count = 0
        self.done = False
        """Whether the last sentence allowed is complete."""

    def feed(self, piece: str) -> str:
        """The part of ``piece`` to pass on: all of it, or up to the end of the last sentence."""
        if self.done:
            return ""
        start = len(self._text)
        self._text += piece
        text, i = self._text, self._pos
        while i < len(text):
            ch, cut = text[i], -1
            if ch in _CJK_STOPS:
                cut = i + 1
            elif ch in _FULL_STOPS:
                if i + 1 == len(text):
                    break  # the next piece decides ("3." may become "3.5")
                if text[i + 1].isspace() or text[i + 1] in _AFTER_STOP:
                    cut = i + 1
            elif ch == "\n" and text[self._last : i].strip():
                cut = i
            i += 1
            if cut >= 0:
                self._last = cut
                self._count += 1
                if self._count >= self._max:
                    self.done = True
                    self._pos = i
                    return piece[: max(cut - start, 0)]
        self._pos = i
        return piece


def speakable(text: str) -> str:
    """``text`` as something to say: no markdown marks, on one line, trimmed."""
    return " ".join(_MARKDOWN.sub("", text).split())


MOVING_LIST_ITEMS = 3
"""Items of a list a sentence keeps while the car moves ("A, B, C and more")."""


def shorten_for_driving(sentence: str, max_words: int, and_more: str = "and more") -> str:
    """``sentence`` as it is said while the car moves: a list cut after :data:`MOVING_LIST_ITEMS`
    items ("A, B, C and more."), and at most ``max_words`` words, cut after the last comma that
    keeps it short (or at the limit), ending in a full stop. Short sentences come back unchanged."""
    text = " ".join(sentence.split())
    end = text[-1] if text and text[-1] in ".!?" else "."
    body = text.rstrip(".!?")
    items = body.split(", ")
    if len(items) > MOVING_LIST_ITEMS + 1:  # a list: "A, B, C, D and E"
        body = ", ".join(items[:MOVING_LIST_ITEMS]) + " " + and_more
    words = body.split()
    if len(words) <= max_words:
        return body + end if body != text.rstrip(".!?") else text
    kept = " ".join(words[:max_words])
    comma = kept.rfind(",")
    if comma >= len(kept) // 2:  # end at a clause when one ends in the second half
        kept = kept[:comma]
    return kept.rstrip(",;:- ") + "."
