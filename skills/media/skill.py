"""The media skill: play what is asked for, transport controls, volume and mute.

``media.query`` changes nothing: it says what is playing, the volume and whether the sound is
muted, as the media unit last confirmed them (the played URI, looked up in the library, or the
track and artist labels), and says so when the car has not reported them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cockpit import vss
from cockpit.catalogue import CATALOGUE, IntentMatch
from cockpit.langtag import primary_language
from cockpit.phrasebook import Phrasebook, say_back
from cockpit.skill_api import (
    SignalValue,
    SignalWrite,
    Skill,
    SkillContext,
    SkillPlan,
    fact_number,
    fact_quote,
    slot_number,
)
from skills.media.cues import CUES
from skills.media.library import DEFAULT_LIBRARY_PATH, MediaItem, MediaLibrary, load_library
from skills.media.query import SearchResult, search

Say = Callable[..., str]
"""A phrasebook's ``say`` for one language: key and fields to a sentence."""

DEFAULT_VOLUME = 50
"""Assumed volume (%) when the car has not reported one, so "louder" and "quieter" both work."""
PLAY, STOP, SKIP_FORWARD, SKIP_BACKWARD = "PLAY", "STOP", "SKIP-FORWARD", "SKIP-BACKWARD"
"""Values of the VSS ``Media.Action`` enum the skill uses (VSS has no pause: STOP keeps the position)."""

PHRASES = Phrasebook(
    {
        "en": {
            "track": "{title} by {by}",
            "station": "{title} on {by}",
            "podcast": "the podcast {title}",
            "titled": "{title}",
            "playing": "Now playing {what}.",
            "paused": "{what} is paused.",
            "selected": "The selected item is {what}.",
            "playing_untitled": "Something is playing, but I don't know its title.",
            "nothing": "Nothing is playing right now.",
            "volume": "The volume is at {percent} percent.",
            "volume_muted": "The sound is muted; the volume is set to {percent} percent.",
            "volume_unknown": "I don't have the volume right now.",
            "muted": "The sound is muted.",
            "unmuted": "The sound isn't muted.",
            "unmuted_volume": "The sound isn't muted; the volume is at {percent} percent.",
            "mute_unknown": "I don't know whether the sound is muted right now.",
            "pause": "Paused.",
            "resume": "Resuming.",
            "next": "Next track.",
            "previous": "Previous track.",
            "play_artist": "Playing {by}, starting with {title}.",
            "play_genre": "Playing some {genre}, starting with {what}.",
            "play_item": "Playing {what}.",
            "not_found": "I couldn't find {query} in the library.",
            "ask_volume": "What volume would you like, in percent?",
            "ask_delta": "By how much should I change the volume?",
            "volume_set": "Volume set to {percent} percent.",
            "volume_max": "The volume is already at maximum.",
            "volume_min": "The volume is already at minimum.",
            "volume_up": "Volume up to {percent} percent.",
            "volume_down": "Volume down to {percent} percent.",
            "ask_mute": "Should I mute or unmute?",
            "mute_on": "Muted.",
            "mute_off": "Sound back on.",
        },
        "ko": {
            "track": "{by}의 {title}",
            "station": "{by} {title}",
            "podcast": "팟캐스트 {title}",
            "titled": "{title}",
            "playing": "지금 {what} 재생 중입니다.",
            "paused": "{what}, 일시 정지 상태입니다.",
            "selected": "선택된 항목은 {what}입니다.",
            "playing_untitled": "무언가 재생 중이지만 제목은 알 수 없습니다.",
            "nothing": "지금은 재생 중인 것이 없습니다.",
            "volume": "볼륨은 {percent}퍼센트입니다.",
            "volume_muted": "음소거 상태이고, 볼륨은 {percent}퍼센트로 설정되어 있습니다.",
            "volume_unknown": "지금은 볼륨 정보가 없습니다.",
            "muted": "음소거 상태입니다.",
            "unmuted": "음소거 상태가 아닙니다.",
            "unmuted_volume": "음소거 상태가 아니고, 볼륨은 {percent}퍼센트입니다.",
            "mute_unknown": "지금은 음소거 상태를 알 수 없습니다.",
            "pause": "일시 정지했습니다.",
            "resume": "다시 재생합니다.",
            "next": "다음 곡으로 넘깁니다.",
            "previous": "이전 곡으로 돌아갑니다.",
            "play_artist": "{by}의 곡 재생을 시작합니다. 첫 곡은 {title}입니다.",
            "play_genre": "{genre} 재생을 시작합니다. 첫 곡은 {what}입니다.",
            "play_item": "{what} 재생을 시작합니다.",
            "not_found": "라이브러리에 {query}에 맞는 항목이 없습니다.",
            "ask_volume": "볼륨을 몇 퍼센트로 할까요?",
            "ask_delta": "볼륨을 얼마나 바꿀까요?",
            "volume_set": "볼륨을 {percent}퍼센트로 맞췄습니다.",
            "volume_max": "볼륨이 이미 최대입니다.",
            "volume_min": "볼륨이 이미 최소입니다.",
            "volume_up": "볼륨을 {percent}퍼센트로 올렸습니다.",
            "volume_down": "볼륨을 {percent}퍼센트로 내렸습니다.",
            "ask_mute": "음소거할까요, 아니면 해제할까요?",
            "mute_on": "음소거했습니다.",
            "mute_off": "소리를 다시 켰습니다.",
        },
    }
)
"""Every sentence the skill says, per language."""


def _percent(value: float) -> int | float:
    """Rounded half-up to the car's 1 % step; non-finite values pass through for the policy to refuse."""
    return math.floor(value + 0.5) if math.isfinite(value) else value


SLOT_SIGNALS: Mapping[tuple[str, str], str] = {("media.set_volume", "percent"): vss.MEDIA_VOLUME}
"""The slots that set one signal: ``ListSkills`` shows that signal's range, step and unit."""

EXAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "media.play": ("play some jazz", "play the radio"),
        "media.pause": ("pause the music",),
        "media.resume": ("resume the music",),
        "media.next_track": ("next song", "skip this track"),
        "media.previous_track": ("previous track",),
        "media.set_volume": ("set the volume to 30 percent",),
        "media.adjust_volume": ("turn the volume down", "turn it up"),
        "media.mute": ("mute", "unmute the sound"),
        "media.query": ("what's playing", "what's the volume"),
    },
    "ko": {
        "media.play": ("재즈 틀어 줘",),
        "media.pause": ("음악 멈춰 줘",),
        "media.resume": ("다시 재생해 줘",),
        "media.next_track": ("다음 곡",),
        "media.previous_track": ("이전 곡",),
        "media.set_volume": ("볼륨 삼십으로 해 줘",),
        "media.adjust_volume": ("소리 키워 줘",),
        "media.mute": ("음소거 해 줘",),
        "media.query": ("지금 나오는 노래 뭐야",),
    },
}
"""Phrases ``ListSkills`` offers HMI users, by language and intent (each one the templates understand)."""


class MediaSkill(Skill):
    """Music, radio and podcasts from the car's library; play, pause, skip, volume and mute."""

    name = "media"
    description = "Plays music, radio stations and podcasts, and controls playback, volume and mute."
    intents = tuple(name for name in CATALOGUE if name.startswith("media."))
    examples = EXAMPLES
    slot_signals = SLOT_SIGNALS
    tool_cues = CUES
    replies = PHRASES
    summary_order = 30

    def __init__(
        self,
        library: MediaLibrary | None = None,
        library_path: Path = DEFAULT_LIBRARY_PATH,
        default_volume: int = DEFAULT_VOLUME,
    ) -> None:
        """``library`` wins over ``library_path``; by default the shipped ``library.json`` is read."""
        self.library = library if library is not None else load_library(library_path)
        """What the car can play."""
        self._default_volume = default_volume

    def labels(self, uri: str) -> dict[str, str]:
        """``{Played.Track: title, Played.Artist: artist}`` for a media URI (empty when unknown).

        The composition root hands this bound method to the vehicle layer, which fills the VSS
        labels when the head unit reports the URI it plays.
        """
        return self.library.labels(uri)

    def _plan(self, match: IntentMatch, context: SkillContext) -> SkillPlan:
        if match.intent == "media.query":
            return SkillPlan(done=self.answer(match.slots.get("what"), context.state, context.language))
        say = functools.partial(PHRASES.say, context.language)
        simple: Mapping[str, tuple[str, str]] = {
            "media.pause": (STOP, "pause"),
            "media.resume": (PLAY, "resume"),
            "media.next_track": (SKIP_FORWARD, "next"),
            "media.previous_track": (SKIP_BACKWARD, "previous"),
        }
        if match.intent in simple:
            action, done = simple[match.intent]
            return SkillPlan((SignalWrite(vss.MEDIA_ACTION, action),), done=say(done))
        if match.intent == "media.play":
            return self._play(match.slots, context.state, context.language)
        handlers: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, SignalValue], Say], SkillPlan]] = {
            "media.set_volume": self._set_volume,
            "media.adjust_volume": self._adjust_volume,
            "media.mute": self._mute,
        }
        return handlers[match.intent](match.slots, context.state, say)

    def _play(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue], language: str) -> SkillPlan:
        query = slots.get("query")
        if not isinstance(query, str) or not query.strip():
            return SkillPlan((SignalWrite(vss.MEDIA_ACTION, PLAY),), done=PHRASES.say(language, "resume"))
        current = state.get(vss.MEDIA_PLAYED_URI) or state.get(vss.MEDIA_SELECTED_URI) or ""
        found = search(self.library, query, current if isinstance(current, str) else "")
        if found is None:
            return SkillPlan(refusal=PHRASES.say(language, "not_found", query=say_back(query)))
        writes = (SignalWrite(vss.MEDIA_SELECTED_URI, found.item.uri), SignalWrite(vss.MEDIA_ACTION, PLAY))
        return SkillPlan(writes, done=self._play_reply(found, language))

    def _play_reply(self, found: SearchResult, language: str) -> str:
        item = found.item
        if item.kind == "track" and found.field == "by":
            return PHRASES.say(language, "play_artist", by=item.by, title=item.title)
        what = _spoken_item(item, {}, language) or item.title
        if item.kind == "track" and found.field == "genre":
            genre = self.library.genre_name(item.genre, primary_language(language))
            return PHRASES.say(language, "play_genre", genre=genre, what=what)
        return PHRASES.say(language, "play_item", what=what)

    def _set_volume(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue], say: Say) -> SkillPlan:
        percent = slot_number(slots, "percent")
        if percent is None:
            return SkillPlan(refusal=say("ask_volume"))
        value = _percent(percent)
        return SkillPlan((SignalWrite(vss.MEDIA_VOLUME, value),), done=say("volume_set", percent=f"{value:g}"))

    def _adjust_volume(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue], say: Say) -> SkillPlan:
        delta = slot_number(slots, "delta_percent")
        if delta is None or not math.isfinite(delta):
            return SkillPlan(refusal=say("ask_delta"))
        current = state.get(vss.MEDIA_VOLUME)
        known = isinstance(current, int | float) and not isinstance(current, bool) and math.isfinite(current)
        base = float(current) if known and isinstance(current, int | float) else float(self._default_volume)
        value = _percent(min(max(base + delta, 0.0), 100.0))
        if known and value == current:
            return SkillPlan(done=say("volume_max" if delta > 0 else "volume_min"))
        direction = "volume_up" if delta > 0 else "volume_down"
        return SkillPlan((SignalWrite(vss.MEDIA_VOLUME, value),), done=say(direction, percent=f"{value:g}"))

    def _mute(self, slots: Mapping[str, Any], state: Mapping[str, SignalValue], say: Say) -> SkillPlan:
        on = slots.get("on")
        if not isinstance(on, bool):
            return SkillPlan(refusal=say("ask_mute"))
        return SkillPlan((SignalWrite(vss.MEDIA_MUTED, on),), done=say("mute_on" if on else "mute_off"))

    # --- questions (media.query) ------------------------------------------------------------

    def answer(self, what: Any, state: Mapping[str, SignalValue], language: str = "en") -> str:
        """The spoken answer to a ``media.query`` about ``what`` (``playing``, ``volume`` or ``mute``)."""
        if what == "volume":
            return _volume_answer(state, language)
        if what == "mute":
            return _mute_answer(state, language)
        return self._playing_answer(state, language)

    def _playing_answer(self, state: Mapping[str, SignalValue], language: str) -> str:
        uri = state.get(vss.MEDIA_PLAYED_URI)
        item = self.library.get(uri) if isinstance(uri, str) else None
        what = _spoken_item(item, state, language)
        action = state.get(vss.MEDIA_ACTION)
        if what is None:
            playing = isinstance(action, str) and action != STOP
            return PHRASES.say(language, "playing_untitled" if playing else "nothing")
        if not isinstance(action, str):
            return PHRASES.say(language, "selected", what=what)
        if action == STOP:
            return _capitalise(PHRASES.say(language, "paused", what=what))
        reply = PHRASES.say(language, "playing", what=what)
        if state.get(vss.MEDIA_MUTED) is True:
            reply += " " + PHRASES.say(language, "muted")
        return reply

    def summarize(self, state: Mapping[str, SignalValue], memory: Mapping[str, Any]) -> str:
        """What is playing and how loud, for the prompt's car facts (titles quoted as data)."""
        track, artist = state.get(vss.MEDIA_TRACK), state.get(vss.MEDIA_ARTIST)
        action = str(state.get(vss.MEDIA_ACTION, "")).upper()
        if not track:
            return "Nothing playing."
        what = fact_quote(track) + (f" by {fact_quote(artist)}" if artist else "")
        verb = "Paused:" if action in ("PAUSE", "STOP") else "Playing"
        volume = fact_number(state, vss.MEDIA_VOLUME)
        muted = state.get(vss.MEDIA_MUTED) is True
        level = " (muted)" if muted else (f" at volume {volume:.0f}" if volume is not None else "")
        return f"{verb} {what}{level}."

    def describe_state(self, state: Mapping[str, SignalValue]) -> str:
        """E.g. ``Playing So What by Miles Davis, volume 40 %.``; empty when nothing is known."""
        parts: list[str] = []
        uri = state.get(vss.MEDIA_PLAYED_URI) or state.get(vss.MEDIA_SELECTED_URI)
        item = self.library.get(uri) if isinstance(uri, str) else None
        action = state.get(vss.MEDIA_ACTION)
        if item is not None:
            parts.append(("Playing " if action != STOP else "Paused: ") + item.spoken())
        elif action == PLAY:
            parts.append("Playing")
        elif action == STOP:
            parts.append("Media paused")
        volume = state.get(vss.MEDIA_VOLUME)
        if isinstance(volume, int | float) and not isinstance(volume, bool):
            parts.append(f"volume {volume:g} %")
        if state.get(vss.MEDIA_MUTED) is True:
            parts.append("muted")
        if not parts:
            return ""
        text = ", ".join(parts)
        return text[:1].upper() + text[1:] + "."


def _spoken_item(item: MediaItem | None, state: Mapping[str, SignalValue], language: str) -> str | None:
    """The played item as said in a reply: from the library when the URI is known, else the labels."""
    labels = (vss.MEDIA_TRACK, vss.MEDIA_ARTIST, vss.MEDIA_SOURCE)
    found: tuple[SignalValue | None, ...] = (
        (item.title, item.by, item.kind) if item is not None else tuple(map(state.get, labels))
    )
    title, by, kind = found
    if not isinstance(title, str) or not title.strip():
        return None
    if not isinstance(by, str) or not by.strip():
        return PHRASES.say(language, "podcast" if kind == "podcast" else "titled", title=say_back(title))
    form = kind if kind in ("track", "station", "podcast") else "track"
    return PHRASES.say(language, str(form), title=say_back(title), by=say_back(by))


def _volume_number(state: Mapping[str, SignalValue]) -> str | None:
    volume = fact_number(state, vss.MEDIA_VOLUME)
    if volume is None:
        return None
    return f"{volume:g}"


def _volume_answer(state: Mapping[str, SignalValue], language: str) -> str:
    percent, muted = _volume_number(state), state.get(vss.MEDIA_MUTED) is True
    if percent is None:
        return PHRASES.say(language, "muted" if muted else "volume_unknown")
    return PHRASES.say(language, "volume_muted" if muted else "volume", percent=percent)


def _mute_answer(state: Mapping[str, SignalValue], language: str) -> str:
    muted, percent = state.get(vss.MEDIA_MUTED), _volume_number(state)
    if muted is True:
        return PHRASES.say(language, "muted")
    if muted is False:
        return (
            PHRASES.say(language, "unmuted")
            if percent is None
            else PHRASES.say(language, "unmuted_volume", percent=percent)
        )
    return PHRASES.say(language, "mute_unknown")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
