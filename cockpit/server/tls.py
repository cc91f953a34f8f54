"""TLS and mutual TLS for the gRPC server and its clients.

The server side is three settings (``server.tls_cert``, ``server.tls_key``, ``server.tls_client_ca``,
or ``cockpit serve --tls-cert/--tls-key/--tls-client-ca``): a certificate and key make the port
TLS-only; a client CA on top makes it mutual, and a client without a certificate that CA signed
is refused in the handshake, before any RPC (and so before any token is looked at).

The client side (:class:`CockpitClient`, :class:`BenchClient`, ``cockpit ask --server``) takes the
CA that signed the server's certificate, and for mutual TLS its own certificate and key.
All files are PEM. A file that cannot be read is a :class:`~cockpit.errors.ConfigError`
(``tls-unreadable``), raised before the server binds or the channel opens.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from cockpit.errors import ConfigError

ChannelOptions = Sequence[tuple[str, Any]]


def _read(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ConfigError("tls-unreadable", f"cannot read the {what} {path!r}: {err.strerror}") from err
    if b"-----BEGIN" not in data:
        raise ConfigError("tls-unreadable", f"the {what} {path!r} is not a PEM file")
    return data


@dataclass(frozen=True)
class ServerTls:
    """The server's certificate and key, and (for mutual TLS) the CA that signs client certificates."""

    cert: str
    """PEM certificate chain of the server (``server.tls_cert``)."""
    key: str
    """PEM private key of that certificate (``server.tls_key``)."""
    client_ca: str = ""
    """PEM CA bundle client certificates must chain to (``server.tls_client_ca``); empty: no client certificates."""

    @property
    def mutual(self) -> bool:
        """Whether clients must present a certificate."""
        return bool(self.client_ca)

    @classmethod
    def from_settings(cls, cert: str, key: str, client_ca: str = "") -> ServerTls | None:
        """The TLS setup the three settings describe, or None (plain text) when all are empty."""
        if not (cert or key or client_ca):
            return None
        if not (cert and key):
            raise ConfigError("tls-incomplete", "server TLS needs both server.tls_cert and server.tls_key")
        return cls(cert, key, client_ca)

    def credentials(self) -> grpc.ServerCredentials:
        """gRPC server credentials (reads the files now)."""
        pair = (_read(self.key, "TLS key"), _read(self.cert, "TLS certificate"))
        if not self.mutual:
            return grpc.ssl_server_credentials([pair])
        roots = _read(self.client_ca, "client CA")
        return grpc.ssl_server_credentials([pair], root_certificates=roots, require_client_auth=True)


@dataclass(frozen=True)
class ClientTls:
    """What a client needs for a TLS server: the CA, and for mutual TLS its own certificate and key."""

    ca: str
    """PEM CA bundle that signed the server's certificate."""
    cert: str = ""
    """PEM client certificate (mutual TLS)."""
    key: str = ""
    """PEM key of the client certificate."""
    server_name: str = ""
    """Name to check the server's certificate against, when it differs from the target's host."""

    def credentials(self) -> grpc.ChannelCredentials:
        """gRPC channel credentials (reads the files now)."""
        if bool(self.cert) != bool(self.key):
            raise ConfigError("tls-incomplete", "a client certificate needs its key, and a key its certificate")
        chain = _read(self.cert, "client certificate") if self.cert else None
        key = _read(self.key, "client key") if self.key else None
        return grpc.ssl_channel_credentials(_read(self.ca, "CA file"), key, chain)

    def options(self) -> list[tuple[str, Any]]:
        """Channel options this setup adds (the name override)."""
        return [("grpc.ssl_target_name_override", self.server_name)] if self.server_name else []


def aio_channel(target: str, tls: ClientTls | None, options: ChannelOptions = ()) -> grpc.aio.Channel:
    """An asyncio channel to ``target``: TLS when ``tls`` is given, plain text otherwise."""
    if tls is None:
        return grpc.aio.insecure_channel(target, options=list(options))
    return grpc.aio.secure_channel(target, tls.credentials(), options=[*options, *tls.options()])


def sync_channel(target: str, tls: ClientTls | None, options: ChannelOptions = ()) -> grpc.Channel:
    """A blocking channel to ``target``: TLS when ``tls`` is given, plain text otherwise."""
    if tls is None:
        return grpc.insecure_channel(target, options=list(options))
    return grpc.secure_channel(target, tls.credentials(), options=[*options, *tls.options()])


# -- command-line flags (``cockpit serve`` and ``cockpit ask --server``) ---------------------------


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """``--tls-cert``, ``--tls-key``, ``--tls-client-ca`` (the ``server.tls_*`` settings)."""
    parser.add_argument(
        "--tls-cert", metavar="PEM", default=None, help="serve TLS with this certificate (server.tls_cert)"
    )
    parser.add_argument("--tls-key", metavar="PEM", default=None, help="the certificate's private key (server.tls_key)")
    parser.add_argument(
        "--tls-client-ca",
        metavar="PEM",
        default=None,
        help="mutual TLS: accept only clients with a certificate this CA signed (server.tls_client_ca)",
    )


def server_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings overrides the server flags give (None: not given)."""
    return {
        "server.tls_cert": args.tls_cert,
        "server.tls_key": args.tls_key,
        "server.tls_client_ca": args.tls_client_ca,
    }


def add_client_arguments(parser: argparse.ArgumentParser) -> None:
    """``--tls-ca``, ``--tls-cert``, ``--tls-key`` for a client of a TLS server."""
    parser.add_argument("--tls-ca", metavar="PEM", default=None, help="connect with TLS, trusting this CA (--server)")
    parser.add_argument("--tls-cert", metavar="PEM", default=None, help="client certificate for mutual TLS (--server)")
    parser.add_argument("--tls-key", metavar="PEM", default=None, help="the client certificate's key (--server)")


def client_from_args(args: argparse.Namespace) -> ClientTls | None:
    """The client TLS setup the flags describe, or None (plain text)."""
    if not args.tls_ca:
        if args.tls_cert or args.tls_key:
            raise ConfigError("bad-usage", "--tls-cert and --tls-key need --tls-ca (the CA of the server)")
        return None
    return ClientTls(args.tls_ca, args.tls_cert or "", args.tls_key or "")
