"""The read-back rule (issue 11 item 2): chosen on the TUNING half, then read once on the test half.

A spoken command is carried out at once only when its calibrated confidence reaches
``voice.confirm_below`` (``voice.confirm_free_text_below`` with a destination or a query); below
that it is read back and waits for a yes, and below ``voice.reject_below`` nothing happens
(:meth:`cockpit.policy.Policy.check_hearing`). The choice decodes nothing: it applies thresholds
to recorded per-utterance results, each turn's confidence recomputed from its stored evidence by
the shipped calibration (:func:`cockpit.asr.calibration.calibrated`), as the service computes it:

- the tuning half: ``bench/out/confidence_tune.jsonl`` (the records the calibration was fitted
  on), which this suite collects itself, decoding the tuning half's recordings through the voice
  path, when it is missing or was made by another set, decoder or settings
  (:func:`bench.confidence_tune.collect_tuning`: about 405 recordings, an hour on two busy cores;
  then kept and reused; ``--quick`` decodes only a sixth of them if none are there);
- the test half: the records ``bench/voice_eval.py`` wrote to ``bench/out/voice_eval.json`` (it
  runs before this suite in ``make bench``).

**How the threshold is chosen** (:func:`choose`, tuning half only): the lowest ``confirm_below``
on a 0.005 grid (``confirm_free_text_below`` equal to it) at which neither that value nor the next
lower one lets a tuning command act wrongly or a question or background talk act. The second
condition keeps the choice off the edge of the last wrong action, so that one recording does not
decide it.

The suite prints the sweep, says whether the defaults (:class:`cockpit.settings.VoiceSettings`)
are the chosen rule (``COCKPIT_VOICE_CONFIRM_BELOW`` and ``COCKPIT_VOICE_CONFIRM_FREE_TEXT_BELOW``
set it without a code change), and prints for the chosen rule, on both halves, overall and per
SNR: wrong actions without a read-back, commands carried out at once, read back and refused, and
the questions and background talk that act; each beside the thresholds 0.85 / 0.3 / 0.9 (the
defaults before this rule was chosen), which is the cost: how many more commands are read back
instead of carried out at once. Everything goes to ``bench/out/readback_policy.json``.

Run alone: ``python -m bench --only readback_policy``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench import confidence_tune
from bench.common import Figure
from bench.corpus import ROOT, Unavailable
from bench.voice_eval import OUT as TEST_RECORDS
from bench.voice_eval_set import Sentence, load_sentences
from bench.voice_gate import Gate, default_hearing, policy_for
from bench.voice_report import snr_label
from cockpit.asr.calibration import Evidence, calibrated

SUITE = "readback_policy"
TUNE_RECORDS = confidence_tune.TURNS
"""The tuning half's per-recording results (:mod:`bench.confidence_tune`)."""
OUT = ROOT / "bench" / "out" / "readback_policy.json"
"""Where the sweep and the tables are written."""
PREVIOUS = {"confirm_below": 0.85, "reject_below": 0.3, "confirm_free_text_below": 0.9}
"""The default thresholds before this rule was chosen: the baseline the cost is measured against."""
GRID = tuple(round(0.85 + 0.005 * i, 3) for i in range(17))
"""``confirm_below`` values tried, 0.85 to 0.93 (the calibration never exceeds about 0.93)."""
GROUPS = ("all", "clean", "20 dB", "10 dB", "5 dB")
"""Rows of every table, in order."""
KINDS = ("question", "background")
"""Sentences that are not commands: none of them may act."""
TARGETS = {"clean": 0.005, "10 dB": 0.01}
"""Issue 11's wrong-action acceptance per SNR (fraction of commands)."""

Records = list[dict[str, Any]]


def load_tuning(path: Path = TUNE_RECORDS) -> Records:
    """The tuning half's records (an error if any comes from the test half)."""
    return confidence_tune.load(path)


def load_test(path: Path = TEST_RECORDS) -> tuple[Records, bool]:
    """The test half's records and whether the run was ``--quick`` (a sixth of the half)."""
    data = json.loads(path.read_text())
    records: Records = data["records"]
    if any(r["split"] != "test" for r in records):
        raise ValueError(f"{path} holds recordings outside the test half")
    return records, bool(data.get("quick"))


def recalibrated(records: Sequence[dict[str, Any]]) -> Records:
    """``records`` with every turn's confidence recomputed from its evidence by the shipped
    calibration (the tuning file keeps the confidence it was collected with, before the fit)."""
    out = []
    for record in records:
        turns = [
            {**t, "confidence": round(calibrated(Evidence.from_dict(t["evidence"])), 4)} if t.get("evidence") else t
            for t in record["turns"]
        ]
        out.append({**record, "turns": turns})
    return out


def gates(
    records: Sequence[dict[str, Any]],
    sentences: Mapping[str, Sentence],
    hearing: Mapping[str, float],
    key: Callable[[dict[str, Any]], str] = lambda r: snr_label(r["snr_db"]),
) -> dict[str, Gate]:
    """What ``hearing`` lets through: ``all`` and one :class:`~bench.voice_gate.Gate` per ``key``."""
    policy = policy_for(dict(hearing))
    out: dict[str, Gate] = {}
    for r in records:
        for group in ("all", key(r)):
            out.setdefault(group, Gate()).add(sentences[r["sentence_id"]], r["turns"], policy)
    return out


def by_kind(
    records: Sequence[dict[str, Any]], sentences: Mapping[str, Sentence], hearing: Mapping[str, float]
) -> dict[str, Gate]:
    """The same, grouped by the kind of sentence (``command``, ``question``, ``background``)."""
    return gates(records, sentences, hearing, key=lambda r: sentences[r["sentence_id"]].kind)


def hearing_at(confirm: float, reject: float = PREVIOUS["reject_below"]) -> dict[str, float]:
    """Thresholds with one read-back limit for every command, free text or not."""
    return {"confirm_below": confirm, "reject_below": reject, "confirm_free_text_below": confirm}


def safe(gate: Gate) -> bool:
    """No command acted wrongly and no question or background talk acted."""
    return gate.acted_wrong == 0 and gate.others_acted == 0


def choose(
    records: Sequence[dict[str, Any]], sentences: Mapping[str, Sentence], grid: Sequence[float] = GRID
) -> float | None:
    """The lowest ``confirm_below`` of ``grid`` that is :func:`safe` on ``records`` together with
    the grid value below it (None if there is none): see the module docstring."""
    verdicts = [safe(gates(records, sentences, hearing_at(c))["all"]) for c in grid]
    return next((grid[i] for i in range(1, len(grid)) if verdicts[i] and verdicts[i - 1]), None)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else ""


def table(title: str, now: Mapping[str, Gate], before: Mapping[str, Gate], groups: Sequence[str] = GROUPS) -> str:
    """Per group (SNR): commands; wrong actions without a read-back, carried out at once, read back
    and refused (each as now / before); questions and background talk that act (now / before)."""
    head = (title, "cmds", "wrong acts", "at once", "read back", "refused", "non-cmds act")
    rows = [head]
    for group in groups:
        if group not in now:
            continue
        g, b = now[group], before[group]
        n = g.commands
        rows.append(
            (
                group,
                str(n),
                f"{g.acted_wrong} = {_pct(g.acted_wrong, n)} / {_pct(b.acted_wrong, n)}",
                f"{_pct(g.acted_right, n)} / {_pct(b.acted_right, n)}",
                f"{_pct(g.read_back, n)} / {_pct(b.read_back, n)}",
                f"{_pct(g.refused, n)} / {_pct(b.refused, n)}",
                f"{g.others_acted} of {g.others} / {b.others_acted}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def sweep_lines(records: Sequence[dict[str, Any]], sentences: Mapping[str, Sentence]) -> list[str]:
    """One line per grid value: wrong actions, at once and read back on the tuning half."""
    lines = []
    for c in GRID:
        g = gates(records, sentences, hearing_at(c))["all"]
        lines.append(
            f"  {c:.3f}  wrong {g.acted_wrong:2d}  at once {_pct(g.acted_right, g.commands):>6}"
            f"  read back {_pct(g.read_back, g.commands):>6}  non-cmds act {g.others_acted}"
        )
    return lines


def summary(now: Mapping[str, Gate], before: Mapping[str, Gate]) -> dict[str, dict[str, dict[str, Any]]]:
    """The tables as plain numbers for the JSON."""

    def plain(gate: Gate) -> dict[str, Any]:
        return {**gate.rates(), "acted_wrong": gate.acted_wrong, "others_acted": gate.others_acted}

    return {"now": {k: plain(v) for k, v in now.items()}, "before": {k: plain(v) for k, v in before.items()}}


def run(quick: bool, tuning: Callable[[bool], tuple[Records, int]] = confidence_tune.collect_tuning) -> list[Figure]:
    """Choose on the tuning half, read the test half once; print and write the tables.

    The tuning half's records come from ``tuning`` (collected first where missing or stale: see
    :mod:`bench.confidence_tune`; with ``quick``, at least a sixth of them)."""
    if not TEST_RECORDS.exists():
        print(f"{SUITE}: no figures: needs {TEST_RECORDS.name} (the voice_eval suite)", file=sys.stderr)
        return []
    try:
        tune_raw, tune_total = tuning(quick)
    except Unavailable as err:
        print(f"{SUITE}: no figures: the tuning half cannot be collected: {err}", file=sys.stderr)
        return []
    test_raw, test_quick = load_test(TEST_RECORDS)
    sentences = {s.id: s for s in load_sentences()}
    return report(recalibrated(tune_raw), tune_total, recalibrated(test_raw), test_quick, sentences, OUT)


def report(
    tune: Records,
    tune_total: int,
    test: Records,
    test_quick: bool,
    sentences: Mapping[str, Sentence],
    out: Path = OUT,
) -> list[Figure]:
    """The choice on ``tune`` (of ``tune_total`` tuning recordings), the sweep and both halves'
    tables printed and written to ``out``; the test half's figures."""
    shipped = default_hearing()
    chosen = choose(tune, sentences)
    rule = shipped if chosen is None else hearing_at(chosen, shipped["reject_below"])
    part = "" if len(tune) >= tune_total else f" of {tune_total}: a partial collection"
    print(f"\n{SUITE}: confirm_below sweep on the TUNING half ({len(tune)} recordings{part})")
    print("\n".join(sweep_lines(tune, sentences)))
    print(f"{SUITE}: chosen {rule}; the shipped defaults {shipped} {'are' if shipped == rule else 'are NOT'} this rule")
    halves = {"tuning": tune, "test": test}
    tables = {name: (gates(recs, sentences, rule), gates(recs, sentences, PREVIOUS)) for name, recs in halves.items()}
    kinds = {
        name: (by_kind(recs, sentences, rule), by_kind(recs, sentences, PREVIOUS)) for name, recs in halves.items()
    }
    for name, (now, before) in tables.items():
        what = f"{name} half, {len(halves[name])} recordings{' (quick run)' if name == 'test' and test_quick else ''}"
        print(f"\n{SUITE}: {what}; the chosen rule / before {PREVIOUS}")
        print(table("SNR", now, before))
        print(kind_line(*kinds[name]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "chosen_confirm_below": chosen,
                "rule": rule,
                "shipped": shipped,
                "shipped_is_chosen": shipped == rule,
                "previous": PREVIOUS,
                "tuning_recordings": len(tune),
                "tuning_recordings_in_set": tune_total,
                "test_quick": test_quick,
                "sweep_tuning": sweep_lines(tune, sentences),
                **{name: summary(now, before) for name, (now, before) in tables.items()},
                **{f"{name}_by_kind": summary(now, before) for name, (now, before) in kinds.items()},
            },
            indent=1,
        )
        + "\n"
    )
    return figures(*tables["test"], len(test))


def kind_line(now: Mapping[str, Gate], before: Mapping[str, Gate]) -> str:
    """Questions and background talk that act, now and before."""
    acts = ", ".join(
        f"{k} {now[k].others_acted} of {now[k].others} (before {before[k].others_acted})" for k in KINDS if k in now
    )
    return f"non-commands that act: {acts}"


def figures(now: Mapping[str, Gate], before: Mapping[str, Gate], n: int) -> list[Figure]:
    """Test-half headline figures of the chosen rule, each beside the same figure with :data:`PREVIOUS`."""
    out = []
    for group in GROUPS:
        if group not in now:
            continue
        g, b = now[group], before[group]
        target = f"<= {TARGETS[group]}" if group in TARGETS else ""
        for what, mine, theirs in (
            ("wrong actions without a read-back", g.acted_wrong, b.acted_wrong),
            ("carried out at once", g.acted_right, b.acted_right),
            ("read back", g.read_back, b.read_back),
        ):
            out.append(
                Figure(
                    SUITE,
                    f"{what}, {group} (test half, {n} recordings, commands)",
                    mine / g.commands if g.commands else float("nan"),
                    "fraction",
                    theirs / b.commands if b.commands else None,
                    "thresholds 0.85 / 0.3 / 0.9",
                    target if what.startswith("wrong") else "",
                )
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.readback_policy``: the suite, or (``--test-records``) the rule chosen on
    the stored tuning evidence applied to another held-out set's records, e.g. the fresh set's
    (``bench/out/voice_eval_fresh.json`` with ``--sentences bench/data/voice_eval_fresh.jsonl``).
    Nothing is decoded for that: the tuning evidence must be there and current."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench.readback_policy", description=__doc__.splitlines()[0])
    parser.add_argument("--test-records", type=Path, default=None, help="voice_eval records to read")
    parser.add_argument("--sentences", type=Path, default=None, help="their sentence file")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.test_records is None:
        run(quick=False)
        return 0
    sentences = {s.id: s for s in load_sentences()}
    if args.sentences is not None:
        sentences.update({s.id: s for s in load_sentences(args.sentences)})
    test_raw, test_quick = load_test(args.test_records)
    out = args.out or args.test_records.with_name(f"{SUITE}_{args.test_records.stem}.json")
    tuning = load_tuning()
    report(recalibrated(tuning), len(tuning), recalibrated(test_raw), test_quick, sentences, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
