"""The app's watch views, watched-news marks, the mute editor and the entity line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from briefing import entity_stage
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.store import watches as watch_store
from tests.fetch.conftest import FeedServer
from tests.tui.conftest import AppFactory, notes, screen_text, settled, table_titles
from tests.tui.test_briefing import RECENT
from tests.watch.test_fetch_watches import HOOK, ITEMS, rss


@pytest.fixture
def watched(filled: Store) -> Store:
    entity_stage.run(filled)
    watch_store.add_watch(filled, "kasp", "entity:Kaspersky")
    watch_store.add_watch(filled, "pipes", "pipeline source:'Breach Daily'")
    return filled


def row_of(app, title: str) -> str:  # type: ignore[no-untyped-def]
    return next(line for line in screen_text(app).splitlines() if title in line)


async def test_v_cycles_each_watch_then_all_watches_then_everything(
    watched: Store, make: AppFactory
) -> None:
    app = make(watched)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert table_titles(app) == RECENT
        await pilot.press("v")
        assert table_titles(app) == ["US actions against Kaspersky"]
        assert "filter: watch kasp" in screen_text(app)
        await pilot.press("v")
        assert table_titles(app) == ["Ransomware attack on a fuel pipeline"]
        await pilot.press("v")
        assert table_titles(app) == [
            "US actions against Kaspersky",
            "Ransomware attack on a fuel pipeline",
        ]
        assert "all watches" in screen_text(app)
        await pilot.press("v")
        assert table_titles(app) == RECENT


async def test_watched_story_with_news_is_marked_and_sorted_first(
    watched: Store, make: AppFactory
) -> None:
    watched.set_meta("last_session_at", "2026-10-01T00:00:00Z")  # every story is news now
    watch_store.add_watch(watched, "eu", "NIS2")
    app = make(watched)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = table_titles(app)
        # watched news first, in the usual order among themselves; then the rest
        assert titles == [
            "US actions against Kaspersky",
            "Ransomware attack on a fuel pipeline",
            "EU NIS2 rules reach national law",
            "Emergency patch for a mail server flaw",
        ]
        assert "⚑" in row_of(app, "EU NIS2 rules") and "✚" not in row_of(app, "EU NIS2 rules")
        assert "✚" in row_of(app, "Emergency patch") and "⚑" not in row_of(app, "Emergency patch")


async def test_story_pane_shows_top_entities_and_watches(watched: Store, make: AppFactory) -> None:
    app = make(watched)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Watched: kasp" in text
        assert "Entities: Kaspersky (company)" in text


async def test_mute_editor_hides_articles_everywhere_and_removing_restores(
    watched: Store, make: AppFactory
) -> None:
    app = make(watched)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert row_of(app, "US actions against Kaspersky").split()[-6:-4] == ["2", "4"]
        await pilot.press("K")
        await pilot.press(*"outlet:Policy Wire", "enter")
        await pilot.press(*"keyword:pipeline", "enter")
        await pilot.press(*"nonsense", "enter")
        assert "Write kind:value" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Ransomware attack on a fuel pipeline" not in table_titles(app)
        # the Kaspersky story lost one of its four outlets, and says so
        assert row_of(app, "US actions against Kaspersky").split()[-6:-4] == ["2", "3"]
        assert "mutes hid 5 articles today" in screen_text(app)
        assert {str(m) for m in watch_store.all_mutes(watched)} == {
            "outlet:Policy Wire",
            "keyword:pipeline",
        }
        await pilot.press("K")
        await pilot.pause()
        await pilot.press("tab")  # from the input to the list of mutes
        await pilot.press("down", "x")  # the second mute, keyword:pipeline, goes
        await pilot.press("escape")
        await pilot.pause()
        assert table_titles(app) == RECENT
        assert [str(m) for m in watch_store.all_mutes(watched)] == ["outlet:Policy Wire"]


async def test_story_screen_leaves_muted_articles_out(watched: Store, make: AppFactory) -> None:
    watch_store.add_mute(watched, "outlet", "Policy Wire")
    app = make(watched)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the Kaspersky story, first
        await pilot.pause()
        await pilot.press("home", "tab")  # the first event's articles
        await pilot.pause()
        text = screen_text(app)
        assert "Agencies get 90 days to purge Kaspersky" in text
        assert "Inside the Kaspersky directive" not in text
        assert "Policy Wire" not in text


async def test_W_saves_the_current_search_as_a_watch(watched: Store, make: AppFactory) -> None:
    app = make(watched)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"regul", "enter")
        await pilot.press("W", *"kasp", "enter")  # taken
        assert "That name is taken." in screen_text(app)
        await pilot.press("ctrl+u", *"fuel", "enter", "enter")  # the query: the search
        await pilot.pause()
        assert watch_store.get_watch(watched, "fuel") is not None
        assert watch_store.get_watch(watched, "fuel").query == "regul"  # type: ignore[union-attr]
        await pilot.press("ctrl+f", "v", "v", "v")  # fuel, kasp, pipes: in name order
        assert table_titles(app) == ["Ransomware attack on a fuel pipeline"]
        assert "filter: watch pipes" in screen_text(app)


async def test_refresh_in_the_app_says_which_watches_gained_events_and_runs_the_hook(
    store: Store, make: AppFactory, tmp_path: Path
) -> None:
    srv = FeedServer()
    srv.thread.start()
    try:
        srv.feed("/feed.xml", rss(ITEMS))
        feed_store.add(store, srv.url("/feed.xml"), "Policy Wire")
        watch_store.add_watch(store, "kaspersky", "entity:Kaspersky")
        script = tmp_path / "hook.py"
        script.write_text(HOOK)
        out = tmp_path / "hits"
        hook = f"{sys.executable} {script} {out}"
        app = make(store, extract_full_text=False, on_watch_hit=hook)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r")
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert "watch kaspersky: 1 new event in 1 story" in notes(app)
            doc = json.loads(out.with_suffix(".stdin").read_text())
            assert [w["name"] for w in doc["watches"]] == ["kaspersky"]
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
