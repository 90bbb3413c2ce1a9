"""What the summary stage reads and writes.

The stage owns `articles.summary_sentences`, `events.summary`,
`stories.summary` and the `summary_key` next to each (a hash of the inputs
the summary was computed from). Reads return only the columns the stage
needs; writes are batched, one transaction per level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from briefing.models import Sentence, from_iso
from briefing.store import rows
from briefing.store.db import Store


@dataclass(frozen=True, slots=True)
class ArticleInput:
    id: int
    title: str
    outlet: str
    text: str
    teaser: str  # the feed's own summary
    published: datetime | None
    duplicate_of: int | None
    event_id: str | None
    summary_key: str | None


@dataclass(frozen=True, slots=True)
class EventInput:
    id: str
    story_id: str | None
    date: date
    title: str
    summary: list[Sentence]
    summary_key: str | None


@dataclass(frozen=True, slots=True)
class StoryInput:
    id: str
    summary_key: str | None


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What the stage needs of every article on every run: no text."""

    id: int
    duplicate_of: int | None
    event_id: str | None
    summary_key: str | None


def article_meta(store: Store) -> list[ArticleMeta]:
    return [
        ArticleMeta(int(r[0]), r[1], r[2], r[3])
        for r in store.query(
            "SELECT id, duplicate_of, event_id, summary_key FROM articles ORDER BY id"
        )
    ]


def articles(store: Store, ids: Sequence[int], max_chars: int | None = None) -> list[ArticleInput]:
    """The summarizing inputs (text included) of the given articles, in id order.

    `max_chars` reads only the start of each text: a summary that takes the
    lead sentences need not read (or copy) the rest of a long page.
    """
    text = "a.text" if max_chars is None else f"substr(a.text, 1, {int(max_chars)}) AS text"
    found: list[ArticleInput] = []
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        found += [
            ArticleInput(
                id=int(r["id"]),
                title=r["title"],
                outlet=r["outlet"],
                text=r["text"],
                teaser=r["summary"],
                published=from_iso(r["published"]),
                duplicate_of=r["duplicate_of"],
                event_id=r["event_id"],
                summary_key=r["summary_key"],
            )
            for r in store.query(
                # Attribution needs a name: the feed's title when the article has no outlet.
                f"""SELECT a.id, a.title, {text}, a.summary, a.published, a.duplicate_of,
                          a.event_id, a.summary_key,
                          CASE WHEN a.outlet != '' THEN a.outlet ELSE COALESCE(f.title, '') END
                              AS outlet
                   FROM articles AS a LEFT JOIN feeds AS f ON f.id = a.feed_id
                   WHERE a.id IN ({marks})""",
                chunk,
            )
        ]
    return sorted(found, key=lambda a: a.id)


def events(store: Store) -> list[EventInput]:
    return [
        EventInput(
            id=r["id"],
            story_id=r["story_id"],
            date=date.fromisoformat(r["date"][:10]),
            title=r["title"],
            summary=rows.sentences(r["summary"]),
            summary_key=r["summary_key"],
        )
        for r in store.query(
            "SELECT id, story_id, date, title, summary, summary_key FROM events ORDER BY date, id"
        )
    ]


def stories(store: Store) -> list[StoryInput]:
    return [
        StoryInput(id=r["id"], summary_key=r["summary_key"])
        for r in store.query("SELECT id, summary_key FROM stories ORDER BY id")
    ]


def save_articles(store: Store, items: Iterable[tuple[int, list[Sentence], str]]) -> None:
    with store.write() as conn:
        conn.executemany(
            "UPDATE articles SET summary_sentences = ?, summary_key = ? WHERE id = ?",
            [(rows.sentences_json(s), key, article_id) for article_id, s, key in items],
        )


def save_events(store: Store, items: Iterable[tuple[str, list[Sentence], str]]) -> None:
    with store.write() as conn:
        conn.executemany(
            "UPDATE events SET summary = ?, summary_key = ? WHERE id = ?",
            [(rows.sentences_json(s), key, event_id) for event_id, s, key in items],
        )


def save_stories(store: Store, items: Iterable[tuple[str, list[Sentence], str]]) -> None:
    with store.write() as conn:
        conn.executemany(
            "UPDATE stories SET summary = ?, summary_key = ? WHERE id = ?",
            [(rows.sentences_json(s), key, story_id) for story_id, s, key in items],
        )
