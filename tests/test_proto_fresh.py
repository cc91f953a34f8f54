"""The generated ``cockpit/v1`` package matches what ``protos/`` generates now (not stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit import protogen


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    fresh = protogen.generate(tmp_path)
    installed = protogen.REPO_ROOT / protogen.PACKAGE_DIR
    if not installed.is_dir():
        pytest.fail(f"{installed} is missing; run: python script/gen_proto.py")
    expected = {p.name for p in fresh}
    actual = {p.name for p in installed.iterdir() if p.is_file()}
    assert actual == expected, "generated files differ from protos/; run: python script/gen_proto.py"
    stale = [
        name
        for name in sorted(expected)
        if (installed / name).read_bytes() != (tmp_path / protogen.PACKAGE_DIR / name).read_bytes()
    ]
    assert not stale, f"stale generated code {stale}; run: python script/gen_proto.py"


def test_every_proto_is_generated() -> None:
    names = {p.stem for p in protogen.proto_files()}
    assert names == {"cockpit", "bench"}
    for stem in names:
        for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi"):
            assert (protogen.REPO_ROOT / protogen.PACKAGE_DIR / f"{stem}{suffix}").is_file()


def test_bench_proto_declares_its_service() -> None:
    from cockpit.v1 import bench_pb2

    methods = {m.name for m in bench_pb2.DESCRIPTOR.services_by_name["Bench"].methods}
    assert methods == {
        "StreamFrames",
        "InjectFrame",
        "InjectFrames",
        "InjectSignal",
        "InjectFault",
        "ClearFault",
        "SetDriveProfile",
        "SetEcuRunning",
        "GetStats",
    }


def test_gen_proto_script_runs_from_anywhere(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = protogen.REPO_ROOT / "script" / "gen_proto.py"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cockpit" / "v1" / "cockpit_pb2.py").is_file()


def test_documented_text_limit_matches_the_service() -> None:
    from cockpit.service_api import MAX_TEXT_BYTES

    text = (protogen.PROTO_ROOT / "cockpit" / "v1" / "cockpit.proto").read_text(encoding="utf-8")
    assert f"{MAX_TEXT_BYTES} UTF-8 bytes" in text
