"""The repository documents itself (docs/), and the docs cannot rot: the gRPC guide's Python client
runs, as written, against a real loopback server on the real service and car; and the pages name
every event type and field, intent, error code, DBC message and VSS signal the code has."""

from __future__ import annotations

import asyncio
import re
import sys
from importlib import resources
from pathlib import Path

import cantools

from cockpit import vss
from cockpit.catalogue import CATALOGUE
from cockpit.events import EventType
from cockpit.server import convert, start_server
from tests.conftest import Stack
from vehicle_contract.dbc import COCKPIT_DBC, DBC_PACKAGE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TESTED_MARKER = "<!-- tests/test_docs.py runs the next block against a real server -->"
RUN_TIMEOUT_S = 120
"""The example makes a handful of calls; the rest is a busy machine starting Python."""


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _client_example() -> str:
    text = _page("grpc.md")
    _, found, rest = text.partition(TESTED_MARKER)
    assert found, "grpc.md marks its client example"
    match = re.match(r"\s*```python\n(.*?)\n```", rest, re.DOTALL)
    assert match, "the marker is followed by a python block"
    return match.group(1)


async def test_the_grpc_guides_client_runs_against_a_real_server(stack: Stack, tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(_client_example(), encoding="utf-8")
    server, port = await start_server(stack.parts.service, host="127.0.0.1", port=0)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            f"127.0.0.1:{port}",
            cwd=tmp_path,  # as an HMI developer runs it: outside the repository, the stubs installed
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    finally:
        await server.stop(0)
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0] == "intent climate.set_temperature"
    assert lines[1:3] == [
        f"action {vss.DRIVER_TEMPERATURE} 21.0 ACTION_STATUS_SENT",
        f"action {vss.DRIVER_TEMPERATURE} 21.0 ACTION_STATUS_CONFIRMED",
    ]
    assert lines[3].startswith("reply ") and "21 degrees" in lines[3]
    assert f"state {vss.DRIVER_TEMPERATURE} 21.0" in lines
    assert "offer climate.set_temperature set the temperature to 21 degrees" in lines
    assert {line.split()[1] for line in lines if line.startswith("offer ")} == set(CATALOGUE) - {"dialogue.chat"}
    assert lines[-1] == "refused INVALID_ARGUMENT text-empty"
    assert stack.parts.service.vehicle_state()[vss.DRIVER_TEMPERATURE] == 21.0  # the car really changed


def _backticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`\s]+)`", text))


def test_events_page_names_every_event_type_and_field() -> None:
    named = _backticked(_page("events.md"))
    for type_ in EventType:
        assert type_.value in named, f"event type {type_.value} is not documented"
        for field in convert._PAYLOADS[type_]:
            assert field.key in named, f"{type_.value}.{field.key} is not documented"
    for intent in CATALOGUE:
        assert intent in _page("events.md"), f"intent {intent} is not documented"


def test_every_error_code_an_event_can_carry_is_documented() -> None:
    emitted = set()
    for path in (ROOT / "cockpit").rglob("*.py"):
        if "testing" in path.relative_to(ROOT / "cockpit").parts:
            continue  # the fakes' scripted errors are no part of the contract
        source = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'\bError\(\s*"([a-z0-9-]+)"', source))  # an ``error`` event's payload
    assert {"llm-busy", "llm-deadline", "llm-loading"} <= emitted
    missing = emitted - _backticked(_page("events.md"))
    assert not missing, f"error codes emitted but not documented: {sorted(missing)}"


_RAISED_CODE = r'(?:InputError|BadAudioError|RpcFailure)\(\s*(?:grpc\.StatusCode\.\w+,\s*)?"([a-z-]+)"'
"""The error code of an ``InputError("text-empty", ...)`` or ``RpcFailure(status, "code", ...)``."""


def test_grpc_guide_lists_every_status_code_the_servicer_raises() -> None:
    raised = set()
    for name in ("servicer.py", "status.py"):
        source = (ROOT / "cockpit" / "server" / name).read_text(encoding="utf-8")
        raised |= set(
            re.findall(r'(?:InputError|BadAudioError|RpcFailure)\(\s*(?:grpc\.StatusCode\.\w+,\s*)?"([a-z-]+)"', source)
        )
    assert {"text-empty", "config-first", "server-shutting-down"} <= raised
    missing = raised - _backticked(_page("grpc.md"))
    assert not missing, f"status error codes not in grpc.md: {sorted(missing)}"


def test_can_page_names_every_message_and_signal() -> None:
    page = _page("can.md")
    database = cantools.database.load_string((resources.files(DBC_PACKAGE) / COCKPIT_DBC).read_text("utf-8"))
    assert isinstance(database, cantools.database.can.Database)
    for message in database.messages:
        assert f"`{message.name}` | 0x{message.frame_id:X}" in page, f"{message.name} is not in the id table"
        for signal in message.signals:
            if signal.name not in ("CRC", "COUNTER"):
                assert signal.name in page, f"{message.name}.{signal.name} is not documented"
    for path in vss.SIGNALS:
        tail = path.rsplit(".", 1)[1]
        assert path in page or f".{tail}" in page, f"VSS signal {path} is not documented"


def test_layout_page_names_every_package() -> None:
    page = _page("layout.md")
    packages = [p.name for p in (ROOT / "cockpit").iterdir() if (p / "__init__.py").exists()]
    for name in packages:
        assert f"`{name}/`" in page, f"cockpit/{name} is not in layout.md"
    for name in ("skills", "vehicle_contract", "can_sim", "models", "bench", "protos", "tests", "script"):
        assert f"`{name}/" in page


def test_links_between_docs_and_from_the_readme_resolve() -> None:
    pages = [*DOCS.glob("*.md"), ROOT / "README.md"]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to a missing {target}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "DESIGN.md" not in readme, "users never see DESIGN.md: point at docs/"
    proto = (ROOT / "protos" / "cockpit" / "v1" / "cockpit.proto").read_text(encoding="utf-8")
    assert "DESIGN.md" not in proto and "docs/events.md" in proto
