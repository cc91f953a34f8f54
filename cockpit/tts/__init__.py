"""Spoken replies: a reply's text to PCM, a sentence at a time, and where the audio goes.

- :mod:`cockpit.tts.api`: :class:`Synthesizer` (text -> int16 mono PCM) and :class:`SpeechAudio`,
  one chunk of a spoken reply as it travels in ``tts_audio`` events;
- :mod:`cockpit.tts.piper_voice`: English, Piper's ``joe`` voice (ONNX, from PyPI);
- :mod:`cockpit.tts.espeak_voice`: Korean (and any language espeak-ng has), the fallback voice;
- :mod:`cockpit.tts.reply`: :class:`ReplySpeech`, which cuts a reply's audio into short chunks so
  playback can stop within a chunk when the driver barges in;
- :mod:`cockpit.tts.output`: where the chunks go: WAV files or the speaker (PyAudio).
"""
