"""Feeds: the sources the analyst follows, with their HTTP validators and health."""

from __future__ import annotations

from briefing.errors import BriefingError
from briefing.models import Feed, to_iso, utcnow
from briefing.store import rows
from briefing.store.db import Store

_SELECT = """
    SELECT feeds.*, (SELECT COUNT(*) FROM articles WHERE articles.feed_id = feeds.id) AS item_count
    FROM feeds
"""


class FeedExists(BriefingError):
    pass


def add(store: Store, url: str, title: str = "", category: str = "") -> Feed:
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
            raise FeedExists(url)
        cur = conn.execute(
            "INSERT INTO feeds(url, title, category, added_at) VALUES (?, ?, ?, ?)",
            (url, title, category, to_iso(utcnow())),
        )
    found = get(store, int(cur.lastrowid or 0))
    assert found is not None
    return found


def remove(store: Store, url: str) -> bool:
    with store.write() as conn:
        return conn.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount > 0


def get(store: Store, feed_id: int) -> Feed | None:
    row = store.conn.execute(_SELECT + " WHERE id = ?", (feed_id,)).fetchone()
    return None if row is None else rows.feed(row)


def by_url(store: Store, url: str) -> Feed | None:
    row = store.conn.execute(_SELECT + " WHERE url = ?", (url,)).fetchone()
    return None if row is None else rows.feed(row)


def all_feeds(store: Store) -> list[Feed]:
    return [rows.feed(r) for r in store.query(_SELECT + " ORDER BY category, title, url")]


def update(store: Store, feed: Feed) -> None:
    """Write back what a fetch learned: validators, health, title, a moved URL."""
    with store.write() as conn:
        conn.execute(
            """UPDATE feeds SET url = ?, title = ?, category = ?, site_url = ?, etag = ?,
                   last_modified = ?, last_fetched = ?, last_success = ?, last_error = ?,
                   failures = ?, dead = ?, retry_after = ?, note = ?
               WHERE id = ?""",
            (
                feed.url,
                feed.title,
                feed.category,
                feed.site_url,
                feed.etag,
                feed.last_modified,
                to_iso(feed.last_fetched),
                to_iso(feed.last_success),
                feed.last_error,
                feed.failures,
                int(feed.dead),
                to_iso(feed.retry_after),
                feed.note,
                feed.id,
            ),
        )


# A note is a few sentences at most, however often a feed misbehaves.
NOTE_MAX = 500


def add_note(feed: Feed, note: str) -> None:
    """Add `note` to the feed's standing notes (in memory; `update` writes it) once."""
    if note in feed.note:
        return
    feed.note = f"{feed.note}; {note}" if feed.note else note
    if len(feed.note) > NOTE_MAX:
        feed.note = feed.note[: NOTE_MAX - 1] + "…"
