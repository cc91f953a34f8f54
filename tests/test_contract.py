"""One vehicle contract, imported by both sides, and a bench that stands without the service.

``vehicle_contract`` owns what the cockpit and the CAN bench both speak (DBC files, E2E, BYD's
checksum, the ACK convention, VSS signals, the shared errors). ``can_sim`` may import it and
nothing of the service; the contract imports neither side. A running cockpit's bus is reached
through the python-can interface ``cockpit``, which the cockpit package registers with python-can,
so ``can-sim --server`` and any python-can tool reach it by name.
"""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from can_sim.bus import BusConfig
from can_sim.tap import BusTap
from tests.test_bench_grpc import Served, eventually, serve_stack, shut

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("vehicle_contract", "can_sim", "cockpit", "skills", "models", "bench")
"""The top-level packages of the repository."""
SERVICE_SIDE = ("cockpit", "skills", "models", "grpc")
"""What the bench must not load: the service, its skills and model store, and gRPC."""
RUN_TIMEOUT_S = 120.0
"""A fresh Python importing python-can, cantools and grpc on a busy 2-core machine."""
PROBE_ID = 0x7AB
"""A frame id no DBC uses, sent by the python-can client onto the server's bus."""


def _loaded_after(imports: str) -> list[str]:
    """The top-level-package modules a fresh interpreter holds after ``imports`` (run outside the repo)."""
    code = f"{imports}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=ROOT.parent
    )
    assert done.returncode == 0, done.stderr
    return [str(m) for m in json.loads(done.stdout)]


def _service_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in SERVICE_SIDE]


def test_can_sim_and_its_cli_load_nothing_of_the_service() -> None:
    modules = _loaded_after("import can_sim, can_sim.cli, can_sim.remote")
    assert "can_sim.cli" in modules and "vehicle_contract.dbc" in modules
    assert _service_modules(modules) == []


def test_every_can_sim_module_loads_nothing_of_the_service() -> None:
    names = sorted(f"can_sim.{p.stem}" for p in (ROOT / "can_sim").glob("*.py") if p.stem != "__init__")
    modules = _loaded_after("\n".join(f"import {name}" for name in names))
    assert set(names) <= set(modules)
    assert _service_modules(modules) == []


def test_the_contract_imports_neither_side() -> None:
    names = sorted(f"vehicle_contract.{p.stem}" for p in (ROOT / "vehicle_contract").glob("*.py"))
    modules = _loaded_after("\n".join(f"import {name}" for name in [*names, "vehicle_contract.dbc"]))
    assert [m for m in modules if m.split(".")[0] in ("can_sim", *SERVICE_SIDE)] == []


def _imports(package: str) -> Iterator[tuple[str, str]]:
    """(file, imported top-level package) for every import in ``package``, lazy ones included."""
    for path in sorted((ROOT / package).rglob("*.py")):
        if "v1" in path.relative_to(ROOT).parts:
            continue  # generated gRPC code
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield str(path.relative_to(ROOT)), name.split(".")[0]


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for package in PACKAGES:
        graph[package] |= {top for _, top in _imports(package) if top in PACKAGES and top != package}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one package (each holds a cycle)."""

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    reach = {p: reaches(p) for p in graph}
    components = {frozenset({p, *(q for q in reach[p] if p in reach[q])}) for p in graph}
    return [set(c) for c in components if len(c) > 1]


def test_the_bench_and_the_contract_import_down_only_even_lazily() -> None:
    bench_imports = {(f, top) for f, top in _imports("can_sim") if top in PACKAGES and top != "can_sim"}
    assert {top for _, top in bench_imports} <= {"vehicle_contract"}, sorted(bench_imports)
    contract_imports = {(f, top) for f, top in _imports("vehicle_contract") if top in PACKAGES}
    assert {top for _, top in contract_imports} <= {"vehicle_contract"}, sorted(contract_imports)
    assert not [f for f, top in _imports("can_sim") if top == "grpc"]


def test_no_cycle_runs_through_the_contract_or_the_bench() -> None:
    graph = _package_graph()
    assert graph["vehicle_contract"] == set()
    assert graph["can_sim"] == {"vehicle_contract"}
    assert {"can_sim", "vehicle_contract"} <= graph["cockpit"]  # the service runs the car, speaks the contract
    for cycle in _cycles(graph):
        assert not cycle & {"vehicle_contract", "can_sim"}, cycle


def test_no_cycle_between_any_packages() -> None:
    graph = _package_graph()
    assert _cycles(graph) == []
    assert "skills" not in graph["cockpit"]  # the service loads skills by name, as plug-ins
    assert "cockpit" not in graph["models"]


# -- the python-can interface "cockpit", against a running loopback server ---------------------


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    s = await serve_stack()
    try:
        yield s
    finally:
        await shut(s)


async def _run(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT.parent, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_can_sim_monitor_with_server_shows_the_servers_car(served: Served) -> None:
    can_sim = str(Path(sys.executable).parent / "can-sim")
    out = await _run(can_sim, "monitor", "--server", served.target, "--trace", "--duration", "2")
    lines = out.splitlines()
    assert any("HVAC_STATUS" in line and "ACK_COUNTER" in line for line in lines), out[-2000:]
    assert any("WHEELSPEED_CLEAN" in line for line in lines), out[-2000:]


PYTHON_CAN_CLIENT = f"""
import sys
import can

bus = can.Bus(interface="cockpit", channel=sys.argv[1])
try:
    heard = bus.recv(timeout=10.0)
    print("heard", hex(heard.arbitration_id))
    bus.send(can.Message(arbitration_id={PROBE_ID:#x}, data=bytes([1, 2, 3]), is_extended_id=False))
    bus.flush_tx_buffer()
    print("sent", type(bus).__name__)
finally:
    bus.shutdown()
"""


async def test_any_python_can_program_reaches_the_servers_bus_by_interface_name(served: Served) -> None:
    with BusTap(BusConfig("virtual", served.stack.parts.settings.can.channel), ids={PROBE_ID}) as tap:
        out = await _run(sys.executable, "-c", PYTHON_CAN_CLIENT, served.target)
        await eventually(lambda: bool(tap.frames(PROBE_ID)), timeout=5.0)
        probes = tap.frames(PROBE_ID)
    heard = out.splitlines()[0].split()
    assert heard[0] == "heard" and int(heard[1], 16) > 0  # a frame of the server's car
    assert "sent CockpitBus" in out
    assert [bytes(m.data) for m in probes] == [bytes([1, 2, 3])]  # the cockpit's own bus carried it, once
