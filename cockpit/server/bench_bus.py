"""The python-can interface ``cockpit``: a running cockpit's CAN bus, over its Bench gRPC service.

Registered with python-can through the ``can.interface`` entry point (pyproject.toml), so any
python-can tool reaches a ``cockpit serve`` (or ``can-sim run --serve``) in another process by name::

    bus = can.Bus(interface="cockpit", channel="127.0.0.1:50051")

``send`` feeds one ``InjectFrames`` stream and ``recv`` reads ``StreamFrames``: a ``can.Notifier``,
a ``can.Logger``, ``python -m can.logger -i cockpit -c 127.0.0.1:50051`` or the simulated ECUs then
work on the cockpit's in-process virtual bus. The class is also how ``can-sim`` reaches the rest of
the Bench service without importing the service (:mod:`can_sim.remote`): :meth:`CockpitBus.control`
and :meth:`CockpitBus.serve`.

A server with a tokens file needs a ``bench`` (or ``admin``) token: pass ``token=`` to ``can.Bus``
(``can-sim ... --server --token-file FILE`` does), or set ``COCKPIT_TOKEN`` (the secret) or
``COCKPIT_TOKEN_FILE`` (a file whose first line is the secret) in the environment of a tool that
has no option for it, such as python-can's own. A TLS server needs ``tls_ca=`` (and ``tls_cert=``,
``tls_key=`` for mutual TLS; ``can-sim --tls-ca ...``). The secret is sent as ``authorization:
Bearer`` metadata, never logged.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import can
import grpc

from can_sim.bus import BusConfig
from can_sim.car import SimulatedCar
from cockpit.errors import CockpitError, ConfigError
from cockpit.server import bench_convert as bc
from cockpit.server.bench_client import RPC_TIMEOUT_S, BenchClient, rpc_error, to_message
from cockpit.server.tls import ClientTls
from cockpit.v1 import bench_pb2 as bpb

SUBSCRIBE_TIMEOUT_S = 5.0
"""How long :class:`CockpitBus` waits for its frame stream to be in place."""
TOKEN_ENV = "COCKPIT_TOKEN"
"""Environment variable with the Bench bearer secret (for tools that have no option for it)."""
TOKEN_FILE_ENV = "COCKPIT_TOKEN_FILE"
"""Environment variable naming a file whose first line is the Bench bearer secret."""


def bench_token(token: str | None = None) -> str | None:
    """The bearer secret for the Bench: ``token``, else ``$COCKPIT_TOKEN``, else the first line of
    ``$COCKPIT_TOKEN_FILE``; None when none is set (a server without tokens)."""
    if token:
        return token
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV].strip()
    path = os.environ.get(TOKEN_FILE_ENV)
    if not path:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError("bad-usage", f"cannot read ${TOKEN_FILE_ENV} {path!r}: {err}") from err
    if not lines or not lines[0].strip():
        raise ConfigError("bad-usage", f"${TOKEN_FILE_ENV} {path!r} is empty")
    return lines[0].strip()


class CockpitBus(can.BusABC):
    """A python-can bus on a running cockpit's bus, through its Bench service (``channel``: ``host:port``).

    Like a python-can bus it does not receive its own frames (``receive_own_messages=True`` does).
    :meth:`control` and :meth:`serve` give ``can-sim`` the rest of the Bench service
    (:class:`can_sim.remote.BenchPlugin`).
    """

    def __init__(
        self,
        channel: str,
        can_filters: Any = None,
        receive_own_messages: bool = False,
        subscribe_timeout_s: float = SUBSCRIBE_TIMEOUT_S,
        token: str | None = None,
        tls_ca: str | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(channel=channel, can_filters=can_filters, **kwargs)
        self.channel_info = f"cockpit bench at {channel}"
        tls = ClientTls(tls_ca, tls_cert or "", tls_key or "") if tls_ca else None
        self._client = BenchClient(channel, token=bench_token(token), tls=tls)
        self._session = "" if receive_own_messages else f"bus-{uuid.uuid4().hex}"
        self._queue: queue.Queue[can.Message] = queue.Queue()
        self._failure: str | None = None
        self._subscribed = threading.Event()
        self._call = self._client.stream(session=self._session)
        self._thread = threading.Thread(target=self._read, name="bench-bus", daemon=True)
        self._thread.start()
        # Frames go out on one InjectFrames stream, fed from a queue: send() returns at once and
        # a node keeps its rhythm instead of waiting one round trip per frame.
        self._outbox: queue.Queue[bpb.InjectFrameRequest | None] = queue.Queue()
        self._send_failure: str | None = None
        self._sender = threading.Thread(target=self._pump, name="bench-bus-send", daemon=True)
        self._sender.start()
        if not self._subscribed.wait(subscribe_timeout_s) or self._failure:
            failure = self._failure or f"no answer within {subscribe_timeout_s:g} s"
            self.shutdown()
            raise can.CanInitializationError(f"cannot reach the cockpit bench at {channel}: {failure}")

    def _read(self) -> None:
        try:
            for frame in self._call:
                if frame.subscribed:
                    self._subscribed.set()
                else:
                    self._queue.put(to_message(frame))
        except grpc.RpcError as err:
            if err.code() is not grpc.StatusCode.CANCELLED:
                self._failure = str(rpc_error(err, str(self.channel_info)))
        except CockpitError as err:  # a frame the server should never have sent
            self._failure = str(err)
        finally:
            self._subscribed.set()

    def _recv_internal(self, timeout: float | None) -> tuple[can.Message | None, bool]:
        try:
            return self._queue.get(timeout=timeout), False
        except queue.Empty:
            if self._failure is not None:
                raise can.CanOperationError(f"the bench stream ended: {self._failure}") from None
            return None, False

    def _requests(self) -> Iterator[bpb.InjectFrameRequest]:
        while (request := self._outbox.get()) is not None:
            yield request

    def _pump(self) -> None:
        try:
            self._client.inject_frames(self._requests())
        except CockpitError as err:
            self._send_failure = str(err)

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        """Queue ``msg`` for the cockpit's bus (``InjectFrames``); a refusal fails the sends after it."""
        if self._send_failure is not None or not self._sender.is_alive():
            raise can.CanOperationError(f"the bench refused a frame: {self._send_failure or 'the bus is shut down'}")
        self._outbox.put(bpb.InjectFrameRequest(frame=bc.message_to_proto(msg), session=self._session))

    def flush_tx_buffer(self) -> None:
        """Wait until every queued frame has been handed to the server (bounded by the RPC timeout)."""
        deadline = time.monotonic() + RPC_TIMEOUT_S
        while not self._outbox.empty() and self._sender.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)

    def shutdown(self) -> None:
        """Send what is queued, then end the streams and close the channel."""
        super().shutdown()
        self._outbox.put(None)
        self._sender.join(timeout=RPC_TIMEOUT_S)
        self._call.cancel()
        self._client.close()

    @classmethod
    def control(
        cls,
        server: str,
        token: str | None = None,
        tls_ca: str | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
    ) -> BenchClient:
        """The Bench service at ``server`` beyond the bus: statistics, faults, the server's car."""
        tls = ClientTls(tls_ca, tls_cert or "", tls_key or "") if tls_ca else None
        return BenchClient(server, token=bench_token(token), tls=tls)

    @classmethod
    def serve(cls, bus: BusConfig, car: SimulatedCar | None, address: str) -> AbstractContextManager[int]:
        """Serve ``bus`` (and ``car``) over the Bench service on loopback ``address``; yields the port."""
        from cockpit.server.bench_serve import serve_bench  # the servicer only when serving

        return serve_bench(bus, car, address)
