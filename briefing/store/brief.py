"""Bulk reads for the brief: every event and every article, in one query each.

The export walks the whole store; loading it story by story would cost one
query per story and pull every article's full text, which the brief never shows.
"""

from __future__ import annotations

from briefing.models import Article, Event
from briefing.store import rows
from briefing.store.db import Store


def all_events(store: Store) -> list[Event]:
    """Every event in timeline order (date, then creation, then id), without article ids."""
    return [
        rows.event(r) for r in store.query("SELECT * FROM events ORDER BY date, created_at, id")
    ]


def all_article_heads(store: Store) -> list[Article]:
    """Every article without its text and feed summary, ordered by published time then id.

    An empty outlet falls back to the feed's title, so every source has a name.
    """
    return [
        rows.article(r)
        for r in store.query(
            """SELECT articles.id, articles.feed_id, articles.guid, articles.url,
                      articles.title,
                      CASE WHEN articles.outlet = '' THEN COALESCE(feeds.title, '')
                           ELSE articles.outlet END AS outlet,
                      articles.author, articles.language, articles.published,
                      articles.first_seen, '' AS summary, '' AS text,
                      articles.extract_status, articles.extract_error, articles.truncated,
                      articles.duplicate_of, articles.event_id, articles.read
               FROM articles LEFT JOIN feeds ON feeds.id = articles.feed_id
               ORDER BY articles.published, articles.id"""
        )
    ]
