"""Events and stories as the clustering stages left them.

The clustering stages own the writes (see briefing.cluster); this module
reads them back for the app and the brief.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from briefing.errors import BriefingError
from briefing.models import Event, Story, from_iso
from briefing.store import rows
from briefing.store.db import Store


@dataclass(slots=True)
class StoryRow:
    """One line of the briefing screen: a story and its counts."""

    story: Story
    events: int
    sources: int  # distinct outlets over all its articles
    articles: int
    recent_sources: int  # distinct outlets over its articles of the last 3 days
    latest_article_at: datetime | None


def get_story(store: Store, story_id: str) -> Story | None:
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    event_ids = [
        r[0]
        for r in store.query(
            "SELECT id FROM events WHERE story_id = ? ORDER BY date, created_at, id", (story_id,)
        )
    ]
    return rows.story(row, event_ids)


def get_event(store: Store, event_id: str) -> Event | None:
    row = store.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        return None
    ids = [
        int(r[0])
        for r in store.query(
            "SELECT id FROM articles WHERE event_id = ? ORDER BY published, id", (event_id,)
        )
    ]
    return rows.event(row, ids)


def timeline(store: Store, story_id: str) -> list[Event]:
    """A story's events in date order, each with its article ids."""
    events = [
        rows.event(r)
        for r in store.query(
            "SELECT * FROM events WHERE story_id = ? ORDER BY date, created_at, id", (story_id,)
        )
    ]
    by_id = {e.id: e for e in events}
    if by_id:
        marks = ",".join("?" * len(by_id))
        for r in store.query(
            f"SELECT id, event_id FROM articles WHERE event_id IN ({marks}) ORDER BY published, id",
            tuple(by_id),
        ):
            by_id[r["event_id"]].article_ids.append(int(r["id"]))
    return events


# Shorter prefixes would collide too often to be worth typing.
MIN_PREFIX = 4


class IdError(BriefingError, ValueError):
    """An id (or prefix) that names no story, or more than one."""


def resolve_story_id(store: Store, text: str) -> str:
    """The story whose id is `text` or starts with it (4+ characters, unique)."""
    text = text.strip()
    if store.conn.execute("SELECT 1 FROM stories WHERE id = ?", (text,)).fetchone():
        return text
    if len(text) < MIN_PREFIX:
        raise IdError(f"no story with id {text}")
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = [
        r[0]
        for r in store.query(
            "SELECT id FROM stories WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6", (pattern,)
        )
    ]
    if not found:
        raise IdError(f"no story with id {text}")
    if len(found) > 1:
        more = "…" if len(found) > 5 else ""
        raise IdError(f"story id {text} is ambiguous: {', '.join(found[:5])}{more}")
    return str(found[0])


def all_stories(store: Store) -> list[Story]:
    return [rows.story(r) for r in store.query("SELECT * FROM stories ORDER BY last_date DESC")]


def story_rows(
    store: Store,
    recent_since: datetime | None = None,
    with_summary: bool = True,
    hidden: Collection[int] = (),
) -> list[StoryRow]:
    """Every story with its counts, in one query (the briefing screen's data).

    `with_summary=False` leaves `story.summary` empty (the app reads it for the
    selected story only; parsing 5,000 summaries costs more than the query).
    `hidden` articles (muted) are left out before counting; an event or story
    left with none counts as empty.
    """
    since = recent_since.strftime("%Y-%m-%dT%H:%M:%SZ") if recent_since else "9999"
    summary = "stories.summary" if with_summary else "'[]' AS summary"
    event_count, skip, params = "events.id", "", tuple[str, ...]()
    if hidden:
        event_count = "CASE WHEN articles.id IS NOT NULL THEN events.id END"
        skip = "AND articles.id NOT IN (SELECT value FROM json_each(?))"
        params = (json.dumps(sorted(hidden)),)
    result = []
    for r in store.query(
        f"""SELECT stories.id, stories.title, stories.first_date, stories.last_date,
                  stories.created_at, stories.last_event_at, {summary},
                  COUNT(DISTINCT {event_count}) AS n_events,
                  COUNT(DISTINCT articles.outlet) AS n_sources,
                  COUNT(articles.id) AS n_articles,
                  COUNT(DISTINCT CASE WHEN articles.published >= ? THEN articles.outlet END)
                      AS n_recent,
                  MAX(articles.first_seen) AS latest_seen
           FROM stories
           LEFT JOIN events ON events.story_id = stories.id
           LEFT JOIN articles ON articles.event_id = events.id {skip}
           GROUP BY stories.id""",
        (since, *params),
    ):
        result.append(
            StoryRow(
                story=rows.story(r),
                events=r["n_events"],
                sources=r["n_sources"],
                articles=r["n_articles"],
                recent_sources=r["n_recent"],
                latest_article_at=from_iso(r["latest_seen"]),
            )
        )
    return result


def story_ids_for_feed(store: Store, feed_id: int) -> set[str]:
    """Stories with at least one article from this feed (the app's feed filter)."""
    return {
        r[0]
        for r in store.query(
            """SELECT DISTINCT events.story_id FROM articles
               JOIN events ON events.id = articles.event_id
               WHERE articles.feed_id = ? AND events.story_id IS NOT NULL""",
            (feed_id,),
        )
    }


def story_categories(store: Store) -> dict[str, list[str]]:
    """Each story's feed categories, the one with the most articles first (ties by name).

    Feeds without a category are left out; a story whose feeds have none is absent.
    """
    out: dict[str, list[str]] = {}
    for r in store.query(
        """SELECT events.story_id AS sid, feeds.category AS category, COUNT(*) AS n
           FROM articles
           JOIN events ON events.id = articles.event_id
           JOIN feeds ON feeds.id = articles.feed_id
           WHERE events.story_id IS NOT NULL AND feeds.category != ''
           GROUP BY events.story_id, feeds.category
           ORDER BY events.story_id, n DESC, feeds.category"""
    ):
        out.setdefault(r["sid"], []).append(r["category"])
    return out


def recent_events(store: Store, story_id: str, limit: int) -> list[Event]:
    """A story's newest events (without article ids), newest first: the app's preview."""
    return [
        rows.event(r)
        for r in store.query(
            "SELECT * FROM events WHERE story_id = ? ORDER BY date DESC, created_at DESC, id DESC"
            " LIMIT ?",
            (story_id, limit),
        )
    ]


def story_ids_active_between(store: Store, since: date | None, until: date | None) -> set[str]:
    """Stories with an event dated in [since, until] (either end open): the date filter."""
    return {
        r[0]
        for r in store.query(
            """SELECT DISTINCT story_id FROM events
               WHERE story_id IS NOT NULL AND date >= ? AND date <= ?""",
            (since.isoformat() if since else "0000", until.isoformat() if until else "9999"),
        )
    }
