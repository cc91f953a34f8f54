"""``cockpit hmi``: the head-unit page on loopback, a gRPC client of the service.

::

    cockpit hmi [--port 8080] [--config FILE]
    cockpit hmi [--port 8080] --server HOST:PORT [--token-file FILE | --token SECRET]
                [--tls-ca PEM [--tls-cert PEM --tls-key PEM]]

With ``--server`` the page's bridge calls a running ``cockpit serve`` (with an ``hmi``-scope token;
add ``bench`` for the bus panel). Without it, the service starts in this process behind a
loopback gRPC server that only the bridge's in-memory token may call. ``--tls-ca`` (and, for
mutual TLS, ``--tls-cert``/``--tls-key``) reach a server that serves TLS. See docs/hmi.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.cli.turns import ServiceFactory
from cockpit.errors import ConfigError

if TYPE_CHECKING:
    from cockpit.cli.io import Io
    from cockpit.hmi.web import HmiServer

EXIT_OK = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cockpit hmi``."""
    parser.add_argument("--port", type=int, default=8080, help="TCP port of the page on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--server", metavar="HOST:PORT", default=None, help="a running cockpit serve (default: start one here)"
    )
    parser.add_argument(
        "--token-file", metavar="FILE", type=Path, default=None, help="bearer token file, first line (--server)"
    )
    parser.add_argument(
        "--token", metavar="SECRET", default=None, help="bearer token (--server; visible in ps: prefer --token-file)"
    )
    parser.add_argument("--config", metavar="FILE", default=None, help="TOML settings file (without --server)")
    # As for ``cockpit ask --server`` (cockpit.server.tls.add_client_arguments), declared here so
    # the TLS module is imported only when a TLS server is named.
    parser.add_argument("--tls-ca", metavar="PEM", default=None, help="connect with TLS, trusting this CA (--server)")
    parser.add_argument("--tls-cert", metavar="PEM", default=None, help="client certificate for mutual TLS (--server)")
    parser.add_argument("--tls-key", metavar="PEM", default=None, help="the client certificate's key (--server)")


def _token(args: argparse.Namespace) -> str | None:
    if args.token and args.token_file:
        raise ConfigError("bad-usage", "give --token or --token-file, not both")
    if (args.token or args.token_file) and not args.server:
        raise ConfigError("bad-usage", "--token and --token-file are for --server (the embedded service makes its own)")
    if args.token_file:
        from cockpit.cli.io import read_token

        return read_token(args.token_file)
    return str(args.token) if args.token else None


def _tls(args: argparse.Namespace) -> tuple[Any, list[tuple[str, Any]]]:
    """Channel credentials and options for a TLS server (None and [] for plain text)."""
    if not (args.tls_ca or args.tls_cert or args.tls_key):
        return None, []
    if not args.server:
        raise ConfigError("bad-usage", "--tls-ca, --tls-cert and --tls-key are for --server")
    from cockpit.server.tls import client_from_args

    tls = client_from_args(args)
    if tls is None:
        return None, []
    return tls.credentials(), tls.options()


async def hmi(args: argparse.Namespace, factory: ServiceFactory, io: Io) -> int:
    """Serve the page until SIGTERM or Ctrl-C."""
    from cockpit.hmi.embedded import run_hmi

    token = _token(args)
    credentials, options = _tls(args)
    if not 0 <= args.port <= 65535:
        raise ConfigError("bad-usage", f"--port {args.port} is not a TCP port")
    settings = None
    if not args.server:
        from cockpit.settings import load_settings

        settings = load_settings(args.config, overrides={"voice.preload": True})
    logging.basicConfig(level=logging.INFO, stream=io.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
        except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
            pass

    def ready(server: HmiServer) -> None:
        print(f"cockpit: head unit on {server.url} (service {server.target})", file=io.stdout, flush=True)

    try:
        await run_hmi(
            port=args.port,
            target=args.server,
            token=token,
            settings=settings,
            factory=factory,
            ready=ready,
            stop=stop,
            credentials=credentials,
            channel_options=options,
        )
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    return EXIT_OK
