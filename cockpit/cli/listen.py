"""``cockpit listen``: spoken turns from WAV files or the microphone, through the service.

::

    cockpit listen [--json] [--realtime] [--config FILE] [--speed KMH] [--zone SEAT] [--language TAG]
                   (--wav FILE... | --mic [--seconds N])
    cockpit listen --server HOST:PORT [--token-file FILE] [--tls-ca PEM ...] [--zone SEAT] [--language TAG]
                   (--wav FILE... | --mic ...)

The audio goes through :meth:`~cockpit.service_api.AssistantService.open_audio`, the path a
gRPC ``Converse`` stream takes: wake word, endpointing, speech to text, then each finished
utterance's turn (intent, policy, action, reply). With ``--server`` it *is* a ``Converse``
stream, to a running ``cockpit serve``: one session per WAV file (or for the microphone), as a
head unit would. ``--json`` prints exactly the event lines of docs/events.md, the same either way.

- **WAV files.** Each file is its own session, fed in 80 ms chunks (as fast as the front end
  takes them, or at real time with ``--realtime``), and every event of a file carries the file's
  position on the command line as its ``turn``, the way ``ask`` numbers its utterances. A file
  with no wake word prints nothing. A file that cannot be read (not a PCM WAV, or a format
  cockpit does not take) is reported on stderr with its code (``audio-unreadable``,
  ``audio-format-unsupported``) and skipped: the other files still run, and the exit status is 1.
- **The microphone** (PyAudio, the default input device) is one session: its turns count 0, 1,
  2, ... as they are spoken. It listens until Ctrl-C, or for ``--seconds``. After each reply a
  follow-up needs no wake word for ``voice.follow_up_window_s`` ("a bit warmer").

``--language ko`` makes the sessions Korean (speech recognised by the Korean model, replies in
Korean); by default they take the service's language. A language the service has no recogniser
for is refused (``language-unsupported`` with ``--server``; ``no-asr-for-language`` in process).

Exit status as for ``ask``: 0 done; 1 an unreadable file, an ``error`` event, no microphone or
no voice models; 2 bad usage; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.cli.io import Io, read_token
from cockpit.cli.render import HumanRenderer, JsonRenderer, Renderer
from cockpit.cli.speech import SpeechOutput, play, speech_outputs
from cockpit.cli.turns import ServiceFactory, open_service
from cockpit.errors import CockpitError, ConfigError
from cockpit.events import Event, EventType
from cockpit.service_api import AssistantService

if TYPE_CHECKING:
    import numpy as np

    from cockpit.audio.mic import MicrophoneSource
    from cockpit.server.client import CockpitClient

EXIT_OK = 0
"""Every input was heard and no turn failed."""
EXIT_FAILED = 1
"""An input could not be read, a turn reported an ``error`` event, or the microphone failed."""

CHUNK_S = 0.08
"""Seconds of audio per chunk fed to the service (one 80 ms frame, as a head unit streams it)."""

MIC_NAME = "microphone"
"""How the human output names the microphone input."""

WAV_HELP = (
    "WAV files to hear, each its own session (turn = its position, from 0): 16-bit PCM, mono or "
    "stereo, at 8, 11.025, 12, 16, 22.05, 24, 32, 44.1 or 48 kHz (resampled to 16 kHz, stereo mixed "
    "down); any other file is skipped with audio-unreadable or audio-format-unsupported"
)

EPILOG = (
    "Each input prints its events as they happen: wake, speech_start, speech_end, transcript "
    "(partial and final), then the turn's intent, policy, action and reply. Exit status: 0 done; "
    "1 a file was skipped, a turn reported an error, or the microphone or the voice models are "
    "missing; 2 bad usage; 130 interrupted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cockpit listen``."""
    parser.epilog = EPILOG
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wav", nargs="+", metavar="FILE", help=WAV_HELP)
    source.add_argument("--mic", action="store_true", help="listen on the default audio input device (PyAudio)")
    parser.add_argument("--json", action="store_true", help="print the event stream as JSON lines")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="feed WAV audio at real time (80 ms per 80 ms chunk), as a microphone would; "
        "default: as fast as it is processed (the microphone is real time anyway)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        metavar="N",
        help="with --mic: stop after N seconds of audio (default: until Ctrl-C)",
    )
    parser.add_argument("--config", metavar="FILE", default=None, help="TOML settings file (in this process)")
    parser.add_argument(
        "--speed",
        metavar="KMH",
        type=float,
        default=None,
        help="the simulated car drives in D at KMH (in this process)",
    )
    parser.add_argument(
        "--zone",
        default="",
        choices=("driver", "passenger", "rear-left", "rear-right"),
        help="the seat the microphone hears (default: driver)",
    )
    parser.add_argument(
        "--language", metavar="TAG", default="", help="the sessions' language, e.g. ko (default: the service's)"
    )
    parser.add_argument("--speak", action="store_true", help="speak the replies on the default audio output")
    parser.add_argument(
        "--speak-to", metavar="DIR", type=Path, default=None, help="write each reply as DIR/reply-NNN.wav"
    )
    parser.add_argument("--server", metavar="HOST:PORT", default=None, help="stream to a running server (Converse)")
    parser.add_argument(
        "--token-file", metavar="FILE", type=Path, default=None, help="bearer token file, first line (--server)"
    )
    from cockpit.server.tls import add_client_arguments

    add_client_arguments(parser)  # --tls-ca, --tls-cert, --tls-key


Hear = Callable[["_Tally", Callable[[], AsyncGenerator[bytes, None]]], Awaitable[None]]
"""One session and one audio stream, in this process or on a server: feed the chunks, report the events."""


async def listen(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    """Run ``cockpit listen``; returns the exit status."""
    if args.seconds is not None and not args.mic:
        raise ConfigError("bad-usage", "--seconds applies to --mic only; a WAV file ends by itself")
    if args.seconds is not None and not (args.seconds > 0 and math.isfinite(args.seconds)):
        raise ConfigError("bad-usage", f"--seconds must be a positive number, not {args.seconds:g}")
    if args.server and (args.config or args.speed is not None):
        raise ConfigError("bad-usage", "--config and --speed set up this process's car; a server has its own")
    renderer: Renderer = JsonRenderer(io.stdout) if args.json else HumanRenderer(io.stdout)
    async with AsyncExitStack() as stack:
        outputs = speech_outputs(args.speak, args.speak_to, stack)
        hear = await (_remote(args, stack, outputs) if args.server else _embedded(args, factory, stack, outputs))
        if args.mic:
            return await _listen_mic(hear, renderer, io, args.seconds)
        return await _listen_wavs(hear, args.wav, renderer, io, args.realtime)
    return EXIT_OK  # not reached: the stack swallows no exception (mypy cannot tell)


async def _embedded(
    args: argparse.Namespace, factory: ServiceFactory, stack: AsyncExitStack, outputs: Sequence[SpeechOutput] = ()
) -> Hear:
    from cockpit.settings import load_settings

    overrides: dict[str, object] = {"voice.preload": True}  # load the models while the car starts
    if args.speed is not None:
        overrides["can.drive_profile"] = f"steady:{args.speed:g}"
    service = await open_service(factory, load_settings(args.config, overrides=overrides), stack)
    return functools.partial(_hear, service, zone=args.zone, language=args.language, outputs=outputs)


async def _remote(args: argparse.Namespace, stack: AsyncExitStack, outputs: Sequence[SpeechOutput] = ()) -> Hear:
    from cockpit.server.client import CockpitClient
    from cockpit.server.tls import client_from_args

    token = read_token(args.token_file) if args.token_file else None
    client = await stack.enter_async_context(CockpitClient(args.server, token=token, tls=client_from_args(args)))
    return functools.partial(_hear_remote, client, zone=args.zone, language=args.language, outputs=outputs)


class _Tally:
    """The sink of one input: renumbers its events (when ``turn`` is given), prints and counts them."""

    def __init__(self, renderer: Renderer, turn: int | None) -> None:
        self._renderer = renderer
        self._turn = turn
        self.heard = 0
        """Events so far."""
        self.errors: list[Event] = []
        """The ``error`` events so far."""

    def __call__(self, event: Event) -> None:
        if self._turn is not None:  # a WAV file's events carry its position, whichever turn its session counted
            event = dataclasses.replace(event, turn=self._turn)
        self.heard += 1
        if event.type is EventType.ERROR:
            self.errors.append(event)
        self._renderer.event(event)


def _say(io: Io, message: str) -> None:
    """A note or a problem, on stderr (stdout carries only the events)."""
    print(f"cockpit: {message}", file=io.stderr, flush=True)


def _report_errors(io: Io, what: str, tally: _Tally) -> int:
    """EXIT_FAILED (after saying why on stderr) when ``tally`` saw an ``error`` event."""
    if not tally.errors:
        return EXIT_OK
    first = tally.errors[0].data
    _say(io, f"{what} failed: {first.get('code', '?')}: {first.get('message', '')}")
    return EXIT_FAILED


async def _hear_remote(
    client: CockpitClient,
    tally: _Tally,
    chunks: Callable[[], AsyncGenerator[bytes, None]],
    zone: str = "",
    language: str = "",
    outputs: Sequence[SpeechOutput] = (),
) -> None:
    """One session on the server and one ``Converse`` stream: the chunks go up, the events come back
    (a reply's audio to ``outputs`` too: asking for them makes the session a spoken one)."""
    session = await client.create_session(language, speech=bool(outputs), zone=zone)
    try:
        async with contextlib.aclosing(chunks()) as source:
            async for event in client.converse(source, session):
                if event.type is EventType.TTS_AUDIO:
                    play(outputs, event)
                tally(event)
    finally:
        with contextlib.suppress(CockpitError):  # expired or the server gone: nothing left to close
            await client.close_session(session.session_id)


async def _hear(
    service: AssistantService,
    tally: _Tally,
    chunks: Callable[[], AsyncGenerator[bytes, None]],
    zone: str = "",
    language: str = "",
    outputs: Sequence[SpeechOutput] = (),
) -> None:
    """One session and one audio stream: feed every chunk, then wait for the last turn; a reply's
    audio goes to ``outputs`` (asking for them makes the session a spoken one).

    ``chunks()`` is called only once the stream is open, so a microphone opens after the voice
    models have loaded, and nothing it captures waits in a buffer meanwhile.
    """
    from cockpit.audio.format import INTERNAL

    session_id = service.create_session(language, speech=bool(outputs), zone=zone).session_id

    def sink(event: Event) -> None:
        if event.type is EventType.TTS_AUDIO:
            play(outputs, event)
        tally(event)

    try:
        stream = await service.open_audio(session_id, INTERNAL, sink)
        try:
            async with contextlib.aclosing(chunks()) as source:
                async for chunk in source:
                    await stream.feed(chunk)
            await stream.finish()
        finally:
            await stream.aclose()
    finally:
        with contextlib.suppress(CockpitError):  # expired meanwhile: nothing left to close
            service.close_session(session_id)


# -- WAV files ------------------------------------------------------------------------------------


async def _listen_wavs(hear: Hear, paths: Sequence[str], renderer: Renderer, io: Io, realtime: bool) -> int:
    from cockpit.audio import paced_chunks, read_wav
    from cockpit.audio.format import BadAudioError

    status = EXIT_OK
    for index, path in enumerate(paths):
        try:
            samples = await asyncio.to_thread(read_wav, path)
        except BadAudioError as err:  # this file is skipped; the others still run
            _say(io, f"file {index} ({path}): {err}")
            status = EXIT_FAILED
            continue
        pcm = samples.astype("<i2").tobytes()
        tally = _Tally(renderer, turn=index)
        renderer.begin_audio(index, path)
        try:
            await hear(tally, functools.partial(paced_chunks, pcm, realtime))
        finally:
            renderer.end_audio(tally.heard > 0)
        if _report_errors(io, f"file {index} ({path})", tally) != EXIT_OK:
            status = EXIT_FAILED
    return status


# -- the microphone -------------------------------------------------------------------------------


async def _listen_mic(hear: Hear, renderer: Renderer, io: Io, seconds: float | None) -> int:
    limit = None if seconds is None else max(1, math.ceil(seconds / CHUNK_S))
    tally = _Tally(renderer, turn=None)  # one session: its turns count as they are spoken
    renderer.begin_audio(0, MIC_NAME)
    try:
        await hear(tally, lambda: _mic_chunks(io, limit))
    finally:
        renderer.end_audio(tally.heard > 0)
    return _report_errors(io, MIC_NAME, tally)


async def _mic_chunks(io: Io, limit: int | None) -> AsyncGenerator[bytes, None]:
    """80 ms chunks from the default input device (forever, or ``limit`` chunks).

    Raises ``AudioError``: ``mic-unavailable`` (no PyAudio), ``mic-missing`` (no input device),
    ``mic-open-failed``, ``mic-read-failed``.
    """
    from cockpit.audio.mic import MicrophoneSource

    mic = await asyncio.to_thread(MicrophoneSource)
    reader = _MicReader(mic)
    try:
        until = "until Ctrl-C" if limit is None else f"for {limit * CHUNK_S:g} s"
        _say(io, f"listening on the microphone ({mic.rate} Hz) {until}; say the wake word")
        count = 0
        while limit is None or count < limit:
            for frame in await reader.read():
                yield frame.astype("<i2").tobytes()
                count += 1
                if limit is not None and count >= limit:
                    return
    finally:
        await reader.aclose()


class _MicReader:
    """Blocking microphone reads on a worker thread; closing waits for a read in flight."""

    def __init__(self, mic: MicrophoneSource) -> None:
        self._mic = mic
        self._pending: asyncio.Future[list[np.ndarray]] | None = None

    async def read(self) -> list[np.ndarray]:
        """The 80 ms frames (1280 int16 samples each) that the next buffer completes."""
        self._pending = asyncio.get_running_loop().run_in_executor(None, self._mic.read)
        # Shielded: a cancelled listener must not leave PortAudio mid-read when the device closes.
        return await asyncio.shield(self._pending)

    async def aclose(self) -> None:
        """Let a read in flight end (one buffer, 80 ms), then release the device."""
        if self._pending is not None:
            await asyncio.wait([self._pending])
        await asyncio.to_thread(self._mic.close)
