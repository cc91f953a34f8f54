"""TLS and mutual TLS through a real loopback server, with a throwaway CA made here.

Two CAs are made per module: one signs the server's certificate and the good client's, the other
signs an impostor's client certificate. Nothing is read from the disk but what the test wrote.
"""

from __future__ import annotations

import datetime
import io
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cockpit.cli.main import amain
from cockpit.errors import ConfigError, RemoteError
from cockpit.server.access import server_access
from cockpit.server.bench_client import BenchClient
from cockpit.server.client import CockpitClient
from cockpit.server.runner import CockpitServer, start_server
from cockpit.server.tls import ClientTls, ServerTls
from cockpit.settings import load_settings
from cockpit.v1 import cockpit_pb2 as pb
from cockpit.v1 import cockpit_pb2_grpc as pb_grpc
from tests.test_grpc_auth import HMI, TOKENS_TOML
from tests.test_grpc_support import TIMEOUT_S, FakeAssistant

_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class _Pki:
    """PEM files of one test run."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path
    impostor_cert: Path
    impostor_key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _DAY)
        .not_valid_after(now + _DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _leaf(
    common: str, ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], server: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH if server else x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _DAY)
        .not_valid_after(now + _DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if server:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca[1], hashes.SHA256()), key


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None = None) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.with_suffix(".key").write_bytes(pem)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> _Pki:
    root = tmp_path_factory.mktemp("pki")
    ca, other = _ca("cockpit test CA"), _ca("someone else's CA")
    _write(root / "ca.pem", ca[0])
    _write(root / "other-ca.pem", other[0])
    server, client, impostor = _leaf("cockpit", ca, True), _leaf("head-unit", ca, False), _leaf("x", other, False)
    _write(root / "server.pem", *server)
    _write(root / "client.pem", *client)
    _write(root / "impostor.pem", *impostor)
    return _Pki(
        root / "ca.pem",
        root / "server.pem",
        root / "server.key",
        root / "client.pem",
        root / "client.key",
        root / "other-ca.pem",
        root / "impostor.pem",
        root / "impostor.key",
    )


async def _serve(tls: ServerTls) -> tuple[CockpitServer, FakeAssistant]:
    fake = FakeAssistant()
    server, _ = await start_server(fake, "127.0.0.1", 0, tls=tls)
    return server, fake


async def _session(target: str, tls: ClientTls | None) -> str:
    async with CockpitClient(target, timeout_s=TIMEOUT_S, tls=tls) as client:
        return (await client.create_session()).session_id


@pytest.fixture
async def tls_server(pki: _Pki) -> AsyncIterator[CockpitServer]:
    server, _ = await _serve(ServerTls(str(pki.server_cert), str(pki.server_key)))
    yield server
    await server.stop(0)


@pytest.fixture
async def mtls_server(pki: _Pki) -> AsyncIterator[CockpitServer]:
    server, _ = await _serve(ServerTls(str(pki.server_cert), str(pki.server_key), str(pki.ca)))
    yield server
    await server.stop(0)


async def test_tls_connects_with_the_right_ca_and_a_turn_runs(tls_server: CockpitServer, pki: _Pki) -> None:
    async with CockpitClient(tls_server.target, timeout_s=TIMEOUT_S, tls=ClientTls(str(pki.ca))) as client:
        session = await client.create_session()
        events = [e async for e in client.send_text("set 21", session)]
    assert events[-1].data["text"] == "Driver temperature set to 21 degrees."


@pytest.mark.parametrize("ca", [None, "other"])
async def test_tls_is_refused_without_the_servers_ca(tls_server: CockpitServer, pki: _Pki, ca: str | None) -> None:
    tls = ClientTls(str(pki.other_ca)) if ca else None  # plain text, or a CA that did not sign the server
    with pytest.raises(RemoteError) as caught:
        await _session(tls_server.target, tls)
    assert caught.value.code == "server-unavailable"


async def test_mutual_tls_takes_a_client_the_client_ca_signed(mtls_server: CockpitServer, pki: _Pki) -> None:
    tls = ClientTls(str(pki.ca), str(pki.client_cert), str(pki.client_key))
    assert await _session(mtls_server.target, tls)


@pytest.mark.parametrize("client", ["no certificate", "impostor"])
async def test_mutual_tls_refuses_a_client_without_a_signed_certificate(
    mtls_server: CockpitServer, pki: _Pki, client: str
) -> None:
    if client == "impostor":
        tls = ClientTls(str(pki.ca), str(pki.impostor_cert), str(pki.impostor_key))
    else:
        tls = ClientTls(str(pki.ca))
    # The raw stub too: the refusal is the handshake's, before any RPC or servicer.
    channel = grpc.aio.secure_channel(mtls_server.target, tls.credentials())
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await pb_grpc.CockpitStub(channel).CreateSession(pb.CreateSessionRequest(), timeout=TIMEOUT_S)
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        await channel.close()


def test_the_bench_client_speaks_tls(pki: _Pki) -> None:
    import asyncio

    from can_sim.bus import BusConfig
    from cockpit.server.bench import BenchServicer, bench_registrar

    async def run() -> None:
        bench = BenchServicer(BusConfig("virtual", "tls-bench-test"))
        tls = ServerTls(str(pki.server_cert), str(pki.server_key), str(pki.ca))
        server, _ = await start_server(FakeAssistant(), "127.0.0.1", 0, [bench_registrar(bench)], tls=tls)
        try:
            client_tls = ClientTls(str(pki.ca), str(pki.client_cert), str(pki.client_key))
            with BenchClient(server.target, tls=client_tls) as client:
                stats = await asyncio.to_thread(client.stats)
            assert stats.bitrate > 0
            with BenchClient(server.target, tls=ClientTls(str(pki.ca))) as client, pytest.raises(RemoteError):
                await asyncio.to_thread(client.stats)
        finally:
            await server.stop(0)
            bench.close()

    asyncio.run(run())


async def test_cockpit_ask_connects_with_a_ca_file_and_a_client_certificate(
    mtls_server: CockpitServer, pki: _Pki
) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["ask", "--json", "--server", mtls_server.target, "--tls-ca", str(pki.ca)]
    mutual = ["--tls-cert", str(pki.client_cert), "--tls-key", str(pki.client_key)]
    assert await amain([*argv, *mutual, "set 21"], stdout=out, stderr=err) == 0, err.getvalue()
    assert '"type":"reply"' in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert await amain([*argv, "set 21"], stdout=out, stderr=err) == 1  # no client certificate: refused
    assert "cannot reach" in err.getvalue()


# -- cockpit serve: which set-ups it refuses ---------------------------------------------------------


def _settings(tmp_path: Path, **server: object) -> object:
    return load_settings(overrides={f"server.{k}": v for k, v in server.items()}, env={})


def test_serve_refuses_server_tls_alone_and_takes_mutual_tls_or_tokens(tmp_path: Path, pki: _Pki) -> None:
    warnings: list[str] = []
    cert = {"tls_cert": str(pki.server_cert), "tls_key": str(pki.server_key)}
    with pytest.raises(ConfigError) as caught:  # encrypted, but any local program may still call
        server_access(_settings(tmp_path, **cert), warnings.append)  # type: ignore[arg-type]
    assert caught.value.code == "insecure-refused"
    access = server_access(_settings(tmp_path, **cert, tls_client_ca=str(pki.ca)), warnings.append)  # type: ignore[arg-type]
    assert access.tls is not None and access.tls.mutual and access.tokens is None
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(TOKENS_TOML)
    access = server_access(_settings(tmp_path, **cert, tokens_file=str(tokens)), warnings.append)  # type: ignore[arg-type]
    assert access.tokens is not None and access.tls is not None and not access.tls.mutual
    assert warnings == []
    access = server_access(_settings(tmp_path, **cert, insecure=True), warnings.append)  # type: ignore[arg-type]
    assert warnings and "WARNING" in warnings[0] and "over TLS" in warnings[0]
    assert HMI not in repr(access)


@pytest.mark.parametrize(
    ("server", "code"),
    [
        ({"tls_cert": "cert.pem"}, "tls-incomplete"),
        ({"tls_cert": "missing.pem", "tls_key": "missing.key", "insecure": True}, "tls-unreadable"),
    ],
)
def test_serve_stops_on_a_tls_setting_it_cannot_use(tmp_path: Path, server: dict[str, object], code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        server_access(_settings(tmp_path, **server), lambda _w: None)  # type: ignore[arg-type]
    assert caught.value.code == code


async def test_cockpit_serve_flags_reach_the_settings(pki: _Pki) -> None:
    err = io.StringIO()
    flags = ["--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key)]
    status = await amain(["serve", "--port", "0", *flags], stdout=io.StringIO(), stderr=err)
    assert status == 2 and "insecure-refused" in err.getvalue() and "--tls-client-ca" in err.getvalue()
