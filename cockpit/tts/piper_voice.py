"""English replies with Piper (``piper-tts``) and the ``joe`` voice, both pinned PyPI packages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cockpit.tts.api import SpeechError, Synthesizer

VOICE_MODEL = "piper-en_US-joe-medium"
"""The voice's entry in ``models/manifest.toml`` (a directory with the ONNX file and its config)."""


class PiperSynthesizer(Synthesizer):
    """A Piper voice loaded from its ``.onnx`` file (the config is the ``.onnx.json`` beside it)."""

    language = "en"

    def __init__(self, model: Path) -> None:
        """Load ``model``; a missing file or a broken install is a :class:`SpeechError`."""
        try:
            from piper import PiperVoice

            self._voice = PiperVoice.load(model, f"{model}.json")
        except (ImportError, OSError, ValueError) as err:
            raise SpeechError("tts-unavailable", f"the Piper voice {model.name} cannot be loaded: {err}") from err
        self.sample_rate = int(self._voice.config.sample_rate)

    @classmethod
    def from_directory(cls, directory: Path) -> PiperSynthesizer:
        """The voice in ``directory`` (the manifest's artefact): its one ``.onnx`` file."""
        found = sorted(directory.glob("*.onnx"))
        if not found:
            raise SpeechError("tts-unavailable", f"no Piper voice (.onnx) in {directory}")
        return cls(found[0])

    def _synthesize(self, text: str) -> Iterator[bytes]:
        try:
            for chunk in self._voice.synthesize(text):
                yield chunk.audio_int16_bytes
        except (RuntimeError, ValueError) as err:  # onnxruntime and the phonemiser
            raise SpeechError("tts-failed", f"Piper could not speak {text[:40]!r}: {err}") from err
