"""Articles: one row per feed entry, keyed by (feed, guid), updated in place."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from briefing.models import Article, Sentence, to_iso, utcnow
from briefing.store import rows
from briefing.store.db import Store


def content_hash(article: Article) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (article.url, article.title, article.summary, to_iso(article.published) or ""):
        digest.update(part.encode("utf-8", "replace") + b"\x00")
    return digest.hexdigest()


def reused_guid_key(guid: str, url: str) -> str:
    """The stored key of an item whose GUID an earlier, different item already holds."""
    return f"{guid}#link={url}"


def upsert(
    store: Store, articles: Iterable[Article], *, reused: list[str] | None = None
) -> tuple[list[int], list[int]]:
    """Store a feed's entries. Returns (new ids, ids whose content changed).

    An entry seen before is matched on (feed_id, guid) and updated in place
    only when its content changed, so re-fetching never duplicates anything.
    A GUID is not always unique: an entry whose GUID is stored but whose link
    and title both differ is another item, keyed on GUID and link
    (`reused_guid_key`); its GUID is appended to `reused` when given.
    """
    new: list[int] = []
    changed: list[int] = []
    now = to_iso(utcnow())
    with store.write() as conn:
        for art in articles:
            row = _stored(conn, art, reused)
            digest = content_hash(art)
            if row is None:
                cur = conn.execute(
                    """INSERT INTO articles(feed_id, guid, url, title, outlet, author, language,
                           published, first_seen, summary, text, content_hash, extract_status,
                           truncated)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        art.feed_id,
                        art.guid,
                        art.url,
                        art.title,
                        art.outlet,
                        art.author,
                        art.language,
                        to_iso(art.published),
                        to_iso(art.first_seen) or now,
                        art.summary,
                        art.text,
                        digest,
                        art.extract_status,
                        int(art.truncated),
                    ),
                )
                new.append(int(cur.lastrowid or 0))
            elif row["content_hash"] != digest:
                conn.execute(
                    """UPDATE articles SET url = ?, title = ?, outlet = ?, author = ?,
                           language = ?, published = ?, summary = ?, content_hash = ?,
                           truncated = ?, summary_key = NULL
                       WHERE id = ?""",
                    (
                        art.url,
                        art.title,
                        art.outlet,
                        art.author,
                        art.language,
                        to_iso(art.published),
                        art.summary,
                        digest,
                        int(art.truncated),
                        row["id"],
                    ),
                )
                changed.append(int(row["id"]))
                _corrected(conn, row, art)
    return new, changed


def _corrected(conn: sqlite3.Connection, old: Any, art: Article) -> None:
    """A published correction reaches everything made from the old version.

    The page is extracted again (a fresh set of attempts); the search index
    follows the row by its triggers; summaries follow the cleared
    `summary_key`. An event or story titled with the old headline takes the
    corrected one: clustering picks a member's headline and never revisits
    an event that gains no article.
    """
    if (old["url"], old["title"], old["summary"]) == (art.url, art.title, art.summary):
        return  # only the date moved: the page is the same
    conn.execute(
        """UPDATE articles SET extract_status = 'pending', extract_attempts = 0,
               extract_error = NULL
           WHERE id = ?""",
        (old["id"],),
    )
    if old["title"] == art.title:
        return
    event = conn.execute("SELECT event_id FROM articles WHERE id = ?", (old["id"],)).fetchone()
    if event is None or event[0] is None:
        return
    conn.execute(
        "UPDATE events SET title = ? WHERE id = ? AND title = ?",
        (art.title, event[0], old["title"]),
    )
    conn.execute(
        """UPDATE stories SET title = ?
           WHERE id = (SELECT story_id FROM events WHERE id = ?) AND title = ?""",
        (art.title, event[0], old["title"]),
    )


def _stored(conn: sqlite3.Connection, art: Article, reused: list[str] | None) -> Any:
    """The stored row of this entry, or None; re-keys `art` when its GUID is reused."""
    query = """SELECT id, content_hash, url, title, summary FROM articles
               WHERE feed_id = ? AND guid = ?"""
    row = conn.execute(query, (art.feed_id, art.guid)).fetchone()
    if row is None or not (art.url and row["url"]) or art.url == row["url"]:
        return row
    if row["title"] == art.title:
        return row
    if reused is not None:
        reused.append(art.guid)
    art.guid = reused_guid_key(art.guid, art.url)
    return conn.execute(query, (art.feed_id, art.guid)).fetchone()


def get(store: Store, article_id: int) -> Article | None:
    row = store.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    return None if row is None else rows.article(row)


def by_ids(store: Store, ids: Sequence[int]) -> list[Article]:
    found: dict[int, Article] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in store.query(f"SELECT * FROM articles WHERE id IN ({marks})", tuple(chunk)):
            found[row["id"]] = rows.article(row)
    return [found[i] for i in ids if i in found]


def all_articles(store: Store) -> list[Article]:
    return [rows.article(r) for r in store.query("SELECT * FROM articles ORDER BY published, id")]


def unclustered_exist(store: Store) -> bool:
    return bool(store.query("SELECT EXISTS(SELECT 1 FROM articles WHERE event_id IS NULL)")[0][0])


def needing_extraction(store: Store, max_attempts: int = 3, limit: int = 10_000) -> list[Article]:
    return [
        rows.article(r)
        for r in store.query(
            """SELECT * FROM articles
               WHERE extract_status IN ('pending', 'failed') AND extract_attempts < ?
               ORDER BY first_seen DESC LIMIT ?""",
            (max_attempts, limit),
        )
    ]


def set_extracted(
    store: Store,
    article_id: int,
    *,
    text: str,
    status: str,
    error: str | None = None,
    author: str = "",
    published: str | None = None,
    outlet: str = "",
    truncated: bool = False,
) -> None:
    """Record an extraction; page metadata only fills what the feed left empty.

    `truncated` says the extracted text was cut at its cap; it adds to (never
    clears) what the feed's own fields recorded.
    """
    with store.write() as conn:
        conn.execute(
            """UPDATE articles SET
                   text = CASE WHEN ? != '' THEN ? ELSE text END,
                   extract_status = ?, extract_error = ?,
                   extract_attempts = extract_attempts + 1,
                   author = CASE WHEN author = '' THEN ? ELSE author END,
                   published = COALESCE(published, ?),
                   outlet = CASE WHEN outlet = '' THEN ? ELSE outlet END,
                   truncated = MAX(truncated, ?),
                   summary_key = NULL
               WHERE id = ?""",
            (text, text, status, error, author, published, outlet, int(truncated), article_id),
        )


def set_read(store: Store, article_ids: Sequence[int], read: bool = True) -> None:
    with store.write() as conn:
        conn.executemany(
            "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
        )


def count(store: Store) -> int:
    return int(store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])


def summary_sentences(store: Store, article_id: int) -> list[Sentence]:
    """The article's own extractive summary (what the reader highlights)."""
    row = store.conn.execute(
        "SELECT summary_sentences FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    return [] if row is None else rows.sentences(row[0])
