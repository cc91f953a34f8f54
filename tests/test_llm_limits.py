"""Bounded work for the model (issue 10, item 4), with the scripted fake model: a queue limit that
answers "busy" at once, a per-turn deadline, cancellation of queued and running questions, and
commands that never wait behind questions. No GGUF needed."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from typing import Any

from cockpit.catalogue import IntentMatch
from cockpit.events import EventRecorder, EventType
from cockpit.llm.api import LanguageModel
from cockpit.llm.responder import BUSY, STARTING, TOO_SLOW, LlmResponder
from cockpit.sessions import Session
from cockpit.settings import LlmSettings
from cockpit.testing import FakeLanguageModel, FakeVehicle
from tests.support import eventually
from tests.test_llm_responder import _Recorder, pipeline


class GatedModel(FakeLanguageModel):
    """Answers only while :attr:`gate` is open; counts the generations it started."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = threading.Event()
        self.started: list[str] = []

    def _generate(
        self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event
    ) -> Iterator[str]:
        self.started.append(self.last_user_message("".join(chr(t) for t in prompt)))
        while not self.gate.wait(0.01):
            if cancel.is_set():
                return
        yield from super()._generate(prompt, max_tokens, grammar, cancel)


def responder(model: LanguageModel, **settings: Any) -> LlmResponder:
    return LlmResponder(lambda: model, LlmSettings(**settings), nice=0)


until = functools.partial(eventually, timeout=10.0)


async def test_a_question_beyond_the_queue_limit_is_told_at_once_that_the_assistant_is_busy() -> None:
    model = GatedModel(default="Paris is the capital of France.")
    dialogue = responder(model, max_queue=2)
    await dialogue.ready()
    first, second = _Recorder(), _Recorder()
    asking = [
        asyncio.create_task(dialogue.respond("capital of france?", Session(sid), {}, emit))
        for sid, emit in (("a", first), ("b", second))
    ]
    await until(lambda: len(model.started) == 1)
    third = _Recorder()
    busy = await asyncio.wait_for(dialogue.respond("and of spain?", Session("c"), {}, third), 5.0)
    assert busy.reply == BUSY and busy.tool_call is None
    assert [(t, d["code"]) for t, d in third.events] == [(EventType.ERROR, "llm-busy")]
    assert model.started == ["capital of france?"], "the busy question never reached the model"
    model.gate.set()
    answers = await asyncio.gather(*asking)
    assert [a.reply for a in answers] == ["Paris is the capital of France."] * 2
    again = await dialogue.respond("and now?", Session("c"), {}, _Recorder())
    assert again.reply == "Paris is the capital of France.", "the queue has room again"
    dialogue.close()


async def test_the_busy_reply_is_a_turn_not_a_failed_rpc() -> None:
    model = GatedModel()
    dialogue = responder(model, max_queue=1)
    car = FakeVehicle({})
    turns = pipeline(dialogue, car)
    waiting = asyncio.create_task(turns.run_text(Session("a"), "tell me a story", EventRecorder()))
    await until(lambda: model.started)
    rec = EventRecorder()
    await asyncio.wait_for(turns.run_text(Session("b"), "who wrote hamlet", rec), 5.0)
    assert rec.types() == ["error", "intent", "reply"]
    assert rec.of_type(EventType.REPLY)[0].data["text"] == BUSY and car.sent == []
    model.gate.set()
    await waiting
    dialogue.close()


async def test_an_answer_past_the_deadline_is_cancelled_and_the_reply_says_so() -> None:
    model = FakeLanguageModel(default="word " * 500, token_delay_s=0.02)
    dialogue = responder(model, turn_deadline_s=0.3, max_reply_tokens=1000)
    await dialogue.ready()
    emit = _Recorder()
    outcome = await asyncio.wait_for(dialogue.respond("tell me a long story", Session("s"), {}, emit), 10.0)
    assert outcome.reply == TOO_SLOW
    assert [d["code"] for t, d in emit.events if t is EventType.ERROR] == ["llm-deadline"]
    await dialogue.idle()
    assert model.last_stats.cancelled, "the generation was stopped, not left running"
    model.default, model.token_delay_s = "Fine, thanks.", 0.0
    assert (await dialogue.respond("next", Session("t"), {}, _Recorder())).reply == "Fine, thanks."
    dialogue.close()


async def test_a_question_while_the_model_still_loads_past_the_deadline_says_it_is_starting() -> None:
    loading = threading.Event()
    model = FakeLanguageModel(default="Hello.")

    def slow_load() -> LanguageModel:
        loading.wait(10.0)
        return model

    dialogue = LlmResponder(slow_load, LlmSettings(turn_deadline_s=0.2), nice=0)
    dialogue.start()
    emit = _Recorder()
    outcome = await asyncio.wait_for(dialogue.respond("hi", Session("s"), {}, emit), 5.0)
    assert outcome.reply == STARTING
    assert [d["code"] for t, d in emit.events if t is EventType.ERROR] == ["llm-loading"]
    loading.set()
    assert (await dialogue.respond("hi", Session("s"), {}, _Recorder())).reply == "Hello."
    dialogue.close()


async def test_a_client_that_goes_away_cancels_its_queued_question() -> None:
    model = GatedModel(default="Yes.")
    dialogue = responder(model)
    await dialogue.ready()
    running = asyncio.create_task(dialogue.respond("first", Session("a"), {}, _Recorder()))
    await until(lambda: model.started == ["first"])
    queued = asyncio.create_task(dialogue.respond("second", Session("b"), {}, _Recorder()))
    await asyncio.sleep(0.05)
    queued.cancel()
    model.gate.set()
    assert (await running).reply == "Yes."
    await dialogue.idle()
    assert model.started == ["first"], "the cancelled question never reached the model"
    dialogue.close()


async def test_a_client_that_goes_away_cancels_its_running_answer() -> None:
    model = FakeLanguageModel(default="Word. " * 500, token_delay_s=0.02)
    dialogue = LlmResponder(lambda: model, LlmSettings(max_reply_tokens=1000), nice=0, max_sentences=1000)
    await dialogue.ready()
    emit = _Recorder()
    task = asyncio.create_task(dialogue.respond("a long story", Session("a"), {}, emit))
    await until(lambda: emit.tokens())
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.wait_for(dialogue.idle(), 5.0)
    assert model.last_stats.cancelled and model.last_stats.generated_tokens < 200


async def test_commands_never_wait_behind_questions() -> None:
    model = GatedModel(default="A long answer.")
    dialogue = responder(model)
    car = FakeVehicle({})
    turns = pipeline(dialogue, car, {"turn on the ac": IntentMatch("climate.set_ac", {"on": True})})
    question = asyncio.create_task(turns.run_text(Session("a"), "explain black holes", EventRecorder()))
    await until(lambda: model.started)
    rec = EventRecorder()
    await asyncio.wait_for(turns.run_text(Session("b"), "turn on the ac", rec), 5.0)
    assert not question.done(), "the question is still being answered"
    assert [e.data["status"] for e in rec.of_type(EventType.ACTION)] == ["sent", "confirmed"]
    model.gate.set()
    await question
    dialogue.close()


async def test_closing_during_a_slow_warm_up_does_not_wait_for_it() -> None:
    aborted = threading.Event()

    class SlowWarm(FakeLanguageModel):
        def warm(self, prompt: Any, cancel: threading.Event | None = None) -> None:
            while not aborted.wait(0.01):  # like llama.cpp: only abort() ends an evaluation early
                pass

        def abort(self) -> None:
            aborted.set()

    model = SlowWarm()
    dialogue = responder(model)
    dialogue.start()
    await until(lambda: dialogue._loading is not None)
    await asyncio.wait_for(dialogue.aclose(), 10.0)
    assert aborted.is_set() and model.closed
    assert dialogue.warm_start is not None and dialogue.warm_start.how == "cancelled"


async def test_a_false_claim_becomes_an_offer_and_yes_carries_it_out() -> None:
    defrost = IntentMatch("climate.set_defrost", {"window": "rear", "on": True})
    script = {"turn on the rear defroster": defrost}
    model = FakeLanguageModel(default="The rear window defroster is turned on.")
    dialogue = LlmResponder(lambda: model, LlmSettings(), nice=0, understand=lambda text, language: script.get(text))
    car = FakeVehicle({})
    turns = pipeline(dialogue, car, script)
    session = Session("s")
    asked = EventRecorder()
    await turns.run_text(session, "what does 'turn on the rear defroster' mean?", asked)
    reply = asked.of_type(EventType.REPLY)[-1].data["text"]
    assert reply == "Do you want me to turn on the rear defroster?"
    assert "".join(e.data["text"] for e in asked.of_type(EventType.LLM_TOKEN)) == reply
    assert asked.of_type(EventType.ACTION) == [] and car.sent == []
    yes = EventRecorder()
    await turns.run_text(session, "yes please", yes)
    assert yes.of_type(EventType.INTENT)[0].data["intent"] == "climate.set_defrost"
    assert [e.data["status"] for e in yes.of_type(EventType.ACTION)] == ["sent", "confirmed"]
    dialogue.close()


async def test_no_to_an_offer_moves_nothing() -> None:
    defrost = IntentMatch("climate.set_defrost", {"window": "rear", "on": True})
    script = {"turn on the rear defroster": defrost}
    model = FakeLanguageModel(default="I've turned on the rear defroster.")
    dialogue = LlmResponder(lambda: model, LlmSettings(), nice=0, understand=lambda text, language: script.get(text))
    car = FakeVehicle({})
    turns = pipeline(dialogue, car, script)
    session = Session("s")
    await turns.run_text(session, "explain 'turn on the rear defroster'", EventRecorder())
    no = EventRecorder()
    await turns.run_text(session, "no", no)
    assert no.of_type(EventType.ACTION) == [] and car.sent == []
    dialogue.close()
