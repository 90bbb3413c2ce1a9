"""Writes of the clustering stage, and the per-item state it keeps between runs.

`store/clusters.py` reads clusters back for the app; this module is the
writing side: article links (duplicate_of, event_id), event and story rows,
and opaque blobs in the `features` table (MinHash signatures per article,
centroid sums per event and story, document frequencies), all called inside
one `store.write()` transaction by `briefing.cluster.stage`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from briefing.models import Article
from briefing.store import rows
from briefing.store.db import Store

_CHUNK = 500


def _chunks(keys: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield list(keys[start : start + _CHUNK])


def get_blobs(store: Store, kind: str, keys: Sequence[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for chunk in _chunks(list(keys)):
        marks = ",".join("?" * len(chunk))
        for row in store.conn.execute(
            f"SELECT key, data FROM features WHERE kind = ? AND key IN ({marks})",
            (kind, *chunk),
        ):
            out[row[0]] = bytes(row[1])
    return out


def all_blobs(store: Store, kind: str) -> dict[str, bytes]:
    return {
        r[0]: bytes(r[1])
        for r in store.conn.execute("SELECT key, data FROM features WHERE kind = ?", (kind,))
    }


def put_blobs(conn: sqlite3.Connection, kind: str, items: Mapping[str, bytes]) -> None:
    conn.executemany(
        "INSERT INTO features(kind, key, data) VALUES (?, ?, ?) "
        "ON CONFLICT(kind, key) DO UPDATE SET data = excluded.data",
        [(kind, k, v) for k, v in items.items()],
    )


def delete_blobs(conn: sqlite3.Connection, kind: str, keys: Iterable[str]) -> None:
    conn.executemany("DELETE FROM features WHERE kind = ? AND key = ?", [(kind, k) for k in keys])


def unclustered_keys(store: Store, newest: int | None = None) -> list[sqlite3.Row]:
    """(id, url, published, first_seen) of the articles not yet placed (the `newest` so many)."""
    if newest is None:
        return store.query(
            "SELECT id, url, published, first_seen FROM articles WHERE event_id IS NULL"
        )
    return store.query(
        """SELECT id, url, published, first_seen FROM articles WHERE event_id IS NULL
           ORDER BY COALESCE(published, first_seen) DESC, id DESC LIMIT ?""",
        (newest,),
    )


def articles_by_id(store: Store, ids: Sequence[int]) -> list[Article]:
    out: list[Article] = []
    for chunk in _chunks([str(i) for i in ids]):
        marks = ",".join("?" * len(chunk))
        found = store.query(
            f"SELECT * FROM articles WHERE id IN ({marks})", tuple(int(c) for c in chunk)
        )
        out.extend(rows.article(r) for r in found)
    return out


def clustered_articles_between(store: Store, start: str, end: str) -> list[sqlite3.Row]:
    """Articles already placed, published in [start, end] (ISO strings)."""
    # two indexed lookups (articles_published) instead of a scan over COALESCE(...)
    return store.query(
        """SELECT id, url, published, first_seen, duplicate_of, event_id FROM articles
           WHERE event_id IS NOT NULL AND published BETWEEN ? AND ?
           UNION ALL
           SELECT id, url, published, first_seen, duplicate_of, event_id FROM articles
           WHERE event_id IS NOT NULL AND published IS NULL AND first_seen BETWEEN ? AND ?""",
        (start, end, start, end),
    )


def events_between(store: Store, start: str, end: str) -> list[sqlite3.Row]:
    """Events dated within [start, end] (ISO dates)."""
    return store.query(
        "SELECT id, story_id, date, created_at FROM events WHERE date BETWEEN ? AND ?",
        (start, end),
    )


def events_without_story(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT id FROM events WHERE story_id IS NULL")}


def any_story(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM stories LIMIT 1").fetchone() is not None


def events_of_stories(store: Store, story_ids: Sequence[str]) -> list[sqlite3.Row]:
    out: list[sqlite3.Row] = []
    for chunk in _chunks(list(story_ids)):
        marks = ",".join("?" * len(chunk))
        out.extend(
            store.query(
                f"SELECT id, story_id, date, title FROM events WHERE story_id IN ({marks})",
                tuple(chunk),
            )
        )
    return out


def rows_by_id(store: Store, table: str, ids: Sequence[str | int]) -> dict[str | int, sqlite3.Row]:
    if table not in {"events", "stories", "articles"}:
        raise ValueError(table)
    out: dict[str | int, sqlite3.Row] = {}
    for chunk in _chunks([str(i) for i in ids]):
        marks = ",".join("?" * len(chunk))
        params = tuple(int(c) for c in chunk) if table == "articles" else tuple(chunk)
        for row in store.query(f"SELECT * FROM {table} WHERE id IN ({marks})", params):
            out[row["id"]] = row
    return out


def event_members(store: Store, event_ids: Sequence[str]) -> list[sqlite3.Row]:
    out: list[sqlite3.Row] = []
    for chunk in _chunks(list(event_ids)):
        marks = ",".join("?" * len(chunk))
        out.extend(
            store.query(
                f"""SELECT id, event_id, title, duplicate_of,
                           COALESCE(published, first_seen) AS at
                    FROM articles WHERE event_id IN ({marks})""",
                tuple(chunk),
            )
        )
    return out


def set_article_links(
    conn: sqlite3.Connection, links: Iterable[tuple[int, int | None, str]]
) -> None:
    """(article id, duplicate_of, event_id) for each placed article."""
    rows = list(links)
    conn.executemany("UPDATE articles SET event_id = ? WHERE id = ?", [(e, a) for a, _, e in rows])
    # duplicate_of only where it changes: an UPDATE naming the column has SQLite
    # check its self-referencing foreign key on every row, even to write NULL over
    # NULL, which tripled the cost of placing a batch of new articles
    conn.executemany(
        "UPDATE articles SET duplicate_of = ? WHERE id = ? AND duplicate_of IS NOT ?",
        [(dup, aid, dup) for aid, dup, _ in rows],
    )


def upsert_story(
    conn: sqlite3.Connection,
    story_id: str,
    *,
    title: str,
    first_date: str,
    last_date: str,
    created_at: str,
    last_event_at: str | None,
    changed: bool,
) -> None:
    """Insert or update a story row; a changed story loses its summary key (recompute)."""
    conn.execute(
        """INSERT INTO stories(id, title, first_date, last_date, created_at, last_event_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET title = excluded.title,
               first_date = excluded.first_date, last_date = excluded.last_date,
               last_event_at = excluded.last_event_at,
               summary_key = CASE WHEN ? THEN NULL ELSE stories.summary_key END""",
        (story_id, title, first_date, last_date, created_at, last_event_at, int(changed)),
    )


def upsert_event(
    conn: sqlite3.Connection,
    event_id: str,
    *,
    story_id: str | None,
    title: str,
    date: str,
    created_at: str,
    changed: bool,
) -> None:
    conn.execute(
        """INSERT INTO events(id, story_id, title, date, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET story_id = excluded.story_id, title = excluded.title,
               date = excluded.date,
               summary_key = CASE WHEN ? THEN NULL ELSE events.summary_key END""",
        (event_id, story_id, title, date, created_at, int(changed)),
    )


def set_event_story(conn: sqlite3.Connection, moves: Iterable[tuple[str, str]]) -> None:
    """(event id, story id): an event that moved to another story, summary kept."""
    conn.executemany("UPDATE events SET story_id = ? WHERE id = ?", [(s, e) for e, s in moves])


def delete_stories(conn: sqlite3.Connection, story_ids: Iterable[str]) -> None:
    conn.executemany("DELETE FROM stories WHERE id = ?", [(s,) for s in story_ids])


def prune_empty(conn: sqlite3.Connection, event_kind: str, story_kind: str) -> tuple[int, int]:
    """Drop events left without articles (a removed feed) and stories left without events.

    Triage rows stay (they are keyed by story id and outlive re-clustering).
    Returns (events, stories) removed.
    """
    events = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM events WHERE NOT EXISTS"
            " (SELECT 1 FROM articles WHERE articles.event_id = events.id)"
        )
    ]
    conn.executemany("DELETE FROM events WHERE id = ?", [(e,) for e in events])
    delete_blobs(conn, event_kind, events)
    stories = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM stories WHERE NOT EXISTS"
            " (SELECT 1 FROM events WHERE events.story_id = stories.id)"
        )
    ]
    delete_stories(conn, stories)
    delete_blobs(conn, story_kind, stories)
    return len(events), len(stories)
