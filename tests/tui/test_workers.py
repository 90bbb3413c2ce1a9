"""Screens read the database off the UI thread: on the app's reader thread, inside workers."""

from __future__ import annotations

import threading

import pytest

from briefing.reading import stories
from briefing.store import Store
from tests.tui.conftest import AppFactory, screen_text


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

    def counting(store, story_id, events):  # type: ignore[no-untyped-def]
        calls.append(story_id)
        return real(store, story_id, events)

    monkeypatch.setattr(stories, "preview", counting)
    app = make(filled)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "k")
        await pilot.pause()
        first = calls.count("kaspersky")
        await pilot.press("j", "k")
        # (a read the cursor outran may have started twice; after it landed, none again)
        assert first >= 1 and calls.count("kaspersky") == first
