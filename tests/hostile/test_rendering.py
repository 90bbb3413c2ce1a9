"""Rendering, end to end: hostile text fetched by the real pipeline, shown by the real app.

The screens' own defences (rows written straight into SQLite, as an old
database might hold them; a hypothesis property over any title) are tested in
tests/tui/test_hostile_rendering.py. Here the text arrives the way it would in
use: a hostile feed and its pages, fetched, extracted, clustered and
summarized, then every screen is opened on the result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import Paths, Settings
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.tui.app import make_app
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.story import StoryScreen
from tests.tui.conftest import NOW, screen_text
from tests.tui.test_hostile_rendering import assert_inert

from .conftest import HostileServer
from .test_export import TITLES, fetch_hostile_world

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_fetched_hostile_text_is_shown_as_text_on_every_screen(
    server: HostileServer,
    store: Store,
    full: Settings,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = await fetch_hostile_world(server, store, full)
    assert report.completed, report.stage_errors
    # A feed error quoting hostile bytes, as the feeds screen will show it.
    feed = feed_store.all_feeds(store)[0]
    feed.last_error = "[@click=app.quit]boom[/]"
    feed_store.update(store, feed)
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)

    app = make_app(store, Settings(), Paths.resolve(home).ensure(), clock=lambda: NOW)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(200, 50)) as pilot:
        text = assert_inert(app, bells)
        assert "# Agency | orders [patch](javascript:alert(1)) `now`" in text
        assert "<script>alert(1)</script> Regulator fines a telecom" in text
        # Three of the five stories (the reader is slow to open: a second each),
        # their timelines and their articles in the reader.
        for _ in range(3):
            await pilot.press("enter")
            assert isinstance(app.screen, StoryScreen)
            assert_inert(app, bells)
            app.screen.query_one("#articles").focus()
            await pilot.press("enter")
            assert isinstance(app.screen, ReaderScreen)
            assert_inert(app, bells)
            await pilot.press("o")  # open the link: only http(s) is ever opened
            await pilot.press("escape", "escape", "j")
        # Only one story lacks an http link (its entry's link was javascript:), so at
        # least two pages were opened, and never anything but the fetched pages.
        assert len(opened) >= 2
        assert set(opened) <= {server.url(f"/page/{key}") for key in TITLES}
        reader_text = screen_text(app)
        assert "\x1b" not in reader_text
        await pilot.press("f")
        assert isinstance(app.screen, FeedsScreen)
        text = assert_inert(app, bells)
        assert "[@click=app.quit]boom[/]" in text
        assert "Threat Desk" in text
        await pilot.press("escape")
        assert_inert(app, bells)
