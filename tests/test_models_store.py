"""The model store: pinned sizes and digests, assembly from installed distributions, clear errors."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
from pathlib import Path

import pytest

from cockpit.errors import ModelStoreError
from models.cli import main as models_main
from models.store import ModelEntry, ModelStore, load_manifest, tree_digest


def _cantools_file(rel: str) -> bytes:
    return Path(str(md.distribution("cantools").locate_file(rel))).read_bytes()


def _concat_entry(sha: str, size: int) -> ModelEntry:
    parts = [
        {"dist": "cantools", "version": "0", "path": "cantools/__init__.py"},
        {"dist": "cantools", "version": "0", "path": "cantools/py.typed"},
    ]
    return ModelEntry("tiny", "llm", "MIT", size, sha, {"kind": "pypi-concat", "parts": parts}, file="tiny.bin")


def test_concat_assembles_in_order_and_verifies(tmp_path: Path) -> None:
    data = _cantools_file("cantools/__init__.py") + _cantools_file("cantools/py.typed")
    entry = _concat_entry(hashlib.sha256(data).hexdigest(), len(data))
    store = ModelStore(tmp_path, {"tiny": entry})
    with pytest.raises(ModelStoreError, match="run: cockpit models pull tiny"):
        store.path("tiny")
    path = store.pull("tiny")
    assert path.read_bytes() == data and store.path("tiny") == path
    path.write_bytes(data[:-1] + b"X")  # corruption of the same size is caught by a full check
    assert not store.verify_fully("tiny")


def test_wrong_pin_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, {"tiny": _concat_entry("0" * 64, 10)})
    with pytest.raises(ModelStoreError) as err:
        store.pull("tiny")
    assert err.value.code == "model-corrupt"
    assert not (tmp_path / "tiny.bin").exists()


def test_dir_models_are_checked_by_tree_digest(tmp_path: Path) -> None:
    root = Path(str(md.distribution("cantools").locate_file("cantools/subparsers")))
    size, digest = tree_digest(root)
    src = {"kind": "pypi-dir", "dist": "cantools", "version": "0", "path": "cantools/subparsers"}
    good = ModelStore(tmp_path, {"d": ModelEntry("d", "asr", "MIT", size, digest, src)})
    assert good.path("d") == root
    bad = ModelStore(tmp_path / "b", {"d": ModelEntry("d", "asr", "MIT", size, "f" * 64, src)})
    assert not bad.verify("d")


def test_unknown_model_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelStoreError, match="known: "):
        ModelStore(tmp_path).entry("gpt-9")


def test_manifest_covers_every_role_with_pins() -> None:
    entries = load_manifest()
    roles = {e.role for e in entries.values()}
    assert {"llm", "wake", "wake-features", "vad", "asr", "tts"} <= roles
    for e in entries.values():
        assert len(e.sha256) == 64 and e.size > 0 and e.licence
    assert entries["qwen2.5-0.5b-instruct-q4_k_m"].size == 491_400_064


def test_models_list_json_reports_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    rc = models_main(["list", "--json"])
    listed = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert {m["name"] for m in listed} == set(load_manifest())
    for m in listed:
        assert set(m) >= {"name", "role", "path", "size", "sha256", "verified"}
    gguf = next(m for m in listed if m["role"] == "llm")
    assert gguf["path"].endswith(".gguf")


def test_installed_models_verify() -> None:
    """The set-up pulls every model; each must match its pin (skipped only if set-up was not run)."""
    store = ModelStore()
    missing = [s.name for s in store.status() if not s.present]
    if missing:
        pytest.skip(f"models not pulled (run `make setup`): {', '.join(missing)}")
    assert [s.name for s in store.status() if not s.verified] == []
