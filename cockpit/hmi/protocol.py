"""What travels on the page's WebSocket, and the checks on what the browser sends.

Server to browser, one JSON object per text message: the event lines of docs/events.md exactly as
``cockpit ask --json`` prints them, and the bridge's own messages, whose ``type`` starts with
``hmi.`` (so no event type can be mistaken for one). Browser to server: JSON commands (text
messages) and raw microphone audio (binary messages: 16 kHz mono signed 16-bit little-endian PCM).
Anything else gets an ``hmi.error`` back and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import grpc

from cockpit.errors import InputError
from cockpit.server.client import error_from_rpc

AUDIO_RATE_HZ = 16000
"""The rate the page's AudioWorklet resamples the microphone to (the service's native rate)."""
MAX_AUDIO_CHUNK_BYTES = AUDIO_RATE_HZ * 2
"""One second of audio: the most one binary message may carry (the service's own limit)."""
MAX_COMMAND_BYTES = 8192
"""Longest command text message (an utterance is at most 2048 UTF-8 bytes)."""
MAX_WS_MESSAGE_BYTES = 1024 * 1024
"""Past this aiohttp closes the socket itself (code 1009); the page says why and reconnects."""
FAULT_KINDS = ("drop", "corrupt_crc", "freeze_counter", "stop_ecu", "reject_commands", "delay")
"""Faults the bench panel offers (``FAULT_KIND_<NAME>`` in bench.proto)."""


def dumps(obj: dict[str, Any]) -> str:
    """Compact UTF-8 JSON, as the CLI prints event lines."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str) -> str:
    """An ``hmi.error`` message: the page shows it as an error entry in the conversation."""
    return dumps({"type": "hmi.error", "code": code, "message": message})


def rpc_error(err: grpc.aio.AioRpcError, target: str = "the cockpit service") -> tuple[str, str]:
    """(cockpit error code, message) of a failed call, as the page shows it: the same reading of
    status and trailing metadata as ``cockpit ask --server`` makes."""
    failure = error_from_rpc(err, target)
    return failure.code, failure.message


@dataclass(frozen=True)
class Command:
    """One checked command from the browser."""

    type: str
    """``text``, ``listen``, ``listen_end``, ``bench``, ``fault`` or ``clear_fault``."""
    args: dict[str, Any]
    """Its checked arguments."""


def _text(obj: dict[str, Any], key: str, most: int, required: bool = True) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > most:
        raise InputError("bad-message", f"'{key}' must be a string of 1 to {most} characters")
    return value


def parse_command(raw: str) -> Command:
    """The command in one text message; :class:`InputError` (``bad-message``) when it is not one."""
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_COMMAND_BYTES:
        raise InputError("bad-message", f"a command is at most {MAX_COMMAND_BYTES} bytes")
    try:
        obj = json.loads(raw)
    except ValueError:
        raise InputError("bad-message", "a text message must be a JSON object with a 'type'") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise InputError("bad-message", "a text message must be a JSON object with a 'type'")
    kind = obj["type"]
    if kind == "text":
        return Command(kind, {"text": _text(obj, "text", 2048)})
    if kind == "listen":
        mode = obj.get("mode", "talk")
        if mode not in ("talk", "always"):
            raise InputError("bad-message", "'mode' must be 'talk' or 'always'")
        return Command(kind, {"mode": mode})
    if kind == "listen_end":
        return Command(kind, {})
    if kind == "bench":
        return Command(kind, {"on": bool(obj.get("on", True))})
    if kind == "fault":
        fault = obj.get("kind")
        if fault not in FAULT_KINDS:
            raise InputError("bad-message", f"'kind' must be one of {', '.join(FAULT_KINDS)}")
        return Command(
            kind, {"kind": fault, "message": _text(obj, "message", 64, False), "ecu": _text(obj, "ecu", 32, False)}
        )
    if kind == "clear_fault":
        return Command(kind, {"fault_id": _text(obj, "fault_id", 64, False)})
    shown = kind[:24]
    raise InputError("bad-message", f"unknown command type {shown!r}")


def check_audio(data: bytes) -> bytes:
    """One binary message of microphone audio; oversized or odd-length chunks are refused here,
    before anything reaches the service."""
    if len(data) > MAX_AUDIO_CHUNK_BYTES:
        raise InputError(
            "audio-chunk-too-large",
            f"an audio message of {len(data)} bytes is longer than 1 s ({MAX_AUDIO_CHUNK_BYTES} bytes); "
            "send ~80 ms chunks",
        )
    if len(data) % 2:
        raise InputError("audio-odd-bytes", "audio must be whole 16-bit samples (an even number of bytes)")
    return data
