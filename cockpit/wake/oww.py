"""openWakeWord's published ONNX models, run directly on ONNX Runtime.

The chain, per 80 ms frame, is the one ``openwakeword==0.5.1`` runs (``Model.predict`` with
``inference_framework="onnx"``), so the scores match the package's own:

1. melspectrogram: the frame plus the 480 samples before it -> 8 mel frames of 32 bins,
   transformed ``x / 10 + 2``;
2. embedding: the last 76 mel frames -> one 96-dimensional embedding;
3. one head per wake-word model: its last N embeddings (N = 16 for the published heads) -> score.

The first :data:`WARMUP_FRAMES` scores after a reset are 0, as in openWakeWord. Buffers are
bounded by named constants and start, after each reset, from a fixed state: mel frames of ones
and the embeddings of :data:`INIT_NOISE_SECONDS` of seeded noise (openWakeWord uses unseeded
noise; ours is the same idea, made reproducible).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cockpit.audio.format import FRAME_SAMPLES, SAMPLE_RATE
from cockpit.audio.onnx import OnnxModel
from cockpit.errors import WakeWordError
from cockpit.wake.base import WakeWordDetector
from cockpit.wake.verifier import WINDOW, WakeVerifier, shipped_verifier

MEL_CONTEXT_SAMPLES = 480
"""Samples before the frame that the melspectrogram also sees (3 hops of 160)."""
MEL_BINS = 32
"""Mel bins per mel frame."""
MEL_WINDOW = 76
"""Mel frames per embedding window."""
MEL_STEP = 8
"""Mel frames per 80 ms frame (and the stride between embedding windows)."""
EMBEDDING_DIM = 96
"""Size of one embedding."""
WARMUP_FRAMES = 5
"""Scores forced to 0 after a reset, while the buffers fill (as openWakeWord)."""
INIT_NOISE_SECONDS = 4
"""Seconds of seeded noise whose embeddings fill the feature buffer after a reset."""
INIT_NOISE_SEED = 0
"""Seed of that noise."""
INIT_NOISE_AMPLITUDE = 1000
"""Peak of that noise (int16 scale), as openWakeWord."""

FEATURE_MODELS = ("melspectrogram", "embedding_model")
"""Manifest names of the shared feature models."""


def _mel_transform(spec: np.ndarray) -> np.ndarray:
    return spec / 10.0 + 2.0


class WakeModels:
    """openWakeWord's feature models and heads, loaded once and shared by detectors.

    ONNX Runtime sessions may run concurrently, so one set serves every stream; each
    :class:`OnnxWakeWordDetector` keeps its own buffers. ``heads`` maps each wake-word
    model's name (e.g. ``hey_jarvis_v0.1``) to its ONNX file; ``verifiers`` the heads that have a
    second stage (:mod:`cockpit.wake.verifier`) to it.
    """

    def __init__(
        self,
        melspectrogram: str | Path,
        embedding: str | Path,
        heads: Mapping[str, str | Path],
        verifiers: Mapping[str, WakeVerifier] | None = None,
    ) -> None:
        if not heads:
            raise WakeWordError("no-wake-models", "at least one wake-word model is needed")
        self.mel = OnnxModel(melspectrogram)
        """The melspectrogram model."""
        self.embed = OnnxModel(embedding)
        """The embedding model."""
        self.heads = {name: OnnxModel(path) for name, path in heads.items()}
        """One classifier per wake-word model, by name."""
        self.head_frames: dict[str, int] = {}
        """How many embeddings each head looks at."""
        for name, head in self.heads.items():
            n = head.input_shapes[0][1]
            if not isinstance(n, int) or n < 1:
                raise WakeWordError("bad-wake-model", f"wake-word model {name} has no fixed input length")
            self.head_frames[name] = n
        self.verifiers = {name: v for name, v in (verifiers or {}).items() if name in self.heads}
        """Second stages, by head name (heads without one fire on their score alone)."""
        if any(self.head_frames[name] != WINDOW for name in self.verifiers):
            raise WakeWordError("bad-wake-verifier", f"wake verifiers need heads that score {WINDOW} embeddings")
        self.history = max(self.head_frames.values())
        """Embeddings kept per stream (the longest head input)."""
        self.initial_features = self._noise_features()
        """The feature buffer every reset starts from (rows of embeddings, oldest first)."""

    @classmethod
    def from_store(cls, store: Any, models: Iterable[str] = ("hey_jarvis_v0.1",), verify: bool = True) -> WakeModels:
        """Load the verified artefacts of a :class:`models.store.ModelStore`, with the verifiers
        fitted for them (``verify=False``: without)."""
        mel, embed = (store.path(name) for name in FEATURE_MODELS)
        models = tuple(models)
        verifiers = {n: v for n in models if (v := shipped_verifier(n)) is not None} if verify else {}
        return cls(mel, embed, {name: store.path(name) for name in models}, verifiers)

    def melspectrogram(self, samples: np.ndarray) -> np.ndarray:
        """Mel frames (rows of 32 bins, openWakeWord's transform applied) of int16 samples."""
        spec = self.mel.run1(samples.astype(np.float32)[None, :])
        return _mel_transform(np.squeeze(spec)).reshape(-1, MEL_BINS)

    def _noise_features(self) -> np.ndarray:
        rng = np.random.default_rng(INIT_NOISE_SEED)
        noise = rng.integers(-INIT_NOISE_AMPLITUDE, INIT_NOISE_AMPLITUDE, SAMPLE_RATE * INIT_NOISE_SECONDS)
        spec = self.melspectrogram(noise.astype(np.int16))
        windows = [spec[i : i + MEL_WINDOW] for i in range(0, len(spec) - MEL_WINDOW + 1, MEL_STEP)]
        batch = np.asarray(windows, dtype=np.float32)[..., None]
        return self.embed.run1(batch).reshape(-1, EMBEDDING_DIM)[-self.history :]


class OnnxWakeWordDetector(WakeWordDetector):
    """Wake-word detection with openWakeWord's ONNX models on ONNX Runtime (one per stream)."""

    def __init__(self, models: WakeModels, threshold: float = 0.5) -> None:
        super().__init__(threshold)
        self._m = models
        self._reset()

    @classmethod
    def from_store(
        cls, store: Any, models: Iterable[str] = ("hey_jarvis_v0.1",), threshold: float = 0.5
    ) -> OnnxWakeWordDetector:
        """A detector with its own freshly loaded models (see :class:`WakeModels` to share them)."""
        return cls(WakeModels.from_store(store, models), threshold)

    @property
    def models(self) -> tuple[str, ...]:
        """Names of the wake-word heads, in the order given."""
        return tuple(self._m.heads)

    @property
    def initial_features(self) -> np.ndarray:
        """The feature buffer every reset starts from."""
        return self._m.initial_features

    @property
    def features(self) -> np.ndarray:
        """The embeddings the heads scored the last frame on (rows of 96, oldest first)."""
        return np.asarray(self._features, dtype=np.float32)

    def _confirm(self, model: str) -> bool:
        verifier = self._m.verifiers.get(model)
        return verifier is None or verifier.accepts(np.asarray(self._features, dtype=np.float32)[-WINDOW:])

    def _reset(self) -> None:
        self._raw = np.zeros(0, dtype=np.int16)
        self._mel_frames: deque[np.ndarray] = deque(np.ones((MEL_WINDOW, MEL_BINS)), maxlen=MEL_WINDOW)
        self._features: deque[np.ndarray] = deque(self._m.initial_features, maxlen=self._m.history)
        self._scored = 0

    def _scores(self, frame: np.ndarray) -> Mapping[str, float]:
        audio = np.concatenate((self._raw, frame))
        self._raw = audio[-MEL_CONTEXT_SAMPLES:]
        self._mel_frames.extend(self._m.melspectrogram(audio))
        window = np.asarray(self._mel_frames, dtype=np.float32)[None, :, :, None]
        self._features.append(self._m.embed.run1(window).reshape(EMBEDDING_DIM))
        features = np.asarray(self._features, dtype=np.float32)
        scores = {}
        for name, head in self._m.heads.items():
            x = features[-self._m.head_frames[name] :][None, :, :]
            scores[name] = float(head.run1(x).reshape(-1)[0])
        self._scored += 1
        if self._scored <= WARMUP_FRAMES:
            return dict.fromkeys(scores, 0.0)
        return scores


assert FRAME_SAMPLES == MEL_STEP * 160, "an 80 ms frame is 8 mel hops of 10 ms"
