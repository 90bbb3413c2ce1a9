"""The batch form: a whole collection clustered from scratch, by the store stage itself.

Evaluation, benchmarks and tests call `cluster(docs)`. It writes the documents
into a throw-away in-memory store and runs `stage.run` on it, the very code a
refresh runs, then reads the grouping back: what is measured is what ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from briefing.cluster import stage
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import DAY, order_key
from briefing.cluster.vectors import Doc, ItemId
from briefing.models import Article
from briefing.store import Store
from briefing.store.articles import upsert
from briefing.store.feeds import add as add_feed

__all__ = ["DAY", "Clustering", "EventOut", "StoryOut", "cluster"]

BATCH_FEED = "memory://batch"


@dataclass(slots=True)
class EventOut:
    id: str
    article_ids: list[ItemId]  # every article, copies included, by publication
    title: str
    date: date
    story_id: str = ""


@dataclass(slots=True)
class StoryOut:
    id: str
    event_ids: list[str]  # the timeline: events in date order
    title: str
    first_date: date
    last_date: date


@dataclass(slots=True)
class Clustering:
    duplicate_of: dict[ItemId, ItemId | None] = field(default_factory=dict)
    event_of: dict[ItemId, str] = field(default_factory=dict)
    events: dict[str, EventOut] = field(default_factory=dict)
    stories: dict[str, StoryOut] = field(default_factory=dict)

    def story_of(self, article_id: ItemId) -> str:
        return self.events[self.event_of[article_id]].story_id


def _article(doc: Doc, feed_id: int) -> Article:
    return Article(
        feed_id=feed_id,
        guid=str(doc.id),
        url=doc.url,
        title=doc.title,
        outlet=doc.outlet,
        published=datetime.fromtimestamp(doc.published, UTC),
        summary=doc.summary,
        text=doc.text,
        extract_status="ok",
    )


def cluster(docs: Sequence[Doc], params: Params = DEFAULT) -> Clustering:
    """Cluster a whole collection from scratch (through an in-memory store)."""
    docs = sorted(docs, key=order_key)
    if not docs:
        return Clustering()
    store = Store(":memory:")
    try:
        feed = add_feed(store, BATCH_FEED)
        assert feed.id is not None
        upsert(store, [_article(d, feed.id) for d in docs])
        stage.run(store, params)
        return read_back(store, {str(d.id): d.id for d in docs})
    finally:
        store.close()


def read_back(store: Store, id_of: dict[str, ItemId]) -> Clustering:
    """The grouping a store holds, with the callers' own article ids."""
    result = Clustering()
    by_row: dict[int, ItemId] = {}
    members: dict[str, list[ItemId]] = {}
    first_at: dict[str, str] = {}
    rows = store.query(
        "SELECT id, guid, duplicate_of, event_id, published FROM articles ORDER BY published, id"
    )
    for r in rows:
        by_row[int(r["id"])] = id_of[r["guid"]]
    for r in rows:
        aid = by_row[int(r["id"])]
        dup = r["duplicate_of"]
        result.duplicate_of[aid] = by_row[int(dup)] if dup is not None else None
        result.event_of[aid] = r["event_id"]
        members.setdefault(r["event_id"], []).append(aid)
        first_at.setdefault(r["event_id"], r["published"] or "")
    for r in store.query("SELECT id, story_id, title, date FROM events"):
        result.events[r["id"]] = EventOut(
            id=r["id"],
            article_ids=members.get(r["id"], []),
            title=r["title"],
            date=date.fromisoformat(r["date"]),
            story_id=r["story_id"] or "",
        )
    timelines: dict[str, list[str]] = {}
    for e in sorted(result.events.values(), key=lambda e: (e.date, first_at.get(e.id, ""), e.id)):
        timelines.setdefault(e.story_id, []).append(e.id)
    for r in store.query("SELECT id, title, first_date, last_date FROM stories"):
        result.stories[r["id"]] = StoryOut(
            id=r["id"],
            event_ids=timelines.get(r["id"], []),
            title=r["title"],
            first_date=date.fromisoformat(r["first_date"]),
            last_date=date.fromisoformat(r["last_date"]),
        )
    return result
