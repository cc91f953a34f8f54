"""Intent recognition from a table: the pipeline's :class:`~cockpit.pipeline.Recognizer` seam."""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.catalogue import Recognition
from cockpit.pipeline import Recognizer


class ScriptedIntents(Recognizer):
    """Returns what the script says for each text (None when absent).

    Unlike :class:`~cockpit.nlu.recognizer.IntentRecognizer` it passes any result through,
    also names outside the catalogue, so tests can check what the pipeline does with them.
    """

    def __init__(self, script: Mapping[str, Recognition]) -> None:
        self.script = dict(script)

    def recognize(self, text: str, language: str = "en") -> Recognition:
        return self.script.get(text)
