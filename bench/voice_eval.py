"""The held-out spoken evaluation: the TEST half of the generated set through the real voice path.

The set (:mod:`bench.voice_eval_set`, synthesised by ``script/make_eval_set.py`` into the cache
on first use) has sentences none of the project's templates were written from, said by a dozen
voices at several speeds, clean and in cabin noise at 20, 10 and 5 dB SNR. Only its test half
is run here; the tuning half is for tuning.

Each recording goes through what a gRPC ``Converse`` stream or ``cockpit listen`` does with
audio, built as the service builds it (:class:`cockpit.voice.VoiceStack` with the default voice
settings): the wake word, end-of-speech detection, the hybrid recogniser (the command grammar
first, its results checked against the intent templates, free decoding otherwise), then intent
recognition of each final transcript. The language model is not run: what no template accepts
counts as no action (it would go to the language model as conversation).

Reported per voice, per SNR and overall (see :class:`bench.voice_eval_set.Tally`): intent
accuracy, wrong-action rate, no-action rate, the rate at which questions and background talk
would act, wake-word misses and false wakes. Every recording's transcript, confidence and
outcome, and the tables, go to ``bench/out/voice_eval.json``; the tables are printed.

Then the hearing policy is applied as the pipeline applies it (:class:`cockpit.policy.Policy`
``check_hearing`` with the default :class:`~cockpit.settings.VoiceSettings` thresholds, on the
recogniser's calibrated confidence; see :class:`Gate`): per voice and per SNR, the commands that
act right at once, the **wrong actions** that act without a read-back, the confirmation
(read-back) rate, and questions and background talk that act. The calibration's reliability
curve on the test half (confidence bucket vs the fraction of turns heard right) goes beside the
JSON as ``voice_eval_reliability.png`` and into the JSON.

Another sentence file of the same form is read with ``python -m bench.voice_eval --sentences PATH``
(``--fresh``: ``bench/data/voice_eval_fresh.jsonl``, whose sentences are all ``test``, so all of it
is reported): its audio is synthesised into a cache folder of its own, and its results go to
``bench/out/<file stem>.json`` and ``<file stem>_reliability.png``. ``make bench`` runs only the
committed list. ``--typed`` judges the reference texts alone (no audio, no voice models). A
file other than the committed list whose results are already there is not read again without
``--again``: a held-out set is read once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import Figure, render
from bench.corpus import ROOT, Unavailable, load_script
from bench.reliability_plot import reliability_png
from bench.voice_eval_set import (
    FRESH_SENTENCES,
    SENTENCES,
    Heard,
    Outcome,
    Sentence,
    Tally,
    judge,
    judge_one,
    load_sentences,
    tally,
)
from models.store import ModelStore

SUITE = "voice_eval"
SCRIPT = ROOT / "script" / "make_eval_set.py"
"""The generator of the set."""
OUT = ROOT / "bench" / "out" / "voice_eval.json"
"""Where the per-recording results and the tables are written."""
PLOT = OUT.with_name("voice_eval_reliability.png")
"""The test half's reliability curve."""
BUCKETS = 10
"""Confidence buckets of the reliability curve."""
QUICK_EVERY = 6
"""With ``--quick``, one test recording in this many."""
VOICE_MODELS = ("hey_jarvis_v0.1", "silero_vad", "pocketsphinx-en-us")
"""What the run needs installed."""
TEST_HALF = "held-out test half"
"""What the committed list's report is about (another sentence file's is named after it)."""


def outputs(sentences_path: Path = SENTENCES) -> tuple[Path, Path]:
    """Where a sentence file's results and reliability plot go (:data:`OUT`, :data:`PLOT` for the
    committed list; ``bench/out/<file stem>.json`` and ``..._reliability.png`` for another)."""
    if sentences_path.resolve() == SENTENCES.resolve():
        return OUT, PLOT
    out = OUT.with_name(f"{sentences_path.stem}.json")
    return out, out.with_name(f"{sentences_path.stem}_reliability.png")


def set_label(sentences_path: Path = SENTENCES) -> str:
    """How the figures name what they were measured on."""
    if sentences_path.resolve() == SENTENCES.resolve():
        return TEST_HALF
    return f"held-out {sentences_path.stem}, its test sentences"


def eval_script() -> ModuleType:
    """``script/make_eval_set.py`` as a module (imported once)."""
    return load_script(SCRIPT)


def eval_set(sentences_path: Path = SENTENCES) -> tuple[Path, dict[str, Any]]:
    """The set's directory and manifest (of the committed list, or of ``sentences_path``),
    synthesised first if missing (:class:`Unavailable` without the synthesisers)."""
    script = eval_script()
    try:
        out: Path = script.default_out(sentences_path)
        manifest = out / "manifest.json"
        if manifest.exists():
            return out, json.loads(manifest.read_text())
        print(f"{SUITE}: synthesising the evaluation set into {out} (once)", file=sys.stderr, flush=True)

        def log(message: str) -> None:
            print(f"{SUITE}: {message}", file=sys.stderr, flush=True)

        return out, script.build(out, log=log, sentences_path=sentences_path)
    except script.Unavailable as err:
        raise Unavailable(str(err)) from err


class TextPath:
    """Intent recognition of a transcript, as the service has it (no audio, no voice models)."""

    def __init__(self) -> None:
        from cockpit.catalogue import CATALOGUE, IntentMatch
        from cockpit.nlu import TemplateIntentRecognizer

        self.nlu = TemplateIntentRecognizer.from_paths()
        """The template intent recogniser (as the service has it)."""
        self._catalogue = CATALOGUE
        self._match_type = IntentMatch

    def understand(self, text: str) -> Heard:
        """What the template recogniser makes of ``text``."""
        match = self.nlu.recognize(text, "en")
        if not isinstance(match, self._match_type):
            return Heard(None)
        return Heard(match.intent, dict(match.slots), self._catalogue[match.intent].actuates)

    def free_text(self, heard: Heard) -> bool:
        """Whether ``heard`` fills a free-text slot (a destination, a query): read back more readily."""
        if heard.intent is None:
            return False
        spec = self._catalogue[heard.intent]
        return any(slot.kind == "text" and slot.name in heard.slots for slot in spec.slots)


def _text_dropped(turn: Mapping[str, Any]) -> bool:
    """Whether the turn's command left an optional free-text slot empty (the pipeline reads it back)."""
    from cockpit.catalogue import CATALOGUE
    from cockpit.policy import text_dropped

    spec = CATALOGUE.get(turn["intent"]) if turn.get("intent") else None
    return spec is not None and text_dropped(spec, turn.get("slots") or {})


class VoicePath(TextPath):
    """The service's voice path, for one recording at a time: wake word -> endpoint -> ASR -> intent."""

    def __init__(self, store: ModelStore) -> None:
        from cockpit.settings import VoiceSettings
        from cockpit.voice.factory import VoiceStack, command_grammars

        super().__init__()
        settings = VoiceSettings()
        self.stack = VoiceStack(
            store,
            settings,
            command_grammars(wake_models=settings.wake_models),
            is_command=lambda text, language: self.nlu.recognize(text, language) is not None,
        )
        """The voice models, loaded once."""

    def hear(self, wav: Path) -> dict[str, Any]:
        """One recording through a fresh front end (its recogniser from the pool, given back after)."""
        from cockpit.audio import wav_frames
        from cockpit.events import EventType

        events: list[Any] = []
        front = self.stack.front_end(events.append)
        utterances: list[tuple[Any, dict[str, Any] | None]] = []

        def keep(found: Iterable[Any]) -> None:
            # Each utterance's evidence is read as soon as it is finished: the next one replaces it.
            evidence = getattr(front.recognizer, "last_evidence", None)
            utterances.extend((u, None if evidence is None else evidence.as_dict()) for u in found)

        try:
            for f in wav_frames(wav):
                if (u := front.feed_frame(f)) is not None:
                    keep([u])
            keep(front.flush())
        finally:
            front.reset()
            self.stack.asr.release(front.recognizer)
        turns = []
        for u, evidence in utterances:
            if not u.text:
                continue
            heard = self.understand(u.text)
            turns.append(
                {
                    "text": u.text,
                    "confidence": None if u.transcript is None else round(u.transcript.confidence, 4),
                    "mode": None if u.transcript is None else str(u.transcript.mode),
                    "intent": heard.intent,
                    "slots": dict(heard.slots),
                    "actuates": heard.actuates,
                    "free_text": self.free_text(heard),
                    "evidence": evidence,
                }
            )
        return {"woke": any(e.type is EventType.WAKE for e in events), "turns": turns}


def run_items(
    path: VoicePath, root: Path, items: Sequence[dict[str, Any]], sentences: dict[str, Sentence]
) -> list[dict[str, Any]]:
    """Every item heard and judged: the manifest entry plus ``woke``, ``turns`` and ``outcome``."""
    records = []
    start = time.monotonic()
    for n, item in enumerate(items):
        heard = path.hear(root / item["file"])
        turns = [Heard(t["intent"], t["slots"], t["actuates"]) for t in heard["turns"]]
        outcome = judge(sentences[item["sentence_id"]], turns)
        records.append({**item, **heard, "outcome": outcome.value})
        if (n + 1) % 50 == 0:
            print(f"{SUITE}: {n + 1}/{len(items)} ({time.monotonic() - start:.0f} s)", file=sys.stderr, flush=True)
    return records


def group_tallies(
    records: Sequence[dict[str, Any]], sentences: dict[str, Sentence], key: Callable[[dict[str, Any]], str]
) -> dict[str, Tally]:
    """Tallies of ``records`` grouped by ``key(record)``, in sorted key order."""
    groups: dict[str, list[tuple[Sentence, Outcome, bool]]] = {}
    for r in records:
        groups.setdefault(key(r), []).append((sentences[r["sentence_id"]], Outcome(r["outcome"]), bool(r["woke"])))
    return {k: tally(groups[k]) for k in sorted(groups)}


def snr_label(snr: float | None) -> str:
    """``clean`` or ``20 dB``."""
    return "clean" if snr is None else f"{snr:g} dB"


COLUMNS = (
    ("intent_accuracy", "intent acc"),
    ("wrong_action_rate", "wrong action"),
    ("no_action_rate", "no action"),
    ("non_command_act_rate", "non-cmd acts"),
    ("wake_miss_rate", "wake miss"),
    ("false_wake_rate", "false wake"),
)
"""The table's columns: key of :meth:`Tally.rates` and heading."""
TYPED_KEYS = ("intent_accuracy", "wrong_action_rate", "no_action_rate", "non_command_act_rate")
"""Figures that also have a typed baseline (the reference text through the same judging)."""


def table(title: str, groups: dict[str, Tally]) -> str:
    """A plain table of the rates of each group, with the counts they divide by."""
    rows = [(title, "cmds", *[h for _, h in COLUMNS], "non-cmds")]
    for name, t in groups.items():
        r = t.rates()
        cells = ["" if r[k] is None else f"{r[k]:.3f}" for k, _ in COLUMNS]
        rows.append((name, str(t.commands), *cells, str(t.others)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def turn_right(sentence: Sentence, turn: dict[str, Any]) -> bool:
    """Whether a turn heard ``sentence`` right: a command as said, anything else as no action."""
    heard = Heard(turn["intent"], turn["slots"], turn["actuates"])
    if sentence.kind != "command":
        return not heard.actuates
    return judge_one(sentence, heard) is Outcome.RIGHT


def reliability(
    pairs: Sequence[tuple[float, bool]], buckets: int = BUCKETS
) -> list[tuple[float, float, int, float | None]]:
    """``(low, high, turns, fraction right)`` per confidence bucket of ``(confidence, right)`` pairs."""
    out = []
    for b in range(buckets):
        lo, hi = b / buckets, (b + 1) / buckets
        hits = [ok for p, ok in pairs if lo <= p < hi or (b == buckets - 1 and p >= 1.0)]
        out.append((lo, hi, len(hits), sum(hits) / len(hits) if hits else None))
    return out


def calibration_pairs(records: Sequence[dict[str, Any]], sentences: dict[str, Sentence]) -> list[tuple[float, bool]]:
    """``(confidence, right)`` for every turn that found an intent (what the policy acts on)."""
    return [
        (float(t["confidence"]), turn_right(sentences[r["sentence_id"]], t))
        for r in records
        for t in r["turns"]
        if t["intent"] is not None and t["confidence"] is not None
    ]


@dataclass
class Gate:
    """What the hearing policy lets through, in one group: acting, read back, refused.

    A turn whose intent actuates is checked as the pipeline checks it: below ``reject_below`` it
    is refused, below ``confirm_below`` (``confirm_free_text_below`` with a destination or a
    query) it is read back and waits for a yes, otherwise it acts. A recording acts wrongly when
    any of its turns acts with an intent or slots other than what was said.
    """

    commands: int = 0
    """Command recordings."""
    acted_right: int = 0
    """Commands carried out as said, without a read-back."""
    acted_wrong: int = 0
    """Commands that set off another action (or wrong slots) without a read-back."""
    read_back: int = 0
    """Commands with a turn read back ("Did you say ...?")."""
    read_back_right: int = 0
    """Of those, read back as said (a yes carries them out)."""
    read_back_wrong: int = 0
    """Of those, read back misheard (a no stops them): wrong actions caught."""
    refused: int = 0
    """Commands with a turn refused as too unsure."""
    others: int = 0
    """Question and background recordings."""
    others_acted: int = 0
    """Of those, how many moved the car without a read-back."""
    others_read_back: int = 0
    """Of those, how many were read back."""

    def add(self, sentence: Sentence, turns: Sequence[dict[str, Any]], policy: Any) -> None:
        """Count one recording's turns under ``policy`` (a :class:`cockpit.policy.Policy`)."""
        from cockpit.events import PolicyDecision

        acts, backs, refused = [], [], False
        for t in turns:
            right = turn_right(sentence, t)
            if not t["actuates"] or t["confidence"] is None:
                # Nothing to write to the car, so no read-back: a right one (a question about
                # the car's state, say) is simply answered.
                if right and t["intent"] is not None and sentence.kind == "command":
                    acts.append(True)
                continue
            verdict = policy.check_hearing(
                t["text"], float(t["confidence"]), bool(t.get("free_text")), text_dropped=_text_dropped(t)
            )
            if verdict.decision is PolicyDecision.ALLOWED:
                acts.append(right)
            elif verdict.decision is PolicyDecision.NEEDS_CONFIRMATION:
                backs.append(right)
            else:
                refused = True
        if sentence.kind != "command":
            self.others += 1
            self.others_acted += bool(acts)
            self.others_read_back += bool(backs)
            return
        self.commands += 1
        self.acted_wrong += not all(acts)
        self.acted_right += all(acts) and any(acts)
        self.read_back += bool(backs)
        self.read_back_right += bool(backs) and all(backs)
        self.read_back_wrong += bool(backs) and not all(backs)
        self.refused += refused

    def rates(self) -> dict[str, float | int | None]:
        """The reported figures (None when the group has nothing to divide by)."""

        def frac(a: int, b: int) -> float | None:
            return a / b if b else None

        return {
            "commands": self.commands,
            "acts_right_rate": frac(self.acted_right, self.commands),
            "wrong_action_rate": frac(self.acted_wrong, self.commands),
            "confirmation_rate": frac(self.read_back, self.commands),
            "right_after_yes_rate": frac(self.acted_right + self.read_back_right, self.commands),
            "caught_wrong_rate": frac(self.read_back_wrong, self.commands),
            "refused_rate": frac(self.refused, self.commands),
            "non_commands": self.others,
            "non_command_act_rate": frac(self.others_acted, self.others),
            "non_command_confirm_rate": frac(self.others_read_back, self.others),
        }


def default_hearing() -> dict[str, float]:
    """The default voice settings' hearing thresholds (as :class:`cockpit.policy.Hearing` fields)."""
    from cockpit.settings import VoiceSettings

    voice = VoiceSettings()
    return {
        "confirm_below": voice.confirm_below,
        "reject_below": voice.reject_below,
        "confirm_free_text_below": voice.confirm_free_text_below,
    }


def policy_for(hearing: dict[str, float]) -> Any:
    """The pipeline's policy with these hearing thresholds."""
    from cockpit.policy import Hearing, Policy

    return Policy(hearing=Hearing(**hearing))


def group_gates(
    records: Sequence[dict[str, Any]], sentences: dict[str, Sentence], key: Callable[[dict[str, Any]], str], policy: Any
) -> dict[str, Gate]:
    """Policy tallies of ``records`` grouped by ``key(record)``, in sorted key order."""
    groups: dict[str, Gate] = {}
    for r in records:
        groups.setdefault(key(r), Gate()).add(sentences[r["sentence_id"]], r["turns"], policy)
    return {k: groups[k] for k in sorted(groups)}


GATE_COLUMNS = (
    ("wrong_action_rate", "wrong acts"),
    ("acts_right_rate", "acts right"),
    ("confirmation_rate", "read back"),
    ("right_after_yes_rate", "right after yes"),
    ("refused_rate", "refused"),
    ("non_command_act_rate", "non-cmd acts"),
    ("non_command_confirm_rate", "non-cmd read back"),
)
"""The policy table's columns: key of :meth:`Gate.rates` and heading."""


def gate_table(title: str, groups: dict[str, Gate], accuracy: dict[str, Tally]) -> str:
    """A plain table of each group's intent accuracy and policy rates."""
    rows = [(title, "cmds", "intent acc", *[h for _, h in GATE_COLUMNS], "non-cmds")]
    for name, g in groups.items():
        r, acc = g.rates(), accuracy[name].rates()["intent_accuracy"]
        cells = ["" if r[k] is None else f"{r[k]:.3f}" for k, _ in GATE_COLUMNS]
        rows.append((name, str(g.commands), "" if acc is None else f"{acc:.3f}", *cells, str(g.others)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def typed_baseline(path: TextPath, sentences: Iterable[Sentence]) -> Tally:
    """The same judging on the reference texts, typed: what perfect hearing would give."""
    return tally((s, judge(s, [path.understand(s.text)]), s.wake) for s in sentences if s.split == "test")


def run(quick: bool, sentences_path: Path = SENTENCES) -> list[Figure]:
    """The test sentences of the committed list (its test half), or of ``sentences_path``, through
    the voice path (one recording in :data:`QUICK_EVERY` with ``quick``)."""
    store = ModelStore()
    missing = [n for n in VOICE_MODELS if not store.verify(n)]
    if missing:
        print(f"{SUITE}: voice models not installed: {missing}; no figures", file=sys.stderr)
        return []
    try:
        root, manifest = eval_set(sentences_path)
    except Unavailable as err:
        print(f"{SUITE}: no figures: {err}", file=sys.stderr)
        return []
    sentences = {s.id: s for s in load_sentences(sentences_path)}
    items = [i for i in manifest["items"] if i["split"] == "test"]
    if quick:
        items = items[::QUICK_EVERY]
    path = VoicePath(store)
    start = time.monotonic()
    records = run_items(path, root, items, sentences)
    seconds = time.monotonic() - start
    typed = typed_baseline(path, sentences.values())
    return report(records, sentences, typed, {**manifest, "quick": quick, "wall_seconds": seconds}, sentences_path)


def report(
    records: Sequence[dict[str, Any]],
    sentences: dict[str, Sentence],
    typed: Tally,
    run_info: dict[str, Any],
    sentences_path: Path = SENTENCES,
    out: Path | None = None,
) -> list[Figure]:
    """Tables of ``records`` (by voice, SNR, speed; with the hearing policy), written to the JSON of
    ``sentences_path`` (:func:`outputs`; ``out`` and its ``_reliability.png`` instead when given)
    and printed; the headline figures. ``run_info`` has the manifest's fields, ``quick`` and
    ``wall_seconds``."""
    out, plot = outputs(sentences_path) if out is None else (out, out.with_name(f"{out.stem}_reliability.png"))
    label = set_label(sentences_path)
    overall = group_tallies(records, sentences, lambda r: "all")
    by_voice = group_tallies(records, sentences, lambda r: str(r["voice"]))
    by_snr = group_tallies(records, sentences, lambda r: snr_label(r["snr_db"]))
    by_speed = group_tallies(records, sentences, lambda r: f"x{r['speed']:g}")
    tables = {
        "overall": {k: t.rates() for k, t in overall.items()},
        "typed_reference_text": typed.rates(),
        "by_voice": {k: t.rates() for k, t in by_voice.items()},
        "by_snr": {k: t.rates() for k, t in by_snr.items()},
        "by_speed": {k: t.rates() for k, t in by_speed.items()},
    }
    hearing = default_hearing()
    policy = policy_for(hearing)
    gates = {
        name: group_gates(records, sentences, key, policy)
        for name, key in (
            ("overall", lambda r: "all"),
            ("by_voice", lambda r: str(r["voice"])),
            ("by_snr", lambda r: snr_label(r["snr_db"])),
        )
    }
    curve = reliability(calibration_pairs(records, sentences))
    out.parent.mkdir(parents=True, exist_ok=True)
    reliability_png(curve, plot)
    seconds = float(run_info["wall_seconds"])
    out.write_text(
        json.dumps(
            {
                "split": "test",
                "quick": run_info["quick"],
                "recordings": len(records),
                "wall_seconds": round(seconds, 1),
                "set": {k: run_info.get(k) for k in ("sentences", "sentences_sha256", "synthesisers", "renderings")},
                "tables": tables,
                "policy": {
                    "thresholds": hearing,
                    **{name: {k: g.rates() for k, g in groups.items()} for name, groups in gates.items()},
                },
                "reliability": [
                    {"low": lo, "high": hi, "turns": n, "observed_right": rate} for lo, hi, n, rate in curve
                ],
                "records": records,
            },
            indent=1,
            default=str,
        )
        + "\n"
    )
    print(f"\n{SUITE}: {label}, {len(records)} recordings ({seconds:.0f} s); details in {out}")
    for title, groups in (("voice", by_voice), ("SNR", by_snr), ("speed", by_speed), ("overall", overall)):
        print(table(title, groups) + "\n")
    print(f"{SUITE}: with the hearing policy {hearing}")
    for title, name, accuracy in (
        ("voice", "by_voice", by_voice),
        ("SNR", "by_snr", by_snr),
        ("overall", "overall", overall),
    ):
        print(gate_table(title, gates[name], accuracy) + "\n")
    print(f"{SUITE}: reliability ({label}; confidence bucket, turns, fraction right) -> {plot}")
    print("\n".join(f"  {lo:.1f}-{hi:.1f}  {n:4d}  {'' if r is None else f'{r:.2f}'}" for lo, hi, n, r in curve))
    n = len(records)
    return figures(overall["all"], typed, n, label) + gate_figures(gates["overall"]["all"], n, label)


def gate_figures(gate: Gate, n: int, label: str = TEST_HALF) -> list[Figure]:
    """The headline figures once the hearing policy has read back what it is unsure of."""
    r = gate.rates()
    what = f"{label}, {n} recordings, hearing policy"

    def fig(key: str, name: str, target: str = "") -> Figure:
        value = r[key]
        return Figure(
            SUITE, f"{name} ({what})", float(value) if value is not None else float("nan"), "fraction", target=target
        )

    return [
        fig("wrong_action_rate", "wrong actions without a read-back, commands", "<= 0.01"),
        fig("acts_right_rate", "commands that act right at once"),
        fig("confirmation_rate", "commands read back"),
        fig("right_after_yes_rate", "commands right at once or after a yes"),
        fig("non_command_act_rate", "questions and background talk that act", "<= 0.02"),
    ]


def figures(total: Tally, typed: Tally, n: int, label: str = TEST_HALF) -> list[Figure]:
    """The headline figures (test half, all voices and noise levels), typed reference text as baseline.

    Targets are issue 11's acceptance figures (the wrong-action target there is 0.5 % on clean
    speech and 1 % at 10 dB; see the per-SNR table)."""
    r, t = total.rates(), typed.rates()
    what = f"{label}, {n} recordings"

    def fig(key: str, name: str, target: str = "") -> Figure:
        value = r[key]
        base = t[key] if key in TYPED_KEYS else None
        return Figure(
            SUITE,
            f"{name} ({what})",
            float(value) if value is not None else float("nan"),
            "fraction",
            float(base) if base is not None else None,
            "reference text, typed" if base is not None else "",
            target,
        )

    return [
        fig("intent_accuracy", "intent accuracy from audio", ">= 0.92"),
        fig("wrong_action_rate", "wrong-action rate, commands", "<= 0.01"),
        fig("no_action_rate", "no-action rate, commands"),
        fig("non_command_act_rate", "questions and background talk that act", "<= 0.02"),
        fig("wake_miss_rate", "wake-word misses", "<= 0.02"),
        fig("false_wake_rate", "false wakes, talk without the wake word"),
    ]


def typed_report(path: TextPath, sentences: Sequence[Sentence]) -> str:
    """The typed reference texts of the test sentences, judged: the table, then every command not
    understood as said and anything else that would act (for checking labels, not for tuning)."""
    tested = [s for s in sentences if s.split == "test"]
    lines = [table("typed", {"all": typed_baseline(path, tested)})]
    for s in tested:
        heard = path.understand(s.text)
        outcome = judge(s, [heard])
        if outcome not in (Outcome.RIGHT, Outcome.IGNORED):
            got = f"{heard.intent} {dict(heard.slots)}" if heard.intent else "nothing"
            lines.append(f"  {outcome.value:12s} {s.id}: {s.text!r}: want {s.intent} {dict(s.slots)}, got {got}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.voice_eval [--sentences PATH | --fresh] [--quick] [--typed] [--again]``."""
    parser = argparse.ArgumentParser(prog="bench.voice_eval", description=(__doc__ or "").split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sentences", type=Path, default=SENTENCES, help="sentence file (default: the committed list)")
    which.add_argument("--fresh", action="store_true", help="the fresh held-out list (read it once)")
    parser.add_argument("--quick", action="store_true", help=f"one test recording in {QUICK_EVERY}")
    parser.add_argument("--typed", action="store_true", help="judge the typed reference texts only (no audio)")
    parser.add_argument("--again", action="store_true", help="read another sentence file although it has been read")
    args = parser.parse_args(argv)
    sentences_path = FRESH_SENTENCES if args.fresh else args.sentences
    if args.typed:
        print(typed_report(TextPath(), load_sentences(sentences_path)))
        return 0
    done = outputs(sentences_path)[0]
    if sentences_path.resolve() != SENTENCES.resolve() and done.exists() and not args.again:
        # A held-out file is read once: a second reading after changes tunes on it.
        print(f"{SUITE}: {sentences_path} was already read ({done}); --again to read it again", file=sys.stderr)
        return 2
    found = run(args.quick, sentences_path)
    print(render(found))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
