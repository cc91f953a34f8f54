"""Who may reach a ``cockpit serve``, from its settings: tokens, TLS, limits, and the refusal.

``cockpit serve`` needs credentials that tell callers apart: a tokens file, or mutual TLS (a
client certificate the client CA signed). Server TLS alone encrypts but lets any local program
in, so without tokens or client certificates it refuses to start unless ``--insecure``
(``server.insecure``) is given, and then it warns. Every file is read here, before any model
loads, so a mistake stops the command at once (exit status 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cockpit.errors import ConfigError
from cockpit.server.auth import TokenBook
from cockpit.server.owners import SessionLimits
from cockpit.server.streams import StreamLimits
from cockpit.server.tls import ServerTls
from cockpit.settings import Settings


@dataclass(frozen=True)
class Access:
    """What :func:`cockpit.server.runner.serve` takes for one server's access and limits."""

    tokens: TokenBook | None
    """Bearer tokens and scopes; None: no authentication."""
    tls: ServerTls | None
    """TLS or mutual TLS; None: plain text."""
    limits: SessionLimits
    """Sessions and turn rate."""
    streams: StreamLimits
    """Conversations' idle time and stream buffers."""

    def kwargs(self) -> dict[str, Any]:
        """As keyword arguments of :func:`~cockpit.server.runner.serve`."""
        return {"tokens": self.tokens, "tls": self.tls, "limits": self.limits, "streams": self.streams}


def server_access(settings: Settings, warn: Callable[[str], None]) -> Access:
    """The access the settings describe; a :class:`ConfigError` when the server would be open to
    every local program and ``server.insecure`` is off (``warn`` is told when it is on)."""
    s = settings.server
    tokens = TokenBook.load(s.tokens_file) if s.tokens_file else None
    tls = ServerTls.from_settings(s.tls_cert, s.tls_key, s.tls_client_ca)
    if tls is not None:
        tls.credentials()  # unreadable files fail now, not after the models load
    if tokens is None and not (tls is not None and tls.mutual):
        if not s.insecure:
            raise ConfigError(
                "insecure-refused",
                "refusing to serve without tokens or client certificates: any program on this machine could "
                "move the car. Give --tokens FILE (server.tokens_file) or --tls-client-ca PEM (with --tls-cert and "
                "--tls-key), or --insecure for a demo on loopback",
            )
        wire = "over TLS but " if tls is not None else ""
        warn(f"WARNING: serving on {s.host} {wire}without tokens (--insecure): any local program may call, Bench too")
    limits = SessionLimits(
        settings.max_sessions, s.max_sessions_per_token, s.session_idle_s, s.turns_per_minute, s.turn_burst
    )
    streams = StreamLimits(s.converse_idle_s, s.event_buffer, s.watch_buffer)
    return Access(tokens, tls, limits, streams)
