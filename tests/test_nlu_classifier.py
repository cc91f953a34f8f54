"""The fallback intent classifier: when it routes, what it routes to, and that it never acts when unsure."""

from __future__ import annotations

import math

import pytest

from cockpit.catalogue import IntentMatch
from cockpit.nlu import TemplateIntentRecognizer, Unsupported
from cockpit.nlu.classifier import FallbackIntentRecognizer, IntentClassifier, features, play_query


@pytest.fixture(scope="module")
def shipped() -> FallbackIntentRecognizer:
    return FallbackIntentRecognizer.from_paths()


def _toy(threshold: float = 0.6) -> IntentClassifier:
    """Two labels: 'media.play' when "tunes" or "spin" is said, else 'none'."""
    weights = {"w:tunes": {0: 4.0}, "w:spin": {0: 4.0}, "w:chess": {1: 6.0}}
    return IntentClassifier(("media.play", "none"), (0.0, 1.0), weights, threshold, {})


def test_probabilities_are_a_softmax_of_summed_weights() -> None:
    probs = _toy().probabilities("spin some tunes")
    expected = math.exp(8.0) / (math.exp(8.0) + math.exp(1.0))
    assert probs["media.play"] == pytest.approx(expected)
    assert sum(probs.values()) == pytest.approx(1.0)


def test_routes_only_above_the_threshold_and_with_a_media_word() -> None:
    routed = _toy(0.6).route("spin some tunes")
    assert routed is not None
    assert (routed.intent, dict(routed.slots), routed.text) == ("media.play", {}, "spin some tunes")
    assert routed.confidence == pytest.approx(0.999, abs=1e-3)
    assert _toy(0.9999).route("spin some tunes") is None  # not sure enough
    assert _toy(0.0).route("spin the wheel") is None  # sure, but nothing says it is about audio
    assert _toy(0.0).route("play tunes and chess") is None  # the best label is not routable


def test_refuses_excluded_words_anywhere_in_the_sentence() -> None:
    assert _toy(0.0).route("play tunes on my alarm", excluded=("alarm",)) is None
    assert _toy(0.0).route("play tunes", excluded=("alarm",)) is not None


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("can you play me some road trip songs", "road trip"),
        ("how about playing my workout playlist", "my workout playlist"),
        ("i would love to listen to the morning show please", "the morning show"),
        ("some music would be nice", None),
        ("play something", None),
    ],
)
def test_play_query_is_what_follows_the_play_verb(text: str, query: str | None) -> None:
    assert play_query(text) == query


def test_model_round_trips_through_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = _toy()
    path = tmp_path / "model.json"
    path.write_text(model.to_json())
    again = IntentClassifier.load(path)
    assert again == model


def test_inference_matches_the_trained_logistic_regression() -> None:
    pytest.importorskip("sklearn")
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from cockpit.nlu.classifier_train import Example, fit_model

    data = [("play some jazz", "media.play"), ("turn it up", "media.volume_up"), ("what time is it", "none")] * 3
    model = fit_model([Example(t, label) for t, label in data], threshold=0.5)
    vocab = sorted({f for t, _ in data for f in features(t)})
    rows = [[1.0 if f in features(t) else 0.0 for f in vocab] for t, _ in data]
    reference = LogisticRegression(C=4.0, max_iter=2000).fit(csr_matrix(rows), [label for _, label in data])
    probe = "play it up"
    expected = reference.predict_proba(csr_matrix([[1.0 if f in features(probe) else 0.0 for f in vocab]]))[0]
    got = model.probabilities(probe)
    for label, p in zip(reference.classes_, expected, strict=True):
        assert got[str(label)] == pytest.approx(p, abs=0.03)  # weights are rounded and pruned


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("could the music be a bit quieter", "media.adjust_volume", {"delta_percent": -10}),
        ("the music should be louder", "media.adjust_volume", {"delta_percent": 10}),
        ("would love to hear some blues right now", "media.play", {"query": "blues"}),
        ("how about playing my road trip playlist", "media.play", {"query": "my road trip playlist"}),
        ("i'd love some music from the eighties, can you put it on", "media.play", None),
    ],
)
def test_phrasings_no_template_has_reach_media(
    shipped: FallbackIntentRecognizer, text: str, intent: str, slots: dict[str, object] | None
) -> None:
    assert shipped.templates.recognize(text) is None
    result = shipped.recognize(text)
    assert isinstance(result, IntentMatch)
    assert result.intent == intent
    assert result.confidence < 1.0
    if slots is not None:
        assert dict(result.slots) == slots


@pytest.mark.parametrize(
    "text",
    [
        "who played james bond in the first film",
        "what song won the grammy last year",
        "silence my alarm for tomorrow",
        "i feel like playing chess",
        "how loud is a jet engine",
        "book me a ticket to the concert",
        "turn off the lights in the kitchen",
        "what's the weather like tomorrow",
        "tell me a joke",
        "remind me to buy milk",
        "is the radio station open on sundays",
        "add this song to my shopping list",
        "i'd like to hear a funny joke",
        "can you hear me",
        "play my voicemail",
        "mute the tv",
    ],
)
def test_out_of_domain_requests_never_act(shipped: FallbackIntentRecognizer, text: str) -> None:
    result = shipped.recognize(text)
    assert not isinstance(result, IntentMatch) or not result.intent.startswith("media."), result


def test_templates_win_and_cant_do_that_stays(shipped: FallbackIntentRecognizer) -> None:
    assert shipped.recognize("open the trunk") == Unsupported("trunk", "open the trunk")
    result = shipped.recognize("set the volume to 30")
    assert isinstance(result, IntentMatch) and result.confidence == 1.0 and result.slots == {"percent": 30}
    assert shipped.recognize("음악 좀 틀어 줘", "ko") == TemplateIntentRecognizer.from_paths().recognize(
        "음악 좀 틀어 줘", "ko"
    )


def test_excluded_words_come_from_both_media_query_lists_and_the_games() -> None:
    from cockpit.nlu.classifier import query_excludes
    from cockpit.nlu.loader import default_template_paths, load_templates

    excluded = query_excludes(load_templates(default_template_paths()))
    assert {"alarm", "lights", "joke", "riddle", "chess", "candy crush"} <= set(excluded)
    assert "me" not in excluded  # bounds the "hear ..." wildcard; "play me some jazz" is fine
