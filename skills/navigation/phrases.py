"""Every sentence the navigation skill says, per language, and how names go into them.

Korean marks a destination with a particle that depends on the name's last sound (부산으로,
파리로), so a Korean sentence gets the name with its particle already attached (:func:`marked`);
an English one gets the bare name. Distances and durations are built in :mod:`skills.navigation.geo`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cockpit.hangul import particle
from cockpit.phrasebook import Phrasebook

PHRASES = Phrasebook(
    {
        "en": {
            "navigating": "Navigating to {name}: {distance}, about {duration}.",
            "navigating_home": "Navigating home: {distance}, about {duration}.",
            "where_to": "Where would you like to go?",
            "which_place": "I don't know which place you mean. Ask me to find one first.",
            "not_found": "I couldn't find {what}.",
            "cant_search": "I can't search for {what}.",
            "that_kind": "that kind of place",
            "none_nearby": "I couldn't find a {label} nearby.",
            "nearest": "The nearest {label} is {name}, {distance} away.",
            "no_route": "There's no active route.",
            "cancelled": "Route guidance cancelled.",
            "which": "{name} in {options}?",
            "or": "{rest} or {last}",
            "eta": "{where} is {distance} away, about {duration}.",
            "your_destination": "your destination",
            "home": "home",
            "no_destination": "No destination is set.",
            "destination": "You're heading to {name}, {distance} away.",
            "destination_home": "You're heading home, {distance} away.",
            "destination_unnamed": "A destination is set, {distance} away, but I don't know its name.",
        },
        "ko": {
            "navigating": "{name} 안내를 시작합니다. {distance}, 약 {duration} 걸립니다.",
            "navigating_home": "집으로 안내를 시작합니다. {distance}, 약 {duration} 걸립니다.",
            "where_to": "어디로 갈까요?",
            "which_place": "어느 곳인지 모르겠습니다. 먼저 장소를 찾아 달라고 말씀해 주세요.",
            "not_found": "{what} 찾지 못했습니다.",
            "cant_search": "{what} 검색할 수 없습니다.",
            "that_kind": "그런 장소는",
            "none_nearby": "근처에서 {label} 찾지 못했습니다.",
            "nearest": "가장 가까운 {label} {name}입니다. {distance} 떨어져 있습니다.",
            "no_route": "진행 중인 경로 안내가 없습니다.",
            "cancelled": "경로 안내를 취소했습니다.",
            "which": "{options} 중 어느 {name} 갈까요?",
            "or": "{rest}, {last}",
            "eta": "{where}까지 {distance}, 약 {duration} 걸립니다.",
            "your_destination": "목적지",
            "home": "집",
            "no_destination": "설정된 목적지가 없습니다.",
            "destination": "목적지는 {name}입니다. 남은 거리는 {distance}입니다.",
            "destination_home": "목적지는 집입니다. 남은 거리는 {distance}입니다.",
            "destination_unnamed": "목적지가 설정되어 있지만 이름은 알 수 없습니다. 남은 거리는 {distance}입니다.",
        },
    }
)
"""What the navigation skill says, per language."""

PARTICLES = {"to": ("으로", "로"), "object": ("을", "를"), "topic": ("은", "는")}
"""Korean particles a name takes in the sentences above: (after a consonant, after a vowel)."""


def marked(language: str, name: str, role: str) -> str:
    """``name`` as a sentence in ``language`` takes it: in Korean with the particle of ``role``
    (``to``: 부산으로, ``object``: 주유소를, ``topic``: 주유소는); in English unchanged."""
    if language != "ko":
        return name
    after_consonant, after_vowel = PARTICLES[role]
    return particle(name, after_consonant, after_vowel)


def either(language: str, options: Sequence[str]) -> str:
    """``Illinois, Missouri or Massachusetts`` (Korean: ``일리노이, 미주리, 매사추세츠``)."""
    if len(options) < 2:
        return "".join(options)
    return PHRASES.say(language, "or", rest=", ".join(options[:-1]), last=options[-1])
