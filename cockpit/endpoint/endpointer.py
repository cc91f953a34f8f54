"""Where an utterance starts and ends, from per-frame speech probabilities: a pure state machine.

After the wake word the endpointer waits for speech. Speech starts after
:attr:`EndpointConfig.start_frames` frames in a row at or above ``start_threshold``; it ends after
``end_silence_ms`` below ``end_threshold`` (hysteresis), when the utterance reaches
``max_utterance_s``, or — if no speech ever starts — after ``no_speech_timeout_s``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cockpit.audio.format import FRAME_MS


class EndpointEvent(enum.Enum):
    """What one frame changed."""

    NONE = "none"
    """Nothing new."""
    SPEECH_START = "speech_start"
    """Speech began (at :attr:`Endpointer.start_frame`)."""
    SPEECH_END = "speech_end"
    """Speech ended after enough silence."""
    MAX_LENGTH = "max_length"
    """The utterance reached the maximum length and was cut."""
    TIMEOUT = "timeout"
    """Nothing was said in time."""


@dataclass(frozen=True)
class EndpointConfig:
    """Thresholds and times of the endpointer."""

    start_threshold: float = 0.5
    """Speech probability at or above which a frame counts towards speech starting."""
    end_threshold: float = 0.35
    """Speech probability below which a frame counts as silence once speech has started."""
    start_frames: int = 2
    """Frames in a row at or above ``start_threshold`` that start speech."""
    end_silence_ms: int = 640
    """Silence after speech that ends the utterance."""
    max_utterance_s: float = 10.0
    """Longest utterance, from speech start."""
    no_speech_timeout_s: float = 4.0
    """How long to wait for speech to start."""

    @property
    def end_silence_frames(self) -> int:
        """``end_silence_ms`` in frames."""
        return max(1, -(-self.end_silence_ms // FRAME_MS))

    @property
    def max_utterance_frames(self) -> int:
        """``max_utterance_s`` in frames."""
        return max(1, round(self.max_utterance_s * 1000 / FRAME_MS))

    @property
    def timeout_frames(self) -> int:
        """``no_speech_timeout_s`` in frames."""
        return max(1, round(self.no_speech_timeout_s * 1000 / FRAME_MS))


class Endpointer:
    """Feeds on one speech probability per 80 ms frame; reports starts, ends and timeouts."""

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        """Thresholds and times."""
        self.reset()

    def reset(self) -> None:
        """Start waiting for a new utterance."""
        self.frame = 0
        """Frames seen since the reset."""
        self.in_speech = False
        """Whether speech has started and not yet ended."""
        self.done = False
        """Whether the utterance is over (ended, cut or timed out)."""
        self.start_frame: int | None = None
        """Frame at which speech started."""
        self.end_frame: int | None = None
        """Frame after which speech ended (the last speech frame + 1)."""
        self._run = 0
        self._silence = 0

    def update(self, probability: float) -> EndpointEvent:
        """Take the next frame's speech probability; return what it changed."""
        if self.done:
            return EndpointEvent.NONE
        cfg = self.config
        index = self.frame
        self.frame += 1
        if not self.in_speech:
            self._run = self._run + 1 if probability >= cfg.start_threshold else 0
            if self._run >= cfg.start_frames:
                self.in_speech = True
                self.start_frame = index - cfg.start_frames + 1
                self._silence = 0
                return EndpointEvent.SPEECH_START
            if self.frame >= cfg.timeout_frames:
                self.done = True
                return EndpointEvent.TIMEOUT
            return EndpointEvent.NONE
        assert self.start_frame is not None
        self._silence = self._silence + 1 if probability < cfg.end_threshold else 0
        if self._silence >= cfg.end_silence_frames:
            self.in_speech, self.done = False, True
            self.end_frame = self.frame - self._silence
            return EndpointEvent.SPEECH_END
        if self.frame - self.start_frame >= cfg.max_utterance_frames:
            self.in_speech, self.done = False, True
            self.end_frame = self.frame
            return EndpointEvent.MAX_LENGTH
        return EndpointEvent.NONE
