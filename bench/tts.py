"""Spoken replies (issue 12): how soon the driver hears the answer, and what our voice layer costs.

* **End of speech -> first ``tts_audio`` chunk**, p50/p95, for spoken commands (the committed
  wake-word fixtures that end in a confirmed action), through the service's own audio path
  (``open_audio`` in a session that asked for speech), against **end of speech -> the ``reply``
  text** in the same turns. Goal: p95 <= 0.6 s on 2 cores. Both stamps come from the turn's one
  clock.
* **Piper's real-time factor** through :class:`~cockpit.tts.piper_voice.PiperSynthesizer` and
  :class:`~cockpit.tts.reply.ReplySpeech` (chunking included), against the bare ``PiperVoice``
  on the same sentences in the same run (seconds of synthesis per second of audio).
"""

from __future__ import annotations

import asyncio
import sys
import time

from bench.common import Figure, percentile
from bench.corpus import load_fixtures
from cockpit.app import build_parts, build_voices
from cockpit.audio import read_wav
from cockpit.audio.format import AudioFormat
from cockpit.events import Event, EventType
from cockpit.settings import load_settings
from cockpit.tts.reply import ReplySpeech

SUITE = "tts"
COMMANDS = (
    "wake_set_temperature_piper",
    "wake_set_temperature_espeak",
    "wake_ac_on_runon_piper",
    "wake_next_track_espeak_noisy",
)
"""Spoken commands (wake word first) whose turn ends in a confirmed action and a reply."""
SENTENCES = (
    "Driver temperature set to 21 degrees.",
    "Air conditioning on.",
    "Playing some jazz, starting with So What by Miles Davis.",
    "Navigating to Shenzhen, China, about 12 kilometres away.",
    "Leonardo da Vinci painted the Mona Lisa in the early sixteenth century.",
)
CHUNK_BYTES = 2560  # 80 ms of 16 kHz mono int16


async def _spoken_turns(rounds: int) -> tuple[list[float], list[float]]:
    """Per turn: ms from speech_end to the first tts_audio, and to the reply."""
    settings = load_settings(overrides={"can.channel": f"bench-tts-{time.monotonic_ns()}", "llm.enabled": False})
    parts = build_parts(settings)
    service = parts.service
    fixtures = load_fixtures()
    to_audio, to_reply = [], []
    try:
        pcm = {n: read_wav(fixtures[n].path).astype("<i2").tobytes() for n in COMMANDS}
        for index in range(rounds * len(COMMANDS) + 1):  # the first turn warms up (voice loads)
            name = COMMANDS[index % len(COMMANDS)]
            session = service.create_session(speech=True)
            events: list[Event] = []
            stream = await service.open_audio(session.session_id, AudioFormat(), events.append)
            try:
                for start in range(0, len(pcm[name]), CHUNK_BYTES):
                    await stream.feed(pcm[name][start : start + CHUNK_BYTES])
                await stream.finish()
            finally:
                await stream.aclose()
                service.close_session(session.session_id)
            end = _first(events, EventType.SPEECH_END)
            audio, reply = _first(events, EventType.TTS_AUDIO), _first(events, EventType.REPLY)
            if index and end is not None and audio is not None and reply is not None:
                to_audio.append(audio - end)
                to_reply.append(reply - end)
    finally:
        await service.aclose()
    return to_audio, to_reply


def _first(events: list[Event], type_: EventType) -> float | None:
    return next((e.t_ms for e in events if e.type is type_), None)


def _real_time_factors(rounds: int) -> tuple[float, float]:
    """Seconds of synthesis per second of audio: ours, then the bare Piper voice."""
    voices = build_voices(load_settings(env={}))
    assert voices is not None
    ours = voices.get("en")
    bare = ours._voice  # type: ignore[attr-defined]  # the PiperVoice our synthesizer wraps
    ours_s = bare_s = ours_audio = bare_audio = 0.0
    for _ in range(rounds):
        for sentence in SENTENCES:  # Piper varies its timing a little per run: each side its own audio
            started = time.perf_counter()
            ours_audio += sum(c.seconds for c in ReplySpeech(ours).say(sentence))
            ours_s += time.perf_counter() - started
            started = time.perf_counter()
            bare_audio += sum(len(c.audio_int16_bytes) for c in bare.synthesize(sentence)) / 2 / ours.sample_rate
            bare_s += time.perf_counter() - started
    return ours_s / ours_audio, bare_s / bare_audio


def run(quick: bool) -> list[Figure]:
    """Measure; needs the Piper voice and the wake/ASR models (``make setup``)."""
    rounds = 1 if quick else 5
    ours, bare = _real_time_factors(rounds)
    to_audio, to_reply = asyncio.run(_spoken_turns(rounds))
    print(f"{SUITE}: {len(to_audio)} spoken turns with a reply and audio", file=sys.stderr)
    figures = [Figure(SUITE, "Piper real-time factor (synthesis s per audio s)", ours, "x", bare, "bare PiperVoice")]
    if to_audio:
        figures += [
            Figure(
                SUITE,
                f"p{q} speech_end -> first tts_audio",
                percentile(to_audio, q) / 1000.0,
                "s",
                percentile(to_reply, q) / 1000.0,
                "speech_end -> reply text",
                "p95 <= 0.6 s" if q == 95 else "",
            )
            for q in (50, 95)
        ]
    figures.append(Figure(SUITE, "spoken turns measured", float(len(to_audio)), "turns"))
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
