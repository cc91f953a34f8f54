"""Follow-up turn latency (issue 12): a command said in the follow-up window, without the wake
word, against the same command after the wake word, in the same run.

Each run is one session on the service's own audio path (``open_audio``, as a ``Converse``
stream takes it; text-only, so no speech synthesis): the command after the wake word once, not
measured (a session's first turn pays for things later turns do not), then silence until its
follow-up window has closed; then the command after the wake word (the **baseline**), and, once
its reply is out and the follow-up window is open, the same command again without the wake word
(the **follow-up**). For each, the figure is its ``speech_end`` -> its ``action`` confirmed, both
stamped by the turn's one clock, p50 and p95. A follow-up's
``speech_end`` is stamped when the speech ended even though the event is held back until the
utterance proves a confident command, so the decision is inside the figure.

Commands: "set the temperature to twenty one degrees" (the committed fixtures with and without
the wake word) and "turn on the air conditioning" (Piper, synthesised here the way
``script/make_audio_fixtures.py`` makes the fixtures). Audio goes in 80 ms chunks as fast as the
front end takes them; the runs alternate between the commands. A follow-up the window did not
take (not a confident command) is counted and printed, and has no latency.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field

from bench.common import Figure, percentile
from bench.corpus import Unavailable, fixture_script, load_fixtures
from cockpit.audio import FRAME_BYTES, read_wav
from cockpit.audio.format import AudioFormat
from cockpit.errors import CockpitError
from cockpit.events import Event, EventType
from cockpit.service_api import AudioStream

SUITE = "followup"


@dataclass(frozen=True)
class _Pair:
    """One command, said after the wake word and said bare."""

    name: str
    woken: bytes
    bare: bytes


@dataclass
class _Samples:
    """ms from speech_end to the final transcript and to the confirmed action, by path, and the
    follow-ups not taken."""

    baseline: list[float] = field(default_factory=list)
    follow_up: list[float] = field(default_factory=list)
    baseline_final: list[float] = field(default_factory=list)
    follow_up_final: list[float] = field(default_factory=list)
    runs: int = 0
    not_taken: list[str] = field(default_factory=list)


def _pairs() -> list[_Pair]:
    fixtures = load_fixtures()

    def pcm(name: str) -> bytes:
        return bytes(read_wav(fixtures[name].path).astype("<i2").tobytes())

    script = fixture_script()

    def piper(*parts: str) -> bytes:
        return bytes(script.synth("piper", parts).astype("<i2").tobytes())

    return [
        _Pair("set the temperature", pcm("wake_set_temperature_piper"), pcm("nowake_set_temperature_piper")),
        _Pair(
            "turn on the air conditioning",
            piper("Hey Jarvis.", "Turn on the air conditioning."),
            piper("Turn on the air conditioning."),
        ),
    ]


def _latency(events: list[Event], turn: int) -> tuple[float | None, float | None]:
    """ms from the turn's speech_end to its final transcript and to its first confirmed action
    (None where either is missing)."""
    mine = [e for e in events if e.turn == turn]
    end = next((e.t_ms for e in mine if e.type is EventType.SPEECH_END), None)
    final = next((e.t_ms for e in mine if e.type is EventType.TRANSCRIPT and e.data.get("final")), None)
    done = next((e.t_ms for e in mine if e.type is EventType.ACTION and e.data.get("status") == "confirmed"), None)
    if end is None:
        return None, None
    return (None if final is None else final - end), (None if done is None else done - end)


async def _say(stream: AudioStream, pcm: bytes) -> None:
    for start in range(0, len(pcm), FRAME_BYTES):
        await stream.feed(pcm[start : start + FRAME_BYTES])
    await stream.idle()  # the turn, and its reply, are over: the follow-up window is open


async def _measure(rounds: int) -> _Samples:
    from cockpit.app import build_parts
    from cockpit.settings import load_settings

    settings = load_settings(
        overrides={"can.channel": f"bench-followup-{time.monotonic_ns()}", "llm.enabled": False}, env={}
    )
    if settings.voice.follow_up_window_s <= 0:
        raise Unavailable("voice.follow_up_window_s is 0: no follow-up window to measure")
    pairs = _pairs()
    lapse = bytes(round((settings.voice.follow_up_window_s + 0.5) * 16000) * 2)  # past the window
    parts = build_parts(settings)
    service = parts.service
    samples = _Samples()
    try:
        for index in range(rounds * len(pairs) + 1):  # the first run warms up (the voice models load)
            pair = pairs[index % len(pairs)]
            session = service.create_session()
            events: list[Event] = []
            stream = await service.open_audio(session.session_id, AudioFormat(), events.append)
            try:
                await _say(stream, pair.woken)  # turn 0: not measured
                await _say(stream, lapse)
                await _say(stream, pair.woken)  # turn 1: the baseline
                await _say(stream, pair.bare)  # turn 2: the follow-up
                await stream.finish()
            finally:
                await stream.aclose()
                service.close_session(session.session_id)
            if not index:
                continue
            samples.runs += 1
            paths = ((1, samples.baseline_final, samples.baseline), (2, samples.follow_up_final, samples.follow_up))
            for turn, finals, dones in paths:
                final, done = _latency(events, turn)
                finals.extend([final] if final is not None else [])
                dones.extend([done] if done is not None else [])
            if not any(e.turn == 2 for e in events):
                samples.not_taken.append(pair.name)
    finally:
        await service.aclose()
    return samples


def run(quick: bool) -> list[Figure]:
    """p50 and p95 over 2 commands: 2 rounds with ``quick``, else 10."""
    try:
        samples = asyncio.run(_measure(2 if quick else 10))
    except (ImportError, OSError, CockpitError, Unavailable) as err:
        print(f"{SUITE}: skipped: {err}", file=sys.stderr)
        return []
    print(
        f"{SUITE}: {samples.runs} runs; confirmed: {len(samples.baseline)} after the wake word, "
        f"{len(samples.follow_up)} follow-ups; follow-ups not taken: {samples.not_taken}",
        file=sys.stderr,
    )
    if not samples.baseline or not samples.follow_up:
        print(f"{SUITE}: no confirmed actions on one of the paths; no figures", file=sys.stderr)
        return []
    stages = (
        ("confirmed action", samples.follow_up, samples.baseline),
        ("final transcript", samples.follow_up_final, samples.baseline_final),
    )
    figures = [
        Figure(
            SUITE,
            f"p{q} follow-up speech_end -> {stage}",
            percentile(follow_up, q) / 1000.0,
            "s",
            percentile(baseline, q) / 1000.0,
            "same command after the wake word",
        )
        for stage, follow_up, baseline in stages
        if follow_up and baseline
        for q in (50, 95)
    ]
    figures.append(
        Figure(SUITE, "follow-ups taken", float(len(samples.follow_up)), "turns", float(samples.runs), "runs")
    )
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
