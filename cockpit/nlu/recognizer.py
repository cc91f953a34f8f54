"""The intent recogniser seam and its template implementation.

:class:`IntentRecognizer` is the seam the pipeline calls: the public :meth:`~IntentRecognizer.recognize`
checks the input and the contract, an implementation fills :meth:`~IntentRecognizer._recognize`.
A result is one of:

- an :class:`~cockpit.catalogue.IntentMatch` (``source="rules"``): a catalogue intent with slots;
- an :class:`Unsupported`: a car request this car cannot carry out (open the sunroof, honk),
  for which the pipeline says a polite "can't do that" and does nothing;
- ``None``: no template matched; the pipeline hands the text to the language model
  (``dialogue.chat``). A recogniser never returns ``dialogue.chat`` itself.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from cockpit.catalogue import CATALOGUE, IntentMatch, IntentSpec, Recognition, Unsupported
from cockpit.errors import IntentError
from cockpit.langtag import primary_language
from cockpit.nlu.loader import COMMON_PATH, default_template_paths, load_templates
from cockpit.nlu.matcher import CompiledTemplates, TemplateHit, compile_templates, match
from cockpit.nlu.model import TemplateFile

MAX_TEXT_CHARS = 500
"""Longer input is not a command: it goes to the language model unmatched."""


class IntentRecognizer(abc.ABC):
    """Text to intent. Subclasses fill :meth:`_recognize`; :meth:`recognize` guards the contract."""

    def recognize(self, text: str, language: str = "en") -> Recognition:
        """The intent ``text`` asks for, an :class:`Unsupported` request, or None for open dialogue."""
        if not isinstance(text, str):
            raise IntentError("text-not-string", f"recognize() needs text, got {type(text).__name__}")
        text = text.strip()
        if not text or len(text) > MAX_TEXT_CHARS:
            return None
        result = self._recognize(text, primary_language(language))
        if isinstance(result, IntentMatch) and (not self.knows(result.intent) or result.intent == "dialogue.chat"):
            return None  # chat is the pipeline's fallback, never a recognition
        return result

    def knows(self, intent: str) -> bool:
        """Whether ``intent`` is in the catalogue this recogniser answers from (default: cockpit's own)."""
        return intent in CATALOGUE

    @abc.abstractmethod
    def _recognize(self, text: str, language: str) -> Recognition:
        """Recognise stripped, non-empty ``text`` in ``language`` (a primary subtag, e.g. ``en``)."""


class TemplateIntentRecognizer(IntentRecognizer):
    """Matches sentence templates (see :mod:`cockpit.nlu.loader` for the file format).

    Templates are compiled once, here; :meth:`recognize` is then a pure, fast function of the text.
    """

    def __init__(self, files: Sequence[TemplateFile], catalogue: Mapping[str, IntentSpec] = CATALOGUE) -> None:
        self.files = tuple(files)
        """The template files it was compiled from."""
        self.catalogue = catalogue
        """The intents it may answer with (the skill registry's catalogue)."""
        by_language: dict[str, list[TemplateFile]] = {}
        for file in files:
            by_language.setdefault(primary_language(file.language), []).append(file)
        self._compiled: Mapping[str, CompiledTemplates] = MappingProxyType(
            {lang: compile_templates(group) for lang, group in by_language.items()}
        )

    @classmethod
    def from_paths(
        cls, paths: Sequence[str | Path] | None = None, common: str | Path | None = COMMON_PATH
    ) -> TemplateIntentRecognizer:
        """Load ``paths`` (default: :func:`~cockpit.nlu.loader.default_template_paths`) and compile them."""
        return cls(load_templates(default_template_paths() if paths is None else paths, common))

    def knows(self, intent: str) -> bool:
        """Whether ``intent`` is in its catalogue."""
        return intent in self.catalogue

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it has templates for."""
        return tuple(sorted(self._compiled))

    def explain(self, text: str, language: str = "en") -> TemplateHit | None:
        """The raw template hit for ``text`` (which template matched), for debugging and tests."""
        compiled = self._compiled.get(primary_language(language))
        return None if compiled is None else match(text, compiled)

    def _recognize(self, text: str, language: str) -> Recognition:
        hit = self.explain(text, language)
        if hit is None:
            return None
        if hit.target.startswith("unsupported:"):
            return Unsupported(hit.target.split(":", 1)[1], text)
        return IntentMatch(hit.target, dict(hit.slots), "rules", hit.confidence, text)
