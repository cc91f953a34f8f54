"""A client of ``cockpit.v1.Cockpit`` that speaks cockpit's own types.

What the CLI's ``--server`` mode uses: events come back as :class:`~cockpit.events.Event` (so
``Event.to_json()`` prints the same lines as the embedded service) and failures as
:class:`~cockpit.errors.CockpitError` subclasses, the way the service itself raises them.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Any

import grpc

from cockpit.audio.format import AudioFormat
from cockpit.errors import CockpitError, InputError, RemoteError, ResourceExhaustedError
from cockpit.events import Event
from cockpit.server import convert
from cockpit.server.status import ERROR_CODE_KEY
from cockpit.server.tls import ClientTls, aio_channel
from cockpit.service_api import SessionInfo
from cockpit.skill_api import SignalValue, SkillInfo
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc


def error_from_rpc(err: grpc.aio.AioRpcError, target: str) -> CockpitError:
    """The cockpit error a failed RPC stands for (bad requests as :class:`InputError`)."""
    status = err.code()
    details = err.details() or ""
    code = ""
    for key, value in err.trailing_metadata() or ():
        if key == ERROR_CODE_KEY:
            code = value if isinstance(value, str) else value.decode("ascii", "replace")
    message = details.removeprefix(f"{code}: ") if code else details
    if status is grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ResourceExhaustedError(code or "message-too-large", message)
    if status is grpc.StatusCode.INVALID_ARGUMENT:
        return InputError(code or "invalid-argument", message)
    if status is grpc.StatusCode.UNAVAILABLE and not code:
        return RemoteError(
            "server-unavailable", f"cannot reach the cockpit server at {target} ({details})", status.name
        )
    if status is grpc.StatusCode.DEADLINE_EXCEEDED:
        return RemoteError("deadline-exceeded", f"the cockpit server at {target} did not answer in time", status.name)
    return RemoteError(code or status.name.lower().replace("_", "-"), message or status.name, status.name)


class CockpitClient:
    """The Cockpit API of one server; use as ``async with CockpitClient("127.0.0.1:50051") as c``.

    ``token`` is sent as ``authorization: Bearer`` metadata; ``tls`` connects over TLS (the
    server's CA, and a client certificate for mutual TLS), plain text without it.
    """

    def __init__(
        self, target: str, timeout_s: float | None = None, token: str | None = None, tls: ClientTls | None = None
    ) -> None:
        self.target = target
        """``host:port`` of the server."""
        self._timeout_s = timeout_s
        # Sent with every call; the secret is never logged or shown.
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._channel = aio_channel(target, tls, [("grpc.max_receive_message_length", 4 * 1024 * 1024)])
        self._stub = pb_grpc.CockpitStub(self._channel)

    async def __aenter__(self) -> CockpitClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the channel (calls in flight are cancelled)."""
        await self._channel.close()

    async def _unary(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, timeout=self._timeout_s, metadata=self._metadata)
        except grpc.aio.AioRpcError as err:
            raise error_from_rpc(err, self.target) from None

    async def create_session(self, language: str = "", speech: bool = False, zone: str = "") -> SessionInfo:
        """Open a session (the server's default language when ``language`` is empty); ``speech``
        asks for spoken replies (``tts_audio`` events)."""
        request = pb.CreateSessionRequest(language=language, speech=speech, zone=zone)
        reply = await self._unary(self._stub.CreateSession, request)
        return SessionInfo(reply.session_id, reply.language, reply.speech, reply.zone or "driver")

    async def close_session(self, session_id: str) -> None:
        """Forget a session."""
        await self._unary(self._stub.CloseSession, pb.CloseSessionRequest(session_id=session_id))

    async def send_text(self, text: str, session: SessionInfo | str = "") -> AsyncIterator[Event]:
        """One typed turn in ``session`` (a fresh one-shot session when empty); events as they come."""
        session_id = session.session_id if isinstance(session, SessionInfo) else session
        call = self._stub.SendText(
            pb.TextTurnRequest(session_id=session_id, text=text), timeout=self._timeout_s, metadata=self._metadata
        )
        async for event in self._events(call):
            yield event

    async def converse(
        self,
        chunks: AsyncIterable[bytes],
        session: SessionInfo | str = "",
        fmt: AudioFormat | None = None,
        push_to_talk: bool = False,
    ) -> AsyncIterator[Event]:
        """Speak to the service: ``chunks`` of raw LINEAR16 audio in ``fmt`` (16 kHz mono by
        default) stream up while the turns' events stream back, as a head unit's microphone does.

        Pacing is the caller's: ``chunks`` yields as fast as the audio should arrive. When it
        ends, the service finishes the utterance in progress and its turn, then the stream ends.
        """
        fmt = fmt or AudioFormat()
        session_id = session.session_id if isinstance(session, SessionInfo) else session
        config = pb.ConverseConfig(
            session_id=session_id,
            audio_format=pb.AudioFormat(
                sample_rate_hz=fmt.sample_rate, channels=fmt.channels, encoding=pb.AUDIO_ENCODING_LINEAR16
            ),
            push_to_talk=push_to_talk,
        )

        async def requests() -> AsyncIterator[pb.ConverseRequest]:
            yield pb.ConverseRequest(config=config)
            async for chunk in chunks:
                yield pb.ConverseRequest(audio_chunk=chunk)

        call = self._stub.Converse(requests(), timeout=self._timeout_s, metadata=self._metadata)
        async for event in self._events(call):
            yield event

    async def _events(self, call: Any) -> AsyncIterator[Event]:
        """The events of a streaming call, as cockpit's own types; failures as ``CockpitError``."""
        try:
            async for msg in call:
                yield convert.proto_to_event(msg)
        except grpc.aio.AioRpcError as err:
            raise error_from_rpc(err, self.target) from None
        finally:
            call.cancel()  # no-op once the call is done; stops the turn if the caller stopped reading

    async def vehicle_state(self, prefixes: Sequence[str] = ()) -> dict[str, SignalValue]:
        """Confirmed vehicle state by VSS path, filtered by path prefix."""
        reply = await self._unary(self._stub.GetVehicleState, pb.GetVehicleStateRequest(signals=list(prefixes)))
        return {s.path: convert.signal_value_from_proto(s.value) for s in reply.signals}

    async def skills(self) -> list[SkillInfo]:
        """The server's skills, with each intent's slots and example phrases."""
        reply = await self._unary(self._stub.ListSkills, pb.ListSkillsRequest())
        return [convert.skill_from_proto(s) for s in reply.skills]
