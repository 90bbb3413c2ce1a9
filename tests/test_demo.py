"""The demo end to end: bundled feeds served on 127.0.0.1, the real pipeline, the real app.

This is what `briefing demo` does before it opens the app; the figures are the
same ones `benchmarks/eval_pipeline.py` prints, held above a floor here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.eval_pipeline import clutter_share, labels, run_pipeline, scores
from briefing.config import Paths, Settings
from briefing.store import Store
from briefing.store.clusters import story_rows, timeline


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    home = tmp_path_factory.mktemp("demo-home")
    store, _ = run_pipeline(home)
    yield store, home
    store.close()


def test_every_demo_item_is_fetched_once_and_extracted(demo_store: tuple[Store, Path]) -> None:
    store, _ = demo_store
    rows = store.query("SELECT guid, extract_status, text FROM articles")
    assert len(rows) == len(labels()) >= 60
    assert len({r["guid"] for r in rows}) == len(rows)
    assert all(r["extract_status"] == "ok" and r["text"] for r in rows)
    outlets = store.query("SELECT COUNT(DISTINCT outlet) FROM articles")[0][0]
    assert outlets >= 8


def test_grouping_matches_the_labels(demo_store: tuple[Store, Path]) -> None:
    figures = scores(demo_store[0])
    assert figures["events"][2] >= 0.93
    assert figures["stories"][2] >= 0.85
    assert min(figures["duplicates"]) >= 0.8


def test_the_kaspersky_story_reads_as_a_dated_timeline(demo_store: tuple[Store, Path]) -> None:
    store, _ = demo_store
    kaspersky = [
        row for row in story_rows(store) if "Kaspersky" in row.story.title and row.events >= 4
    ]
    assert kaspersky, "the US-Kaspersky story is not one story of four or more events"
    events = timeline(store, kaspersky[0].story.id)
    dates = [e.date for e in events]
    assert dates == sorted(dates)
    assert dates[0].year == 2017 and dates[-1].year == 2024
    several = [e for e in events if len(e.article_ids) >= 3]
    assert len(several) >= 3
    # the threat-research report shares the company, not the story
    titles = " ".join(e.title for e in events).lower()
    assert "triangulation" not in titles and "iphone" not in titles


def test_summaries_carry_no_page_clutter(demo_store: tuple[Store, Path]) -> None:
    store, _ = demo_store
    clutter, total = clutter_share(store)
    assert total > 100
    assert clutter == 0
    for row in store.query("SELECT summary FROM events"):
        assert 1 <= len(json.loads(row["summary"])) <= 5


async def test_the_app_opens_on_the_demo_stories(demo_store: tuple[Store, Path]) -> None:
    from briefing.tui.app import make_app
    from tests.tui.conftest import screen_text, table_titles

    store, home = demo_store
    app = make_app(store, Settings(), Paths.resolve(home))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = table_titles(app)
        assert len(titles) >= 10
        assert any("Kaspersky" in t for t in titles)
        assert titles[0][:30] in screen_text(app)
