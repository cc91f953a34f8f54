"""The domain language model for PocketSphinx: built once per grammar, cached on disk, loaded.

:func:`domain_lm_path` returns the binary model of a command grammar, building it
(:func:`cockpit.asr.domain_lm.build_arpa`, about ten seconds) the first time that grammar's
content is seen and caching it under the models cache (``<cache>/domain-lm/<hash>.lm.bin``): the
templates change with the skills, so it is never a file of the repository. ``script/build_domain_lm.py``
builds it at set-up time so the first start does not wait. :func:`compounds` lists the
multi-word class members the model uses as single words, for the engine's dictionary.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pocketsphinx

from cockpit.asr.domain_lm import JOINER, build_arpa, cache_key
from cockpit.asr.grammar import CommandGrammar

SUBDIR = "domain-lm"
"""Folder of the models cache that holds the built language models."""


def default_dir() -> Path:
    """``<models cache>/domain-lm`` (``$COCKPIT_MODEL_DIR`` or ``~/.cache/cockpit/models``)."""
    from models.store import default_cache_dir

    return default_cache_dir() / SUBDIR


def domain_lm_path(
    grammar: CommandGrammar, decoder: pocketsphinx.Decoder, known: object, cache: Path | None = None
) -> Path:
    """The cached binary model of ``grammar`` (built now if missing); ``known(word)`` prunes."""
    folder = cache or default_dir()
    path = folder / f"{cache_key(grammar)}.lm.bin"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    arpa = build_arpa(grammar, known)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        text = Path(tmp) / "domain.arpa"
        text.write_text(arpa)
        model = pocketsphinx.NGramModel(decoder.config, decoder.get_logmath(), str(text))
        binary = Path(tmp) / "domain.lm.bin"
        model.write(str(binary), pocketsphinx.NGramModel.str_to_type("bin"))
        words = {w for line in arpa.splitlines() for w in line.split()[1:2] if JOINER in w}
        listed = Path(tmp) / "domain.compounds"
        listed.write_text("\n".join(sorted(words)) + "\n")
        os.replace(listed, _words_file(path))
        os.replace(binary, path)  # atomic: a second process building the same model is harmless
    return path


def compounds(path: Path, decoder: pocketsphinx.Decoder) -> dict[str, str]:
    """The compound words of a built model and their pronunciations (from their parts)."""
    found: dict[str, str] = {}
    for word in _words_file(path).read_text().split():
        if decoder.lookup_word(word) is not None:
            continue
        parts = [decoder.lookup_word(w) for w in word.split(JOINER)]
        if all(parts):
            found[word] = " ".join(p for p in parts if p)
    return found


def _words_file(path: Path) -> Path:
    """Beside a built model: its compound words, one a line."""
    return path.with_name(path.name.replace(".lm.bin", ".compounds"))
