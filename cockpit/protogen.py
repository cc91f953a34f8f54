"""Generate the gRPC code of ``protos/cockpit/v1`` into ``cockpit/v1`` (never edited, never committed).

Runs ``grpc_tools.protoc`` with ``-Iprotos`` so the modules land at ``cockpit/v1/*_pb2.py`` and
``*_pb2_grpc.py``, with ``.pyi`` stubs from mypy-protobuf, and writes ``cockpit/v1/__init__.py``.
The grpc stubs get a ``# mypy: ignore-errors`` first line: mypy still reads their types, but
does not report on generated code it cannot be told to skip otherwise (grpc itself is untyped).
grpcio-tools and mypy-protobuf are development dependencies, so only this module needs them::

    python script/gen_proto.py            # or: python -m cockpit.protogen
    python -m cockpit.protogen --out DIR  # generate elsewhere (the freshness test does)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout: ``protos/`` and ``cockpit/`` live here."""
PROTO_ROOT = REPO_ROOT / "protos"
"""The include root (``-Iprotos``): proto imports read ``cockpit/v1/...``."""
PACKAGE_DIR = Path("cockpit") / "v1"
"""Where the generated package lands, relative to the output root."""

INIT_TEXT = '''"""Generated from protos/cockpit/v1 by script/gen_proto.py: never edit, never commit."""
'''


UNCHECKED = "# mypy: ignore-errors\n"
"""First line of the generated grpc stubs (see the module docstring)."""


class ProtoGenError(RuntimeError):
    """protoc or one of its plugins is missing or failed."""


def proto_files(proto_root: Path = PROTO_ROOT) -> list[Path]:
    """The ``.proto`` files of the package, relative to ``proto_root``, sorted."""
    return sorted(p.relative_to(proto_root) for p in (proto_root / PACKAGE_DIR).glob("*.proto"))


def _plugin(name: str) -> str:
    """Path of a protoc plugin: beside this interpreter first (a venv), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise ProtoGenError(f"{name} not found; install the dev extras: pip install -e '.[dev]'")
    return found


def generate(out_root: Path = REPO_ROOT, proto_root: Path = PROTO_ROOT) -> list[Path]:
    """Generate the package under ``out_root``; returns the files written, relative to ``out_root``.

    Files of an earlier run that this run does not produce are removed, so a deleted proto leaves
    no stale module behind.
    """
    protos = proto_files(proto_root)
    if not protos:
        raise ProtoGenError(f"no .proto files under {proto_root / PACKAGE_DIR}")
    try:
        include = resources.files("grpc_tools") / "_proto"
    except ModuleNotFoundError as err:
        raise ProtoGenError("grpcio-tools is not installed; install the dev extras: pip install -e '.[dev]'") from err
    with tempfile.TemporaryDirectory(prefix="cockpit-proto-") as tmp:
        args = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{proto_root}",
            f"-I{include}",
            f"--plugin=protoc-gen-mypy={_plugin('protoc-gen-mypy')}",
            f"--plugin=protoc-gen-mypy_grpc={_plugin('protoc-gen-mypy_grpc')}",
            f"--python_out={tmp}",
            f"--grpc_python_out={tmp}",
            f"--mypy_out={tmp}",
            f"--mypy_grpc_out={tmp}",
            *(str(p) for p in protos),
        ]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ProtoGenError(f"protoc failed ({done.returncode}): {done.stderr.strip()}")
        staged = Path(tmp) / PACKAGE_DIR
        (staged / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")
        for stub in staged.glob("*_grpc.pyi"):
            stub.write_text(UNCHECKED + stub.read_text(encoding="utf-8"), encoding="utf-8")
        target = out_root / PACKAGE_DIR
        target.mkdir(parents=True, exist_ok=True)
        written = sorted(p.name for p in staged.iterdir() if p.is_file())
        for old in target.iterdir():
            if old.is_file() and old.name not in written:
                old.unlink()
        for name in written:
            shutil.copyfile(staged / name, target / name)
    return [PACKAGE_DIR / name for name in written]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate into the checkout (or ``--out``); exit status 1 on failure."""
    parser = argparse.ArgumentParser(prog="gen_proto", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT, help="output root (default: the checkout)")
    args = parser.parse_args(argv)
    try:
        files = generate(args.out)
    except ProtoGenError as err:
        print(f"gen_proto: {err}", file=sys.stderr)
        return 1
    print(f"gen_proto: wrote {len(files)} files to {args.out / PACKAGE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
