"""The acoustic-adaptation experiment's seams (``script/adapt_acoustic.py``, ``Decoding.mllr``).

The quantised mixture weights come back as a proper ``mixture_weights`` file (every senone's
weights a distribution, the dimensions sphinxtrain reads); a decoder reading an MLLR transform
hears what the transform says: the identity transform changes no transcript, a scrambled one
does.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from cockpit.audio import read_wav
from models.store import ModelStore

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
SPOKEN = ("wake_set_temperature_piper", "wake_next_track_espeak_noisy")
VOICE_MODELS = ("pocketsphinx-en-us",)


@pytest.fixture(scope="module", autouse=True)
def _voice_models() -> None:
    missing = [n for n in VOICE_MODELS if not ModelStore().verify(n)]
    if missing:
        pytest.skip(f"voice models not installed: {missing} (run: cockpit models pull)")


def _script() -> object:
    sys.path.insert(0, str(ROOT / "script"))
    import adapt_acoustic

    return adapt_acoustic


def _read_mixw(path: Path) -> np.ndarray:
    data = path.read_bytes()
    start = data.index(b"endhdr\n") + len(b"endhdr\n")
    assert data.startswith(b"s3\n") and start % 4 == 0
    (magic,) = struct.unpack_from("=i", data, start)
    assert magic == 0x11223344
    d1, d2, d3, n = struct.unpack_from("=IIII", data, start + 4)
    assert n == d1 * d2 * d3
    return np.frombuffer(data, dtype="<f4", count=n, offset=start + 20).reshape(d1, d2, d3)


def test_quantised_weights_come_back_as_distributions(tmp_path: Path) -> None:
    script = _script()
    hmm = Path(ModelStore().path("pocketsphinx-en-us")) / "en-us"
    shape = script.sendump_to_mixw(hmm / "sendump", tmp_path / "mixture_weights")  # type: ignore[attr-defined]
    weights = _read_mixw(tmp_path / "mixture_weights")
    assert weights.shape == tuple(shape) == (5126, 3, 128)  # senones, streams, Gaussians per codebook
    assert np.allclose(weights.sum(axis=2), 1.0, atol=1e-4)
    assert (weights > 0).all()


def _transform(path: Path, a: np.ndarray) -> Path:
    """An MLLR file (one class, three streams of 13): mean' = a @ mean + 0, variances unscaled."""
    lines = ["1", "3"]
    for _ in range(3):
        lines.append("13")
        lines += [" ".join(f"{v:.6f}" for v in row) for row in a]
        lines.append(" ".join(["0.0"] * 13))
        lines.append(" ".join(["1.0"] * 13))
    path.write_text("\n".join(lines) + "\n")
    return path


def _heard(mllr: Path | None) -> list[str]:
    from cockpit.asr.base import Mode
    from cockpit.asr.sphinx_engine import Decoding, PocketSphinxRecognizer
    from cockpit.audio import FRAME_SAMPLES

    rec = PocketSphinxRecognizer(
        ModelStore().path("pocketsphinx-en-us"),
        decoding=Decoding(phone_rival=False, free_rival=False, mllr=None if mllr is None else str(mllr)),
    )
    texts = []
    for name in SPOKEN:
        audio = read_wav(FIXTURES / f"{name}.wav")
        rec.start(Mode.FREE)
        for i in range(0, len(audio), FRAME_SAMPLES):
            rec.accept(audio[i : i + FRAME_SAMPLES])
        texts.append(rec.finish().text)
    return texts


def test_a_decoder_hears_through_its_transform(tmp_path: Path) -> None:
    shipped = _heard(None)
    assert any("temperature" in t for t in shipped)
    assert _heard(_transform(tmp_path / "identity", np.eye(13))) == shipped
    scrambled = np.roll(np.eye(13), 5, axis=1) * 3.0
    assert _heard(_transform(tmp_path / "scrambled", scrambled)) != shipped
