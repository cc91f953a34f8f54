#!/usr/bin/env python3
"""Synthesise the spoken turns of ``make demo`` with Piper (en_US-joe-medium), 16 kHz mono WAV.

Each says the wake word, a short pause, then the request. The same synthesis as the test
fixtures (``script/make_audio_fixtures.py``), so re-running reproduces the committed files.

Usage::

    python script/make_demo_audio.py [--out cockpit/demo_audio]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_audio_fixtures as fx

OUT = fx.ROOT / "cockpit" / "demo_audio"
UTTERANCES = (
    ("set_temperature", "Set the temperature to twenty one degrees."),
    ("navigate_shenzhen", "Navigate to Shenzhen."),
    ("play_jazz", "Play some jazz."),
    ("who_wrote_hamlet", "Who wrote the play Hamlet?"),
)
"""File stem and request of each spoken turn, in the order the demo plays them.

"Who wrote the play Hamlet?" rather than "Who wrote Hamlet?": PocketSphinx's free mode hears the
short form as "who wrote em what" (there is no English Vosk model on PyPI to do better)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Write the WAVs and ``demo_audio.json`` (text and sha256 of each)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    listing = []
    for stem, text in UTTERANCES:
        path = args.out / f"{stem}.wav"
        fx.write_wav(path, fx.synth("piper", ("Hey Jarvis.", text)))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listing.append({"file": path.name, "text": f"Hey Jarvis. {text}", "sha256": digest})
    (args.out / "demo_audio.json").write_text(json.dumps(listing, indent=2) + "\n")
    print(f"wrote {len(listing)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
