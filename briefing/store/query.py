"""The search syntax with fields, and matching it against articles and stories.

A query is free text plus optional fields, each `field:value` or
`field:"two words"` (or single quotes): `entity:` (an entity by any spelling
the gazetteer knows), `source:` (an outlet or a feed's title), `category:` (a
feed's category) and `tag:` (a tag on the story). Fields combine with AND; the
same field twice means either value. Search, watches and mutes all use it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from briefing.store.db import Store
from briefing.store.search import fts_query

FIELDS = ("entity", "source", "category", "tag")
_FIELD = re.compile(
    rf"""(?<!\S)({"|".join(FIELDS)}):(?:"([^"]*)"|'([^']*)'|(\S*))""", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Query:
    text: str = ""
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """No words and no field values (SearchError when the words are no valid search)."""
        return not fts_query(self.text) and not any(self.fields.values())


def parse(text: str) -> Query:
    found: dict[str, list[str]] = {}
    for match in _FIELD.finditer(text):
        value = next((g for g in match.groups()[1:] if g is not None), "").strip()
        if value:
            found.setdefault(match.group(1).lower(), []).append(value)
    rest = " ".join(_FIELD.sub(" ", text).split())
    return Query(rest, {k: tuple(v) for k, v in found.items()})


def where(query: Query) -> tuple[str, list[object]]:
    """A WHERE clause over `articles a JOIN feeds f` (and the story's triage via events).

    Returns ("1", []) for an empty query; callers add their own limits.
    """
    clauses: list[str] = []
    params: list[object] = []
    if fts := fts_query(query.text):
        clauses.append("a.id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)")
        params.append(fts)
    for name, values in query.fields.items():
        marks = ",".join("?" * len(values))
        if name == "entity":
            # not correlated: the matching articles are found once, through the name index
            clauses.append(
                "a.id IN (SELECT ae.article_id FROM article_entities ae WHERE ae.name "
                "COLLATE NOCASE IN (SELECT COALESCE((SELECT s.name FROM entity_spellings s "
                "WHERE s.spelling = v.value), v.value) FROM json_each(?) v))"
            )
            params.append(_json(values))
        elif name == "source":
            clauses.append(
                f"(a.outlet COLLATE NOCASE IN ({marks}) OR f.title COLLATE NOCASE IN ({marks}))"
            )
            params.extend(values + values)
        elif name == "category":
            clauses.append(f"f.category COLLATE NOCASE IN ({marks})")
            params.extend(values)
        elif name == "tag":
            clauses.append(
                "a.event_id IN (SELECT ev.id FROM events ev JOIN triage t "
                "ON t.story_id = ev.story_id, json_each(t.tags) tg "
                f"WHERE tg.value COLLATE NOCASE IN ({marks}))"
            )
            params.extend(values)
    return (" AND ".join(clauses) or "1"), params


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def matching_articles(store: Store, query: Query) -> list[int]:
    """Ids of the articles in the whole archive the query matches, in id order."""
    if query.empty:
        return []
    sql, params = where(query)
    rows = store.query(
        f"SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE {sql} ORDER BY a.id",
        tuple(params),
    )
    return [int(r[0]) for r in rows]


def matching_stories(store: Store, query: Query, hidden: Collection[int] = ()) -> set[str]:
    """Ids of the stories with an article the query matches, `hidden` articles left out."""
    if query.empty:
        return set()
    sql, params = where(query)
    if hidden:
        sql += " AND a.id NOT IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(hidden)))
    rows = store.query(
        f"""SELECT DISTINCT ev.story_id FROM articles a JOIN feeds f ON f.id = a.feed_id
            JOIN events ev ON ev.id = a.event_id WHERE ev.story_id IS NOT NULL AND {sql}""",
        tuple(params),
    )
    return {str(r[0]) for r in rows}


@dataclass(slots=True)
class _Candidate:
    outlet: str
    feed: str
    category: str
    tags: set[str]
    entities: set[str] = field(default_factory=set)


def match_among(store: Store, queries: Sequence[Query], among: Sequence[int]) -> list[list[int]]:
    """For each query, which of the articles `among` it matches (in id order).

    The same rules as `where`, for a fetch's few new articles: asking the
    archive-wide index once per query costs time in the archive's size, so
    the candidates' text goes into a small in-memory FTS5 table with the
    archive's tokenizer, and the fields are compared here.
    """
    ids = sorted(set(among))
    if not ids or not queries:
        return [[] for _ in queries]
    candidates = _candidates(store, ids)
    spellings = _spellings(store, queries)
    texts = [fts_query(q.text) for q in queries]
    memory = _memory_index(store, ids) if any(texts) else None
    try:
        out: list[list[int]] = []
        for query, fts in zip(queries, texts, strict=True):
            if query.empty:
                out.append([])
                continue
            pool = sorted(_fts_hits(memory, fts)) if fts and memory else ids
            checks = _checks(query, spellings)
            out.append([i for i in pool if _fields_match(candidates.get(i), checks)])
    finally:
        if memory is not None:
            memory.close()
    return out


def _id_list(ids: list[int]) -> str:
    return json.dumps(ids)


def _candidates(store: Store, ids: list[int]) -> dict[int, _Candidate]:
    found: dict[int, _Candidate] = {}
    rows = store.query(
        """SELECT a.id, a.outlet, COALESCE(f.title, '') AS feed, COALESCE(f.category, '') AS cat,
                  COALESCE(t.tags, '[]') AS tags
           FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id
           LEFT JOIN events ev ON ev.id = a.event_id
           LEFT JOIN triage t ON t.story_id = ev.story_id
           WHERE a.id IN (SELECT value FROM json_each(?))""",
        (_id_list(ids),),
    )
    for r in rows:
        tags = {str(t).lower() for t in json.loads(r["tags"])} if r["tags"] != "[]" else set()
        found[r["id"]] = _Candidate(r["outlet"].lower(), r["feed"].lower(), r["cat"].lower(), tags)
    names = store.query(
        "SELECT article_id, name FROM article_entities "
        "WHERE article_id IN (SELECT value FROM json_each(?))",
        (_id_list(ids),),
    )
    for r in names:
        if r[0] in found:
            found[r[0]].entities.add(str(r[1]).lower())
    return found


def _memory_index(store: Store, ids: list[int]) -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:")
    memory.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize='porter unicode61')")
    rows = store.query(
        "SELECT id, title, summary || ' ' || text FROM articles "
        "WHERE id IN (SELECT value FROM json_each(?))",
        (_id_list(ids),),
    )
    memory.executemany("INSERT INTO t(rowid, title, text) VALUES (?, ?, ?)", map(tuple, rows))
    return memory


def _fts_hits(memory: sqlite3.Connection, fts: str) -> set[int]:
    return {int(r[0]) for r in memory.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts,))}


def _spellings(store: Store, queries: Sequence[Query]) -> dict[str, str]:
    """Entity values the queries name (lowercased) -> canonical names (lowercased)."""
    values = sorted({v.lower() for q in queries for v in q.fields.get("entity", ())})
    if not values:
        return {}
    rows = store.query(
        "SELECT v.value, s.name FROM json_each(?) v "
        "JOIN entity_spellings s ON s.spelling = v.value",
        (json.dumps(values),),
    )
    found = {str(r[0]): str(r[1]).lower() for r in rows}
    return {v: found.get(v, v) for v in values}


def _checks(query: Query, spellings: dict[str, str]) -> list[tuple[str, set[str]]]:
    """A query's fields as (field, lowercased values), entity values made canonical."""
    out = []
    for name, values in query.fields.items():
        wanted = {v.lower() for v in values}
        if name == "entity":
            wanted = {spellings.get(v, v) for v in wanted}
        out.append((name, wanted))
    return out


def _fields_match(c: _Candidate | None, checks: list[tuple[str, set[str]]]) -> bool:
    if c is None:
        return False
    for name, wanted in checks:
        if name == "entity":
            ok = not c.entities.isdisjoint(wanted)
        elif name == "source":
            ok = c.outlet in wanted or c.feed in wanted
        elif name == "category":
            ok = c.category in wanted
        else:
            ok = not c.tags.isdisjoint(wanted)
        if not ok:
            return False
    return True
