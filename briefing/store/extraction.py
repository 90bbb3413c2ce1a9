"""Writes of the fetch stage that go beyond `articles.upsert` / `set_extracted`."""

from __future__ import annotations

from datetime import datetime

from briefing.models import from_iso, to_iso
from briefing.store import rows
from briefing.store.articles import content_hash
from briefing.store.db import Store


def replace_provisional_date(store: Store, article_id: int, published: datetime) -> bool:
    """Give an article whose feed had no usable date (published == first seen) a real one.

    The content hash is recomputed so the next fetch of the feed does not take
    the new date for a change in the entry. Returns whether anything changed.
    """
    with store.write() as conn:
        row = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None or row["published"] != row["first_seen"]:
            return False
        art = rows.article(row)
        art.published = published
        conn.execute(
            "UPDATE articles SET published = ?, content_hash = ?, summary_key = NULL WHERE id = ?",
            (to_iso(published), content_hash(art), article_id),
        )
    return True


def stored_dates(store: Store, feed_id: int, guids: list[str]) -> dict[str, datetime]:
    """The published time already stored for some of a feed's guids."""
    found: dict[str, datetime] = {}
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            f"SELECT guid, published FROM articles WHERE feed_id = ? AND guid IN ({marks})",
            (feed_id, *chunk),
        ):
            value = from_iso(row["published"])
            if value is not None:
                found[row["guid"]] = value
    return found
