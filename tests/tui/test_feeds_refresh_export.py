"""Refresh through the real pipeline on 127.0.0.1, the feeds screen, and export."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from briefing.store import triage as triage_store
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.export import ExportModal
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.widgets import StatusBar
from tests.fetch.conftest import FeedServer, Reply, Seen, fixture
from tests.tui.conftest import AppFactory, notes, screen_text, settled, table_titles

FAST = {
    "connect_timeout": 1.0,
    "read_timeout": 2.0,
    "request_deadline": 4.0,
    "extract_full_text": False,
}


def held(body: bytes, gate: threading.Event):  # type: ignore[no-untyped-def]
    """A feed that answers only once the test opens the gate (or after 10 s)."""

    def route(seen: Seen) -> Reply:
        gate.wait(10)
        return Reply(200, body, {"Content-Type": "application/rss+xml"})

    return route


async def test_refresh_runs_the_pipeline_in_a_worker(store: Store, make: AppFactory) -> None:
    """`r` fetches for real; the app answers keys meanwhile; results land in the list."""
    srv = FeedServer()
    srv.thread.start()
    try:
        gate = threading.Event()
        srv.routes["/policy.xml"] = held(fixture("rss2.xml"), gate)
        feed_store.add(store, srv.url("/policy.xml"), "Policy Wire")
        feed_store.add(store, srv.url("/gone.xml"), "Gone Feed")  # 404
        app = make(store, **FAST)
        async with app.run_test(size=(100, 30)) as pilot:
            assert table_titles(app) == []
            await pilot.press("r")
            await pilot.pause(0.2)
            # while the slow feed is being fetched the app answers keys and shows progress
            assert app.progress is not None
            assert app.screen.query_one(StatusBar).has_class("-busy")
            assert "fetching feeds" in screen_text(app)
            await pilot.press("question_mark")
            assert "Keys: Briefing" in screen_text(app)
            await pilot.press("escape", "r")
            assert "already running" in notes(app)
            gate.set()
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert app.progress is None
            assert not app.screen.query_one(StatusBar).has_class("-busy")
            # the per-feed error is a notification, not a modal in the way
            assert any("Gone Feed: HTTP 404" in e for e in app.refresh_errors)
            assert isinstance(app.screen, BriefingScreen)
            # the pipeline stored the articles and the list shows the stories it grouped
            assert article_store.count(store) >= 3
            titles = table_titles(app)
            assert any("Kaspersky" in t for t in titles), titles
            assert any("Kaspersky" in line for line in screen_text(app).splitlines())
            gone = feed_store.by_url(store, srv.url("/gone.xml"))
            assert gone is not None and gone.failures == 1 and gone.last_error
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


async def test_feeds_screen_add_remove_retry(store: Store, make: AppFactory) -> None:
    srv = FeedServer()
    srv.thread.start()
    try:
        srv.feed("/policy.xml", fixture("rss2.xml"))
        broken = feed_store.add(store, srv.url("/policy.xml"), "Policy Wire")
        broken.failures, broken.last_error, broken.dead = 3, "HTTP 410 Gone", True
        broken.note = "its GUIDs are not unique; items are told apart by links"
        feed_store.update(store, broken)
        app = make(store, **FAST)
        started: list[str] = []
        app.action_refresh_feeds = lambda: started.append("refresh")  # type: ignore[method-assign]
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f")
            assert isinstance(app.screen, FeedsScreen)
            text = screen_text(app)
            assert "dead" in text and "Policy Wire" in text
            assert "last error: HTTP 410 Gone" in text
            assert "note: its GUIDs are not unique" in text
            # add: a bad URL is refused in the modal, a good one is stored
            await pilot.press("a", *"ftp:x", "enter")
            assert "ftp" in screen_text(app).lower()
            app.screen.query_one(Input).value = srv.url("/other.xml")
            await pilot.press("enter")
            assert feed_store.by_url(store, srv.url("/other.xml")) is not None
            assert len(app.screen.feeds) == 2
            # remove asks first; n keeps it, y removes it
            other_row = next(
                n for n, f in enumerate(app.screen.feeds) if f.url.endswith("/other.xml")
            )
            app.screen.query_one("#feed-table").move_cursor(row=other_row)
            await pilot.press("x", "n")
            assert feed_store.by_url(store, srv.url("/other.xml")) is not None
            await pilot.press("x", "y")
            assert feed_store.by_url(store, srv.url("/other.xml")) is None
            # retry clears the dead mark and back-off, then refreshes (the refresh
            # itself is the test above)
            await pilot.press("R")
            again = feed_store.by_url(store, srv.url("/policy.xml"))
            assert again is not None and not again.dead and again.failures == 0
            assert started == ["refresh"]
            assert "dead" not in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, BriefingScreen)
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


async def test_export_starred_as_json_then_overwrite(
    filled: Store, make: AppFactory, tmp_path: Path
) -> None:
    triage_store.put(
        filled, triage_store.get(filled, "kaspersky").__class__("kaspersky", starred=True)
    )
    out = tmp_path / "brief.json"
    app = make(filled)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, ExportModal)
        preview = screen_text(app)
        assert "US actions against Kaspersky" in preview
        assert "Ransomware attack on a fuel pipeline" not in preview
        await pilot.click("#json")
        await pilot.pause()
        assert '"stories"' in screen_text(app)
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        data = json.loads(out.read_text())
        assert [s["id"] for s in data["stories"]] == ["kaspersky"]
        assert f"Wrote {out}" in notes(app)
        # the same file again: asked before overwriting
        await pilot.press("j", "e")
        await pilot.click("#selected")
        await pilot.click("#json")
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "exists. Overwrite it?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        data = json.loads(out.read_text())
        assert [s["id"] for s in data["stories"]] == ["pipeline"]


async def test_export_markdown_of_what_the_filter_shows(
    filled: Store, make: AppFactory, tmp_path: Path
) -> None:
    out = tmp_path / "shown.md"
    app = make(filled)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("slash", *"pipeline", "enter", "e")
        await pilot.click("#shown")
        await pilot.pause()
        assert "Ransomware attack on a fuel pipeline" in screen_text(app)
        # the chosen options show without colour: a mark only on the pressed ones
        text = screen_text(app)
        assert "▐●▌ What the list shows (1)" in text and "▐●▌ Markdown" in text
        assert "▐ ▌ The selected story" in text and "▐ ▌ JSON" in text
        path = app.screen.query_one("#path", Input)
        path.value = str(out)
        path.focus()
        await pilot.press("enter")
        await pilot.pause()
        text = out.read_text()
        assert "Ransomware attack on a fuel pipeline" in text
        assert "Kaspersky" not in text
        # escape closes without writing
        await pilot.press("e", "escape")
        assert isinstance(app.screen, BriefingScreen)


async def test_export_preview_renders_the_first_stories_and_the_file_holds_all(
    filled: Store, make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.brief import export as export_module
    from briefing.tui.screens import export as export_screen
    from tests.tui.test_briefing import RECENT

    rendered: list[int] = []
    real = export_module.render_markdown

    def noting(brief, *rest):  # type: ignore[no-untyped-def]
        rendered.append(len(brief.stories))
        return real(brief, *rest)

    monkeypatch.setattr(export_module, "render_markdown", noting)
    monkeypatch.setattr(export_screen, "PREVIEW_STORIES", 2)
    out = tmp_path / "all.md"
    app = make(filled)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("e")
        await pilot.click("#shown")
        await settled(app, lambda: pilot.pause(0.05))
        await pilot.pause()
        text = str(app.screen.query_one("#preview", Static).content)
        assert sum(title in text for title in RECENT) == 2
        assert "… and 2 more stories (" in text and "in the file." in text
        # what the preview rendered: never more than it shows
        assert rendered and max(rendered) <= 2
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
    written = out.read_text()
    assert all(title in written for title in RECENT)
    assert "more stories" not in written
