"""A small statistical intent classifier with a reject option, behind the templates.

The templates are precise but brittle: "i want some music, how about playing my workout playlist"
matches none of them. :class:`FallbackIntentRecognizer` asks the templates first and, only when no
template (and no "can't do that" template) matched, asks :class:`IntentClassifier`: a multinomial
logistic regression over word and word-pair features, trained (``cockpit.nlu.classifier_train``)
on template expansions and SLURP development sentences, its weights committed as JSON beside this
file. Inference is a sum of weights and a softmax in pure Python: no runtime dependency.

It routes only when all of these hold, because a wrong action is worse than none:

- the best class is *routable*: media play, volume up, volume down and mute, the classes SLURP
  devel has examples of (236 play, 12 up, 8 down, 15 mute), so their behaviour was measured;
  pause, skip, unmute and the rest are left to the templates;
- its probability reaches the threshold stored with the weights (chosen on held-out sentences so
  that no out-of-domain sentence passes it);
- the sentence holds a media word (:data:`MEDIA_CUES`): without one, nothing tells us it is about
  audio at all;
- the sentence holds no word the templates' media query lists exclude (games, alarms, lights,
  jokes ...) and no game name: "silence my alarm" is not about audio.

The slots are those a template would give the same request without a number: volume ±10 %, mute
on, and for play the words after the play verb as the query (or none: "play something").
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.catalogue import CLASSIFIER_SOURCE, IntentMatch
from cockpit.nlu.expand import expand_phrase
from cockpit.nlu.loader import default_template_paths, load_templates
from cockpit.nlu.model import TemplateFile, ValueList, WildcardList
from cockpit.nlu.normalize import normalize
from cockpit.nlu.recognizer import IntentRecognizer, Recognition, TemplateIntentRecognizer

WEIGHTS_PATH = Path(__file__).with_name("classifier_weights.json")
"""The committed model (``python -m cockpit.nlu.classifier_train`` writes it)."""

ROUTES: Mapping[str, tuple[str, Mapping[str, Any]]] = {
    "media.play": ("media.play", {}),
    "media.volume_up": ("media.adjust_volume", {"delta_percent": 10}),
    "media.volume_down": ("media.adjust_volume", {"delta_percent": -10}),
    "media.mute": ("media.mute", {"on": True}),
}
"""Classifier label -> (catalogue intent, slots). Every other label means "do not route"."""

MEDIA_CUES = frozenset({
    "play", "playing", "plays", "played", "music", "song", "songs", "track", "tracks", "tune", "tunes", "album",
    "albums", "playlist", "playlists", "radio", "station", "stations", "fm", "channel", "podcast", "podcasts",
    "episode", "episodes", "audiobook", "audiobooks", "audio", "listen", "listening", "hear", "volume", "loud",
    "louder", "quiet", "quieter", "softer", "sound", "mute", "unmute", "silence", "silent", "speaker", "speakers",
    "spotify", "pandora", "iheartradio", "shuffle", "artist", "singer", "band",
})  # fmt: skip
"""A routed sentence must hold one of these words."""

_PLAY_VERB = re.compile(
    r"\b(?:play|playing|put on|listen to|hear|stream|start|tune in to|tune into|tune to|queue)\b\s*(?P<rest>.*)$"
)
_QUERY_PREFIXES = ("me some ", "us some ", "some of ", "some ", "me ", "us ", "the song ", "a song ")
_QUERY_SUFFIXES = (" on the radio", " for me", " please", " right now", " now", " music", " songs")
_QUERY_STOP = frozenset({"it", "this", "that", "something", "anything", "music", "songs", "a song", "the music"})


_BOUNDARY_WORDS = frozenset(
    {"me", "myself", "us", "you", "what", "how", "why", "when", "where", "whether", "if", "about"}
)


def features(text: str) -> list[str]:
    """Word, stem and word-pair features of a normalised sentence (the model's input)."""
    words = normalize(text).split()
    out = [f"w:{w}" for w in words]
    out += [f"s:{_stem(w)}" for w in words]  # also when equal to the word: weighs single words up
    padded = ["<s>", *words, "</s>"]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(padded)]
    return out


def _stem(word: str) -> str:
    """A crude English stem: enough to share "songs"/"song", "playing"/"play"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class IntentClassifier:
    """Multinomial logistic regression: sparse weights per feature, one bias per class."""

    classes: tuple[str, ...]
    """Labels, in the order of the weight vectors."""
    bias: tuple[float, ...]
    """Intercept per class."""
    weights: Mapping[str, Mapping[int, float]]
    """Feature -> {class index: weight}; absent entries are zero."""
    threshold: float
    """Lowest probability at which a routable label is acted on."""
    meta: Mapping[str, Any]
    """How it was trained (data, folds, figures), for people."""

    @classmethod
    def load(cls, path: str | Path = WEIGHTS_PATH) -> IntentClassifier:
        """Read the JSON model."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {f: {int(k): float(v) for k, v in row.items()} for f, row in data["weights"].items()}
        return cls(tuple(data["classes"]), tuple(data["bias"]), weights, float(data["threshold"]), data.get("meta", {}))

    def to_json(self) -> str:
        """The model as JSON (what :meth:`load` reads)."""
        weights = {f: {str(k): v for k, v in sorted(row.items())} for f, row in sorted(self.weights.items())}
        data = {
            "classes": list(self.classes),
            "bias": list(self.bias),
            "threshold": self.threshold,
            "meta": dict(self.meta),
            "weights": weights,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n"

    def probabilities(self, text: str) -> dict[str, float]:
        """P(label | text) for every label."""
        scores = list(self.bias)
        for feature in features(text):
            for index, weight in self.weights.get(feature, {}).items():
                scores[index] += weight
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps, strict=True)}

    def best(self, text: str) -> tuple[str, float]:
        """The most probable label and its probability."""
        probs = self.probabilities(text)
        label = max(probs, key=probs.__getitem__)
        return label, probs[label]

    def route(self, text: str, excluded: Sequence[str] = ()) -> IntentMatch | None:
        """The intent to act on, or None when the label is not routable or not sure enough."""
        label, prob = self.best(text)
        if label not in ROUTES or prob < self.threshold:
            return None
        words = normalize(text).split()
        if not MEDIA_CUES.intersection(words) or _holds_any(" ".join(words), excluded):
            return None
        intent, fixed = ROUTES[label]
        slots = dict(fixed)
        query = play_query(" ".join(words)) if intent == "media.play" else None
        if query:
            slots["query"] = query
        return IntentMatch(intent, slots, CLASSIFIER_SOURCE, round(prob, 3), text)


def play_query(normalised: str) -> str | None:
    """The words after the first play verb, trimmed like the templates' query ("play me some x" -> "x")."""
    found = _PLAY_VERB.search(normalised)
    if found is None:
        return None
    query = found.group("rest").strip()
    for prefix in _QUERY_PREFIXES:
        if query.startswith(prefix):
            query = query[len(prefix) :]
    for suffix in _QUERY_SUFFIXES:
        if query.endswith(suffix):
            query = query[: -len(suffix)]
    query = query.strip()
    return None if not query or query in _QUERY_STOP else query


def query_excludes(files: Sequence[TemplateFile]) -> tuple[str, ...]:
    """Words a routed sentence may not hold: those the English media query lists refuse after
    "play" ("game", "alarm", "lights" ...) and after "hear" ("joke", "fact", "riddle" ...), and the
    names of games the car cannot play ("chess", "trivia" ...). The "hear" list's pronouns and
    question words ("me", "what", "about") bound its wildcard; in a whole sentence they say nothing."""
    out: dict[str, None] = {}
    for file in files:
        if file.language != "en":
            continue
        for name in ("query", "heard"):
            lst = file.lists.get(name)
            if isinstance(lst, WildcardList):
                out.update(dict.fromkeys(p for p in lst.exclude if p not in _BOUNDARY_WORDS))
        games = file.lists.get("game")
        if isinstance(games, ValueList):
            out.update(dict.fromkeys(p for phrase, _ in games.values for p in expand_phrase(phrase)))
    return tuple(out)


def _holds_any(text: str, phrases: Sequence[str]) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases)


class FallbackIntentRecognizer(IntentRecognizer):
    """Templates first; the classifier only for sentences no template (of any kind) matched."""

    def __init__(
        self, templates: TemplateIntentRecognizer, classifier: IntentClassifier, excluded: Sequence[str]
    ) -> None:
        self.templates = templates
        self.classifier = classifier
        self._excluded = tuple(excluded)

    @classmethod
    def from_paths(cls, weights: str | Path = WEIGHTS_PATH) -> FallbackIntentRecognizer:
        """The shipped templates and the committed classifier."""
        return cls.around(TemplateIntentRecognizer(load_templates(default_template_paths())), weights)

    @classmethod
    def around(
        cls, templates: TemplateIntentRecognizer, weights: str | Path = WEIGHTS_PATH
    ) -> FallbackIntentRecognizer:
        """``templates`` (already compiled, shared with the speech grammar) and the committed classifier."""
        return cls(templates, IntentClassifier.load(weights), query_excludes(templates.files))

    def knows(self, intent: str) -> bool:
        """Whether ``intent`` is in the templates' catalogue."""
        return self.templates.knows(intent)

    def _recognize(self, text: str, language: str) -> Recognition:
        result = self.templates.recognize(text, language)
        if result is not None or language != "en":
            return result
        return self.classifier.route(text, self._excluded)
