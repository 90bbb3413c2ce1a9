"""Articles placed early: grouped on their title and feed summary while their page was coming.

`articles.placed_early` marks them (migration 6). The clustering places them
again once their text is in (`briefing.cluster.early`); the ids of the events
and stories they left are kept here, in `meta`, until the new ones have taken
them over, so a crash in between is repaired by the next run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from briefing.store.db import Store

SNAPSHOT_KEY = "cluster.early_snapshot"

# a page still to come: never tried, or failed with tries left (the extractor decides)
_PAGE_COMING = "text = '' AND extract_status IN ('pending', 'failed')"


def mark(store: Store) -> int:
    """Mark the unplaced articles whose page is still coming; returns how many."""
    with store.write() as conn:
        cur = conn.execute(
            f"UPDATE articles SET placed_early = 1 WHERE event_id IS NULL AND {_PAGE_COMING}"
        )
        return cur.rowcount


def unmark_unplaced(store: Store) -> None:
    """Articles the early pass left for later (past its cap) are placed the ordinary way."""
    with store.write() as conn:
        conn.execute(
            "UPDATE articles SET placed_early = 0 WHERE placed_early = 1 AND event_id IS NULL"
        )


def ready(store: Store) -> dict[int, bool]:
    """Articles placed early that have their text now, and the copies folded under them.

    Each id says whether that article itself was placed early (a copy may not have been).
    """
    rows = store.query(
        """SELECT id, placed_early FROM articles
           WHERE placed_early = 1 AND text != '' AND event_id IS NOT NULL
           UNION
           SELECT c.id, c.placed_early FROM articles c JOIN articles o ON o.id = c.duplicate_of
           WHERE o.placed_early = 1 AND o.text != '' AND c.event_id IS NOT NULL
           ORDER BY 1"""
    )
    return {int(r[0]): bool(r[1]) for r in rows}


def stale_titles(store: Store, story_ids: Sequence[str]) -> list[str]:
    """Stories whose title is no event's title any more (the event it came from left)."""
    out: list[str] = []
    for start in range(0, len(story_ids), 500):
        chunk = list(story_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        out.extend(
            str(r[0])
            for r in store.query(
                f"""SELECT s.id FROM stories s WHERE s.id IN ({marks}) AND NOT EXISTS
                        (SELECT 1 FROM events e WHERE e.story_id = s.id AND e.title = s.title)""",
                tuple(chunk),
            )
        )
    return out


def settle(conn: sqlite3.Connection) -> None:
    """Unmark articles whose page will bring no text: their placement is final."""
    conn.execute(
        f"UPDATE articles SET placed_early = 0 WHERE placed_early = 1 AND NOT ({_PAGE_COMING})"
        " AND text = ''"
    )


def unmark(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Take articles out of their events to be placed again (as copies too)."""
    conn.executemany(
        "UPDATE articles SET event_id = NULL, duplicate_of = NULL, placed_early = 0 WHERE id = ?",
        [(i,) for i in ids],
    )


def pending(store: Store) -> bool:
    """Articles to place again, or ids still to hand over after an interrupted run."""
    found = store.query(
        """SELECT EXISTS(SELECT 1 FROM articles WHERE placed_early = 1 AND text != '')
               OR EXISTS(SELECT 1 FROM meta WHERE key = ?)""",
        (SNAPSHOT_KEY,),
    )
    return bool(found[0][0])


def memberships(store: Store, ids: Sequence[int]) -> list[sqlite3.Row]:
    """Where the articles are now: event and story, with the rows' dates."""
    out: list[sqlite3.Row] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        out.extend(
            store.query(
                f"""SELECT a.id AS article, e.id AS event, e.created_at AS event_created,
                           s.id AS story, s.created_at AS story_created, s.last_event_at
                    FROM articles a JOIN events e ON e.id = a.event_id
                    LEFT JOIN stories s ON s.id = e.story_id
                    WHERE a.id IN ({marks})""",
                tuple(chunk),
            )
        )
    return out


def load_snapshot(store: Store) -> dict[str, Any]:
    raw = store.get_meta(SNAPSHOT_KEY)
    if not raw:
        return {}
    try:
        found = json.loads(raw)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def save_snapshot(conn: sqlite3.Connection, snapshot: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (SNAPSHOT_KEY, json.dumps(snapshot, sort_keys=True)),
    )


def drop_snapshot(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (SNAPSHOT_KEY,))


def holders(store: Store, table: str, ids: Sequence[str]) -> dict[str, set[int]]:
    """The articles each event (or story) holds now."""
    column = "a.event_id" if table == "events" else "e.story_id"
    out: dict[str, set[int]] = {i: set() for i in ids}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            f"""SELECT {column}, a.id FROM articles a JOIN events e ON e.id = a.event_id
                WHERE {column} IN ({marks})""",
            tuple(chunk),
        ):
            out[str(row[0])].add(int(row[1]))
    return out


def existing(store: Store, table: str, ids: Sequence[str]) -> set[str]:
    assert table in ("events", "stories")
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        found |= {
            str(r[0])
            for r in store.query(f"SELECT id FROM {table} WHERE id IN ({marks})", tuple(chunk))
        }
    return found


def rename(conn: sqlite3.Connection, table: str, old: str, new: str, kind: str) -> None:
    """Give an event or story row another id, with what points at it.

    The references are rewritten after the row, so the foreign keys are
    checked at commit (`defer_foreign_keys` lasts until then).
    """
    conn.execute("PRAGMA defer_foreign_keys = ON")
    if table == "events":
        conn.execute("UPDATE events SET id = ? WHERE id = ?", (new, old))
        conn.execute("UPDATE articles SET event_id = ? WHERE event_id = ?", (new, old))
    else:
        conn.execute("UPDATE stories SET id = ? WHERE id = ?", (new, old))
        conn.execute("UPDATE events SET story_id = ? WHERE story_id = ?", (new, old))
    conn.execute("UPDATE features SET key = ? WHERE kind = ? AND key = ?", (new, kind, old))
