"""The morning session without friction: the keys and messages issue 15 asked for."""

from __future__ import annotations

from datetime import timedelta

from briefing.config import Paths, Settings
from briefing.models import utcnow
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.feeds import FeedsScreen
from tests.fetch.conftest import FeedServer, Reply, fixture
from tests.tui.conftest import NOW, AppFactory, notes, screen_text, settled, until

FAST = {
    "connect_timeout": 1.0,
    "read_timeout": 2.0,
    "request_deadline": 4.0,
    "extract_full_text": False,
}


async def test_R_fetches_feeds_that_r_leaves_backing_off_and_failures_are_one_notice(
    store: Store, make: AppFactory
) -> None:
    srv = FeedServer()
    srv.thread.start()
    try:
        srv.feed("/policy.xml", fixture("rss2.xml"))
        for n in range(4):
            srv.routes[f"/down{n}.xml"] = Reply(404, b"")
            feed_store.add(store, srv.url(f"/down{n}.xml"), f"Down {n}")
        backing_off = feed_store.add(store, srv.url("/policy.xml"), "Policy Wire")
        # failed a minute ago: r leaves it alone for a while
        backing_off.failures, backing_off.last_error = 2, "HTTP 503 Service Unavailable"
        backing_off.last_fetched = utcnow() - timedelta(minutes=1)  # the pipeline's clock
        feed_store.update(store, backing_off)
        app = make(store, **FAST)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("r")
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert not any(s.path == "/policy.xml" for s in srv.requests)
            failed = [n for n in app._notifications if "failed: press f" in n.message]
            assert len(failed) == 1 and len(list(app._notifications)) == 1
            assert "4 feeds failed: press f to see them." in failed[0].message
            app.clear_notifications()

            await pilot.press("R")
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert any(s.path == "/policy.xml" for s in srv.requests)
            fetched = feed_store.by_url(store, srv.url("/policy.xml"))
            assert fetched is not None and fetched.failures == 0
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


async def test_feeds_screen_says_when_each_feed_is_next_tried(
    store: Store, make: AppFactory
) -> None:
    waiting = feed_store.add(store, "https://waiting.example/feed", "Waiting Feed")
    waiting.failures, waiting.last_error = 3, "HTTP 500 Internal Server Error"
    waiting.last_fetched = NOW - timedelta(minutes=30)
    feed_store.update(store, waiting)
    feed_store.add(store, "https://fine.example/feed", "Fine Feed")
    app = make(store)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FeedsScreen)
        text = screen_text(app)
        assert "next try" in text and "next r" in text
        # 3 failures: 2 h of back-off from 07:30
        assert "2026-11-22 09:30" in text
        row = next(n for n, f in enumerate(app.screen.feeds) if f.title == "Waiting Feed")
        app.screen.query_one("#feed-table").move_cursor(row=row)
        await pilot.pause()
        assert "next try 2026-11-22 09:30 (backing off); R tries it now" in screen_text(app)


async def test_T_saves_the_theme_keeping_the_rest_of_settings(
    filled: Store, make: AppFactory, paths: Paths
) -> None:
    paths.settings_file.write_text('# mine\nsort = "coverage"\n\n[keymap]\n"briefing.help" = "h"\n')
    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("T")
        assert app.theme == "textual-light"
    saved = Settings.load(paths.settings_file)
    assert saved.theme == "textual-light" and saved.sort == "coverage"
    assert saved.keymap == {"briefing.help": "h"}
    assert paths.settings_file.read_text().startswith('theme = "textual-light"\n# mine\n')


async def test_keymap_conflicts_and_unknown_ids_are_warned_at_start(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled, keymap={"briefing.star": "S", "briefing.stra": "x"})
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        text = notes(app)
        assert '"briefing.stra" is not a binding id' in text
        assert 'takes S from "briefing.toggle_sort" (Sort)' in text
        before = app.triage.get(table_titles_ids(app)[0]).starred
        await pilot.press("S")
        assert app.triage.get(table_titles_ids(app)[0]).starred != before


def table_titles_ids(app: BriefingApp) -> list[str]:
    from briefing.tui.screens.briefing import BriefingScreen

    assert isinstance(app.screen, BriefingScreen)
    return [item.id for item in app.screen.shown]


async def test_n_in_the_reader_crosses_into_the_next_unread_story(
    filled: Store, make: AppFactory
) -> None:
    from briefing.tui.screens.reader import ReaderScreen
    from briefing.tui.screens.story import StoryScreen

    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter", "enter")  # kaspersky, newest event, first article
        assert isinstance(app.screen, ReaderScreen)
        assert "Commerce bars Kaspersky" in screen_text(app)
        await pilot.press("n")  # the story's last article
        assert "What the Kaspersky ban means" in screen_text(app)
        await pilot.press("n")  # past the end: the next unread story, its first article
        assert app.screen.story_id == "pipeline"
        assert "Fuel pipeline halted by ransomware" in screen_text(app)
        assert "Next story: Ransomware attack on a fuel pipeline" in notes(app)
        assert "article 1 of 3" in screen_text(app)
        await pilot.press("p")  # before the first: kaspersky is read now, nothing unread before
        assert app.screen.story_id == "pipeline"
        assert "No more unread stories that way." in notes(app)
        await pilot.press("escape")  # the story screen below followed
        assert isinstance(app.screen, StoryScreen) and app.screen.story_id == "pipeline"


async def test_search_syntax_errors_snippets_and_the_empty_message(
    filled: Store, make: AppFactory
) -> None:
    from rich.text import Text
    from textual.widgets import Input, Static

    from briefing.tui.screens.briefing import MATCH_STYLE

    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"ninety OR halted", "enter")
        assert {i.id for i in app.screen.shown} == {"kaspersky", "pipeline"}
        app.screen.select_story("pipeline")
        # a move right after the last one waits for the cursor to rest (SUMMARY_DEBOUNCE)
        await pilot.pause(0.2)
        await pilot.pause()
        summary = app.screen.query_one("#summary", Static).content
        assert isinstance(summary, Text)
        assert "⌕ Fuel pipeline halted by ransomware" in summary.plain
        marked = [summary.plain[s.start : s.end] for s in summary.spans if s.style == MATCH_STYLE]
        assert marked == ["halted"]
        # a phrase
        await pilot.press("slash", "ctrl+a", "ctrl+k", *'"operator halted"', "enter")
        assert [i.id for i in app.screen.shown] == ["pipeline"]
        # bad syntax: the modal says what to fix and stays open
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"halted OR", "enter")
        assert "OR needs words on both sides" in screen_text(app)
        app.screen.query_one(Input).value = "nosuchwordanywhere"
        await pilot.press("enter")
        empty = str(app.screen.query_one("#summary", Static).content)
        assert "“nosuchwordanywhere” matched nothing" in empty and "ctrl+f to clear" in empty
        assert "Press r to fetch" not in empty
        await pilot.press("ctrl+f")
        assert len(app.screen.shown) == 4


async def test_a_multi_line_note_shows_its_lines(filled: Store, make: AppFactory) -> None:
    from briefing.store import triage as triage_store
    from briefing.tui.screens.story import StoryScreen

    state = triage_store.get(filled, "kaspersky")
    state.note = "first point\nsecond point\nthird point"
    triage_store.put(filled, state)
    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        lines = screen_text(app).splitlines()
        assert any(line.rstrip().endswith("✎ first point") for line in lines)
        assert any(line.rstrip().endswith("  second point") for line in lines)
        await pilot.press("enter")
        assert isinstance(app.screen, StoryScreen)
        assert "third point" in screen_text(app)


async def test_Y_copies_the_story_id_and_the_summary_shows_it(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(160, 40)) as pilot:
        assert "id kaspersky" in screen_text(app)
        await pilot.press("Y")
        assert copied == ["kaspersky"]
        assert "Copied the story id kaspersky" in notes(app)
        await pilot.press("enter", "Y")  # on the story screen too
        assert copied == ["kaspersky", "kaspersky"]


def test_the_reader_drops_related_links_and_a_repeated_title() -> None:
    from briefing.models import Article
    from briefing.tui.screens.reader import body_text

    article = Article(
        1,
        "g",
        "https://a.example/1",
        "Regulators weigh a supplier rule",
        text=(
            "Regulators Weigh a Supplier Rule\n"
            "The regulators met on Tuesday to weigh the rule.\n"
            "Read more: An older story about suppliers\n"
            "Related stories\n"
            "Share this article\n"
            "A spokesperson declined to comment on the timing.\n"
            "Readers can read more: the rule runs to forty pages."
        ),
    )
    shown = body_text(article).plain.split("\n\n")
    assert shown == [
        "The regulators met on Tuesday to weigh the rule.",
        "A spokesperson declined to comment on the timing.",
        "Readers can read more: the rule runs to forty pages.",
    ]


async def test_the_footer_fits_80_columns_on_every_screen(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(80, 24)) as pilot:
        for keys in [(), ("enter",), ("enter", "enter"), ("escape", "escape", "f")]:
            await pilot.press(*keys)
            # a pushed screen loads in a worker; its footer settles after that
            await until(lambda: footer_fits(app)[0], pilot.pause)
            fits, footer, shown = footer_fits(app)
            assert fits, (footer, shown)
            assert "^p palette" in footer


def footer_fits(app: BriefingApp) -> tuple[bool, str, list[str]]:
    footer = screen_text(app).splitlines()[-1]
    shown = [
        b.binding.description
        for b in app.screen.active_bindings.values()
        if b.binding.show and b.binding.description
    ]
    return bool(shown) and all(d in footer for d in shown), footer, shown


async def test_a_theme_picked_in_the_palette_is_saved_too(
    filled: Store, make: AppFactory, paths: Paths
) -> None:
    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.pause()
    assert Settings.load(paths.settings_file).theme == "nord"
