from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from briefing.models import Article
from briefing.store import Store, StoreError
from briefing.store import articles as article_store
from briefing.store import feeds as feed_store
from briefing.store.schema import MIGRATIONS, SCHEMA_VERSION
from briefing.store.search import search_articles


def test_new_database_is_at_the_current_version_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    conn = store.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"feeds", "articles", "events", "stories", "triage", "article_fts"} <= tables


def test_an_older_database_is_upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    # Pretend a later release adds a migration: the existing file must be upgraded in place.
    extra = "ALTER TABLE feeds ADD COLUMN color TEXT NOT NULL DEFAULT ''"
    monkeypatch.setattr("briefing.store.schema.MIGRATIONS", [*MIGRATIONS, extra])
    monkeypatch.setattr("briefing.store.schema.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr("briefing.store.db.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = Store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    columns = {r[1] for r in store.conn.execute("PRAGMA table_info(feeds)")}
    assert "color" in columns


def test_a_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer briefing"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a briefing database"):
        Store(path)
    assert path.read_bytes() == before


def test_a_corrupt_sqlite_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = path.read_bytes()
    with pytest.raises(StoreError):
        Store(path)
    assert path.read_bytes() == before


def test_a_second_connection_writes_while_one_reads(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    reader, writer = Store(path), Store(path)
    feed = feed_store.add(writer, "https://a.example/feed")
    reader.conn.execute("BEGIN")  # a long read transaction, as the app holds while drawing
    seen_before = reader.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    done = threading.Event()

    def write() -> None:
        article_store.upsert(writer, [Article(feed.id or 0, "g1", "https://a.example/1", "t")])
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(10)
    assert done.is_set(), "the writer was blocked by a reader"
    # The reader keeps its snapshot until its transaction ends, then sees the write.
    assert reader.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == seen_before
    reader.conn.execute("COMMIT")
    assert reader.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == seen_before + 1


def test_a_second_writer_waits_for_the_lock_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first, second = Store(path), Store(path)
    results: list[str] = []
    with first.write() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")

        def other() -> None:
            second.set_meta("b", "2")
            results.append("written")

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert results == []  # still waiting on our lock
    thread.join(10)
    assert results == ["written"]
    assert first.get_meta("b") == "2"


def test_a_failed_write_leaves_nothing_half_written(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('half', '1')")
        raise RuntimeError("crash in the middle")
    assert store.get_meta("half") is None


def test_invalid_utf8_in_an_old_row_does_not_stop_reading(store: Store) -> None:
    feed = feed_store.add(store, "https://a.example/feed")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO articles(feed_id, guid, title, first_seen)"
            " VALUES (?, 'g', CAST(? AS TEXT), '2024-01-01T00:00:00Z')",
            (feed.id, b"caf\xe9 \xff"),
        )
    (art,) = article_store.all_articles(store)
    assert art.title.startswith("caf")


def test_articles_are_upserted_by_feed_and_guid(store: Store) -> None:
    feed = feed_store.add(store, "https://a.example/feed")
    first = Article(feed.id or 0, "g1", "https://a.example/1", "Original title", summary="s")
    new, changed = article_store.upsert(store, [first])
    assert len(new) == 1 and changed == []
    assert article_store.upsert(store, [first]) == ([], [])
    first.title = "Corrected title"
    new2, changed2 = article_store.upsert(store, [first])
    assert new2 == [] and changed2 == new
    assert [a.title for a in article_store.all_articles(store)] == ["Corrected title"]


def test_full_text_search_finds_titles_and_text(store: Store) -> None:
    from briefing.store.search import SearchError, search_articles

    feed = feed_store.add(store, "https://a.example/feed")
    article_store.upsert(
        store,
        [
            Article(feed.id or 0, "g1", "https://a.example/1", "Commerce bans Kaspersky"),
            Article(feed.id or 0, "g2", "https://a.example/2", "Volt Typhoon advisory"),
        ],
    )
    (aid,) = article_store.upsert(
        store, [Article(feed.id or 0, "g3", "https://a.example/3", "x", summary="botnet disrupted")]
    )[0]
    assert len(search_articles(store, "kasper")) == 1
    assert search_articles(store, "botnet") == [aid]
    assert search_articles(store, '"; DROP TABLE articles; --"') == []
    with pytest.raises(SearchError, match="quote is not closed"):
        search_articles(store, '"; DROP TABLE articles; --')
    assert len(article_store.all_articles(store)) == 3


def test_an_archive_from_before_version_7_loses_its_page_furniture_lines(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    feed = feed_store.add(store, "https://a.example/feed")
    text = (
        "The agency extended the deadline.\nRead more: Huawei gear faces a new ban\nIt said more."
    )
    clean = "A court heard the appeal.\nIts ruling on what to read more closely is due in May."
    new, _ = article_store.upsert(
        store,
        [
            Article(feed.id or 0, "a", "https://a.example/a", "Deadline", text=text),
            Article(feed.id or 0, "b", "https://a.example/b", "Appeal", text=clean),
        ],
    )
    store.close()
    conn = sqlite3.connect(path)
    # what an older release stored, with its text in the search index
    conn.execute("UPDATE articles SET text = ? WHERE id = ?", (text, new[0]))
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()

    store = Store(path)
    stored = {a.guid: a.text for a in article_store.all_articles(store)}
    assert stored["a"] == "The agency extended the deadline.\nIt said more."
    assert stored["b"] == clean
    assert search_articles(store, "extended") == [new[0]]
    assert search_articles(store, "Huawei") == []
