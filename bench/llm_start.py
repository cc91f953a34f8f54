"""Start-up and load for the language model, as a driver meets them (issue 10).

* **Process start → first words of the first answer**, in three cases measured in one run, each
  a fresh ``cockpit`` process timed from its spawn to its first ``llm_token`` line:
  cold (no saved prefix state: the prefix is evaluated), warm from disk (the saved state is
  loaded), and an already-warm service (``cockpit ask --server`` against a running
  ``cockpit serve`` whose model is ready). Answers are released a checked sentence at a time,
  so the first ``llm_token`` is the first sentence the driver can be shown.
* **16 concurrent askers** against the warm service: each one's wait from sending its question
  to its first words or to the "busy" reply (``llm-busy``); p50/p95 and how many were answered,
  against one asker alone in the same run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Figure, percentile
from cockpit.server.client import CockpitClient

SUITE = "llm_start"
QUESTION = "who painted the mona lisa?"
ASKERS = 16
CROWD = f"{ASKERS} concurrent askers"
QUESTIONS = (
    "who painted the mona lisa?",
    "what is the capital of japan?",
    "who wrote romeo and juliet?",
    "what is the largest ocean?",
)
COCKPIT = Path(sys.executable).parent / "cockpit"


def _first_words(args: list[str], env: dict[str, str], limit_s: float = 600.0) -> float:
    """Seconds from spawning ``cockpit args`` to its first ``llm_token`` line (the rest is drained)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(COCKPIT), *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    first: float | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if first is None and json.loads(line).get("type") == "llm_token":
                first = time.perf_counter() - started
        proc.wait(timeout=limit_s)
    finally:
        proc.kill()
    if first is None:
        raise RuntimeError(f"no answer from cockpit {' '.join(args)}")
    return first


class _Server:
    """A ``cockpit serve`` on a free loopback port, stopped on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [str(COCKPIT), "serve", "--port", "0", "--insecure"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        found = re.search(r"serving on (\S+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"cockpit serve did not start: {line!r}")
        self.target = found.group(1)

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()


async def _ask(client: CockpitClient, text: str) -> tuple[float, str]:
    """Seconds to the first words or the busy reply, and which it was."""
    started = time.perf_counter()
    waited, what = None, "nothing"
    async for event in client.send_text(text):
        if waited is None and event.type.value == "llm_token":
            waited, what = time.perf_counter() - started, "answered"
        elif waited is None and event.type.value == "error":
            waited, what = time.perf_counter() - started, str(event.data.get("code"))
    return (waited if waited is not None else time.perf_counter() - started), what


async def _crowd(target: str, quick: bool) -> tuple[float, list[tuple[float, str]]]:
    async with CockpitClient(target, timeout_s=300) as client:
        await _ask(client, "hello")  # the model is loaded and warm
        alone = statistics.median([(await _ask(client, q))[0] for q in QUESTIONS[: 1 if quick else 3]])
        crowd = await asyncio.gather(*(_ask(client, QUESTIONS[i % len(QUESTIONS)]) for i in range(ASKERS)))
    return alone, list(crowd)


def run(quick: bool) -> list[Figure]:
    """Measure; needs the default GGUF (``make setup``)."""
    # The start-up cases measure how long the first answer takes, so no deadline cuts them short.
    base = {**os.environ, "COCKPIT_LLM_ENABLED": "true", "COCKPIT_LLM_TURN_DEADLINE_S": "600"}
    ask = ["ask", "--json", QUESTION]
    cold = _first_words(ask, {**base, "COCKPIT_LLM_STATE_CACHE": "false"})
    _first_words(ask, {**base, "COCKPIT_LLM_STATE_CACHE": "true"})  # makes sure the state is saved
    warm_disk = statistics.median(
        _first_words(ask, {**base, "COCKPIT_LLM_STATE_CACHE": "true"}) for _ in range(1 if quick else 3)
    )
    server = _Server({**os.environ, "COCKPIT_LLM_ENABLED": "true", "COCKPIT_LLM_STATE_CACHE": "true"})
    try:
        alone, crowd = asyncio.run(_crowd(server.target, quick))
        warm_service = statistics.median(
            _first_words(["ask", "--json", "--server", server.target, q], base) for q in QUESTIONS[: 1 if quick else 3]
        )
    finally:
        server.stop()
    waits = [w for w, _ in crowd]
    answered = sum(what == "answered" for _, what in crowd)
    busy = sum(what == "llm-busy" for _, what in crowd)
    return [
        Figure(SUITE, "process start -> first words, warm from disk", warm_disk, "s", cold, "cold", "<= 0.1"),
        Figure(SUITE, "process start -> first words, warm service", warm_service, "s", cold, "cold"),
        Figure(
            SUITE,
            f"{ASKERS} concurrent askers: p50 wait for words or busy",
            percentile(waits, 50),
            "s",
            alone,
            "one asker",
        ),
        Figure(
            SUITE,
            f"{ASKERS} concurrent askers: p95 wait for words or busy",
            percentile(waits, 95),
            "s",
            alone,
            "one asker",
        ),
        Figure(SUITE, f"{CROWD}: answered", answered, "askers"),
        Figure(SUITE, f"{CROWD}: told busy at once", busy, "askers"),
    ]


if __name__ == "__main__":
    from bench.common import render

    print(render(run(quick="--quick" in sys.argv)))
