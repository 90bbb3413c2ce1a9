"""The pipeline's early stories: grouped after the feed stage, before the pages are in."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from briefing.config import Settings
from briefing.pipeline import ProgressEvent, Stage, StageDone, run
from briefing.store import Store
from briefing.store import feeds as feed_store
from tests.cluster.fixtures import PIECES
from tests.tui.test_early_stories import feed, page

from .conftest import FeedServer, client


def stories(store: Store) -> int:
    return int(store.query("SELECT COUNT(*) FROM stories")[0][0])


def pages_in(store: Store) -> int:
    return int(store.query("SELECT COUNT(*) FROM articles WHERE text != ''")[0][0])


@pytest.mark.parametrize("early", [True, False])
async def test_early_stories_come_between_the_feeds_and_the_pages(
    server: FeedServer, store: Store, settings: Settings, early: bool
) -> None:
    gate = threading.Event()
    server.feed("/wire.xml", feed(server, PIECES))
    for piece in PIECES:
        server.routes[f"/pages/{piece.key}"] = page(piece, gate)
    feed_store.add(store, server.url("/wire.xml"))
    patient = replace(settings, extract_full_text=True, read_timeout=60.0, request_deadline=60.0)
    seen: list[tuple[Stage, int, int]] = []

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, StageDone):
            seen.append((event.name, stories(store), pages_in(store)))
            if event.name is Stage.EARLY:
                gate.set()  # the pages come once the early stories are stored

    try:
        if not early:
            gate.set()
        async with client(patient) as http:
            report = await run(store, patient, progress, client=http, early_stories=early)
    finally:
        gate.set()
    assert report.completed and report.extracted == len(PIECES)
    names = [name for name, _, _ in seen]
    tail = [Stage.EXTRACT, Stage.ENTITIES, Stage.CLUSTER, Stage.SUMMARIZE]
    if early:
        assert names == [Stage.FETCH, Stage.EARLY, *tail]
        _, listed, pages = seen[1]
        assert listed > 0 and pages == 0  # stories before any page
        assert Stage.EARLY in report.stage_seconds
    else:
        assert names == [Stage.FETCH, *tail]
    assert store.query("SELECT COUNT(*) FROM articles WHERE placed_early = 1")[0][0] == 0
