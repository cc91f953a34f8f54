"""The voice front end: PCM in; wake, speech_start, speech_end and transcript events out.

- :class:`VoiceFrontEnd` (synchronous, one per stream): wake word -> endpointing -> speech to
  text, returning each finished :class:`Utterance`;
- :class:`VoiceSession` (asyncio): runs a front end off the loop and hands every final
  transcript to the text pipeline;
- :class:`VoiceStack` (one per process): loads the models once and builds both.
"""

from cockpit.voice.factory import VoiceStack
from cockpit.voice.frontend import State, Utterance, VoiceConfig, VoiceFrontEnd
from cockpit.voice.session import VoiceSession

__all__ = ["State", "Utterance", "VoiceConfig", "VoiceFrontEnd", "VoiceSession", "VoiceStack"]
