#!/usr/bin/env python3
"""Measure the cepstral mean PocketSphinx starts every utterance from (``CMN_INIT``).

Each recording of the *tuning* half of the held-out spoken set (``script/make_eval_set.py``,
built into the cache if missing) is run through PocketSphinx's front end alone (no search), as
one whole utterance, so that its cepstral mean is the utterance's own (batch CMN). The printed
value is the mean over all of them; :data:`cockpit.asr.sphinx_engine.CMN_INIT` holds it. The
test half is never read.

Usage::

    python script/measure_cmn.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.voice_eval import eval_set  # noqa: E402
from cockpit.audio import read_wav  # noqa: E402
from cockpit.audio.filters import HighPass  # noqa: E402
from models.store import ModelStore  # noqa: E402


def utterance_mean(decoder: object, audio: np.ndarray) -> list[float]:
    """The batch cepstral mean of one recording (as the recogniser sees it: high-passed)."""
    pcm = HighPass().process(audio).tobytes()
    decoder.start_utt()  # type: ignore[attr-defined]
    decoder.process_raw(pcm, no_search=True, full_utt=True)  # type: ignore[attr-defined]
    decoder.end_utt()  # type: ignore[attr-defined]
    return [float(x) for x in decoder.get_cmn(False).split(",")]  # type: ignore[attr-defined]


def main() -> int:
    """Print the mean cepstrum of the tuning half."""
    import pocketsphinx

    root = ModelStore().path("pocketsphinx-en-us")
    directory, manifest = eval_set()
    tune = [i for i in manifest["items"] if i["split"] == "tune"]
    means = []
    for item in tune:
        # A new decoder each time: batch CMN is used only until a decoder has streamed once.
        decoder = pocketsphinx.Decoder(
            hmm=str(root / "en-us"), allphone=str(root / "en-us-phone.lm.bin"), loglevel="FATAL"
        )
        means.append(utterance_mean(decoder, read_wav(directory / item["file"])))
    mean = np.mean(np.array(means), axis=0)
    print(f"{len(means)} tuning recordings; CMN_INIT =")
    print(",".join(f"{x:.2f}" for x in mean))
    return 0


if __name__ == "__main__":
    sys.exit(main())
