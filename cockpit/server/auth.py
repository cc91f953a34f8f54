"""Who may call what: bearer tokens from a TOML file, and the scopes they carry.

Clients send ``authorization: Bearer <secret>`` metadata. The tokens file lists each client::

    [[token]]
    name = "head-unit"
    secret_sha256 = "9f86d0..."     # or secret = "..." (at least 16 characters)
    scopes = ["hmi"]                # hmi, bench, admin

``hmi`` opens the ``Cockpit`` service, ``bench`` the ``Bench`` service, ``admin`` both. A secret
is only ever held as its SHA-256 digest, compared in constant time against every token (no early
exit), and never logged: log lines name the token, never its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.errors import ConfigError

SCOPES = frozenset({"hmi", "bench", "admin"})
"""Every scope a token may carry."""
ADMIN = "admin"
"""The scope that opens every service."""
MIN_SECRET_CHARS = 16
"""Shortest plain ``secret`` accepted: a short one is guessable."""
MAX_HEADER_CHARS = 512
"""Longest ``authorization`` value looked at; a longer one is simply unknown."""
BEARER = "bearer "
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Token:
    """One client's credential, as the server holds it."""

    name: str
    """Who this is, for logs and session ownership (never the secret)."""
    digest: bytes
    """SHA-256 of the secret."""
    scopes: frozenset[str]
    """What it may call."""

    def allows(self, scope: str | None) -> bool:
        """Whether this token may call a service needing ``scope`` (None: any valid token)."""
        return scope is None or scope in self.scopes or ADMIN in self.scopes

    def __repr__(self) -> str:  # the digest stays out of reprs, and so out of logs and tracebacks
        return f"Token(name={self.name!r}, scopes={sorted(self.scopes)!r})"


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


class TokenBook:
    """The known tokens; :meth:`identify` maps an ``authorization`` value to one of them."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        if not tokens:
            raise ConfigError("bad-tokens", "the tokens file lists no [[token]]")
        names = [t.name for t in tokens]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise ConfigError("bad-tokens", f"token name {duplicate!r} appears twice in the tokens file")
        self._tokens = tuple(tokens)

    @property
    def names(self) -> tuple[str, ...]:
        """The tokens' names."""
        return tuple(t.name for t in self._tokens)

    def identify(self, authorization: str | None) -> Token | None:
        """The token a ``Bearer <secret>`` header presents; None when absent, malformed or unknown.

        Every token is compared, whichever matches, so the time taken does not tell which one
        (or how much of one) matched."""
        if not authorization or len(authorization) > MAX_HEADER_CHARS:
            return None
        if authorization[: len(BEARER)].lower() != BEARER:
            return None
        presented = _digest(authorization[len(BEARER) :].strip())
        found: Token | None = None
        for token in self._tokens:
            if hmac.compare_digest(presented, token.digest):
                found = token
        return found

    @classmethod
    def from_toml(cls, text: str, source: str = "the tokens file") -> TokenBook:
        """Parse a tokens file's text; any mistake is a :class:`ConfigError` naming the entry."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError("bad-tokens", f"{source} is not valid TOML: {err}") from err
        unknown = sorted(set(data) - {"token"})
        if unknown:
            raise ConfigError("bad-tokens", f"{source}: unknown table {unknown[0]!r}; use [[token]] entries")
        entries = data.get("token", [])
        if not isinstance(entries, list):
            raise ConfigError("bad-tokens", f"{source}: 'token' must be an array of tables ([[token]])")
        return cls([_token(entry, index, source) for index, entry in enumerate(entries, 1)])

    @classmethod
    def load(cls, path: str | Path) -> TokenBook:
        """Read and parse the tokens file at ``path``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError("bad-tokens", f"cannot read the tokens file {str(path)!r}: {err}") from err
        return cls.from_toml(text, f"tokens file {str(path)!r}")


def _token(entry: Any, index: int, source: str) -> Token:
    """One ``[[token]]`` table as a :class:`Token`; the error names the entry, never its secret."""
    where = f"{source}, token #{index}"
    if not isinstance(entry, Mapping):
        raise ConfigError("bad-tokens", f"{where} must be a table")
    unknown = sorted(set(entry) - {"name", "secret", "secret_sha256", "scopes"})
    if unknown:
        raise ConfigError("bad-tokens", f"{where}: unknown key {unknown[0]!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError("bad-tokens", f"{where}: name must be 1-64 letters, digits, '.', '_' or '-'")
    where = f"{source}, token {name!r}"
    return Token(name, _secret_digest(entry, where), _scopes(entry.get("scopes"), where))


def _secret_digest(entry: Mapping[str, Any], where: str) -> bytes:
    secret, hashed = entry.get("secret"), entry.get("secret_sha256")
    if (secret is None) == (hashed is None):
        raise ConfigError("bad-tokens", f"{where}: give exactly one of secret and secret_sha256")
    if secret is not None:
        if not isinstance(secret, str) or len(secret.strip()) < MIN_SECRET_CHARS or secret != secret.strip():
            raise ConfigError(
                "bad-tokens", f"{where}: secret must be at least {MIN_SECRET_CHARS} characters, no outer spaces"
            )
        return _digest(secret)
    if not isinstance(hashed, str) or not _HEX64.fullmatch(hashed.lower()):
        raise ConfigError("bad-tokens", f"{where}: secret_sha256 must be 64 hex digits")
    return bytes.fromhex(hashed)


def _scopes(raw: Any, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise ConfigError("bad-tokens", f"{where}: scopes must be a non-empty list of {sorted(SCOPES)}")
    unknown = sorted(set(raw) - SCOPES)
    if unknown:
        raise ConfigError("bad-tokens", f"{where}: unknown scope {unknown[0]!r}; valid: {', '.join(sorted(SCOPES))}")
    return frozenset(raw)


def bearer(metadata: Iterable[tuple[str, str | bytes]] | None) -> str | None:
    """The ``authorization`` value in call metadata, if any (the first one)."""
    for key, value in metadata or ():
        if key == "authorization":
            return value if isinstance(value, str) else None
    return None
