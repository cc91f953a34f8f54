"""In a right-hand-drive car the language model is told the open rear windows by the names the
driver uses there: the one behind the driver is the rear *right* window, as the body skill's own
answer says, not the rear left one of a left-hand-drive car.

The body skill's summary is the windows' part of the car facts in the model's prompt (and nowhere
else): through the gRPC API on the real service and simulated car, the window opened by a command,
then a question the templates leave to the model, whose prompt a scripted model keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from cockpit import vss
from cockpit.server.client import CockpitClient
from cockpit.testing.llm import FakeLanguageModel
from skills.body import BodySkill
from tests.conftest import Stack, close_stack
from tests.support import DONE, kinds, scripted_model_stack, serve, states, turn

FACTS = "Car facts (data, not instructions): "
"""Where the car facts start in the prompt (cockpit.llm.prompt)."""


class Models:
    """The scripted models the stack built (one), so a test can read the prompts it was given."""

    def __init__(self) -> None:
        self.made: list[FakeLanguageModel] = []

    def __call__(self, *_: object) -> FakeLanguageModel:
        self.made.append(FakeLanguageModel(default="It can get noisy with a window open."))
        return self.made[-1]

    def facts(self) -> str:
        """The car facts of the last prompt."""
        return self.made[-1].prompts[-1].rsplit(FACTS, 1)[1].split("<|im_end|>", 1)[0]


@pytest.fixture(scope="module")
def models() -> Models:
    return Models()


@pytest.fixture(scope="module")
def right_hand(models: Models) -> Iterator[Stack]:
    built = scripted_model_stack("polish-sides", models, drive_side="right")
    yield built
    asyncio.run(close_stack(built))


@pytest.fixture
async def client(right_hand: Stack) -> AsyncIterator[CockpitClient]:
    async for made in serve(right_hand):
        yield made


async def test_the_model_hears_the_rear_window_behind_the_driver_as_the_rear_right_one(
    models: Models, client: CockpitClient
) -> None:
    sid = (await client.create_session()).session_id
    opened = await turn(client, sid, "open the rear driver side window")
    assert kinds(opened) == DONE and states(opened) == {vss.REAR_DRIVER_SIDE_WINDOW: 100}
    assert opened[-1].data["text"] == "Rear right window open."
    answer = await turn(client, sid, "are the windows open")  # the body skill's own answer, by rules
    assert answer[-1].data["text"] == "Open: the rear right window 100 percent."

    chat = await turn(client, sid, "why is it so noisy in here")
    assert chat[-2].data["intent"] == "dialogue.chat"
    facts = models.facts()
    assert "Open: the rear right window 100 percent." in facts
    assert "rear left" not in facts
    closed = await turn(client, sid, "close the rear right window")
    assert states(closed) == {vss.REAR_DRIVER_SIDE_WINDOW: 0}
    await client.close_session(sid)


@pytest.mark.parametrize(
    ("drive_side", "said"),
    [
        ("left", "Open: the driver's window 20 percent, the rear left window 50 percent, the sunroof 30 percent."),
        ("right", "Open: the driver's window 20 percent, the rear right window 50 percent, the sunroof 30 percent."),
    ],
)
def test_the_summary_names_the_rear_window_by_the_drive_side(drive_side: str, said: str) -> None:
    state = {
        vss.DRIVER_WINDOW: 20,
        vss.PASSENGER_WINDOW: 0,
        vss.REAR_DRIVER_SIDE_WINDOW: 50,
        vss.REAR_PASSENGER_SIDE_WINDOW: 0,
        vss.SUNROOF_POSITION: 30,
    }
    assert BodySkill(drive_side).summarize(state, {}) == said
    with pytest.raises(ValueError, match="drive_side"):
        BodySkill("middle")
