#!/usr/bin/env python3
"""Build (or find cached) the English domain language model from the skills' current templates.

Usage::

    python script/build_domain_lm.py

The model (:mod:`cockpit.asr.domain_lm`) is cached under the models cache keyed by the grammar's
content hash (``<cache>/domain-lm/<hash>.lm.bin``), so the service's first start does not spend
ten seconds building it. The service builds it itself when it is missing; this only does it early
(``script/setup.sh`` runs it). Prints the model's path.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Build the English command grammar's domain LM into the cache; print its path."""
    from cockpit.asr.sphinx_engine import MODEL_NAME, Decoding, PocketSphinxRecognizer
    from cockpit.settings import VoiceSettings
    from cockpit.voice.factory import command_grammars
    from models.store import ModelStore

    grammar = command_grammars(["en"], wake_models=VoiceSettings().wake_models)["en"]
    engine = PocketSphinxRecognizer(ModelStore().path(MODEL_NAME), "en", decoding=Decoding("lm", False, False))
    engine.set_grammar(grammar)
    print(engine.lm_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
