"""Screens read the database off the UI thread: on the app's reader thread, inside workers."""

from __future__ import annotations

import threading

import pytest

from briefing.reading import stories
from briefing.store import Store
from tests.tui.conftest import AppFactory, screen_text, settled


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """The real queries, noting which thread ran them."""
    seen: dict[str, set[str]] = {}
    for name in ("preview", "story_view"):
        real = getattr(stories, name)

        def noting(*args, _real=real, _name=name):  # type: ignore[no-untyped-def]
            seen.setdefault(_name, set()).add(threading.current_thread().name)
            return _real(*args)

        monkeypatch.setattr(stories, name, noting)
    return seen


async def test_summary_and_story_are_read_on_the_reader_thread(
    filled: Store, make: AppFactory, threads: dict[str, set[str]]
) -> None:
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        await settled(app, lambda: pilot.pause(0.05))  # a loaded machine may lag the read
        await pilot.pause()
        assert "Timeline" in screen_text(app)  # the summary pane drew what was read
        await pilot.press("enter")
        assert "event" in screen_text(app)
    ui = threading.main_thread().name
    assert threads["preview"] and threads["story_view"]
    for names in threads.values():
        assert ui not in names
        assert all(n.startswith("briefing-read") for n in names)


async def test_moving_back_draws_the_summary_from_what_was_read(
    filled: Store, make: AppFactory, threads: dict[str, set[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = stories.preview

    def counting(store, story_id, *rest):  # type: ignore[no-untyped-def]
        calls.append(story_id)
        return real(store, story_id, *rest)

    monkeypatch.setattr(stories, "preview", counting)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "k")
        await pilot.pause()
        first = calls.count("kaspersky")
        await pilot.press("j", "k")
        # (a read the cursor outran may have started twice; after it landed, none again)
        assert first >= 1 and calls.count("kaspersky") == first


async def test_the_panes_matches_watches_and_entities_are_read_by_the_worker(
    filled: Store, make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from briefing import entity_stage
    from briefing.reading import watches as watch_reading
    from briefing.store import watches as watch_store

    entity_stage.run(filled)
    watch_store.add_watch(filled, "kasp", "entity:Kaspersky")
    seen: dict[str, set[str]] = {}

    def noting(module, name):  # type: ignore[no-untyped-def]
        real = getattr(module, name)

        def read(*args):  # type: ignore[no-untyped-def]
            seen.setdefault(name, set()).add(threading.current_thread().name)
            return real(*args)

        monkeypatch.setattr(module, name, read)

    noting(stories, "search_snippets")
    noting(watch_reading, "story_watches")
    noting(watch_reading, "top_entities")
    app = make(filled)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("slash", *"ninety OR halted", "enter")
        app.screen.select_story("kaspersky")
        await pilot.pause(0.2)
        await settled(app, lambda: pilot.pause(0.05))
        await pilot.pause()
        pane = str(app.screen.query_one("#summary", Static).content)
        assert "⌕ " in pane
        assert "Watched: kasp" in pane
        assert "Entities: Kaspersky (company)" in pane
    assert set(seen) == {"search_snippets", "story_watches", "top_entities"}
    for names in seen.values():
        assert threading.main_thread().name not in names
        assert all(n.startswith("briefing-read") for n in names)
