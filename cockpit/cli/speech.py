"""Where ``cockpit ask`` and ``cockpit listen`` send a spoken reply: ``--speak`` (the speaker) and
``--speak-to DIR`` (one WAV file per reply). Either asks the service for spoken sessions."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Protocol

from cockpit.events import Event
from cockpit.tts.api import SpeechAudio


class SpeechOutput(Protocol):
    """A place replies are played or written (:mod:`cockpit.tts.output`)."""

    def play(self, chunk: SpeechAudio) -> None:
        """Take the next chunk of the reply."""

    def close(self) -> None:
        """Finish (let queued audio play out)."""


def speech_outputs(speak: bool, speak_to: Path | None, stack: AsyncExitStack) -> list[SpeechOutput]:
    """The outputs asked for on the command line, closed by ``stack``; empty: text only."""
    from cockpit.tts.output import Speaker, WavFiles

    outputs: list[SpeechOutput] = []
    if speak_to is not None:
        outputs.append(WavFiles(speak_to))
    if speak:
        outputs.append(Speaker())
    for output in outputs:
        stack.callback(output.close)
    return outputs


def play(outputs: Sequence[SpeechOutput], event: Event) -> None:
    """Hand a ``tts_audio`` event's chunk to every output."""
    if outputs:
        chunk = SpeechAudio.from_event_fields(event.data)
        for output in outputs:
            output.play(chunk)
