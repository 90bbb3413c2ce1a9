"""The story screen (timeline, folded duplicates, new events) and the reader."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from briefing.models import Sentence, TriageState, from_iso
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import triage as triage_store
from briefing.store.rows import sentences_json
from briefing.tui.app import BriefingApp
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.reader import HIGHLIGHT, ReaderScreen
from briefing.tui.screens.story import StoryScreen
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate
from tests.tui.conftest import AppFactory, at, notes, screen_text


async def test_enter_opens_the_timeline_in_date_order(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, StoryScreen)
        text = screen_text(app)
        first = text.index("2017-09-13  Homeland Security orders agencies")
        second = text.index("2026-11-20  Commerce bans sales of Kaspersky software")
        assert first < second
        # sources by outlet name, the wire copy folded into a count
        assert "Global Wire Service, Policy Wire  (+1 copy)" in text
        assert "The Commerce Department barred new sales of the software." in text
        # the newest event is selected; its articles are listed below
        assert "Policy Wire  Commerce bars Kaspersky from the US market" in text
        # opening the story marked it read, with what was seen
        state = triage_store.get(filled, "kaspersky")
        assert state.read and state.seen_event_at == from_iso("2026-11-22T07:00:00Z")
        await pilot.press("escape")
        assert isinstance(app.screen, BriefingScreen)
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "●" not in row


async def test_duplicates_fold_under_their_original(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "k")  # the 2017 event
        text = screen_text(app)
        assert "Global Wire Service  Agencies get 90 days to purge Kaspersky" in text
        assert "+1 copy: Packet Post" in text
        assert "Kaspersky products banned from agency networks" not in text


async def test_new_events_since_last_read_are_marked(filled: Store, make: AppFactory) -> None:
    # read before the Commerce event arrived
    triage_store.put(
        filled,
        TriageState("kaspersky", read=True, seen_event_at=from_iso("2026-11-22T06:00:00Z")),
    )
    with filled.write() as conn:
        conn.execute(
            "UPDATE events SET created_at = '2026-11-01T00:00:00Z' WHERE id = 'kaspersky-e0'"
        )
        conn.execute(
            "UPDATE stories SET last_event_at = '2026-11-22T07:00:00Z' WHERE id = 'kaspersky'"
        )
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        row = next(x for x in screen_text(app).splitlines() if "US actions against" in x)
        assert "●" in row  # back as unread
        await pilot.press("enter")
        lines = screen_text(app).splitlines()
        new = next(x for x in lines if "Commerce bans sales" in x)
        old = next(x for x in lines if "Homeland Security orders" in x)
        assert "✚" in new and "✚" not in old
        assert "1 new since you last read it" in screen_text(app)


async def test_reader_shows_text_marks_read_and_highlights(filled: Store, make: AppFactory) -> None:
    wire = "https://globalwireservice.example/kaspersky-e0-0"
    sentence = "The directive cites the risk of access by a foreign government."
    with filled.write() as conn:
        conn.execute(
            "UPDATE articles SET summary_sentences = ? WHERE url = ?",
            (sentences_json([Sentence(sentence, None, "Global Wire Service")]), wire),
        )
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "k", "enter", "enter")  # 2017 event -> articles -> open
        assert isinstance(app.screen, ReaderScreen)
        text = screen_text(app)
        assert "Agencies get 90 days to purge Kaspersky" in text
        assert "Global Wire Service · 2017-09-13 15:20" in text
        assert "https://globalwireservice.example/kaspersky-e0-0" in text
        assert "What the order says" in text  # a heading, on its own line
        article_id = app.screen.article_id
        assert article_store.get(filled, article_id).read  # type: ignore[union-attr]
        body = app.screen.query_one("#reader-body", Static).content
        assert isinstance(body, Text)

        def styles_at(needle: str) -> list[str]:
            start = body.plain.index(needle)
            return [str(span.style) for span in body.spans if span.start <= start < span.end]

        assert HIGHLIGHT in styles_at(sentence)
        # the event's summary sentence, unattributed, is found by its text
        assert HIGHLIGHT in styles_at("Federal civilian agencies were told")
        assert HIGHLIGHT not in styles_at("Agencies must report")
        assert "2 summary sentences highlighted" in text
        # n goes to the story's next article, j/k scroll, escape goes back
        await pilot.press("n")
        assert "Inside the Kaspersky directive" in screen_text(app)
        await pilot.press("j", "k", "space", "p")
        assert "Agencies get 90 days" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, StoryScreen)
        # the list shows the article as read now
        assert "● 2017-09-13 15:20" not in screen_text(app)


async def test_story_screen_triage_keys(filled: Store, make: AppFactory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "s")
        assert triage_store.get(filled, "kaspersky").starred
        assert "★ US actions against Kaspersky" in screen_text(app)
        await pilot.press("t", *"ban", "enter")
        assert triage_store.get(filled, "kaspersky").tags == ["ban"]
        await pilot.press("N")
        assert not triage_store.get(filled, "kaspersky").read
        await pilot.press("u")
        assert triage_store.get(filled, "kaspersky").read
        await pilot.press("tab", "o", "y")  # the articles list: the selected article's link
        assert opened == ["https://policywire.example/2026/11/20/kaspersky-ban"]
        assert app.clipboard == opened[0]
        await pilot.press("d")  # dismissing goes back to the list, without the story
        assert isinstance(app.screen, BriefingScreen)
        assert triage_store.get(filled, "kaspersky").dismissed
        assert "US actions against Kaspersky" not in screen_text(app)


async def test_next_unread_story_from_the_story_screen(filled: Store, make: AppFactory) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "n")
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.story_id == "pipeline"
        assert triage_store.get(filled, "pipeline").read
        await pilot.press("p")  # kaspersky is read now: nothing unread before
        assert "No more unread" in notes(app)
        assert app.screen.story_id == "pipeline"
        await pilot.press("n")
        assert app.screen.story_id == "patch"
        await pilot.press("q")
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.current_id() == "patch"  # the list followed


def _line_with(app: BriefingApp, needle: str) -> str:
    return next(x for x in screen_text(app).splitlines() if needle in x)


async def test_story_screen_shows_focus_and_cursor_without_colour(
    filled: Store, make: AppFactory
) -> None:
    # In a plain capture (no colours) the analyst still sees which pane has the
    # keys and which event and article the cursor is on.
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        timeline = app.screen.query_one("#timeline")
        articles = app.screen.query_one("#articles")
        assert app.screen.focused is timeline
        title = _line_with(app, "Timeline · event 2 of 2")
        assert "▶ Timeline · event 2 of 2, oldest first · enter/tab: articles" in title
        assert title.startswith("━")  # the focused pane's heavy line
        row = _line_with(app, "Articles · 2026-11-20 Commerce bans sales")
        assert "▶" not in row and row.startswith("─")
        assert "▶ 2026-11-20  Commerce bans sales" in _line_with(app, "Commerce bans sales")
        assert "▶" not in _line_with(app, "2017-09-13  Homeland Security")
        assert "⏎ Open" in screen_text(app) and "tab Pane" in screen_text(app)
        # enter on an event takes the keys to its articles, and says so
        await pilot.press("enter")
        assert app.screen.focused is articles
        assert "▶ Articles · enter: read · tab: timeline" in screen_text(app)
        assert _line_with(app, "Articles · enter").startswith("━")
        assert _line_with(app, "Timeline · event 2 of 2").startswith("─")
        assert "▶ ●" in _line_with(app, "Commerce bars Kaspersky from the US market")
        # tab goes back; moving the cursor moves the mark and the articles' title
        await pilot.press("tab")
        assert app.screen.focused is timeline
        await pilot.press("k")
        assert "▶ 2017-09-13  Homeland Security" in _line_with(app, "2017-09-13  Homeland")
        assert "Articles · 2017-09-13 Homeland Security orders" in screen_text(app)
        assert "▶ Timeline · event 1 of 2, oldest first" in screen_text(app)
        await pilot.press("shift+tab")
        assert app.screen.focused is articles
        await pilot.press("j")  # the second original (the copy is folded under the first)
        assert "▶" not in _line_with(app, "Agencies get 90 days to purge Kaspersky")
        assert "▶ ●" in _line_with(app, "Inside the Kaspersky directive")
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        # back on the story: the article shows read, the cursor's mark stays on it
        row = _line_with(app, "Inside the Kaspersky directive")
        assert "▶" in row and "●" not in row
        # the help screen says what enter and tab do here
        await pilot.press("question_mark")
        text = screen_text(app)
        assert "On an event: its articles; on an article: read it" in text
        assert "tab shift+tab  Pane" in text


async def test_a_revisit_starts_at_the_first_new_event(filled: Store, make: AppFactory) -> None:
    # read before both events arrived: start at the older new one, read on with j
    triage_store.put(
        filled,
        TriageState("kaspersky", read=True, seen_event_at=from_iso("2026-11-01T00:00:00Z")),
    )
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        assert "▶ 2017-09-13  Homeland Security" in _line_with(app, "2017-09-13  Homeland")
        assert "Articles · 2017-09-13 Homeland Security orders" in screen_text(app)
        await pilot.press("j")
        assert "▶ 2026-11-20  Commerce bans sales" in _line_with(app, "Commerce bans sales")


async def test_back_from_the_reader_lands_where_reading_stopped(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter", "enter")  # story, its newest event, first article
        assert isinstance(app.screen, ReaderScreen)
        assert "Commerce bars Kaspersky from the US market" in screen_text(app)
        await pilot.press("p")  # back into the 2017 event
        assert "Inside the Kaspersky directive" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, StoryScreen)
        assert "▶ 2017-09-13  Homeland Security" in _line_with(app, "2017-09-13  Homeland")
        assert "▶" not in _line_with(app, "2026-11-20  Commerce bans sales")
        assert "▶" in _line_with(app, "Inside the Kaspersky directive")
        assert "▶" not in _line_with(app, "Agencies get 90 days to purge Kaspersky")
        await pilot.press("enter")  # enter opens the article the cursor is on
        assert "Inside the Kaspersky directive" in screen_text(app)


async def test_a_revisit_shows_the_first_new_event_at_the_top(
    store: Store, make: AppFactory
) -> None:
    # three events, the last two new: the view opens on the first new one's
    # first line, not on the tail of the old one above it
    def event(title: str, day: int) -> EventSpec:
        when = at(f"2026-11-{day:02d}T09:00:00")
        return EventSpec(
            title, when.date(), [ArticleSpec(f"{title} report", "Policy Wire", when)], [title + "."]
        )

    populate(
        store,
        [
            StorySpec(
                "long", "A long story", [event("Old", 1), event("Middle", 10), event("Last", 20)]
            )
        ],
    )
    with store.write() as conn:
        conn.execute("UPDATE events SET created_at = '2026-10-01T00:00:00Z' WHERE id = 'long-e0'")
    triage_store.put(
        store, TriageState("long", read=True, seen_event_at=from_iso("2026-10-02T00:00:00Z"))
    )
    app = make(store)
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        title = next(n for n, x in enumerate(lines) if "Timeline · event 2 of 3" in x)
        assert "▶ 2026-11-10  Middle" in lines[title + 1]
