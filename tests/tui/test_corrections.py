"""Correction keys under Pilot, on a store the real clustering stage grouped.

Merge (M) and rename (ctrl+r) on the briefing and story screens; split (X), move (m)
and merge event (E) on the story screen; move (m) in the reader. Targets come
from the picker, most similar first; `u` undoes a correction and says so, in
turn with triage.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefing.cluster import stage
from briefing.store import Store
from briefing.store.articles import upsert
from briefing.store.feeds import add as add_feed
from briefing.tui.app import BriefingApp
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.picker import PickerModal
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.story import StoryScreen
from tests.cluster.fixtures import BY_KEY, MORNING, articles
from tests.tui.conftest import AppFactory, notes


@pytest.fixture
def grouped(store: Store) -> Store:
    feed = add_feed(store, "https://fixtures.example/feed")
    assert feed.id is not None
    upsert(store, articles(feed.id, MORNING))
    stage.run(store, now=datetime(2026, 11, 21, 7, 0, tzinfo=UTC))
    return store


def where(store: Store, key: str, level: str = "story") -> str:
    column = "e.story_id" if level == "story" else "a.event_id"
    row = store.query(
        f"SELECT {column} FROM articles a JOIN events e ON e.id = a.event_id WHERE a.guid = ?",
        (key,),
    )
    return str(row[0][0])


def briefing(app: BriefingApp) -> BriefingScreen:
    return next(s for s in app.screen_stack if isinstance(s, BriefingScreen))


async def to_story(app: BriefingApp, pilot, story_id: str) -> None:  # type: ignore[no-untyped-def]
    briefing(app).select_story(story_id)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, StoryScreen) and app.screen.story_id == story_id


async def to_event(app: BriefingApp, pilot, event_id: str) -> None:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, StoryScreen)
    index = [e.id for e in screen.events].index(event_id)
    screen.query_one("#timeline").highlighted = index  # type: ignore[attr-defined]
    await pilot.pause()


async def test_merge_story_from_the_briefing_offers_the_most_similar_first(
    grouped: Store, make: AppFactory
) -> None:
    research, ban = where(grouped, "threat-research"), where(grouped, "wire-ban")
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        briefing(app).select_story(research)
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerModal)
        assert picker.shown[0].id == ban  # the other Kaspersky story
        await pilot.press("enter")
        await pilot.pause()
        assert where(grouped, "threat-research") == where(grouped, "wire-ban")
        assert "Merged story" in notes(app) and "u to undo" in notes(app)
        merged = where(grouped, "wire-ban")
        assert briefing(app).current_id() == merged
        assert [i.id for i in briefing(app).shown].count(merged) == 1
        await pilot.press("u")
        await pilot.pause()
        assert where(grouped, "threat-research") == research
        assert where(grouped, "wire-ban") == ban
        assert "Undid merged story" in notes(app)
        await pilot.press("U")
        await pilot.pause()
        assert where(grouped, "threat-research") == where(grouped, "wire-ban")
        assert "Redid merged story" in notes(app)
        await pilot.press("u")
        await pilot.pause()
        assert where(grouped, "threat-research") != where(grouped, "wire-ban")


async def test_picker_search_narrows_and_escape_changes_nothing(
    grouped: Store, make: AppFactory
) -> None:
    before = grouped.query("SELECT id, story_id FROM events ORDER BY id")
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("M")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerModal)
        await pilot.press(*"tiktok")
        assert [c.title for c in picker.shown] == [
            t
            for (t,) in grouped.query("SELECT s.title FROM stories s WHERE s.title LIKE '%TikTok%'")
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
    assert grouped.query("SELECT id, story_id FROM events ORDER BY id") == before


async def test_split_from_the_story_screen_keeps_the_analyst_on_the_story(
    grouped: Store, make: AppFactory
) -> None:
    story = where(grouped, "wire-ban")
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_story(app, pilot, story)
        await to_event(app, pilot, where(grouped, "ledger-exit", "event"))
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, PickerModal)
        await pilot.press("enter")  # only this event
        await pilot.pause()
        assert where(grouped, "wire-ban") == story != where(grouped, "ledger-exit")
        screen = app.screen
        assert isinstance(screen, StoryScreen) and screen.story_id == story
        assert [e.id for e in screen.events] == [where(grouped, "wire-ban", "event")]
        assert "Split event" in notes(app)


async def test_move_event_and_merge_event_from_the_story_screen(
    grouped: Store, make: AppFactory
) -> None:
    research = where(grouped, "threat-research")
    tiktok_event = where(grouped, "policy-tiktok-law", "event")
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_story(app, pilot, where(grouped, "breach-lakeside"))
        await pilot.press("E")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerModal)
        assert where(grouped, "breach-lakeside", "event") not in [c.id for c in picker.shown]
        await pilot.press(*tiktok_event[:8], "enter")  # the picker matches ids too
        await pilot.pause()
        lake = where(grouped, "breach-lakeside", "event")
        assert lake == where(grouped, "policy-tiktok-law", "event")
        assert "Merged event" in notes(app)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*research[:8], "enter")
        await pilot.pause()
        assert where(grouped, "breach-lakeside") == where(grouped, "policy-tiktok-law") == research
        assert "Moved event" in notes(app)
        # two corrections, undone newest first
        await pilot.press("u")
        await pilot.pause()
        assert where(grouped, "breach-lakeside") != research
        assert where(grouped, "breach-lakeside", "event") == where(
            grouped, "policy-tiktok-law", "event"
        )


async def test_move_article_out_from_the_articles_pane_and_from_the_reader(
    grouped: Store, make: AppFactory
) -> None:
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_story(app, pilot, where(grouped, "wire-ban"))
        await to_event(app, pilot, where(grouped, "wire-ban", "event"))
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        await pilot.press("tab")
        rows = [a.title for a, _c in screen._article_rows]
        index = rows.index(BY_KEY["policy-ban"].title)
        screen.query_one("#articles").highlighted = index  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PickerModal)
        await pilot.press("enter")  # the first choice: an event of its own
        await pilot.pause()
        assert where(grouped, "policy-ban", "event") != where(grouped, "wire-ban", "event")
        assert "out to an event of its own" in notes(app)
        # and back, from the reader: move it to the ban's event again
        article = int(grouped.query("SELECT id FROM articles WHERE guid = 'policy-ban'")[0][0])
        app.push_screen(ReaderScreen(article, where(grouped, "policy-ban")))
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerModal)
        target = where(grouped, "wire-ban", "event")
        await pilot.press(*target[:8], "enter")
        await pilot.pause()
        assert where(grouped, "policy-ban", "event") == target


async def test_rename_and_star_undo_and_redo_in_turn(grouped: Store, make: AppFactory) -> None:
    story = where(grouped, "wire-ban")
    app = make(grouped)
    async with app.run_test(size=(120, 36)) as pilot:
        briefing(app).select_story(story)
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"Kaspersky in the US", "enter")
        await pilot.pause()
        title = grouped.query("SELECT title FROM stories WHERE id = ?", (story,))[0][0]
        assert title == "Kaspersky in the US"
        assert "Kaspersky in the US" in [i.story.title for i in briefing(app).shown]
        await pilot.press("s")  # a triage action after the correction
        await pilot.pause()
        await pilot.press("u")  # undoes the star first
        await pilot.pause()
        assert not app.triage.get(story).starred
        assert grouped.query("SELECT title FROM stories WHERE id = ?", (story,))[0][0] == title
        await pilot.press("u")  # then the rename
        await pilot.pause()
        assert grouped.query("SELECT title FROM stories WHERE id = ?", (story,))[0][0] != title
        assert "Undid renamed story" in notes(app)
        await pilot.press("U")  # redo walks forward the same way: the rename first
        await pilot.pause()
        assert grouped.query("SELECT title FROM stories WHERE id = ?", (story,))[0][0] == title
        assert not app.triage.get(story).starred
        await pilot.press("U")  # then the star
        await pilot.pause()
        assert app.triage.get(story).starred
        await pilot.press("U")
        await pilot.pause()
        assert "Nothing to redo." in notes(app)


async def test_correction_keys_are_in_the_footer_help_and_palette(
    grouped: Store, make: AppFactory
) -> None:
    app = make(grouped)
    async with app.run_test(size=(160, 40)) as pilot:
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {"briefing.merge_story", "briefing.rename_story"} <= ids
        await to_story(app, pilot, where(grouped, "wire-ban"))
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {
            "briefing.merge_story",
            "briefing.rename_story",
            "briefing.split_story",
            "briefing.move_item",
            "briefing.merge_event",
        } <= ids
        await pilot.press("question_mark")
        await pilot.pause()
        from tests.tui.conftest import screen_text

        text = screen_text(app)
        assert "Merge story" in text and "Split" in text and "Merge event" in text
