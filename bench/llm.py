"""The embedded language model: generation speed through the service, and the warm prefix.

Figures, all from the same run on the same GGUF with the same thread count:

- generation tokens/s of a spoken answer through the cockpit service (text turn -> pipeline ->
  responder -> ``llm_token`` events), against raw llama-cpp-python (``Llama.create_completion``
  streaming the same prompt); target ratio >= 0.95;
- time to first token with the system prompt and tool schemas already in the KV cache (a new
  question, so its own tokens are still evaluated), against a cold cache; target ratio <= 0.3.

The audio path's real-time factor while the model generates is measured by the voice benchmark
with :class:`cockpit.llm.background.BackgroundGeneration`.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.common import Figure
from cockpit import vss
from cockpit.events import Event, EventType
from cockpit.llm.llama import LlamaCppModel, open_llama
from cockpit.llm.prompt import summarize_state
from cockpit.llm.responder import LlmResponder
from cockpit.pipeline import TurnPipeline
from cockpit.policy import Policy
from cockpit.registry import Registry
from cockpit.service import CockpitService
from cockpit.sessions import SessionStore
from cockpit.settings import LlmSettings, load_settings
from cockpit.skill_api import SignalValue, SignalWrite, Skill
from cockpit.vehicle.api import StateListener, Vehicle, WriteOutcome
from models.store import ModelStore

SUITE = "llm"
STORY = "Tell me a long story about a road trip along the coast."
"""A question with a long answer, for the generation rate."""
QUESTIONS = (
    "who wrote Hamlet?",
    "what is the capital of Australia?",
    "how far is the moon?",
    "who painted the Sistine Chapel ceiling?",
    "what is the boiling point of water?",
    "who invented the telephone?",
)
"""Short questions for time to first token; each is new to the cache."""
STATE: Mapping[str, SignalValue] = {
    vss.SPEED: 72.0,
    vss.DRIVER_TEMPERATURE: 21.5,
    vss.PASSENGER_TEMPERATURE: 21.5,
    vss.MEDIA_TRACK: "Yellow",
    vss.MEDIA_ARTIST: "Coldplay",
    vss.MEDIA_ACTION: "PLAY",
}


class _NoTemplates:
    """A recogniser that matches nothing, so every turn goes to the language model."""

    def recognize(self, text: str, language: str = "en") -> Any:
        return None


class _Car(Vehicle):
    """A car that only reports a fixed state (chat turns never write)."""

    def snapshot(self) -> Mapping[str, SignalValue]:
        return STATE

    async def write(
        self, writes: Sequence[SignalWrite], on_sent: Callable[[SignalWrite], None] | None = None
    ) -> list[WriteOutcome]:
        raise AssertionError("a chat benchmark must not write to the car")

    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        return lambda: None


def _service(responder: LlmResponder) -> CockpitService:
    car, skills = _Car(), Registry[Skill]("skill")
    pipeline = TurnPipeline(_NoTemplates(), skills, Policy(), car, responder)
    return CockpitService(pipeline, car, skills, responder, SessionStore())


async def _service_turn(service: CockpitService, text: str) -> tuple[float, list[float]]:
    """(seconds to the first token, arrival time of every token) for one typed turn."""
    stamps: list[float] = []

    def sink(event: Event) -> None:
        if event.type is EventType.LLM_TOKEN:
            stamps.append(time.perf_counter())

    session = service.create_session()
    start = time.perf_counter()
    await service.text_turn(session.session_id, text, sink)
    if not stamps:
        raise RuntimeError(f"no tokens for {text!r}")
    return stamps[0] - start, stamps


def _rate(tokens: int, first: float, last: float) -> float:
    return (tokens - 1) / (last - first) if tokens > 1 and last > first else 0.0


async def _measure(settings: LlmSettings, path: Path, quick: bool) -> list[Figure]:
    answer_tokens = 64 if quick else 128
    rounds = 2 if quick else 5
    model = LlamaCppModel(path, threads=settings.threads, context_tokens=settings.context_tokens, seed=settings.seed)
    # Same priority as the raw baseline, so the comparison is about the code path alone.
    speech = LlmSettings(max_reply_tokens=answer_tokens, threads=settings.threads)
    responder = LlmResponder(lambda: model, speech, max_sentences=1000, nice=0)
    raw = open_llama(path, threads=settings.threads, context_tokens=settings.context_tokens, seed=settings.seed)
    try:
        if not await responder.ready() or responder.prompts is None:
            raise RuntimeError(f"the model did not load: {responder.health()}")
        service = _service(responder)
        prompt = responder.prompts.build(STORY, summarize_state(STATE))  # the prompt the service builds
        service_rates, raw_rates = [], []
        for _ in range(rounds):
            await _service_turn(service, STORY)
            # Answers are released a checked sentence at a time, so the model's own token clock
            # gives the rate; the events only say when each sentence was shown.
            service_rates.append(model.last_stats.tokens_per_s or 0.0)
            raw_stamps = [
                time.perf_counter()
                for _ in raw.create_completion(prompt, max_tokens=answer_tokens, temperature=0.0, stream=True)
            ]
            raw_rates.append(_rate(len(raw_stamps), raw_stamps[0], raw_stamps[-1]))
        cold, warm = [], []
        for i in range(1 if quick else 3):
            model.reset()
            await _service_turn(service, QUESTIONS[2 * i])
            cold.append(model.last_stats.first_token_s or 0.0)
            await _service_turn(service, QUESTIONS[2 * i + 1])
            warm.append(model.last_stats.first_token_s or 0.0)
        prefix = len(responder.prompts.prefix)
    finally:
        responder.close()
        raw.close()
    threads = f"{settings.threads} threads"
    return [
        Figure(
            SUITE,
            f"generation rate, service ({threads})",
            statistics.median(service_rates),
            "tokens/s",
            statistics.median(raw_rates),
            "raw llama-cpp-python",
            ">= 0.95",
        ),
        Figure(
            SUITE,
            f"time to first token, warm prefix ({prefix} tokens cached)",
            statistics.median(warm) * 1000.0,
            "ms",
            statistics.median(cold) * 1000.0,
            "cold cache",
            "<= 0.3",
        ),
    ]


def run(quick: bool) -> list[Figure]:
    """Measure; needs llama-cpp-python and the configured GGUF (``cockpit models pull``)."""
    settings = load_settings()
    store = ModelStore(Path(settings.models.cache_dir) if settings.models.cache_dir else None)
    llm = settings.llm
    path = Path(llm.model_path) if llm.model_path else store.path(llm.model)
    return asyncio.run(_measure(llm, path, quick))


if __name__ == "__main__":
    from bench.common import render

    print(render(run(quick=False)))
