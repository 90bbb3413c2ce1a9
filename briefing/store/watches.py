"""Watches (named standing queries) and mutes (a killfile), kept in the database.

A mute hides articles; it deletes nothing, so removing it brings them back
without a refetch. Which articles a mute hides is decided here, in SQL, so
every front end hides the same ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from briefing.errors import BriefingError
from briefing.models import from_iso, to_iso, utcnow
from briefing.store import query as syntax
from briefing.store.db import Store

MUTE_KINDS = ("outlet", "feed", "category", "keyword", "entity")


class Exists(BriefingError):
    """A watch with that name, or that mute, is already there."""


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    name: str
    query: str
    created_at: datetime | None = None

    @property
    def parsed(self) -> syntax.Query:
        return syntax.parse(self.query)


@dataclass(frozen=True, slots=True)
class Mute:
    id: int
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


# -- watches -----------------------------------------------------------------


def add_watch(store: Store, name: str, query: str) -> Watch:
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM watches WHERE name = ?", (name,)).fetchone():
            raise Exists(name)
        cur = conn.execute(
            "INSERT INTO watches(name, query, created_at) VALUES (?, ?, ?)",
            (name, query, to_iso(utcnow())),
        )
    return Watch(int(cur.lastrowid or 0), name, query)


def remove_watch(store: Store, name: str) -> bool:
    with store.write() as conn:
        return conn.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount > 0


def all_watches(store: Store) -> list[Watch]:
    rows = store.query("SELECT * FROM watches ORDER BY name COLLATE NOCASE")
    return [Watch(r["id"], r["name"], r["query"], from_iso(r["created_at"])) for r in rows]


def get_watch(store: Store, name: str) -> Watch | None:
    return next((w for w in all_watches(store) if w.name.lower() == name.lower()), None)


# -- mutes -------------------------------------------------------------------


def add_mute(store: Store, kind: str, value: str) -> Mute:
    if kind not in MUTE_KINDS:
        raise ValueError(f"a mute is by {', '.join(MUTE_KINDS)}; not {kind!r}")
    value = value.strip()
    if not value or (kind == "keyword" and not re.search(r"\w", value)):
        raise ValueError("a mute needs a value (a keyword needs a letter or a digit)")
    with store.write() as conn:
        if conn.execute(
            "SELECT 1 FROM mutes WHERE kind = ? AND value = ?", (kind, value)
        ).fetchone():
            raise Exists(f"{kind}:{value}")
        cur = conn.execute(
            "INSERT INTO mutes(kind, value, created_at) VALUES (?, ?, ?)",
            (kind, value, to_iso(utcnow())),
        )
    return Mute(int(cur.lastrowid or 0), kind, value)


def remove_mute(store: Store, kind: str, value: str) -> bool:
    with store.write() as conn:
        cur = conn.execute("DELETE FROM mutes WHERE kind = ? AND value = ?", (kind, value.strip()))
        return cur.rowcount > 0


def all_mutes(store: Store) -> list[Mute]:
    rows = store.query("SELECT id, kind, value FROM mutes ORDER BY kind, value COLLATE NOCASE")
    return [Mute(r["id"], r["kind"], r["value"]) for r in rows]


SOURCE_KINDS = ("outlet", "feed")


def mute_query(mute: Mute) -> syntax.Query:
    """A keyword, entity or category mute as a query (outlet and feed mutes are not)."""
    if mute.kind == "keyword":  # a phrase: search operators in it mean nothing
        return syntax.Query(text='"' + mute.value.replace('"', " ") + '"')
    if mute.kind == "entity":
        return syntax.Query(fields={"entity": (mute.value,)})
    if mute.kind == "category":
        return syntax.Query(fields={"category": (mute.value,)})
    return syntax.Query()


def muted_ids(
    store: Store, mutes: list[Mute] | None = None, among: Sequence[int] | None = None
) -> set[int]:
    """Every article some mute hides; with `among`, only those of these articles."""
    mutes = all_mutes(store) if mutes is None else mutes
    if among is not None:
        queries = [mute_query(m) for m in mutes if m.kind not in SOURCE_KINDS]
        found = syntax.match_among(store, queries, among)
        return muted_by_source(store, mutes, among).union(*found)
    hidden: set[int] = set()
    for mute in mutes:
        if mute.kind in SOURCE_KINDS:
            hidden.update(_by_source(store, mute, "1", ()))
        else:
            hidden.update(syntax.matching_articles(store, mute_query(mute)))
    return hidden


def muted_by_source(store: Store, mutes: list[Mute], among: Sequence[int]) -> set[int]:
    """Which of the articles `among` an outlet or feed mute hides."""
    ids = json.dumps(sorted(set(among)))
    hidden: set[int] = set()
    for mute in mutes:
        if mute.kind in SOURCE_KINDS and among:
            where = "a.id IN (SELECT value FROM json_each(?))"
            hidden.update(_by_source(store, mute, where, (ids,)))
    return hidden


def _by_source(store: Store, mute: Mute, where: str, params: tuple[str, ...]) -> list[int]:
    if mute.kind == "outlet":
        test = "a.outlet = ? COLLATE NOCASE"
        values: tuple[str, ...] = (mute.value,)
    else:
        test = "(f.url = ? OR f.title = ? COLLATE NOCASE)"
        values = (mute.value, mute.value)
    rows = store.query(
        f"SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE {test} AND {where}",
        values + params,
    )
    return [int(r[0]) for r in rows]


def muted_today(store: Store, now: datetime, hidden: set[int] | None = None) -> int:
    """How many articles that arrived today (UTC) the mutes hide."""
    hidden = muted_ids(store) if hidden is None else hidden
    if not hidden:
        return 0
    day = now.date().isoformat()
    rows = store.query("SELECT id FROM articles WHERE substr(first_seen, 1, 10) = ?", (day,))
    return sum(1 for r in rows if r[0] in hidden)
