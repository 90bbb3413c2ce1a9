"""`briefing demo --keep`: the demo's home outlives its server and reopens offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from briefing.cli import main
from briefing.config import Paths
from briefing.demo import demo_dir
from briefing.store import Store
from briefing.tui.app import BriefingApp


@pytest.fixture
def one_feed_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo with one of its feeds (the pages are all there), to keep the test short."""
    small = tmp_path / "demo"
    shutil.copytree(demo_dir() / "pages", small / "pages")
    (small / "feeds").mkdir()
    shutil.copy(demo_dir() / "feeds" / "breachdaily.xml", small / "feeds")
    monkeypatch.setattr("briefing.demo.demo_dir", lambda: small)
    return small


def test_a_kept_demo_home_reopens_offline(
    one_feed_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    opened: list[int] = []

    async def look_and_quit(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, BriefingApp)
        await pilot.pause()
        opened.append(len(app.screen.shown))  # type: ignore[attr-defined]
        await pilot.press("q")

    def headless(self: App[None]) -> None:
        App.run(self, headless=True, size=(100, 30), auto_pilot=look_and_quit)

    monkeypatch.setattr(BriefingApp, "run", headless)
    home = tmp_path / "kept"
    assert main(["--home", str(home), "demo"]) == 0
    err = capsys.readouterr().err
    assert "serving the demo feeds" in err and f"kept {home}" in err
    store = Store(Paths.resolve(home).database)
    rows = store.query("SELECT text FROM articles")
    store.close()
    assert len(rows) >= 10 and all(r["text"] for r in rows)
    # the server is gone; the same command opens the kept home as it is
    assert main(["--home", str(home), "demo"]) == 0
    assert "serving" not in capsys.readouterr().err
    assert opened[0] > 0 and opened[1] == opened[0]
