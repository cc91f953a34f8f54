"""Settings, parsed once at the composition root.

Precedence, lowest first: defaults, a TOML file (``--config`` or ``$COCKPIT_CONFIG``),
environment variables (``COCKPIT_SERVER_PORT=50052`` sets ``server.port``), explicit overrides
(CLI flags). Nothing else in the code reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.errors import ConfigError

ENV_PREFIX = "COCKPIT_"


@dataclass(frozen=True)
class ServerSettings:
    """Where and how the gRPC server listens."""

    host: str = "127.0.0.1"
    """Listen address; loopback by default (the car's own computer)."""
    port: int = 50051
    """TCP port; 0 picks a free one."""
    grace_s: float = 5.0
    """How long in-flight turns may run on after SIGTERM."""
    tokens_file: str = ""
    """TOML file of bearer tokens and their scopes (``[[token]]``); empty: no authentication."""
    bench: bool = False
    """Serve the ``Bench`` service even when the simulator is off (a bench on a real bus)."""
    insecure: bool = False
    """Let ``cockpit serve`` run without a tokens file (it warns); without this it refuses to."""
    max_sessions_per_token: int = 16
    """Open sessions one token may hold; past it a new one is refused (only with tokens)."""
    session_idle_s: float = 1800.0
    """Seconds without any RPC after which a session expires (never one in use)."""
    tls_cert: str = ""
    """PEM certificate (chain) of the server; with ``tls_key`` the port speaks TLS only. Empty: plain text."""
    tls_key: str = ""
    """PEM private key of ``tls_cert``."""
    tls_client_ca: str = ""
    """PEM CA bundle for mutual TLS: a client without a certificate this CA signed is refused in the
    handshake. Empty: clients need no certificate."""
    turns_per_minute: float = 60.0
    """Typed turns one session may start per minute, on average (a bucket of ``turn_burst``);
    past it the turn is refused with RESOURCE_EXHAUSTED (``turn-rate``) and nothing reaches the car."""
    turn_burst: int = 10
    """Typed turns a session may start back to back before ``turns_per_minute`` applies."""
    converse_idle_s: float = 300.0
    """A ``Converse`` stream in which nothing is said (no text, no wake word, no event) for this long
    ends with RESOURCE_EXHAUSTED (``converse-idle``); silence does not count as speech."""
    event_buffer: int = 1024
    """Events one stream holds for a client that reads too slowly; past it the stream ends with
    RESOURCE_EXHAUSTED (``client-too-slow``) rather than grow without bound."""
    watch_buffer: int = 256
    """Signal changes one ``WatchVehicleState`` holds for a slow reader (the latest per signal);
    past it the oldest pending change is dropped."""


@dataclass(frozen=True)
class CanSettings:
    """The CAN bus and the simulated car on it."""

    interface: str = "virtual"
    """python-can interface name (``virtual``, ``socketcan``, ...). Never ``udp_multicast``."""
    channel: str = "cockpit"
    """python-can channel (virtual bus name, ``vcan0``, ...)."""
    bitrate: int = 500_000
    """Nominal bit rate, for interfaces that take one and for bus-load figures."""
    simulate: bool = True
    """Start the simulated ECUs and powertrain in-process (the default car)."""
    drive_profile: str = "parked"
    """Name of the powertrain simulator's drive profile."""
    confirm_timeout_s: float = 1.0
    """How long an action waits for its ECU's status frame before it is a ``timeout``."""
    vehicle_backend: str = "can"
    """Name of the vehicle backend (a registration in ``cockpit.backends``): ``can``, the gateway on this bus."""


@dataclass(frozen=True)
class ModelSettings:
    """Where model artefacts are cached (see ``models/manifest.toml``)."""

    cache_dir: str = ""
    """Cache directory; empty means ``$COCKPIT_MODEL_DIR`` or ``~/.cache/cockpit/models``."""


@dataclass(frozen=True)
class LlmSettings:
    """The embedded language model for open dialogue and tool calls."""

    enabled: bool = True
    """Use the language model; when False (or when it fails to load) dialogue is degraded."""
    backend: str = "llama_cpp"
    """Name of the language-model backend (a registration in ``cockpit.backends``): ``llama_cpp``."""
    model: str = "qwen2.5-0.5b-instruct-q4_k_m"
    """Manifest name of the GGUF to load, used when ``model_path`` is empty."""
    model_path: str = ""
    """Any GGUF by path, instead of the manifest model."""
    threads: int = 2
    """Threads for generation."""
    context_tokens: int = 4096
    """Context window (n_ctx)."""
    max_reply_tokens: int = 96
    """Longest spoken answer, in tokens."""
    moving_max_sentences: int = 1
    """While the car moves (the interlock table), a spoken answer has at most this many sentences."""
    moving_max_words: int = 20
    """While the car moves, a sentence of an answer is cut after at most this many words, and a list
    in it after three items, so the driver is not listening to a long answer on the road."""
    history_tokens: int = 1024
    """Token budget for a session's chat history in the prompt."""
    seed: int = 0
    """Sampling seed; decoding is greedy by default, so replies are deterministic."""
    max_queue: int = 4
    """Questions waiting for or using the model at once; one more gets an ``llm-busy`` reply at once."""
    turn_deadline_s: float = 30.0
    """Longest a question may take, from when it is asked (queue wait included) to the end of its
    answer; past it the answer is cancelled and the reply says so (``llm-deadline``)."""
    state_cache: bool = True
    """Save the warmed KV state of the fixed prompt prefix in the model cache and load it at the
    next start, instead of evaluating the prefix again."""


@dataclass(frozen=True)
class VoiceSettings:
    """Wake word, endpointing and speech recognition."""

    enabled: bool = True
    """Serve spoken turns (audio chunks); when False, audio streams are refused (``voice-disabled``)."""
    preload: bool = False
    """Load the voice models when the service starts, not when the first audio stream opens
    (``cockpit serve`` turns this on)."""
    wake_models: tuple[str, ...] = ("hey_jarvis_v0.1",)
    """Manifest names of the wake-word heads to run."""
    wake_backend: str = "openwakeword"
    """Name of the wake-word backend (a registration in ``cockpit.backends``): ``openwakeword``."""
    vad_backend: str = "silero"
    """Name of the voice-activity backend (a registration in ``cockpit.backends``): ``silero``."""
    wake_threshold: float = 0.05
    """Wake-word head score at or above which the verifier (``cockpit/wake/verifiers``) is asked;
    chosen on the tuning half with ``script/train_wake_verifier.py`` (``make bench``: ``wake_eval``)."""
    asr_engine: str = "auto"
    """Name of the speech-recogniser backend (a registration in ``cockpit.backends``): ``vosk``,
    ``pocketsphinx``, or ``auto``: the first registered one that has a model for the language
    (Vosk where a model for the language exists, else PocketSphinx)."""
    max_utterance_s: float = 10.0
    """Longest command after the wake word."""
    no_speech_timeout_s: float = 4.0
    """How long to wait for speech after the wake word."""
    confirm_below: float = 0.88
    """A spoken command heard with a confidence below this is read back and waits for a yes."""
    reject_below: float = 0.3
    """A spoken command heard with a confidence below this is not acted on: "Sorry, I didn't catch that"."""
    confirm_free_text_below: float = 0.88
    """Spoken commands with free text (a destination, what to play) below this are always read back."""
    answer_window_s: float = 6.0
    """How long a read-back question waits for "yes" or "no"; silence past it cancels the action."""
    follow_up_window_s: float = 5.0
    """After a spoken reply, how long the next command needs no wake word ("a bit warmer");
    0 turns the follow-up window off."""
    follow_up_min_confidence: float = 0.85
    """Speech in the follow-up window counts as a command only when it is a grammar command heard
    at least this sure; anything else there (talk among passengers) is dropped without a word. A
    command taken is then judged like any other: below ``confirm_below`` it is read back."""


@dataclass(frozen=True)
class TtsSettings:
    """Spoken replies, for the sessions that ask for them (a text-only client pays nothing)."""

    enabled: bool = True
    """Whether sessions may ask for spoken replies; each voice loads on its first reply."""
    english_voice: str = "piper-en_US-joe-medium"
    """Manifest name of the Piper voice for English."""
    korean_voice: str = "ko"
    """espeak-ng voice for Korean (no Korean Piper voice is published on PyPI)."""


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build the service."""

    server: ServerSettings = field(default_factory=ServerSettings)
    """gRPC server settings."""
    can: CanSettings = field(default_factory=CanSettings)
    """Bus and simulator settings."""
    language: str = "en"
    """Default session language."""
    units: str = "metric"
    """The driver's units: ``metric`` or ``imperial``. Replies give temperatures, distances and
    speeds in them, and a bare temperature ("set the temperature to 70") is read in them."""
    drive_side: str = "left"
    """Where the steering wheel is: ``left`` (left-hand drive) or ``right``. It decides which seats,
    windows and zones "left" and "right" name."""
    max_sessions: int = 64
    """Open sessions at once, all clients together; past it a new one is refused (RESOURCE_EXHAUSTED),
    never a live one closed."""
    models: ModelSettings = field(default_factory=ModelSettings)
    """Model cache."""
    llm: LlmSettings = field(default_factory=LlmSettings)
    """Language model."""
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    """Voice front end."""
    tts: TtsSettings = field(default_factory=TtsSettings)
    """Spoken replies."""


def _coerce(raw: Any, like: Any, key: str) -> Any:
    """Convert ``raw`` (from TOML or the environment) to the type of the default ``like``."""
    if isinstance(like, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError("bad-setting", f"{key} must be true or false, not {raw!r}")
    if isinstance(like, tuple):
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ConfigError("bad-setting", f"{key} must be a list, not {raw!r}")
        return tuple(str(i).strip() for i in items if str(i).strip())
    try:
        return type(like)(raw)
    except (TypeError, ValueError) as err:
        raise ConfigError("bad-setting", f"{key} must be a {type(like).__name__}, not {raw!r}") from err


def _apply(obj: Any, values: Mapping[str, Any], prefix: str = "") -> Any:
    """A copy of dataclass ``obj`` with nested ``values`` applied; unknown keys are errors."""
    names = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        path = f"{prefix}{key}"
        if key not in names:
            raise ConfigError("unknown-setting", f"unknown setting {path!r}; known: {', '.join(sorted(names))}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(raw, Mapping):
                raise ConfigError("bad-setting", f"{path} is a table of settings")
            changes[key] = _apply(current, raw, path + ".")
        else:
            changes[key] = _coerce(raw, current, path)
    return dataclasses.replace(obj, **changes)


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"server.port": 1}`` -> ``{"server": {"port": 1}}``."""
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = out
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """``COCKPIT_SERVER_PORT`` -> ``server.port``, ``COCKPIT_LANGUAGE`` -> ``language``.

    Only names of settings are read: other ``COCKPIT_*`` variables (``COCKPIT_MODEL_DIR``, which
    the model store reads itself, ``COCKPIT_CONFIG``) are not settings and are left alone.
    """
    flat: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        section, _, rest = key.partition("_")
        if section in fields and dataclasses.is_dataclass(fields[section].default_factory):
            if rest:
                flat[f"{section}.{rest}"] = value
        elif key in fields:
            flat[key] = value
    return _nest(flat)


UNITS = ("metric", "imperial")
"""The values of the ``units`` setting."""


def _check_choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError("bad-setting", f"{key} must be one of {', '.join(allowed)}, not {value!r}")


def load_settings(
    config_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from defaults, a TOML file, the environment and overrides.

    ``overrides`` takes dotted keys (``{"server.port": 0}``); ``None`` values are ignored so
    unset CLI flags can be passed straight through.
    """
    environ = os.environ if env is None else env
    settings = Settings()
    path = config_path or environ.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                settings = _apply(settings, tomllib.load(fh))
        except OSError as err:
            raise ConfigError("config-unreadable", f"cannot read config file {path}: {err.strerror}") from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError("config-invalid", f"config file {path} is not valid TOML: {err}") from err
    settings = _apply(settings, _from_env(environ))
    if overrides:
        settings = _apply(settings, _nest({k: v for k, v in overrides.items() if v is not None}))
    _check_choice("units", settings.units, UNITS)
    _check_choice("drive_side", settings.drive_side, ("left", "right"))
    from vehicle_contract.bus import refuse_leaving  # imports python-can: only once settings are read

    refuse_leaving(settings.can.interface)  # the same refusal the bus gives, at load time
    return settings
