"""Snapshots of the main screens at 80x24 and 160x48, dark and light.

Fixed data (tests/tui/conftest.py STORIES), a frozen clock and a fixed "last
session", so the pictures only change when the screens do. Update with
`pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from briefing.models import TriageState
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.store import triage as triage_store
from tests.tui.conftest import AppFactory

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def triaged(filled: Store) -> Store:
    """Some triage already done, so the marks show."""
    triage_store.put(filled, TriageState("patch", read=True, starred=True, tags=["vendor"]))
    triage_store.put(filled, TriageState("nis2", note="ask the EU desk"))
    feed = next(f for f in feed_store.all_feeds(filled) if f.title == "Breach Daily")
    feed.last_error, feed.failures = "HTTP 503 Service Unavailable", 2
    feed_store.update(filled, feed)
    return filled


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_briefing_screen(snap_compare, triaged: Store, make: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(triaged), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_story_screen(snap_compare, triaged: Store, make: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(triaged), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_reader_screen(snap_compare, triaged: Store, make: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(triaged), press=["enter", "k", "enter", "enter"], terminal_size=size)


def test_feeds_screen(snap_compare, triaged: Store, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(triaged), press=["f", "j"], terminal_size=(80, 24))


def test_help_screen(snap_compare, triaged: Store, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(triaged), press=["question_mark"], terminal_size=(80, 24))


def test_light_theme(snap_compare, triaged: Store, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make(triaged, theme="textual-light")
    assert snap_compare(app, press=["j"], terminal_size=(80, 24))


def test_light_theme_story_wide(snap_compare, triaged: Store, make: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make(triaged, theme="textual-light")
    assert snap_compare(app, press=["enter"], terminal_size=(160, 48))
