"""Full-text search over article titles and text (FTS5)."""

from __future__ import annotations

import re

from briefing.store.db import Store


def fts_query(text: str) -> str:
    """Turn what the analyst typed into a safe FTS5 query: every word, as a prefix."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{w}"*' for w in words)


def search_articles(store: Store, text: str, limit: int = 200) -> list[int]:
    query = fts_query(text)
    if not query:
        return []
    rows = store.query(
        "SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY rank LIMIT ?",
        (query, limit),
    )
    return [int(r[0]) for r in rows]


def search_stories(store: Store, text: str, limit: int = 200) -> list[str]:
    """Stories with a matching article, best match first."""
    ids = search_articles(store, text, limit * 5)
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = store.query(
        f"""SELECT events.story_id AS sid, articles.id AS aid FROM articles
            JOIN events ON events.id = articles.event_id
            WHERE articles.id IN ({marks}) AND events.story_id IS NOT NULL""",
        tuple(ids),
    )
    rank = {aid: i for i, aid in enumerate(ids)}
    best: dict[str, int] = {}
    for row in rows:
        best[row["sid"]] = min(best.get(row["sid"], 10**9), rank[row["aid"]])
    return sorted(best, key=best.__getitem__)[:limit]
