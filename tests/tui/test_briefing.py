"""The briefing screen: order, marks, summary pane, and every triage key."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from textual.command import CommandList
from textual.widgets import Input

from briefing.models import TriageState
from briefing.store import Store
from briefing.store import triage as triage_store
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.storylist import StoryList
from tests.tui.conftest import NOW, AppFactory, notes, screen_text, table_titles, until

RECENT = [
    "US actions against Kaspersky",
    "Ransomware attack on a fuel pipeline",
    "Emergency patch for a mail server flaw",
    "EU NIS2 rules reach national law",
]


def briefing(app) -> BriefingScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, BriefingScreen)
    return app.screen


async def test_stories_newest_first_with_counts_and_marks(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert table_titles(app) == RECENT
        text = screen_text(app)
        lines = text.splitlines()
        row = next(line for line in lines if "US actions against Kaspersky" in line)
        # unread, new since last session, latest date, 2 events, 4 distinct outlets
        assert "●" in row and "✚" in row
        assert "2026-11-20" in row
        assert row.split()[-6:-4] == ["2", "4"]
        # an old story is not new since the last session
        nis2 = next(line for line in lines if "EU NIS2 rules" in line)
        assert "✚" not in nis2
        # summary pane shows the selected story's summary
        assert "The Commerce Department barred new sales of the software." in text
        assert "4 stories · 4 unread" in text


async def test_sort_by_coverage_and_back(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("S")
        # three outlets covered the pipeline in the last days, two the Kaspersky ban
        assert table_titles(app)[:2] == [RECENT[1], RECENT[0]]
        assert "by coverage" in screen_text(app)
        await pilot.press("S")
        assert table_titles(app) == RECENT


async def test_move_with_j_k_and_arrows_updates_summary(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(StoryList)
        await pilot.press("j")
        assert table.cursor_row == 1
        # the summary pane loads in a worker once the cursor rests
        await until(lambda: "The operator halted the pipeline" in screen_text(app), pilot.pause)
        await pilot.press("down", "down")
        assert table.cursor_row == 3
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        assert briefing(app).current_id() == "pipeline"


async def test_wide_and_narrow_layout(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#summary-pane")
        table = app.screen.query_one(StoryList)
        assert pane.region.x > table.region.x  # beside the list
    app = make(filled)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#summary-pane")
        table = app.screen.query_one(StoryList)
        assert pane.region.y > table.region.y  # under the list


async def test_star_toggles_in_store_and_on_screen(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        assert triage_store.get(filled, "kaspersky").starred
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "★" in row
        await pilot.press("s")
        assert not triage_store.get(filled, "kaspersky").starred


async def test_toggle_read_marks_seen_and_a_new_event_brings_it_back(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("N")
        state = triage_store.get(filled, "kaspersky")
        assert state.read and state.seen_event_at is not None
        # like newsboat, N moves on to the next unread story
        assert briefing(app).current_id() == "pipeline"
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "●" not in row
        assert "3 unread" in screen_text(app)
        # a new event joins the story: it is unread again
        with filled.write() as conn:
            conn.execute(
                "INSERT INTO events(id, story_id, title, date, created_at) VALUES "
                "('k-new', 'kaspersky', 'Lawmakers ask about the ban', '2026-11-22', "
                "'2026-11-22T07:59:00Z')"
            )
            conn.execute(
                "UPDATE stories SET last_event_at = '2026-11-22T07:59:00Z' WHERE id = 'kaspersky'"
            )
        briefing(app).reload()
        await pilot.pause()
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "●" in row
        briefing(app).select_story("kaspersky")
        await pilot.press("N")
        state = triage_store.get(filled, "kaspersky")
        assert state.read and state.seen_event_at == datetime(2026, 11, 22, 7, 59, tzinfo=UTC)
        assert briefing(app).current_id() != "kaspersky"
        briefing(app).select_story("kaspersky")
        await pilot.press("N")  # and unread again: the cursor stays
        assert not triage_store.get(filled, "kaspersky").read
        assert briefing(app).current_id() == "kaspersky"


async def test_mark_all_shown_read_and_undo(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("A")
        assert all(triage_store.get(filled, s).read for s in ("kaspersky", "nis2", "pipeline"))
        assert "0 unread" in screen_text(app)
        await pilot.press("u")
        assert not any(triage_store.get(filled, s).read for s in ("kaspersky", "nis2", "patch"))
        assert "4 unread" in screen_text(app)


async def test_dismiss_hides_until_a_new_event(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        assert triage_store.get(filled, "kaspersky").dismissed
        assert "US actions against Kaspersky" not in table_titles(app)
        # the cursor stays on the same line, now the next story
        assert briefing(app).current_id() == "pipeline"
        assert "3 stories" in screen_text(app)
        with filled.write() as conn:
            conn.execute(
                "UPDATE stories SET last_event_at = '2026-11-22T07:59:00Z' WHERE id = 'kaspersky'"
            )
        briefing(app).reload()
        await pilot.pause()
        assert "US actions against Kaspersky" in table_titles(app)


async def test_undo_restores_the_previous_state(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await pilot.press("u")
        assert not triage_store.get(filled, "kaspersky").dismissed
        assert table_titles(app)[0] == "US actions against Kaspersky"
        assert briefing(app).current_id() == "kaspersky"
        await pilot.press("u")
        assert "Nothing to undo" in notes(app)


async def test_undo_says_what_it_undid_and_goes_to_it_and_redo_brings_it_back(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")  # a note on the first story
        await pilot.press(*"call the desk", "ctrl+s")
        assert triage_store.get(filled, "kaspersky").note == "call the desk"
        await pilot.press("j", "d", "u")  # dismiss the next story, and undo that
        assert "Undid dismiss on “Ransomware attack on a fuel pipeline”" in notes(app)
        assert briefing(app).current_id() == "pipeline"
        await pilot.press("u")  # the second undo takes the note: it says so, and shows it
        await pilot.pause()
        assert triage_store.get(filled, "kaspersky").note == ""
        assert "Undid note on “US actions against Kaspersky”" in notes(app)
        assert briefing(app).current_id() == "kaspersky"
        await pilot.press("U")
        await pilot.pause()
        assert triage_store.get(filled, "kaspersky").note == "call the desk"
        assert "Redid note on “US actions against Kaspersky”" in notes(app)
        await pilot.press("U", "U")  # the dismissal again, then nothing left
        assert triage_store.get(filled, "pipeline").dismissed
        assert "Nothing to redo" in notes(app)


async def test_snooze_until_tomorrow_or_a_typed_date(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("z")
        assert "Snooze until" in screen_text(app)
        await pilot.press("enter")
        tomorrow = NOW.date() + timedelta(days=1)
        assert triage_store.get(filled, "kaspersky").snoozed_until == tomorrow
        assert "US actions against Kaspersky" not in table_titles(app)
        # now the pipeline story, with a typed date; a bad date is refused first
        await pilot.press("z", "ctrl+a", "ctrl+k", "x", "enter")
        assert "Not a day I know: 'x'" in screen_text(app)
        # a past day is refused with the reason (today is Sunday 2026-11-22)
        app.screen.query_one(Input).value = "2026-11-20"
        await pilot.press("enter")
        assert "2026-11-20 is not after today" in screen_text(app)
        app.screen.query_one(Input).value = "2026-12-01"
        await pilot.press("enter")
        assert triage_store.get(filled, "pipeline").snoozed_until == date(2026, 12, 1)
        # escape cancels without writing
        await pilot.press("z", "escape")
        assert triage_store.get(filled, "patch").snoozed_until is None
        # words: the next Monday after Sunday the 22nd
        await pilot.press("z", "ctrl+a", "ctrl+k", *"monday", "enter")
        assert triage_store.get(filled, "patch").snoozed_until == date(2026, 11, 23)
        assert "Snoozed until Mon 2026-11-23" in notes(app)


async def test_tag_and_note(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t", *"Ru eu", "enter")
        assert triage_store.get(filled, "kaspersky").tags == ["eu", "ru"]
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "#" in row and "#eu #ru" in row
        await pilot.press("a")
        await pilot.press(*"ask", "enter", *"us")
        await pilot.press("ctrl+s")
        assert triage_store.get(filled, "kaspersky").note == "ask\nus"
        assert "✎" in screen_text(app)
        # escape leaves the note as it was
        await pilot.press("a", "x", "escape")
        assert triage_store.get(filled, "kaspersky").note == "ask\nus"


async def test_next_and_previous_unread(filled: Store, make: AppFactory) -> None:
    triage_store.put(filled, TriageState("pipeline", read=True))
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        assert briefing(app).current_id() == "patch"  # skips the read pipeline story
        await pilot.press("n")
        assert briefing(app).current_id() == "nis2"
        await pilot.press("n")
        assert "No more unread" in notes(app)
        await pilot.press("p", "p")
        assert briefing(app).current_id() == "kaspersky"


async def test_search_and_clear(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"regul", "enter")
        assert table_titles(app) == ["Ransomware attack on a fuel pipeline"]
        assert "search “regul”" in screen_text(app)
        await pilot.press("ctrl+f")
        assert table_titles(app) == RECENT
        await pilot.press("slash", *"zqx", "enter")
        assert table_titles(app) == []
        assert "“zqx” matched" in screen_text(app)  # not "press r to fetch your feeds"
        await pilot.press("escape")
        assert len(table_titles(app)) == 4


async def test_filter_starred_and_by_feed(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "s")  # star the pipeline story
        await pilot.press("F")
        assert "▐ ▌ Starred only" in screen_text(app)
        await pilot.click("#starred")
        assert "▐X▌ Starred only" in screen_text(app)
        assert "▐ ▌ Unread only" in screen_text(app)
        await pilot.press("ctrl+s")
        assert table_titles(app) == ["Ransomware attack on a fuel pipeline"]
        assert "filter: starred" in screen_text(app)
        await pilot.press("ctrl+f")
        assert len(table_titles(app)) == 4
        screen = briefing(app)
        from briefing.reading.stories import Filter
        from briefing.store import feeds as feed_store

        feed = next(f for f in feed_store.all_feeds(filled) if f.title == "Policy Wire")
        screen.set_filter(Filter(feed_id=feed.id, feed_name=feed.title))
        await pilot.pause()
        assert table_titles(app) == ["US actions against Kaspersky"]
        screen.set_filter(Filter(since=date(2026, 11, 1), unread=True))
        await pilot.pause()
        assert table_titles(app) == RECENT[:3]


async def test_open_and_copy_link(filled: Store, make: AppFactory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        # the newest original article of the story
        assert opened == ["https://thecyberledger.example/kaspersky-e1-1"]
        await pilot.press("y")
        assert app.clipboard == "https://thecyberledger.example/kaspersky-e1-1"


async def test_open_link_without_a_browser_copies_it(  # type: ignore[no-untyped-def]
    filled: Store, make: AppFactory, monkeypatch
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert app.clipboard == "https://thecyberledger.example/kaspersky-e1-1"
        assert "No web browser found; copied the link instead" in notes(app)
        assert "Opened" not in notes(app)


async def test_help_lists_keys_and_escape_closes(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    # tall enough for every key and the marks legend below them
    async with app.run_test(size=(100, 44)) as pilot:
        await pilot.press("question_mark")
        text = screen_text(app)
        for key, action in [("s", "Star"), ("d", "Dismiss"), ("z", "Snooze"), ("N", "Read")]:
            assert re.search(rf"█\s+{key}\s+{action}", text), key
        assert "✚" in text  # the marks legend
        await pilot.press("escape")
        assert isinstance(app.screen, BriefingScreen)


async def test_q_quits_on_the_main_screen_and_records_the_session(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert filled.get_meta("last_session_at") == "2026-11-22T08:00:00Z"


async def test_keymap_rebinds_a_key(filled: Store, make: AppFactory) -> None:
    app = make(filled, keymap={"briefing.star": "x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        assert triage_store.get(filled, "kaspersky").starred
        await pilot.press("s")  # no longer bound
        assert triage_store.get(filled, "kaspersky").starred


async def test_command_palette_runs_screen_actions(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Star")
        for _ in range(100):  # the palette searches in the background
            await pilot.pause(0.05)
            if app.screen.query_one(CommandList).option_count:
                break
        await pilot.press("enter")
        await pilot.pause()
        assert triage_store.get(filled, "kaspersky").starred


async def test_theme_toggle(filled: Store, make: AppFactory) -> None:
    app = make(filled, theme="textual-light")
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "textual-light"
        await pilot.press("T")
        assert app.theme == "textual-dark"
        await pilot.press("T")
        assert app.theme == "textual-light"


async def test_empty_store_explains_what_to_do(store: Store, make: AppFactory) -> None:
    app = make(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Press r to fetch your feeds" in screen_text(app)
        await pilot.press("s", "d", "N", "o", "y", "enter", "A", "u")
        assert isinstance(app.screen, BriefingScreen)


async def test_cursor_and_focus_show_without_colour(filled: Store, make: AppFactory) -> None:
    # A plain capture (no colours) still shows the cursor's story and which
    # pane has the keys; the footer says how to open a story.
    app = make(filled)
    async with app.run_test(size=(80, 24)) as pilot:
        lines = screen_text(app).splitlines()
        assert next(x for x in lines if "US actions against" in x).startswith("▶●")
        assert not next(x for x in lines if "Ransomware attack" in x).startswith("▶")
        assert "⏎ Open" in lines[-1]
        await pilot.press("j")
        lines = screen_text(app).splitlines()
        assert not next(x for x in lines if "US actions against" in x).startswith("▶")
        assert next(x for x in lines if "Ransomware attack" in x).startswith("▶")
        # tab gives the summary the keys: its border says so, and j scrolls it
        await pilot.press("k")
        pane = app.screen.query_one("#summary-pane")
        assert "─Summary" in screen_text(app).replace(" ", "")
        await pilot.press("tab")
        assert app.screen.focused is pane
        title = next(x for x in screen_text(app).splitlines() if "Summary" in x)
        assert "▶ Summary · j/k: scroll · tab: stories" in title and title.startswith("━")
        assert pane.max_scroll_y > 0
        await pilot.press("j", "j")
        assert pane.scroll_y == 2
        assert briefing(app).current_id() == "kaspersky"  # the list stayed put
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one(StoryList)
        assert "▶ Summary" not in screen_text(app)


async def test_a_console_browser_never_draws_over_the_app(  # type: ignore[no-untyped-def]
    filled: Store, make: AppFactory, monkeypatch
) -> None:
    """lynx or w3m would take the terminal: they run with the app suspended, or not at all."""
    import webbrowser

    ran: list[str] = []
    monkeypatch.setattr("webbrowser.get", lambda *a: webbrowser.GenericBrowser("lynx"))
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: ran.append(url) or True)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        # the test driver cannot suspend, so the console browser must not run
        assert ran == []
        assert app.clipboard == "https://thecyberledger.example/kaspersky-e1-1"
        assert "copied the link instead" in notes(app)
