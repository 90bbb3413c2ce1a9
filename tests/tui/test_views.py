"""Views issue 15 asked for: hidden stories, what's new, categories, and every sort order."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Select

from briefing.reading.stories import SORTS
from briefing.store import Store
from briefing.store import triage as triage_store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.briefing import BriefingScreen
from briefing.tui.screens.modals import FilterModal
from tests.tui.conftest import AppFactory, notes, screen_text

CATEGORIES = {
    "Euro Digital Affairs": "Government",
    "The Patch": "Advisories",
    "Policy Wire": "Policy",
    "Global Wire Service": "Policy",
    "Packet Post": "Policy",
    "The Cyber Ledger": "Policy",
    "Breach Daily": "Security news",
    "Infra Watch": "Security news",
    "Threat Desk": "Security news",
}
ORDERS = {
    "recent": ["kaspersky", "pipeline", "patch", "nis2"],
    # outlets in the last three days (pipeline 3, kaspersky 2), then all outlets, then recent
    "coverage": ["pipeline", "kaspersky", "patch", "nis2"],
    "category": ["patch", "nis2", "kaspersky", "pipeline"],
}


@pytest.fixture
def categorized(filled: Store) -> Store:
    with filled.write() as conn:
        for title, category in CATEGORIES.items():
            conn.execute("UPDATE feeds SET category = ? WHERE title = ?", (category, title))
    return filled


def shown(app: BriefingApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, BriefingScreen)
    return [item.id for item in screen.shown]


def test_every_sort_order_is_tested_and_each_differs() -> None:
    assert set(ORDERS) == set(SORTS)
    orders = [tuple(o) for o in ORDERS.values()]
    assert len(set(orders)) == len(orders)


@pytest.mark.parametrize("sort", SORTS)
async def test_each_sort_order_reorders_the_list(
    categorized: Store, make: AppFactory, sort: str
) -> None:
    app = make(categorized, sort=sort)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert shown(app) == ORDERS[sort]
        assert f"by {sort}" in screen_text(app)


async def test_S_cycles_the_orders_and_search_results_follow_the_order(
    categorized: Store, make: AppFactory
) -> None:
    app = make(categorized)
    async with app.run_test(size=(120, 36)) as pilot:
        for sort in (*SORTS[1:], SORTS[0]):
            await pilot.press("S")
            assert shown(app) == ORDERS[sort] and app.sort == sort
            assert f"Sorted by {sort}." in notes(app)
        # a search that matches every story keeps the chosen order, which the status names
        await pilot.press("S")  # coverage
        await pilot.press("slash", *"the OR a", "enter")
        assert shown(app) == ORDERS["coverage"]
        assert "by coverage" in screen_text(app)


async def test_grouped_by_category_names_each_group_once(
    categorized: Store, make: AppFactory
) -> None:
    app = make(categorized, sort="category")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert sum(" Policy " in line for line in lines) == 1
        row = next(line for line in lines if "Ransomware attack on a fuel" in line)
        assert "Security news" in row


async def test_the_filter_has_new_hidden_and_category(categorized: Store, make: AppFactory) -> None:
    app = make(categorized)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        modal = app.screen
        assert isinstance(modal, FilterModal)
        modal.query_one("#category", Select).value = "Security news"
        await pilot.press("ctrl+s")
        assert shown(app) == ["pipeline"]
        assert "filter: category Security news" in screen_text(app)
        await pilot.press("ctrl+f", "F")
        app.screen.query_one("#new", Checkbox).value = True
        await pilot.press("ctrl+s")
        assert shown(app) == ["kaspersky"]


async def test_w_shows_only_whats_new_since_the_last_session(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("w")
        assert shown(app) == ["kaspersky"]  # the only story with an event after the last session
        assert "filter: new since last session" in screen_text(app)
        await pilot.press("w")
        assert len(shown(app)) == 4


async def test_the_hidden_view_lists_dismissed_and_snoozed_and_d_z_undo_them(
    filled: Store, make: AppFactory
) -> None:
    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("d")  # kaspersky
        app.screen.select_story("pipeline")
        await pilot.press("z", "enter")  # snoozed until tomorrow
        assert shown(app) == ["patch", "nis2"]
        assert "2 not shown (H: hidden ones)" in screen_text(app)
        await pilot.press("H")
        assert shown(app) == ["kaspersky", "pipeline"]
        assert "hidden view: d and z bring one back" in screen_text(app)
        app.screen.select_story("kaspersky")
        await pilot.press("d")
        assert not triage_store.get(filled, "kaspersky").dismissed
        assert "No longer dismissed: back in the briefing" in notes(app)
        app.screen.select_story("pipeline")
        await pilot.press("z")
        assert triage_store.get(filled, "pipeline").snoozed_until is None
        assert shown(app) == []
        await pilot.press("u")  # undo puts the snooze back
        assert triage_store.get(filled, "pipeline").snoozed_until is not None
        await pilot.press("H")
        assert shown(app) == ["kaspersky", "patch", "nis2"]


async def test_the_palette_finds_hidden(filled: Store, make: AppFactory) -> None:
    from briefing.tui.commands import ScreenActions

    app = make(filled)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        provider = ScreenActions(app.screen)
        names = [name for name, _help, _run in provider._commands()]
        assert "Hidden" in names and "What's new" in names
