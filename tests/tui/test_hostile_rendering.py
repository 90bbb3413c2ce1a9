"""Feed text is shown as text: markup, escape sequences and fake links do nothing.

The rows are written straight into SQLite (as an old database, from before
the ingest gate, might hold them), so the screens' own defences are tested.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.models import Sentence, TriageState
from briefing.store import Store
from briefing.store import triage as triage_store
from briefing.store.rows import sentences_json
from briefing.tui.app import BriefingApp
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.export import ExportModal
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.story import StoryScreen
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate
from tests.tui.conftest import HOSTILE, AppFactory, screen_text, until

TITLE = " ".join(HOSTILE)


def hostile_store(store: Store) -> Store:
    when = datetime(2026, 11, 21, 10, tzinfo=UTC)
    populate(
        store,
        [
            StorySpec(
                "evil",
                TITLE,
                [
                    EventSpec(
                        "[@click=app.quit]event[/] \x1b[31mred",
                        date(2026, 11, 21),
                        [
                            ArticleSpec(
                                "[@click=app.bell]article[/] \x1b]52;c;SGVsbG8=\x07",
                                "Threat [Desk] \x1b[2J",
                                when,
                                url="javascript:alert(1)",
                                text="[link=https://evil.example]click me[/link]\n\n"
                                "Body with \x1b[2J and \x1b]8;;https://evil.example\x07a link"
                                "\x1b]8;;\x07 and [@click=app.quit]quit[/].",
                            )
                        ],
                        summary=["[@click=app.quit]summary[/] \x1b[2J sentence."],
                    )
                ],
                summary=["[bold red]Story summary[/] \x1b]52;c;SGVsbG8=\x07 [@click=app.quit]x[/]"],
            )
        ],
    )
    with store.write() as conn:
        conn.execute(
            "UPDATE articles SET summary_sentences = ?",
            (sentences_json([Sentence("[@click=app.quit]quit[/].")]),),
        )
        conn.execute(
            "UPDATE feeds SET title = ?, last_error = ?",
            ("[@click=app.quit]feed[/] \x1b[2J", "[bold]boom[/] \x1b]52;c;SGVsbG8=\x07"),
        )
    triage_store.put(
        store,
        TriageState("evil", tags=["[@click=app.quit]t[/]"], note="[@click=app.quit]n[/] \x1b[2J"),
    )
    return store


def assert_inert(app: BriefingApp, bells: list[int]) -> str:
    """Nothing was interpreted: no escape left, no link or click action in any cell."""
    assert app.is_running and app.return_code is None
    assert bells == []
    assert app.clipboard == ""
    text = screen_text(app)
    assert "\x1b" not in text and "\x07" not in text
    assert "52;c;" not in text and "2J" not in text
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not style.link, segment.text
            meta = style.meta or {}
            # the footer's own keys carry clicks; feed text never does
            assert "app.quit" not in str(meta.get("@click", "")), segment.text
            assert "app.bell" not in str(meta.get("@click", "")), segment.text
    return text


async def test_every_screen_shows_hostile_text_as_text(
    store: Store, make: AppFactory, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    hostile_store(store)
    app = make(store)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 40)) as pilot:
        # briefing: the markup is visible literally (the summary pane loads in a worker)
        await until(lambda: "[bold red]Story summary[/]" in screen_text(app), pilot.pause)
        text = assert_inert(app, bells)
        assert "[@click=app.quit]x[/] [bold red]shouting[/] clearscreen oscclip" in text
        assert "[bold red]Story summary[/]" in text
        await pilot.click("#summary", offset=(2, 0))  # on the title: a live @click would quit
        await pilot.click("#stories", offset=(40, 1))
        assert_inert(app, bells)
        # story screen
        await pilot.press("enter")
        assert isinstance(app.screen, StoryScreen)
        text = assert_inert(app, bells)
        assert "[@click=app.quit]event[/] red" in text
        assert "Threat [Desk]" in text
        await pilot.click("#timeline", offset=(20, 0))
        assert_inert(app, bells)
        # reader
        app.screen.query_one("#articles").focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        text = assert_inert(app, bells)
        assert "[link=https://evil.example]click me[/link]" in text
        assert "[@click=app.quit]quit[/]." in text
        # a javascript: link is neither opened nor copied
        await pilot.press("o", "y")
        assert opened == []
        assert_inert(app, bells)
        await pilot.press("escape", "escape")
        # tag and note modals prefill hostile text as plain input
        await pilot.press("t")
        assert_inert(app, bells)
        await pilot.press("escape", "a")
        assert_inert(app, bells)
        await pilot.press("escape")
        # feeds screen
        await pilot.press("f")
        assert isinstance(app.screen, FeedsScreen)
        text = assert_inert(app, bells)
        assert "[@click=app.quit]feed[/]" in text and "[bold]boom[/]" in text
        await pilot.press("escape")
        # export preview
        await pilot.press("e")
        assert isinstance(app.screen, ExportModal)
        await pilot.click("#selected")
        await pilot.pause()
        assert_inert(app, bells)
        await pilot.press("escape")
        assert isinstance(app.screen, BriefingScreen)
        assert_inert(app, bells)


async def test_hostile_feed_error_notification_is_plain(store: Store, make: AppFactory) -> None:
    from briefing.tui.messages import FeedFailed, RefreshFinished

    app = make(store)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(FeedFailed("[@click=app.quit]f[/]", "\x1b]52;c;SGVsbG8=\x07[b]x[/b]"))
        app.post_message(RefreshFinished("1 feeds fetched (1 failed)", 1, 1))
        await pilot.pause()
        assert_inert(app, bells)
        shown = [n for n in app._notifications if "click" in n.message]
        assert len(shown) == 1  # one summary, not a toast per feed
        assert shown[0].message.endswith("\n· [@click=app.quit]f[/]: [b]x[/b]")
        assert not shown[0].markup  # drawn as plain text, never parsed


async def test_any_title_renders_without_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Property: whatever a feed sends as a title, the briefing and story screens draw it.

    The app runs once on this loop; hypothesis drives examples from a thread
    and hands each one to the app's loop.
    """
    from briefing.config import Paths, Settings
    from briefing.tui.app import make_app
    from tests.tui.conftest import NOW

    paths = Paths.resolve(tmp_path / "home").ensure()
    store = Store(paths.database)
    populate(
        store,
        [
            StorySpec(
                "any",
                "placeholder",
                [EventSpec("e", date(2026, 11, 21), [ArticleSpec("a", "Packet Post", NOW)])],
            )
        ],
    )
    app = make_app(store, Settings(), paths, clock=lambda: NOW)
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(80, 24)):

        async def show(title: str) -> None:
            with store.write() as conn:
                conn.execute("UPDATE stories SET title = ?, summary = ?", (title, "[]"))
                conn.execute("UPDATE events SET title = ?", (title,))
                conn.execute("UPDATE articles SET title = ?, outlet = ?", (title, title))
            screen = app.screen
            assert isinstance(screen, BriefingScreen)
            screen.reload()
            await asyncio.sleep(0.03)  # a frame or two: layout and paint
            app.screen._compositor.render_strips()
            await app.push_screen(StoryScreen("any"))
            await asyncio.sleep(0.03)
            assert title.strip() == "" or screen_text(app).strip()
            app.screen._compositor.render_strips()
            await app.pop_screen()
            assert app.is_running and app.return_code is None

        @settings(max_examples=15, deadline=None)
        @given(st.text(max_size=200) | st.sampled_from(HOSTILE))
        def draw(title: str) -> None:
            asyncio.run_coroutine_threadsafe(show(title), loop).result(timeout=30)

        await asyncio.to_thread(draw)
    store.close()
