"""How ``cockpit ask`` and ``cockpit listen`` print turns: exact JSON lines, or lines a person reads.

Both renderers take the events as they come, so a streamed answer appears while it is generated.
``ask`` announces each typed utterance with :meth:`Renderer.begin`; ``listen`` announces each
audio input (a WAV file, the microphone) with :meth:`Renderer.begin_audio`.
"""

from __future__ import annotations

import abc
import json
from typing import Any, TextIO

from cockpit.events import (
    Action,
    ActionStatus,
    Error,
    Event,
    Intent,
    LlmToken,
    Policy,
    PolicyDecision,
    Reply,
    SpeechEnd,
    SpeechStart,
    Transcript,
    Wake,
)

_STATUS_MARK = {
    ActionStatus.CONFIRMED: "✓",
    ActionStatus.REJECTED: "✗",
    ActionStatus.TIMEOUT: "⌛",
}


class Renderer(abc.ABC):
    """Prints the events of the turns of one ``ask`` or ``listen``."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.closed = False
        """Whether the output was closed by its reader (nothing more is written)."""

    def begin(self, turn: int, text: str) -> None:  # noqa: B027 (optional hook)
        """A turn starts with ``text``."""

    @abc.abstractmethod
    def event(self, event: Event) -> None:
        """One event of the current turn."""

    def end(self) -> None:  # noqa: B027 (optional hook)
        """The current turn is over (also after a failure)."""

    def begin_audio(self, index: int, name: str) -> None:  # noqa: B027 (optional hook)
        """Audio input number ``index`` (from 0), called ``name``, starts."""

    def end_audio(self, heard: bool) -> None:  # noqa: B027 (optional hook)
        """That audio input is over; ``heard`` is False when it produced no event at all."""

    def _line(self, text: str) -> None:
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        if self.closed:
            return
        try:
            self._out.write(text)
            self._out.flush()
        except BrokenPipeError:
            # The reader went away (``cockpit ask ... | head -1``): stop writing, let the turns
            # finish quietly, as a Unix tool does.
            self.closed = True


class JsonRenderer(Renderer):
    """One ``Event.to_json()`` line per event and nothing else (the event stream of docs/events.md)."""

    def event(self, event: Event) -> None:
        """Print the event's JSON line."""
        self._line(event.to_json())


def format_value(value: Any) -> str:
    """A slot or signal value for people: bare words and numbers as they are, other text quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and not any(c.isspace() or c in "\"'=" for c in value):
        return value
    return json.dumps(value, ensure_ascii=False)


class HumanRenderer(Renderer):
    """A transcript a person reads::

    you> set the driver temperature to 21
    intent climate.set_temperature celsius=21.0 zone=driver
    → Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature = 21.0 sent
    ✓ Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature confirmed (12 ms)
    car> Driver temperature set to 21 degrees.
    """

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._tokens_open = False
        self._sent_at: dict[str, float] = {}

    def begin(self, turn: int, text: str) -> None:
        """Print what the user said (a blank line between turns)."""
        if turn > 0:
            self._line("")
        self._line(f"you> {text}")
        self._sent_at.clear()

    def end(self) -> None:
        """Finish a streamed answer's line."""
        self._close_tokens()

    def begin_audio(self, index: int, name: str) -> None:
        """Print which audio is heard now (a blank line between inputs)."""
        if index > 0:
            self._line("")
        self._line(f"[{index}] {name}")
        self._sent_at.clear()

    def end_audio(self, heard: bool) -> None:
        """Finish a streamed answer's line; say so when the audio held no wake word."""
        self._close_tokens()
        if not heard:
            self._line("(no wake word heard)")

    def _close_tokens(self) -> None:
        if self._tokens_open:
            self._line("")
            self._tokens_open = False

    def event(self, event: Event) -> None:
        """Print the event as one line (streamed tokens share one)."""
        if isinstance(event.data, LlmToken):
            self._write(("" if self._tokens_open else "llm> ") + event.data.text)
            self._tokens_open = True
            return
        self._close_tokens()
        line = self._describe(event)
        if line is not None:
            self._line(line)

    def _describe(self, event: Event) -> str | None:
        """One line per payload type; ``state`` and ``tts_audio`` print none (the confirmed
        action and the reply line already say them), nor does a payload that is not typed."""
        match event.data:
            case Wake(model=model, score=score):
                return f"(wake word {model}, score {score:.2f})"
            case SpeechStart():
                return "(listening)"
            case SpeechEnd():
                return "(end of speech)"
            case Transcript(text=text, final=final):
                return f"heard> {text}" if final else None
            case Intent(intent=intent, slots=slots, source=source):
                named = " ".join(f"{k}={format_value(v)}" for k, v in slots.items())
                by = "" if source == "rules" else f" [{source}]"
                return f"intent {intent}{' ' + named if named else ''}{by}"
            case Policy(decision=decision, reason=reason):
                if decision is PolicyDecision.ALLOWED and not reason:
                    return None
                return f"policy {decision.value}: {reason}".rstrip(": ")
            case Action() as action:
                return self._action(action, event.t_ms)
            case Reply(text=text):
                return f"car> {text}"
            case Error(code=code, message=message):
                return f"error {code}: {message}"
        return None

    def _action(self, action: Action, t_ms: float) -> str:
        if action.status is ActionStatus.SENT:
            self._sent_at[action.signal] = t_ms
            return f"→ {action.signal} = {format_value(action.value)} sent"
        took = f" ({t_ms - self._sent_at[action.signal]:.0f} ms)" if action.signal in self._sent_at else ""
        reason = f": {action.reason}" if action.reason else ""
        return f"{_STATUS_MARK[action.status]} {action.signal} {action.status.value}{took}{reason}"
