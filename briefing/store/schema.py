"""The schema, as an ordered list of migrations keyed by `PRAGMA user_version`.

Migration N upgrades a database at version N-1 to N. Never edit a migration
that has shipped; append a new one. Triage state is keyed by story id and has
no foreign key to stories on purpose: it must outlive a re-clustering that
drops and recreates story rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        site_url TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        added_at TEXT NOT NULL,
        last_fetched TEXT,
        last_success TEXT,
        last_error TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        dead INTEGER NOT NULL DEFAULT 0,
        retry_after TEXT
    );

    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_date TEXT NOT NULL,
        last_date TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_event_at TEXT,
        summary TEXT NOT NULL DEFAULT '[]',
        summary_key TEXT
    );

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        story_id TEXT REFERENCES stories(id) ON DELETE SET NULL,
        title TEXT NOT NULL,
        date TEXT NOT NULL,
        created_at TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '[]',
        summary_key TEXT
    );
    CREATE INDEX events_story ON events(story_id, date);

    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        published TEXT,
        first_seen TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        content_hash TEXT,
        extract_status TEXT NOT NULL DEFAULT 'pending',
        extract_error TEXT,
        extract_attempts INTEGER NOT NULL DEFAULT 0,
        truncated INTEGER NOT NULL DEFAULT 0,
        duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        event_id TEXT REFERENCES events(id) ON DELETE SET NULL,
        read INTEGER NOT NULL DEFAULT 0,
        summary_sentences TEXT NOT NULL DEFAULT '[]',
        summary_key TEXT,
        UNIQUE (feed_id, guid)
    );
    CREATE INDEX articles_event ON articles(event_id);
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_url ON articles(url);
    CREATE INDEX articles_extract ON articles(extract_status);

    CREATE TABLE triage (
        story_id TEXT PRIMARY KEY,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        dismissed INTEGER NOT NULL DEFAULT 0,
        snoozed_until TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        seen_event_at TEXT,
        updated_at TEXT NOT NULL
    );

    -- Opaque per-item state of the clustering stages (vectors, signatures).
    CREATE TABLE features (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (kind, key)
    );

    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE VIRTUAL TABLE article_fts USING fts5(
        title, text, content='articles', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_fts(rowid, title, text)
        VALUES (new.id, new.title, new.summary || ' ' || new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.summary || ' ' || old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, text ON articles BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.summary || ' ' || old.text);
        INSERT INTO article_fts(rowid, title, text)
        VALUES (new.id, new.title, new.summary || ' ' || new.text);
    END;
    """,
    # 2: a standing note on a feed's health that is not an error (dropped
    # validators, GUIDs that are not unique); shown by `feeds list`
    """
    ALTER TABLE feeds ADD COLUMN note TEXT NOT NULL DEFAULT '';
    """,
    # 3: the analyst's corrections of the grouping, kept as constraints in article ids
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        summary TEXT NOT NULL,
        spec TEXT NOT NULL,
        before TEXT NOT NULL DEFAULT '{}',
        undone_at TEXT
    );
    ALTER TABLE stories ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: entities per article, watches and mutes (issue 17)
    """
    -- entities_version: the gazetteer version the row's entities came from;
    -- NULL means extract again (new article, or its text changed).
    ALTER TABLE articles ADD COLUMN entities_version TEXT;
    CREATE INDEX articles_entities_version ON articles(entities_version);
    CREATE TRIGGER articles_entities_stale AFTER UPDATE OF title, summary, text ON articles BEGIN
        UPDATE articles SET entities_version = NULL WHERE id = new.id;
    END;

    CREATE TABLE article_entities (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, type, name)
    ) WITHOUT ROWID;
    CREATE INDEX article_entities_name ON article_entities(name COLLATE NOCASE);

    -- Every spelling the gazetteer knows, so `entity:cozy bear` finds Midnight Blizzard
    -- without the store importing the extractor.
    CREATE TABLE entity_spellings (
        spelling TEXT PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL
    );

    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        query TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    CREATE TABLE mutes (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL COLLATE NOCASE,
        created_at TEXT NOT NULL,
        UNIQUE (kind, value)
    );
    """,
    # 5: the feed summary gets its own search column. The index held summary and text
    # as one column while snippets read back `text` alone, so marks landed on the
    # wrong words.
    """
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_delete;
    DROP TRIGGER articles_fts_update;
    DROP TABLE article_fts;
    CREATE VIRTUAL TABLE article_fts USING fts5(
        title, summary, text, content='articles', content_rowid='id',
        tokenize='porter unicode61'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, text ON articles BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
        INSERT INTO article_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END;
    INSERT INTO article_fts(article_fts) VALUES ('rebuild');
    """,
    # 6: articles grouped on their title and feed summary while their page was still
    # being fetched (the app's early stories); they are placed again on their full text
    """
    ALTER TABLE articles ADD COLUMN placed_early INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_placed_early ON articles(placed_early) WHERE placed_early = 1;
    """,
    # 7: page text is stored without its furniture lines ("Read more: <another
    # headline>"), which made a search find the page by another article's words;
    # the update trigger re-indexes what changes
    """
    UPDATE articles SET text = without_page_clutter(text)
    WHERE text != '' AND without_page_clutter(text) != text;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the database up to SCHEMA_VERSION inside the caller's transaction."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version < SCHEMA_VERSION:
        # a leaf of rules, loaded only when there is something to upgrade
        from briefing.boilerplate import without_page_clutter

        conn.create_function("without_page_clutter", 1, without_page_clutter, deterministic=True)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        for statement in _statements(MIGRATIONS[number - 1]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
