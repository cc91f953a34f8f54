"""The performance report writer (bench/report.py) and the soak's judge, on small synthetic input."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.report import load_figures, write_report
from bench.soak import Soak, Tally, judge

PNG = b"\x89PNG\r\n\x1a\n"


def _figure(suite: str, name: str, value: float, baseline: float | None = None) -> dict[str, object]:
    ratio = None if baseline is None else value / baseline
    return {"suite": suite, "name": name, "value": value, "unit": "ms", "baseline": baseline,
            "baseline_name": "bare", "target": "", "ratio": ratio}  # fmt: skip


def _soak(duration_s: float = 100.0, rss: tuple[float, float] = (200.0, 201.0), lost: int = 0) -> Soak:
    run = Soak.__new__(Soak)  # no server: only what judge() reads
    run.duration_s, run.sessions, run.pid = duration_s, 8, 0
    run.tally = Tally(lost=lost)
    for n in range(200):
        run.tally.add("command", n * duration_s / 200, 10.0 + (n % 7))
    run.samples = [
        {"t": t, "rss_mb": rss[0] if t < 60 else rss[1], "threads": 30} for t in range(0, int(duration_s), 5)
    ]
    return run


def test_the_soak_judge_applies_the_issue_criteria() -> None:
    good = judge(_soak())
    assert all(good["pass"].values()), good
    assert good["criteria"]["rss_growth"] < 0.05 and good["windows"]
    grown = judge(_soak(rss=(200.0, 220.0)))  # 10 % more memory after warm-up
    assert not grown["pass"]["rss_growth <= 5 %"]
    assert not judge(_soak(lost=1))["pass"]["zero lost confirmations"]


def test_the_report_has_every_figure_the_soak_and_three_plots(tmp_path: Path) -> None:
    old = tmp_path / "llm.json"
    old.write_text(json.dumps([_figure("llm", "generation rate", 10.0, 20.0)]))
    os.utime(old, (1, 1))  # older than latest.json
    (tmp_path / "latest.json").write_text(
        json.dumps(
            [
                _figure("llm", "generation rate", 29.0, 30.0),
                _figure("wake_eval", "wake CPU per s of audio", 0.019, 0.027),
                _figure("text_turn", "p99 text -> confirmed action, gRPC", 4.9, 2.1),
            ]
        )
    )
    (tmp_path / "confidence_tune.jsonl").write_text("{}\n")  # not a figure list: ignored
    run = _soak()
    result = {
        "duration_s": run.duration_s,
        "sessions": 8,
        "samples": run.samples,
        **judge(run),
        "tally": {"turns": {"command": 200}, "sent": 200, "finals": 200, "lost": 0},
        "latencies_ms": {"command": [ms for _, ms in run.tally.latencies["command"]], "spoken": [150.0, 180.0]},
    }
    (tmp_path / "soak.json").write_text(json.dumps(result))

    figures = load_figures(tmp_path)
    assert [f["value"] for f in figures if f["suite"] == "llm"] == [29.0]  # the newer file wins
    report = write_report(tmp_path).read_text()
    assert "| RSS growth after warm-up | 0.5 % | yes |" in report
    assert "| lost confirmations | 0 | yes |" in report
    assert "p99 text -> confirmed action, gRPC" in report and "0.7037" in report  # wake ratio 0.019/0.027
    for name in ("soak.png", "latency.png", "ratios.png"):
        assert f"]({name})" in report
        assert (tmp_path / name).read_bytes().startswith(PNG)


def test_without_a_soak_the_report_says_so(tmp_path: Path) -> None:
    report = write_report(tmp_path).read_text()
    assert "No soak yet" in report and "No figures yet." in report
