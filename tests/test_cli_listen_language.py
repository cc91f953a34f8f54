"""``cockpit listen --language``: the sessions it opens take the language asked for (a fake
service that hears WAV files, as in tests/test_cli_listen.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cockpit.service_api import SessionInfo
from tests.test_cli_listen import _FakeEar, _lines, _listen, _wav


@dataclass
class _Languages(_FakeEar):
    """The fake ear, keeping the language of every session opened."""

    languages: list[str] = field(default_factory=list)

    def create_session(self, language: str = "en", speech: bool = False, zone: str = "") -> SessionInfo:
        self.languages.append(language)
        return super().create_session(language, speech, zone)


def test_language_sets_each_files_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = _Languages()
    wavs = [str(_wav(tmp_path / f"{i}.wav", 1)) for i in range(2)]
    assert _listen(fake, "--json", "--language", "ko", "--wav", *wavs) == 0
    assert fake.languages == ["ko", "ko"]
    assert {e["turn"] for e in _lines(capsys.readouterr().out)} == {0, 1}


def test_without_language_the_service_chooses(tmp_path: Path) -> None:
    fake = _Languages()
    assert _listen(fake, "--wav", str(_wav(tmp_path / "a.wav", 1))) == 0
    assert fake.languages == [""]  # empty: the service's own language
