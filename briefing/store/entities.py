"""Named entities per article, and their totals per event and per story.

The extractor lives in `briefing.entities`; this module only stores what it
found. An article whose `entities_version` is not the gazetteer's current
version (NULL after its text changed) is extracted again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from briefing.store.db import Store

SPELLINGS_KEY = "entity_spellings_version"


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    title: str
    body: str


@dataclass(frozen=True, slots=True, order=True)
class Named:
    """An entity with its mentions, as the store keeps it (type, name)."""

    type: str
    name: str


def pending(store: Store, version: str, limit: int = 2000) -> list[Pending]:
    rows = store.query(
        """SELECT id, title, summary, text FROM articles
           WHERE entities_version IS NULL OR entities_version != ? LIMIT ?""",
        (version, limit),
    )
    return [Pending(r["id"], r["title"], f"{r['summary']}\n{r['text']}") for r in rows]


def save(store: Store, version: str, found: Mapping[int, Mapping[Named, int]]) -> None:
    """Replace the entities of these articles and mark them current."""
    with store.write() as conn:
        for article_id, counts in found.items():
            conn.execute("DELETE FROM article_entities WHERE article_id = ?", (article_id,))
            conn.executemany(
                "INSERT INTO article_entities(article_id, type, name, mentions) "
                "VALUES (?, ?, ?, ?)",
                [(article_id, e.type, e.name, n) for e, n in counts.items()],
            )
            conn.execute(
                "UPDATE articles SET entities_version = ? WHERE id = ?", (version, article_id)
            )


def save_spellings(store: Store, version: str, spellings: Iterable[tuple[str, str]]) -> None:
    """Record every (spelling, canonical name), once per gazetteer version."""
    if store.get_meta(SPELLINGS_KEY) == version:
        return
    with store.write() as conn:
        conn.execute("DELETE FROM entity_spellings")
        conn.executemany(
            "INSERT OR IGNORE INTO entity_spellings(spelling, name) VALUES (?, ?)", spellings
        )
        store.set_meta(SPELLINGS_KEY, version)


def canonical(store: Store, name: str) -> str:
    """The canonical name for a spelling the user typed (itself when unknown)."""
    row = store.conn.execute(
        "SELECT name FROM entity_spellings WHERE spelling = ?", (name.strip(),)
    ).fetchone()
    return str(row[0]) if row else name.strip()


def of_article(store: Store, article_id: int) -> Counter[Named]:
    rows = store.query(
        "SELECT type, name, mentions FROM article_entities WHERE article_id = ?", (article_id,)
    )
    return Counter({Named(r["type"], r["name"]): r["mentions"] for r in rows})


def _totals(
    store: Store, key: str, where: str, ids: Sequence[str], hidden: Collection[int]
) -> dict[str, Counter[Named]]:
    out: dict[str, Counter[Named]] = defaultdict(Counter)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = store.query(
            f"""SELECT {key} AS k, ae.article_id AS aid, ae.type, ae.name, ae.mentions
                FROM article_entities ae JOIN articles a ON a.id = ae.article_id
                JOIN events ev ON ev.id = a.event_id
                WHERE {where} IN ({marks})""",
            tuple(chunk),
        )
        for r in rows:
            if r["aid"] not in hidden:
                out[r["k"]][Named(r["type"], r["name"])] += r["mentions"]
    return dict(out)


def of_events(
    store: Store, event_ids: Sequence[str], hidden: Collection[int] = ()
) -> dict[str, Counter[Named]]:
    """Each event's entities: the sum over its articles (`hidden` ones left out)."""
    return _totals(store, "ev.id", "ev.id", event_ids, hidden)


def of_stories(
    store: Store, story_ids: Sequence[str], hidden: Collection[int] = ()
) -> dict[str, Counter[Named]]:
    return _totals(store, "ev.story_id", "ev.story_id", story_ids, hidden)


def top(counts: Counter[Named], limit: int = 8) -> list[Named]:
    """The most-mentioned first; ties by type, then name, so output is stable."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].type, kv[0].name))
    return [named for named, _ in ranked[:limit]]
