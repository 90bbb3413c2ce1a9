"""The export dialog offers `--since last` and html, through the real app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from briefing.brief.export import LAST_EXPORT_KEY
from briefing.store import Store
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.export import ExportModal
from tests.tui.conftest import AppFactory, screen_text


async def write(pilot, app, path: Path, *clicks: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    assert isinstance(app.screen, ExportModal)
    await pilot.click("#shown")
    for widget in clicks:
        await pilot.click(widget)
    await pilot.pause()
    app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, BriefingScreen)


async def test_since_last_export_from_the_dialog(
    filled: Store, make: AppFactory, tmp_path: Path
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("e")
        assert "since the last export (none yet)" in screen_text(app)
        await pilot.press("escape")

        await write(pilot, app, tmp_path / "first.md", "#since-last")
        assert "No earlier export: everything" in (tmp_path / "first.md").read_text()
        written = filled.get_meta(LAST_EXPORT_KEY)
        assert written

        await pilot.press("e")
        assert f"since the last export ({written[:10]}" in screen_text(app)
        await pilot.press("escape")
        await write(pilot, app, tmp_path / "second.html", "#since-last", "#html")
        html = (tmp_path / "second.html").read_text()
        assert html.startswith("<!DOCTYPE html>")
        assert "Changes since the last export" in html
