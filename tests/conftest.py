from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import Paths
from briefing.store import Store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away BRIEFING_HOME: nothing a test does touches the real user dirs."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    return home


@pytest.fixture
def store(home: Path) -> Store:
    db = Store(Paths.resolve(home).ensure().database)
    yield db
    db.close()
