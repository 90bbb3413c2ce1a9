"""The app's refresh and `briefing fetch` share one run lock per home (briefing.runlock).

Each test has a real second process: a `briefing fetch`, or a bare lock holder.
The feed on 127.0.0.1 answers only when the test opens its gate, so a run
fetching it is known to hold the lock while the other one starts.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from briefing.runlock import fetch_lock
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.tui.app import BriefingApp
from briefing.tui.progress import JOINED, WAITING
from briefing.tui.screens.briefing import BriefingScreen
from tests.fetch.conftest import FeedServer, fixture, serving
from tests.tui.conftest import AppFactory, notes, screen_text, settled, table_titles, until
from tests.tui.test_feeds_refresh_export import FAST, held

FEED = "/policy.xml"


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    opened = threading.Event()
    yield opened
    opened.set()  # a failed test must not leave the server's thread waiting


@pytest.fixture
def server(store: Store, gate: threading.Event) -> Iterator[FeedServer]:
    srv = FeedServer()
    srv.routes[FEED] = held(fixture("rss2.xml"), gate)
    feed_store.add(store, srv.url(FEED), "Policy Wire")
    yield from serving(srv)


def start_fetch() -> subprocess.Popen[str]:
    """`briefing fetch` in its own process, on the test's home (BRIEFING_HOME)."""
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "fetch"],
        env={**os.environ, "BRIEFING_EXTRACT_FULL_TEXT": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def stage(app: BriefingApp) -> str | None:
    return app.progress[0] if app.progress else None


async def test_the_app_waits_for_a_running_fetch_then_shows_its_stories(
    store: Store, make: AppFactory, server: FeedServer, gate: threading.Event
) -> None:
    fetch = start_fetch()
    try:
        await until(lambda: bool(server.hits(FEED)), lambda: asyncio.sleep(0.05))
        app = make(store, **FAST)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r")
            await until(lambda: stage(app) == WAITING, lambda: pilot.pause(0.05))
            assert WAITING in screen_text(app)
            # waiting does not freeze the app: keys still work
            await pilot.press("question_mark")
            assert "Keys: Briefing" in screen_text(app)
            await pilot.press("escape")
            assert table_titles(app) == []

            gate.set()  # the fetch finishes and lets go of the lock
            _, err = await asyncio.to_thread(fetch.communicate, timeout=60)
            assert fetch.returncode == 0, err
            await settled(app, lambda: pilot.pause(0.05))
            await pilot.pause()
            assert app.progress is None
            assert JOINED in notes(app)
            assert isinstance(app.screen, BriefingScreen)
            assert any("Kaspersky" in t for t in table_titles(app)), table_titles(app)
        assert len(server.hits(FEED)) == 1  # the app did not fetch it a second time
    finally:
        fetch.kill()
        fetch.wait()


async def test_a_fetch_waits_for_the_apps_refresh(
    store: Store, make: AppFactory, server: FeedServer, gate: threading.Event
) -> None:
    app = make(store, **FAST)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await until(lambda: bool(server.hits(FEED)), lambda: pilot.pause(0.05))
        fetch = start_fetch()  # the app's refresh holds the lock, its feed not yet read
        try:
            assert fetch.stderr is not None
            line = await asyncio.to_thread(fetch.stderr.readline)
            assert f"another fetch is running in this home (pid {os.getpid()})" in line
            await asyncio.sleep(0.3)
            assert fetch.poll() is None  # still waiting
            gate.set()
            await settled(app, lambda: pilot.pause(0.05))
            _, rest = await asyncio.to_thread(fetch.communicate, timeout=60)
        finally:
            fetch.kill()
            fetch.wait()
        assert fetch.returncode == 0, rest
        assert "the other fetch finished; its results are in" in rest
    assert len(server.hits(FEED)) == 1


async def test_quitting_while_waiting_calls_the_wait_off(
    store: Store, make: AppFactory, server: FeedServer
) -> None:
    """A refresh waiting for the lock ends with the app: it never runs after the app is gone."""
    data = store.path.parent
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert await asyncio.to_thread(holder.stdout.readline) == "held\n"
        app = make(store, **FAST)
        async with app.run_test(size=(100, 30)) as pilot:
            # R: a forced refresh that gets the lock runs the pipeline after all
            await pilot.press("R")
            await until(lambda: stage(app) == WAITING, lambda: pilot.pause(0.05))
        holder.stdin.close()  # the other run ends now
        assert await asyncio.to_thread(holder.wait, 30) == 0
    time.sleep(1)  # ten polls: time enough for a waiter left behind to take the lock
    with fetch_lock(data, lambda pid: pytest.fail(f"the lock is still held by {pid}")):
        pass
    assert server.hits(FEED) == []


# A second process that holds the home's lock until its stdin closes.
HOLD = """
import sys
from pathlib import Path
from briefing.runlock import fetch_lock
with fetch_lock(Path(sys.argv[1]), print):
    print("held", flush=True)
    sys.stdin.read()
"""
