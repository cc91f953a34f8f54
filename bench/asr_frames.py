"""The frames the voice front end hands its recogniser, per recording of the held-out spoken set.

Comparing decoders on the SAME audio means on the same endpointed utterances: each recording is
run once through the service's front end (wake word, end-of-speech detection) with a recogniser
that only records the frames it is given, and those utterances are cached beside the set
(``asr_frames-<key>.npz`` in the set's directory, which is keyed by its content; the key is the
wake and endpoint settings). Every decoder variant of :mod:`bench.asr_variants` then decodes
exactly these frames. A change to the wake word's or the endpointer's code that keeps their
settings needs the cache deleted by hand.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cockpit.asr.base import Mode, SpeechRecognizer


def cache_name() -> str:
    """File name of the cache, in the evaluation set's directory: keyed by the voice settings."""
    import hashlib

    from cockpit.endpoint.endpointer import EndpointConfig
    from cockpit.settings import VoiceSettings

    key = hashlib.sha256(repr((VoiceSettings(), EndpointConfig())).encode()).hexdigest()[:12]
    return f"asr_frames-{key}.npz"


class FrameTap(SpeechRecognizer):
    """Stands in for the recogniser: keeps each utterance's frames, decodes nothing."""

    engine = "tap"

    def __init__(self, language: str = "en") -> None:
        super().__init__(language)
        self.utterances: list[list[np.ndarray]] = []

    def _start(self, mode: Mode) -> None:
        self.utterances.append([])

    def _accept(self, pcm: bytes) -> str | None:
        self.utterances[-1].append(np.frombuffer(pcm, dtype=np.int16).copy())
        return None

    def _finish(self) -> tuple[str, float]:
        return "", 0.0

    def _cancel(self) -> None:
        if self.utterances and not self.utterances[-1]:
            self.utterances.pop()


def capture(stack: Any, wav: Path) -> tuple[bool, list[np.ndarray]]:
    """Whether the wake word fired, and each utterance of ``wav`` as one int16 array."""
    from cockpit.audio import wav_frames
    from cockpit.events import EventType

    events: list[Any] = []
    front = stack.front_end(events.append)
    stack.asr.release(front.recognizer)
    tap = FrameTap()
    front.recognizer = tap
    for f in wav_frames(wav):
        front.feed_frame(f)
    front.flush()
    front.reset()
    woke = any(e.type is EventType.WAKE for e in events)
    return woke, [np.concatenate(u) for u in tap.utterances if u]


def load_or_capture(root: Path, items: list[dict[str, Any]]) -> dict[str, tuple[bool, list[np.ndarray]]]:
    """Every item's (woke, utterances), from the cache, capturing (and caching) what is missing."""
    cache = root / cache_name()
    found: dict[str, tuple[bool, list[np.ndarray]]] = {}
    if cache.exists():
        with np.load(cache) as data:
            for key in data.files:
                if key.endswith("#woke"):
                    name = key[: -len("#woke")]
                    n = int(data[f"{name}#n"])
                    found[name] = (bool(data[key]), [data[f"{name}#{i}"] for i in range(n)])
    missing = [i for i in items if i["file"] not in found]
    if not missing:
        return found
    from cockpit.settings import VoiceSettings
    from cockpit.voice.factory import VoiceStack
    from models.store import ModelStore

    stack = VoiceStack(ModelStore(), VoiceSettings(), None)
    start = time.monotonic()
    for n, item in enumerate(missing):
        found[item["file"]] = capture(stack, root / item["file"])
        if (n + 1) % 100 == 0:
            print(f"asr_frames: {n + 1}/{len(missing)} ({time.monotonic() - start:.0f} s)", file=sys.stderr, flush=True)
    arrays: dict[str, np.ndarray] = {}
    for name, (woke, utts) in found.items():
        arrays[f"{name}#woke"] = np.array(woke)
        arrays[f"{name}#n"] = np.array(len(utts))
        for i, u in enumerate(utts):
            arrays[f"{name}#{i}"] = u
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(cache)
    return found


if __name__ == "__main__":
    from bench.voice_eval import eval_set

    set_root, manifest = eval_set()
    got = load_or_capture(set_root, list(manifest["items"]))
    print(f"{len(got)} recordings, {sum(len(u) for _, u in got.values())} utterances")
