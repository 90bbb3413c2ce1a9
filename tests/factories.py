"""Build small clustered stores for tests, straight through SQLite.

The pipeline tests go through fetch and clustering; screen and export tests
need a known, fixed set of stories, events and articles, written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from briefing.models import Sentence, to_iso
from briefing.store import Store
from briefing.store.rows import sentences_json


@dataclass
class ArticleSpec:
    title: str
    outlet: str
    published: datetime
    url: str = ""
    text: str = ""
    summary: str = ""
    duplicate_of: int | None = None  # index within the same event's articles


@dataclass
class EventSpec:
    title: str
    date: date
    articles: list[ArticleSpec]
    summary: list[str] = field(default_factory=list)


@dataclass
class StorySpec:
    id: str
    title: str
    events: list[EventSpec]
    summary: list[str] = field(default_factory=list)


def populate(
    store: Store, stories: list[StorySpec], *, attribute: bool = False
) -> dict[str, list[int]]:
    """Write the stories; returns story id -> its article ids in insertion order.

    With `attribute`, summary sentences name the article they came from, as the
    summarizer's do: an event's sentences go round its original articles, a
    story's to its latest event's first article.
    """
    made: dict[str, list[int]] = {}
    now = "2026-11-22T07:00:00Z"
    with store.write() as conn:
        feed_ids: dict[str, int] = {}
        for story in stories:
            dates = [e.date for e in story.events]
            conn.execute(
                "INSERT INTO stories(id, title, first_date, last_date, created_at, last_event_at,"
                " summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    story.id,
                    story.title,
                    min(dates).isoformat(),
                    max(dates).isoformat(),
                    now,
                    to_iso(datetime.combine(max(dates), datetime.min.time(), UTC)),
                    sentences_json([Sentence(s) for s in story.summary]),
                ),
            )
            made[story.id] = []
            for n, event in enumerate(story.events):
                event_id = f"{story.id}-e{n}"
                conn.execute(
                    "INSERT INTO events(id, story_id, title, date, created_at, summary)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        event_id,
                        story.id,
                        event.title,
                        event.date.isoformat(),
                        now,
                        sentences_json([Sentence(s) for s in event.summary]),
                    ),
                )
                ids: list[int] = []
                for art in event.articles:
                    if art.outlet not in feed_ids:
                        cur = conn.execute(
                            "INSERT INTO feeds(url, title, added_at) VALUES (?, ?, ?)",
                            (f"https://{_slug(art.outlet)}.example/feed", art.outlet, now),
                        )
                        feed_ids[art.outlet] = int(cur.lastrowid or 0)
                    url = art.url or f"https://{_slug(art.outlet)}.example/{event_id}-{len(ids)}"
                    dup = ids[art.duplicate_of] if art.duplicate_of is not None else None
                    cur = conn.execute(
                        "INSERT INTO articles(feed_id, guid, url, title, outlet, published,"
                        " first_seen, summary, text, extract_status, duplicate_of, event_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?)",
                        (
                            feed_ids[art.outlet],
                            url,
                            url,
                            art.title,
                            art.outlet,
                            to_iso(art.published),
                            now,
                            art.summary,
                            art.text,
                            dup,
                            event_id,
                        ),
                    )
                    ids.append(int(cur.lastrowid or 0))
                made[story.id].extend(ids)
                if attribute:
                    originals = [
                        (i, a)
                        for i, a in zip(ids, event.articles, strict=True)
                        if a.duplicate_of is None
                    ]
                    sentences = [
                        Sentence(text, *_pick(originals, n)) for n, text in enumerate(event.summary)
                    ]
                    conn.execute(
                        "UPDATE events SET summary = ? WHERE id = ?",
                        (sentences_json(sentences), event_id),
                    )
                    if event is max(story.events, key=lambda e: e.date):
                        head = event.articles[0]
                        conn.execute(
                            "UPDATE stories SET summary = ? WHERE id = ?",
                            (
                                sentences_json(
                                    [Sentence(t, ids[0], head.outlet) for t in story.summary]
                                ),
                                story.id,
                            ),
                        )
    return made


def _pick(originals: list[tuple[int, ArticleSpec]], n: int) -> tuple[int, str]:
    article_id, spec = originals[n % len(originals)]
    return article_id, spec.outlet


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())
