"""Rows become domain objects here, and nowhere else."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from briefing.models import Article, Event, Feed, Sentence, Story, TriageState, from_iso


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def sentences(raw: str | None) -> list[Sentence]:
    """Summaries are stored as JSON: a list of {"text", "article_id", "source"}."""
    out = []
    for item in json.loads(raw or "[]"):
        if isinstance(item, str):
            out.append(Sentence(item))
        else:
            out.append(Sentence(item["text"], item.get("article_id"), item.get("source", "")))
    return out


def sentences_json(items: list[Sentence]) -> str:
    return json.dumps(
        [{"text": s.text, "article_id": s.article_id, "source": s.source} for s in items],
        ensure_ascii=False,
    )


def feed(row: sqlite3.Row) -> Feed:
    keys = row.keys()
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        category=row["category"],
        site_url=row["site_url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        added_at=from_iso(row["added_at"]),
        last_fetched=from_iso(row["last_fetched"]),
        last_success=from_iso(row["last_success"]),
        last_error=row["last_error"],
        failures=row["failures"],
        dead=bool(row["dead"]),
        retry_after=from_iso(row["retry_after"]),
        item_count=row["item_count"] if "item_count" in keys else 0,
        note=row["note"] if "note" in keys else "",
    )


def article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        feed_id=row["feed_id"],
        guid=row["guid"],
        url=row["url"],
        title=row["title"],
        outlet=row["outlet"],
        author=row["author"],
        language=row["language"],
        published=from_iso(row["published"]),
        first_seen=from_iso(row["first_seen"]),
        summary=row["summary"],
        text=row["text"],
        extract_status=row["extract_status"],
        extract_error=row["extract_error"],
        truncated=bool(row["truncated"]),
        duplicate_of=row["duplicate_of"],
        event_id=row["event_id"],
        read=bool(row["read"]),
    )


def event(row: sqlite3.Row, article_ids: list[int] | None = None) -> Event:
    return Event(
        id=row["id"],
        title=row["title"],
        date=date.fromisoformat(row["date"][:10]),
        story_id=row["story_id"],
        article_ids=article_ids or [],
        summary=sentences(row["summary"]),
        created_at=from_iso(row["created_at"]),
        corrected=_flag(row, "corrected"),
    )


def _flag(row: sqlite3.Row, column: str) -> bool:
    # some queries select only the columns they show
    return column in row.keys() and bool(row[column])  # noqa: SIM118 (Row.__contains__ looks at values)


def story(row: sqlite3.Row, event_ids: list[str] | None = None) -> Story:
    return Story(
        id=row["id"],
        title=row["title"],
        first_date=date.fromisoformat(row["first_date"][:10]),
        last_date=date.fromisoformat(row["last_date"][:10]),
        event_ids=event_ids or [],
        summary=sentences(row["summary"]),
        created_at=from_iso(row["created_at"]),
        last_event_at=from_iso(row["last_event_at"]),
        corrected=_flag(row, "corrected"),
    )


def triage(row: sqlite3.Row) -> TriageState:
    return TriageState(
        story_id=row["story_id"],
        read=bool(row["read"]),
        starred=bool(row["starred"]),
        dismissed=bool(row["dismissed"]),
        snoozed_until=_date(row["snoozed_until"]),
        tags=json.loads(row["tags"]),
        note=row["note"],
        seen_event_at=from_iso(row["seen_event_at"]),
        updated_at=from_iso(row["updated_at"]),
    )
