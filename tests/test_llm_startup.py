"""Start-up with the real model (issue 10, items 1-3): nothing redirects the process's output, a
command turn prints everything while the model is still loading on a loaded machine, the CLI
exits without waiting for the warm-up, and the prefix state saved to disk serves the same
answers as an evaluated one.

Skipped, with the reason, where the default GGUF is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.llm.responder import LlmResponder, load_model
from cockpit.llm.state_cache import PrefixStateStore
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from models.store import ModelStore
from tests.test_llm_responder import _Recorder

pytestmark = pytest.mark.skipif(
    not ModelStore().verify("qwen2.5-0.5b-instruct-q4_k_m"), reason="the default GGUF is not installed (make setup)"
)

TESTS = Path(__file__).parent
VENV_BIN = Path(sys.executable).parent
AC_TURN = ["intent", "policy", "action", "action", "state", "reply"]


@pytest.fixture
def cpu_load() -> Iterator[None]:
    """Two busy processes for the duration of a test (they stop by themselves after 5 minutes)."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 300\nwhile time.time() < end: pass"])
        for _ in range(2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_no_library_redirects_the_process_file_descriptors() -> None:
    run = subprocess.run(
        [sys.executable, str(TESTS / "no_fd_redirect.py")], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[-1] == "done" and [line for line in lines if line.startswith("dup2")] == []
    assert lines[-2] in ("answer yes", "answer no"), "the grammar was compiled and followed"


def test_a_command_prints_every_event_while_the_model_is_still_loading(tmp_path: Path, cpu_load: None) -> None:
    markers, release = tmp_path / "markers", tmp_path / "release"
    env = {**os.environ, "COCKPIT_LLM_ENABLED": "true", "COCKPIT_LLM_STATE_CACHE": "false", "PYTHONUNBUFFERED": "1"}
    cli = subprocess.Popen(
        [
            sys.executable,
            str(TESTS / "slow_load_cli.py"),
            str(markers),
            str(release),
            "ask",
            "--json",
            "turn on the ac",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    events: list[dict[str, object]] = []
    try:
        assert cli.stdout is not None
        for line in cli.stdout:  # the model's load is held until the turn has been read
            events.append(json.loads(line))
            if events[-1]["type"] == "reply":
                break
        seen_reply = time.time()
        loading = markers.read_text() if markers.exists() else ""
        release.touch()
        rest, errors = cli.communicate(timeout=240)
    finally:
        release.touch()
        cli.kill()
    assert [e["type"] for e in events] == AC_TURN, errors[-2000:]
    assert [e["status"] for e in events if e["type"] == "action"] == ["sent", "confirmed"]
    assert events[-1]["text"] == "Air conditioning on."
    assert "load-start" in loading and "load-end" not in loading, "the turn ran while the model was loading"
    assert rest == "" and cli.returncode == 0, errors[-2000:]
    ended = float(markers.read_text().split("load-end")[1].split()[0])
    assert ended > seen_reply


def test_ask_exits_without_waiting_for_a_cold_warm_up(cpu_load: None) -> None:
    # No saved state: the prefix would take tens of seconds to evaluate on this loaded machine.
    env = {**os.environ, "COCKPIT_LLM_ENABLED": "true", "COCKPIT_LLM_STATE_CACHE": "false"}
    run = subprocess.run(
        [str(VENV_BIN / "cockpit"), "ask", "--json", "turn on the ac"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert [json.loads(line)["type"] for line in run.stdout.splitlines()] == AC_TURN


async def test_a_restored_prefix_answers_exactly_as_an_evaluated_one(tmp_path: Path) -> None:
    settings = LlmSettings()
    store = PrefixStateStore(tmp_path)
    models = ModelStore()
    answers: list[tuple[str, str, int]] = []
    for _ in range(2):  # first evaluates and saves, second restores
        dialogue = LlmResponder(lambda: load_model(settings, models), settings, nice=0, state_store=store)
        assert await dialogue.ready()
        assert dialogue.warm_start is not None
        rec = _Recorder()
        outcome = await dialogue.respond("who painted the mona lisa?", Session("s"), {}, rec)
        model = dialogue.model
        assert model is not None
        answers.append((dialogue.warm_start.how, outcome.reply, model.last_stats.reused_tokens))
        dialogue.close()
    (evaluated, first, reused_first), (restored, second, reused_second) = answers
    assert (evaluated, restored) == ("evaluated", "restored")
    assert first == second and "leonardo" in first.lower()
    assert reused_second == reused_first > 500, "the whole fixed prefix came from the saved state"
