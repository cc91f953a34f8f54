"""Speech to text behind one seam, :class:`SpeechRecognizer`, with two engines.

- Vosk (:mod:`cockpit.asr.vosk_engine`): streaming partial and final transcripts, a grammar
  mode compiled from the skills' templates and a free mode; used for every language with a
  Vosk model installed.
- PocketSphinx (:mod:`cockpit.asr.sphinx_engine`): the bundled US-English model, a JSGF grammar
  from the same templates, its language model otherwise; the English fallback.

:class:`HybridRecognizer` tries the command grammar first and decodes again in free mode when
unsure. :class:`AsrEngines` picks the engine per language. Engines import lazily.
"""

from cockpit.asr.base import Mode, SpeechRecognizer, Transcript
from cockpit.asr.engines import AsrEngines, EngineChoice, choose_engine
from cockpit.asr.grammar import CommandGrammar
from cockpit.asr.hybrid import HybridRecognizer

__all__ = [
    "AsrEngines",
    "CommandGrammar",
    "EngineChoice",
    "HybridRecognizer",
    "Mode",
    "SpeechRecognizer",
    "Transcript",
    "choose_engine",
]
