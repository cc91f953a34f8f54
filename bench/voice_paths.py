"""The text and voice paths of the held-out spoken evaluation (:mod:`bench.voice_eval`).

:class:`TextPath` understands a transcript as the service does (no audio, no voice models);
:class:`VoicePath` hears a recording as a gRPC ``Converse`` stream does (wake word, end of speech,
the hybrid recogniser) and understands what it heard. The heavy parts are imported when a path is
built, so importing this module loads no model.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.voice_eval_set import Heard
from models.store import ModelStore


class TextPath:
    """Intent recognition of a transcript, as the service has it (no audio, no voice models)."""

    def __init__(self) -> None:
        from cockpit.catalogue import CATALOGUE, IntentMatch
        from cockpit.nlu import TemplateIntentRecognizer

        self.nlu = TemplateIntentRecognizer.from_paths()
        """The template intent recogniser (as the service has it)."""
        self._catalogue = CATALOGUE
        self._match_type = IntentMatch

    def understand(self, text: str) -> Heard:
        """What the template recogniser makes of ``text``."""
        match = self.nlu.recognize(text, "en")
        if not isinstance(match, self._match_type):
            return Heard(None)
        return Heard(match.intent, dict(match.slots), self._catalogue[match.intent].actuates)

    def free_text(self, heard: Heard) -> bool:
        """Whether ``heard`` fills a free-text slot (a destination, a query): read back more readily."""
        from cockpit.policy import text_filled

        return heard.intent is not None and text_filled(self._catalogue[heard.intent], heard.slots)


class VoicePath(TextPath):
    """The service's voice path, for one recording at a time: wake word -> endpoint -> ASR -> intent."""

    def __init__(self, store: ModelStore) -> None:
        from cockpit.settings import VoiceSettings
        from cockpit.voice.factory import VoiceStack, command_grammars

        super().__init__()
        settings = VoiceSettings()
        self.stack = VoiceStack(
            store,
            settings,
            command_grammars(wake_models=settings.wake_models),
            is_command=lambda text, language: self.nlu.recognize(text, language) is not None,
        )
        """The voice models, loaded once."""

    def hear(self, wav: Path) -> dict[str, Any]:
        """One recording through a fresh front end (its recogniser from the pool, given back after)."""
        from cockpit.audio import wav_frames
        from cockpit.events import EventType

        events: list[Any] = []
        front = self.stack.front_end(events.append)
        utterances: list[tuple[Any, dict[str, Any] | None]] = []

        def keep(found: Iterable[Any]) -> None:
            # Each utterance's evidence is read as soon as it is finished: the next one replaces it.
            evidence = getattr(front.recognizer, "last_evidence", None)
            utterances.extend((u, None if evidence is None else evidence.as_dict()) for u in found)

        try:
            for f in wav_frames(wav):
                if (u := front.feed_frame(f)) is not None:
                    keep([u])
            keep(front.flush())
        finally:
            front.reset()
            self.stack.asr.release(front.recognizer)
        turns = []
        for u, evidence in utterances:
            if not u.text:
                continue
            heard = self.understand(u.text)
            turns.append(
                {
                    "text": u.text,
                    "confidence": None if u.transcript is None else round(u.transcript.confidence, 4),
                    "mode": None if u.transcript is None else str(u.transcript.mode),
                    "intent": heard.intent,
                    "slots": dict(heard.slots),
                    "actuates": heard.actuates,
                    "free_text": self.free_text(heard),
                    "evidence": evidence,
                }
            )
        return {"woke": any(e.type is EventType.WAKE for e in events), "turns": turns}
