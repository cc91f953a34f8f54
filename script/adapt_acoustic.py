#!/usr/bin/env python3
"""Adapt PocketSphinx's US-English acoustic model (MLLR or MAP) from tuning audio only: an experiment.

The bundled acoustic model was trained on read human speech; the held-out spoken set is
synthetic (Piper, flite, espeak-ng) and in cabin noise. Two standard adaptations learn from
speech with known words:

- **MLLR**: one affine map of all Gaussian means (``mllr_solve``); the decoder reads it beside the
  unchanged model (``Decoding(mllr=...)``, ``bench.asr_variants --mllr``).
- **MAP**: every Gaussian moved towards the adaptation data (``map_adapt``, then ``mk_s2sendump``);
  a whole new model directory (judged here by its free-decoding word error rate).

The adaptation speech is the *tuning* half of the held-out spoken set: the utterance the service's
front end hands the recogniser for each tuning recording (wake word and end-of-speech detection
done, high-pass filtered as the engine filters it), with its sentence's words. The test half and
the fresh set are never read. ``--part A|B`` keeps one hash half of the tuning sentences
(:func:`bench.asr_variants.sentence_part`), so a model can be judged on tuning sentences it did
not learn from. ``--human`` prints the free-decoding word error rate on the only recordings of
real human speech this machine has (Debian ``pocketsphinx-testdata``: five LibriVox sentences),
because a car is driven by people, not by synthesisers.

**Result (2026-12-05), learnt on tuning half A (180 utterances), judged on tuning half B**:
free-decoding WER 0.740 as shipped, 0.719 with MLLR, 0.440 with MAP; but MAP made the most human
of the voices worse (Piper ``joe`` 0.29 -> 0.50) and real human speech worse (LibriVox 0.28 ->
0.35): it learns espeak-ng's formant voices (WER about 1.0 -> 0.3-0.6), not the cabin. MLLR
lowered real-speech WER a little (0.28 -> 0.24) but did not help commands: the grammar-only
engine on half B went from 0.450 to 0.444 intent accuracy and 21.1 % to 23.4 % wrong actions
(the hybrid, with an earlier feature pipeline: 0.427 -> 0.404, 11.1 % -> 15.8 %). Neither is
shipped.

Steps (Debian ``sphinxtrain``, ``sphinxbase-utils`` and ``pocketsphinx``, installed by
``script/setup.sh``): the model's binary ``mdef`` to text (``pocketsphinx_mdef_convert``), its
quantised mixture weights (``sendump``) back to ``mixture_weights`` (:func:`sendump_to_mixw`),
cepstra with the model's front-end parameters (``sphinx_fe``, no silence removal), Baum-Welch
statistics with the engine's live cepstral mean (``bw``), then the transform or the new model.
Utterances with a word outside the dictionary, or cut into two, are left out.

Usage::

    python script/adapt_acoustic.py --out DIR [--part A|B] [--map] [--human]
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPHINXTRAIN = Path("/usr/lib/sphinxtrain")
"""Where Debian's ``sphinxtrain`` puts ``bw`` and ``mllr_solve``."""
MODEL_FILES = ("means", "variances", "transition_matrices", "noisedict", "feat.params", "sendump")


def _run(cmd: Sequence[str], log: Path) -> None:
    with log.open("a") as out:
        out.write("$ " + " ".join(cmd) + "\n")
        out.flush()
        done = subprocess.run(list(cmd), stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}); see {log}")


def sendump_to_mixw(sendump: Path, out: Path) -> tuple[int, int, int]:
    """Write the ``mixture_weights`` file that ``sendump`` (8-bit, log-quantised) was made from."""
    data = sendump.read_bytes()
    pos = 0
    fmt = "<I"

    def read_int() -> int:
        nonlocal pos, fmt
        (value,) = struct.unpack_from(fmt, data, pos)
        if value > 65536 and fmt == "<I":
            fmt = ">I"
            (value,) = struct.unpack_from(fmt, data, pos)
        pos += 4
        return int(value)

    def read_str() -> str | None:
        nonlocal pos
        n = read_int()
        if n == 0:
            return None
        text = data[pos : pos + n - 1].decode()
        pos += n
        return text

    read_str()  # title
    header: dict[str, int] = {}
    while (line := read_str()) is not None:
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            header[key] = int(value)
    features, shift = header["feature_count"], header.get("mixw_shift", 10)
    if header.get("cluster_count", 0):
        raise SystemExit("clustered sendump files are not supported")
    models = read_int()  # Gaussians per codebook
    mixtures = read_int()  # senones
    weights = np.empty((mixtures, features, models), dtype=np.float64)
    for f in range(features):
        for m in range(models):
            raw = np.frombuffer(data, dtype=np.uint8, count=mixtures, offset=pos).astype(np.int64)
            pos += mixtures
            weights[:, f, m] = np.power(1.0001, -(raw << shift).astype(np.float64))
    weights /= weights.sum(axis=2, keepdims=True)
    with out.open("wb") as fh:
        head = b"s3\nversion 1.0\n"
        pad = (len(head) + len(b"endhdr\n")) & 3
        fh.write(head + (b" " * (4 - pad) if pad else b"") + b"endhdr\n")
        fh.write(struct.pack("=i", 0x11223344))
        d1, d2, d3 = weights.shape
        fh.write(struct.pack("=IIII", d1, d2, d3, d1 * d2 * d3))
        weights.astype("<f4").tofile(fh)
    return weights.shape


def _words(text: str) -> list[str]:
    from bench.voice_eval_set import normalise

    return normalise(text).split()


def training_items(part: str | None, wavdir: Path) -> list[tuple[Path, list[str]]]:
    """(wav, words) for every tuning recording (of one :func:`~bench.asr_variants.sentence_part`
    of its sentences with ``part``): the utterance the service's front end hands the recogniser
    (after the wake word and end-of-speech detection, :mod:`bench.asr_frames`), high-pass
    filtered as the engine filters it, written to ``wavdir``. Recordings cut into more than one
    utterance are left out (their words cannot be told apart)."""
    from bench.asr_frames import load_or_capture
    from bench.asr_variants import sentence_part
    from bench.voice_eval import eval_set
    from bench.voice_eval_set import load_sentences
    from cockpit.audio.filters import HighPass
    from cockpit.audio.wav import write_wav

    root, manifest = eval_set()
    sentences = {s.id: s for s in load_sentences()}
    items = [i for i in manifest["items"] if sentences[i["sentence_id"]].split == "tune"]
    if part is not None:
        items = [i for i in items if sentence_part(i["sentence_id"]) == part]
    audio = load_or_capture(root, items)
    wavdir.mkdir(parents=True, exist_ok=True)
    chosen = []
    for item in items:
        _woke, utterances = audio[item["file"]]
        if len(utterances) != 1:
            continue
        wav = wavdir / item["file"]
        write_wav(wav, HighPass().process(utterances[0]))
        chosen.append((wav, _words(sentences[item["sentence_id"]].text)))
    return chosen


def _dictionary(path: Path) -> set[str]:
    return {line.split()[0].split("(")[0] for line in path.read_text().splitlines() if line.strip()}


def adapt(out: Path, part: str | None) -> Path:
    """Build the transform into ``out``; returns the ``mllr_matrix`` path."""
    from cockpit.asr.sphinx_engine import CMN_INIT

    hmm = _hmm()
    dictionary = hmm.parent / "cmudict-en-us.dict"
    out.mkdir(parents=True, exist_ok=True)
    log = out / "adapt.log"
    log.write_text("")
    model = out / "model"
    model.mkdir(exist_ok=True)
    for name in MODEL_FILES:
        shutil.copy2(hmm / name, model / name)
    _run(["pocketsphinx_mdef_convert", "-text", str(hmm / "mdef"), str(model / "mdef.txt")], log)
    sendump_to_mixw(hmm / "sendump", model / "mixture_weights")
    known = _dictionary(dictionary)
    items = [(wav, words) for wav, words in training_items(part, out / "wav") if all(w in known for w in words)]
    mfc = out / "mfc"
    mfc.mkdir(exist_ok=True)
    ids = [wav.stem for wav, _ in items]
    (out / "adapt.fileids").write_text("".join(f"{i}\n" for i in ids))
    (out / "adapt.transcription").write_text(
        "".join(f"<s> {' '.join(words)} </s> ({wav.stem})\n" for wav, words in items)
    )
    wavdir = items[0][0].parent
    params = [a for line in (hmm / "feat.params").read_text().splitlines() for a in line.split()]
    fe_args = []
    for key in ("-lowerf", "-upperf", "-nfilt", "-transform", "-lifter"):
        fe_args += [key, params[params.index(key) + 1]]
    _run(
        ["sphinx_fe", *fe_args, "-samprate", "16000", "-c", str(out / "adapt.fileids"), "-di", str(wavdir),
         "-do", str(mfc), "-ei", "wav", "-eo", "mfc", "-mswav", "yes", "-remove_silence", "no"],
        log,
    )  # fmt: skip
    accum = out / "accum"
    accum.mkdir(exist_ok=True)
    _run(
        [str(SPHINXTRAIN / "bw"), "-moddeffn", str(model / "mdef.txt"), "-meanfn", str(model / "means"),
         "-varfn", str(model / "variances"), "-mixwfn", str(model / "mixture_weights"),
         "-tmatfn", str(model / "transition_matrices"),
         "-ts2cbfn", ".ptm.", "-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38", "-cmn", "live", "-cmninit", CMN_INIT,
         "-agc", "none", "-dictfn", str(dictionary), "-fdictfn", str(model / "noisedict"),
         "-ctlfn", str(out / "adapt.fileids"), "-lsnfn", str(out / "adapt.transcription"),
         "-cepdir", str(mfc), "-accumdir", str(accum)],
        log,
    )  # fmt: skip
    matrix = out / "mllr_matrix"
    _run(
        [str(SPHINXTRAIN / "mllr_solve"), "-meanfn", str(model / "means"), "-varfn", str(model / "variances"),
         "-outmllrfn", str(matrix), "-accumdir", str(accum)],
        log,
    )  # fmt: skip
    (out / "adapt.json").write_text(json.dumps({"part": part, "utterances": len(items)}))
    return matrix


def map_model(out: Path) -> Path:
    """MAP-adapt the model from the statistics :func:`adapt` left in ``out``; returns its directory."""
    model, accum, adapted = out / "model", out / "accum", out / "map"
    adapted.mkdir(exist_ok=True)
    log = out / "adapt.log"
    for name in ("mdef", "feat.params", "noisedict"):
        shutil.copy2(_hmm() / name, adapted / name)
    _run(
        [str(SPHINXTRAIN / "map_adapt"), "-moddeffn", str(model / "mdef.txt"), "-ts2cbfn", ".ptm.",
         "-meanfn", str(model / "means"), "-varfn", str(model / "variances"),
         "-mixwfn", str(model / "mixture_weights"), "-tmatfn", str(model / "transition_matrices"),
         "-accumdir", str(accum), "-mapmeanfn", str(adapted / "means"), "-mapvarfn", str(adapted / "variances"),
         "-mapmixwfn", str(out / "map_mixture_weights"), "-maptmatfn", str(adapted / "transition_matrices")],
        log,
    )  # fmt: skip
    _run(
        [str(SPHINXTRAIN / "mk_s2sendump"), "-pocketsphinx", "yes", "-moddeffn", str(model / "mdef.txt"),
         "-mixwfn", str(out / "map_mixture_weights"), "-sendumpfn", str(adapted / "sendump")],
        log,
    )  # fmt: skip
    return adapted


def _hmm() -> Path:
    from models.store import ModelStore

    return Path(ModelStore().path("pocketsphinx-en-us")) / "en-us"


HUMAN = Path("/usr/share/pocketsphinx/test/data/librivox")
"""Real read speech with its transcription (Debian ``pocketsphinx-testdata``)."""


def human_wer(mllr: Path | None = None, hmm: Path | None = None) -> float:
    """Free-decoding word error rate on :data:`HUMAN` with the model as shipped, a transform, or
    another model directory."""
    import wave

    import pocketsphinx

    from bench.wer import word_errors

    root = _hmm().parent
    extra = {} if mllr is None else {"mllr": str(mllr)}
    decoder = pocketsphinx.Decoder(
        hmm=str(hmm or _hmm()), dict=str(root / "cmudict-en-us.dict"), lm=str(root / "en-us.lm.bin"),
        loglevel="FATAL", **extra,
    )  # fmt: skip
    errors = words = 0
    for line in (HUMAN / "transcription").read_text().splitlines():
        text, _, name = line.rpartition("(")
        reference = text.replace("<s>", "").replace("</s>", "").split()
        with wave.open(str(HUMAN / f"{name.strip(' )')}.wav")) as w:
            audio = w.readframes(w.getnframes())
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        errors += word_errors(reference, hyp.hypstr.split() if hyp else [])
        words += len(reference)
    return errors / words


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--part", choices=("A", "B"), default=None)
    parser.add_argument("--map", action="store_true", help="also MAP-adapt a whole model (DIR/map)")
    parser.add_argument("--human", action="store_true", help="word error rate on real human speech")
    args = parser.parse_args(argv)
    start = time.monotonic()
    matrix = adapt(args.out, args.part)
    adapted = map_model(args.out) if args.map else None
    print(f"{matrix}{'' if adapted is None else f' and {adapted}'} in {time.monotonic() - start:.0f} s")
    if args.human:
        print(f"real speech WER: as shipped {human_wer():.3f}, MLLR {human_wer(mllr=matrix):.3f}", end="")
        print("" if adapted is None else f", MAP {human_wer(hmm=adapted):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
