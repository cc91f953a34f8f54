"""A second stage for the wake word: a small logistic model on the embeddings the head scored.

openWakeWord's "custom verifier" idea: when a head's score passes its (low) threshold, a logistic
regression looks at the same embeddings and decides. Ours sees a summary of the head's window of
:data:`WINDOW` embeddings (per dimension: the mean, the maximum and the mean of the last
:data:`TAIL` rows), standardised, and accepts at or above its own threshold. It was fitted by
``script/train_wake_verifier.py`` on the *tuning* half of the spoken evaluation set (wake words
said by a dozen synthetic voices) against the tuning half of the background audio
(:mod:`bench.wake_background`); the threshold was chosen there too, by leaving each voice out.

The fitted weights are plain JSON beside this module (``verifiers/<model>.json``), with what they
were fitted on; only numpy is needed to run them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cockpit.errors import WakeWordError

WINDOW = 16
"""Embeddings the verifier looks at: the window the published heads score."""
TAIL = 4
"""Most recent embeddings averaged apart (where the wake word ends)."""
EMBEDDING_DIM = 96
"""Size of one embedding."""
VERIFIER_DIR = Path(__file__).resolve().parent / "verifiers"
"""Where the fitted verifiers are, one JSON file per wake-word model."""


def summarise(window: np.ndarray) -> np.ndarray:
    """The verifier's input for one window (``(WINDOW, 96)``) or many (``(n, WINDOW, 96)``)."""
    w = np.asarray(window, dtype=np.float32)
    return np.concatenate([w.mean(-2), w.max(-2), w[..., -TAIL:, :].mean(-2)], axis=-1)


@dataclass(frozen=True)
class WakeVerifier:
    """Logistic regression over :func:`summarise` of the head's window; accepts at ``threshold``."""

    mean: np.ndarray
    """Per-feature mean of the training data (standardisation)."""
    scale: np.ndarray
    """Per-feature standard deviation of the training data."""
    coef: np.ndarray
    """Weights of the standardised features."""
    intercept: float
    """Bias."""
    threshold: float
    """Probability at or above which the wake word is accepted."""
    info: dict[str, Any]
    """What it was fitted on, and how its threshold was chosen."""

    def __post_init__(self) -> None:
        n = 3 * EMBEDDING_DIM
        if not (self.mean.shape == self.scale.shape == self.coef.shape == (n,)) or not 0.0 < self.threshold < 1.0:
            raise WakeWordError("bad-wake-verifier", f"a wake verifier needs {n} weights and a threshold in (0, 1)")

    def probability(self, windows: np.ndarray) -> np.ndarray | float:
        """Probability that the window (or each of ``(n, WINDOW, 96)`` windows) ends on the wake word."""
        return self.probability_of(summarise(windows))

    def probability_of(self, summaries: np.ndarray) -> np.ndarray | float:
        """The same, from :func:`summarise` output."""
        z = (np.asarray(summaries) - self.mean) / self.scale @ self.coef + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
        return float(p) if np.ndim(p) == 0 else np.asarray(p)

    def accepts(self, window: np.ndarray) -> bool:
        """Whether one window passes."""
        return float(self.probability(window)) >= self.threshold

    def to_json(self) -> str:
        """The file form."""
        return json.dumps(
            {
                "features": f"mean, max and last-{TAIL} mean of {WINDOW} embeddings",
                "threshold": self.threshold,
                "intercept": self.intercept,
                "mean": [round(float(x), 6) for x in self.mean],
                "scale": [round(float(x), 6) for x in self.scale],
                "coef": [round(float(x), 6) for x in self.coef],
                "info": self.info,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> WakeVerifier:
        """Read the file form."""
        try:
            raw = json.loads(text)
            return cls(
                np.asarray(raw["mean"], dtype=np.float32),
                np.asarray(raw["scale"], dtype=np.float32),
                np.asarray(raw["coef"], dtype=np.float32),
                float(raw["intercept"]),
                float(raw["threshold"]),
                dict(raw.get("info", {})),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise WakeWordError("bad-wake-verifier", f"unreadable wake verifier: {err}") from err


def verifier_path(model: str) -> Path:
    """Where the verifier of wake-word model ``model`` is kept."""
    return VERIFIER_DIR / f"{model}.json"


def shipped_verifier(model: str) -> WakeVerifier | None:
    """The verifier fitted for ``model``, or None if there is none."""
    path = verifier_path(model)
    return WakeVerifier.from_json(path.read_text()) if path.exists() else None
