"""A correction made while `briefing fetch` runs in another process is neither lost nor undone."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefing.cluster import stage
from briefing.models import from_iso
from tests.corrections.conftest import FEED_PATH, Home, rss
from tests.corrections.test_corrections import (
    FIRST,
    HOSPITAL,
    LATER,
    TIKTOK,
    started,
    with_news,
)
from tests.fetch.conftest import Reply, Seen

ROOT = Path(__file__).resolve().parents[2]


def held_fetch(home: Home) -> tuple[threading.Event, threading.Event, subprocess.Popen[str]]:
    """A real `briefing fetch` that, once it asks for the feed, waits for `release`
    before it gets the new pieces. Returns (asked, release, the process)."""
    asked, release = threading.Event(), threading.Event()
    body = rss([*FIRST, *LATER])

    def held(seen: Seen) -> Reply:
        asked.set()
        release.wait(30)  # the fetch is under way and waits here for the new pieces
        return Reply(200, body, {"Content-Type": "application/rss+xml"})

    home.server.routes[FEED_PATH] = held
    home.published = (*FIRST, *LATER)
    fetch = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--home", str(home.path), "fetch"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return asked, release, fetch


def test_correction_during_a_fetch_in_another_process_holds(home: Home) -> None:
    started(home)
    lake, harbor = home.story(HOSPITAL), home.story(TIKTOK)
    asked, release, fetch = held_fetch(home)
    try:
        assert asked.wait(60), "the fetch never asked for the feed"
        assert fetch.poll() is None
        started_at = time.monotonic()
        home.ok("story", "merge", lake, harbor)
        assert time.monotonic() - started_at < 20
        release.set()
        # a second one races the grouping of the new pieces: it waits for the lock or goes first
        home.ok("story", "rename", home.story("wire-ban"), "Kaspersky in the US")
    finally:
        release.set()
        _, err = fetch.communicate(timeout=120)
    assert fetch.returncode == 0, err
    listing = home.ok("corrections", "list")
    assert listing.startswith("#1") and "#2" in listing and "undone" not in listing
    together = with_news(home, HOSPITAL, TIKTOK)
    assert home.query("SELECT COUNT(*) FROM articles WHERE event_id IS NULL") == [(0,)]

    def check() -> None:
        assert home.together("story", *together)
        title = home.query("SELECT title FROM stories WHERE id = ?", (home.story("ledger-ban"),))
        assert title == [("Kaspersky in the US",)]

    check()
    assert home.story(HOSPITAL) in {lake, harbor}
    home.recluster()
    check()


def test_a_fetch_in_the_second_the_stories_were_made_keeps_the_merged_id(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `briefing fetch` in another process may group within the second the
    # stories it splits were made (story ages are whole seconds). The grouping
    # split the merged story; the part it made was as old as the story, and the
    # merge, enforced again, kept whichever id sorted first: 50:50 the fresh one.
    started(home)
    home.ok("story", "merge", home.story(HOSPITAL), home.story(TIKTOK))
    merged = home.story(HOSPITAL)
    born = home.query("SELECT created_at FROM stories WHERE id = ?", (merged,))[0][0]
    # the run's clock in that same second, and fresh ids that sort before any other
    monkeypatch.setattr(stage, "utcnow", lambda: from_iso(born))
    fresh = (f"{n:012x}" for n in itertools.count())
    monkeypatch.setattr(stage, "new_id", lambda: next(fresh))
    home.publish(*FIRST, *LATER)
    home.fetch()
    assert home.together("story", *with_news(home, HOSPITAL, TIKTOK))
    assert home.story(HOSPITAL) == merged


def test_correction_in_the_app_during_a_fetch_in_another_process_holds(home: Home) -> None:
    from briefing.config import Paths, Settings
    from briefing.tui.app import make_app
    from briefing.tui.screens.briefing import BriefingScreen

    started(home)
    lake, harbor = home.story(HOSPITAL), home.story(TIKTOK)
    asked, release, fetch = held_fetch(home)
    store = home.store()
    app = make_app(store, Settings(), Paths.resolve(home.path))

    async def merge_in_the_app() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.screen
            assert isinstance(screen, BriefingScreen)
            screen.select_story(lake)
            await pilot.pause()
            await pilot.press("M", *harbor[:8], "enter")
            await pilot.pause()
            assert fetch.poll() is None  # the fetch is still running
            assert "Merged story" in "\n".join(str(n.message) for n in app._notifications)

    try:
        assert asked.wait(60), "the fetch never asked for the feed"
        asyncio.run(merge_in_the_app())
    finally:
        release.set()
        _, err = fetch.communicate(timeout=120)
        store.close()
    assert fetch.returncode == 0, err
    together = with_news(home, HOSPITAL, TIKTOK)
    assert home.together("story", *together)
    assert home.story(HOSPITAL) in {lake, harbor}
    assert "undone" not in home.ok("corrections", "list")
    home.recluster()
    assert home.together("story", *together)
