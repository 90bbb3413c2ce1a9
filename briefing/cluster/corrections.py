"""The analyst's corrections: merge, split, move, rename, and undo.

Each correction is written in one transaction: the constraint it keeps (in
article ids) goes into the log with the rows it is about to change as they
were, then `constraints.apply` enforces it, the very code every later
clustering run calls. So what the analyst sees at once is what every later
run keeps, and undo puts the rows back and enforces the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

import scipy.sparse as sp

from briefing.cluster import constraints
from briefing.cluster.grouping import Group, Grouper
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import event_profile, story_rule
from briefing.cluster.vectors import normalize_rows
from briefing.errors import BriefingError
from briefing.store import cluster_state as cs
from briefing.store import corrections as log
from briefing.store.db import Store

P = ParamSpec("P")
R = TypeVar("R")


def _atomic(fn: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Read, log and enforce in one write transaction: a fetch cannot slip in between."""

    @wraps(fn)
    def wrapper(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with store.write():
            return fn(store, *args, **kwargs)

    return wrapper


class CorrectionError(BriefingError, ValueError):
    """A correction that makes no sense (a story merged with itself); nothing changed."""


@dataclass(frozen=True, slots=True)
class Done:
    number: int  # in the log: `corrections undo N`
    summary: str
    story_id: str | None = None  # where the analyst's attention goes next


def _label(conn: sqlite3.Connection, table: str, item: str) -> str:
    row = conn.execute(f"SELECT title FROM {table} WHERE id = ?", (item,)).fetchone()
    return f'{item[:8]} "{row[0] if row else ""}"'


def _articles_of_events(conn: sqlite3.Connection, event_ids: list[str]) -> list[int]:
    marks = ",".join("?" * len(event_ids))
    return [
        int(r[0])
        for r in conn.execute(
            f"SELECT id FROM articles WHERE event_id IN ({marks}) ORDER BY id", tuple(event_ids)
        )
    ]


def _events_of(conn: sqlite3.Connection, story_id: str) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT id FROM events WHERE story_id = ? ORDER BY date, created_at, id", (story_id,)
        )
    ]


def _story_articles(conn: sqlite3.Connection, story_id: str) -> list[int]:
    return _articles_of_events(conn, _events_of(conn, story_id))


def _story_of(conn: sqlite3.Connection, event_id: str) -> str:
    row = conn.execute("SELECT story_id FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        raise CorrectionError(f"no event {event_id}")
    return str(row[0] or "")


def _need(conn: sqlite3.Connection, table: str, item: str) -> None:
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (item,)).fetchone() is None:
        raise CorrectionError(f"no {table[:-1].replace('storie', 'story')} {item}")


def _snapshot(conn: sqlite3.Connection, story_ids: list[str]) -> dict[str, Any]:
    """The rows a correction may change, as they are: what undo puts back."""
    from briefing.cluster.stage import KIND_EVENT, KIND_STORY

    stories = [s for s in dict.fromkeys(story_ids) if s]
    marks = ",".join("?" * len(stories))
    if not stories:
        return {}
    events = [
        dict(r)
        for r in conn.execute(f"SELECT * FROM events WHERE story_id IN ({marks})", tuple(stories))
    ]
    event_ids = [e["id"] for e in events]
    return {
        "stories": [
            dict(r)
            for r in conn.execute(f"SELECT * FROM stories WHERE id IN ({marks})", tuple(stories))
        ],
        "triage": [
            dict(r)
            for r in conn.execute(
                f"SELECT * FROM triage WHERE story_id IN ({marks})", tuple(stories)
            )
        ],
        "events": events,
        "articles": [
            [aid, conn.execute("SELECT event_id FROM articles WHERE id = ?", (aid,)).fetchone()[0]]
            for aid in _articles_of_events(conn, event_ids)
        ]
        if events
        else [],
        "blobs": _blobs(conn, KIND_STORY, stories) + _blobs(conn, KIND_EVENT, event_ids),
    }


def _blobs(conn: sqlite3.Connection, kind: str, keys: list[str]) -> list[list[str]]:
    """The clustering's stored centroids of these groups (a merge sums them)."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    return [
        [kind, str(r[0]), bytes(r[1]).hex()]
        for r in conn.execute(
            f"SELECT key, data FROM features WHERE kind = ? AND key IN ({marks})", (kind, *keys)
        )
    ]


def _record(
    store: Store,
    kind: str,
    summary: str,
    spec: dict[str, Any],
    stories: list[str],
    params: Params,
    focus: str | None,
) -> Done:
    with store.write() as conn:
        number = log.add(conn, kind, summary, spec, _snapshot(conn, stories))
        constraints.apply(store, params)
        if focus is not None:
            focus = constraints_home(conn, spec, focus)
    return Done(number, summary, focus)


def constraints_home(conn: sqlite3.Connection, spec: dict[str, Any], focus: str) -> str | None:
    """The story the analyst stays on after the correction (the anchor's home)."""
    ids = spec.get(focus) or []
    if isinstance(ids, int):
        ids = [ids]
    if not ids:
        return None
    marks = ",".join("?" * len(ids))
    row = conn.execute(
        f"""SELECT e.story_id FROM articles a JOIN events e ON e.id = a.event_id
            WHERE a.id IN ({marks}) AND e.story_id IS NOT NULL
            GROUP BY e.story_id ORDER BY COUNT(*) DESC LIMIT 1""",
        tuple(ids),
    ).fetchone()
    return None if row is None else str(row[0])


# -- stories -------------------------------------------------------------------


@_atomic
def merge_stories(store: Store, keep: str, other: str, params: Params = DEFAULT) -> Done:
    """`other` joins `keep`; the older id survives with the union of the triage state."""
    conn = store.conn
    _need(conn, "stories", keep)
    _need(conn, "stories", other)
    if keep == other:
        raise CorrectionError("a story cannot be merged with itself")
    summary = f"merged story {_label(conn, 'stories', other)} into {_label(conn, 'stories', keep)}"
    spec = {"a": _story_articles(conn, keep), "b": _story_articles(conn, other)}
    return _record(store, "merge_stories", summary, spec, [keep, other], params, "a")


@_atomic
def split_story(
    store: Store, story: str, event: str, following: bool = False, params: Params = DEFAULT
) -> Done:
    """The event (and with `following` the events after it) become a story of their own.

    The story keeps its id and its triage state: the analyst stays on it.
    """
    conn = store.conn
    _need(conn, "stories", story)
    timeline = _events_of(conn, story)
    if event not in timeline:
        raise CorrectionError(f"event {event} is not in story {story}")
    at = timeline.index(event)
    going = timeline[at:] if following else [event]
    staying = [e for e in timeline if e not in going]
    if not staying:
        raise CorrectionError("nothing would be left in the story: split at a later event")
    date = conn.execute("SELECT date FROM events WHERE id = ?", (event,)).fetchone()[0]
    spec = {
        "stay": _articles_of_events(conn, staying),
        "go": _articles_of_events(conn, going),
        "after": date if following else None,
        "story_id": None,
    }
    what = f"event {_label(conn, 'events', event)}" + (
        " and the events after it" if following else ""
    )
    summary = f"split {what} out of story {_label(conn, 'stories', story)}"
    return _record(store, "split_story", summary, spec, [story], params, "stay")


@_atomic
def rename_story(store: Store, story: str, title: str, params: Params = DEFAULT) -> Done:
    conn = store.conn
    _need(conn, "stories", story)
    title = " ".join(title.split())
    if not title:
        raise CorrectionError("a story title cannot be empty (use --clear for the automatic one)")
    summary = f'renamed story {_label(conn, "stories", story)} to "{title}"'
    spec = {"story": _story_articles(conn, story), "title": title}
    return _record(store, "rename_story", summary, spec, [story], params, "story")


def clear_title(store: Store, story: str, params: Params = DEFAULT) -> list[Done]:
    """The automatic title again: the story's renames are undone, newest first."""
    _need(store.conn, "stories", story)
    undone = []
    with store.write() as conn:
        home = constraints.Enforcer(store, conn, params)
        for c in reversed(log.active(conn)):
            if c.kind == "rename_story" and home.home_story(c.spec["story"]) == story:
                undone.append(undo(store, c.id, params))
    if not undone:
        raise CorrectionError(f"story {story} has no title of yours to clear")
    return undone


# -- events and articles -------------------------------------------------------


@_atomic
def move_event(store: Store, event: str, story: str, params: Params = DEFAULT) -> Done:
    conn = store.conn
    _need(conn, "stories", story)
    source = _story_of(conn, event)
    if source == story:
        raise CorrectionError(f"event {event} is already in story {story}")
    moved = _articles_of_events(conn, [event])
    target = [a for a in _story_articles(conn, story) if a not in set(moved)]
    summary = (
        f"moved event {_label(conn, 'events', event)} to story {_label(conn, 'stories', story)}"
    )
    spec = {"event": moved, "story": target}
    return _record(store, "move_event", summary, spec, [source, story], params, "story")


@_atomic
def merge_events(store: Store, keep: str, other: str, params: Params = DEFAULT) -> Done:
    conn = store.conn
    stories = [_story_of(conn, keep), _story_of(conn, other)]
    if keep == other:
        raise CorrectionError("an event cannot be merged with itself")
    summary = f"merged event {_label(conn, 'events', other)} into {_label(conn, 'events', keep)}"
    spec = {"a": _articles_of_events(conn, [keep]), "b": _articles_of_events(conn, [other])}
    return _record(store, "merge_events", summary, spec, stories, params, "a")


def _article_event(conn: sqlite3.Connection, article: int) -> str:
    row = conn.execute("SELECT event_id, title FROM articles WHERE id = ?", (article,)).fetchone()
    if row is None:
        raise CorrectionError(f"no article {article}")
    if row[0] is None:
        raise CorrectionError(f"article {article} is not grouped yet: run `briefing fetch`")
    return str(row[0])


@_atomic
def move_article(store: Store, article: int, event: str, params: Params = DEFAULT) -> Done:
    conn = store.conn
    source = _article_event(conn, article)
    target_story = _story_of(conn, event)
    if source == event:
        raise CorrectionError(f"article {article} is already in event {event}")
    title = conn.execute("SELECT title FROM articles WHERE id = ?", (article,)).fetchone()[0]
    summary = f'moved article {article} "{title}" to event {_label(conn, "events", event)}'
    spec = {"article": article, "event": [a for a in _articles_of_events(conn, [event])]}
    stories = [_story_of(conn, source), target_story]
    return _record(store, "move_article", summary, spec, stories, params, "article")


@_atomic
def new_event(store: Store, article: int, params: Params = DEFAULT) -> Done:
    """The article (with its copies) leaves its event for one of its own, for good."""
    conn = store.conn
    source = _article_event(conn, article)
    own = {article} | {
        int(r[0])
        for r in conn.execute("SELECT id FROM articles WHERE duplicate_of = ?", (article,))
    }
    others = [a for a in _articles_of_events(conn, [source]) if a not in own]
    if not others:
        raise CorrectionError(f"article {article} already has an event of its own")
    title = conn.execute("SELECT title FROM articles WHERE id = ?", (article,)).fetchone()[0]
    summary = f'moved article {article} "{title}" out to an event of its own'
    spec = {"article": article, "others": others, "event_id": None}
    return _record(store, "new_event", summary, spec, [_story_of(conn, source)], params, "article")


# -- undo ------------------------------------------------------------------------


def undo(store: Store, number: int | None = None, params: Params = DEFAULT) -> Done:
    """Undo correction `number` (the latest one in force when None) and say what it was."""
    with store.write() as conn:
        if number is None:
            current = log.active(conn)
            if not current:
                raise CorrectionError("no correction to undo")
            number = current[-1].id
        c = log.get(conn, number)
        if c is None:
            raise CorrectionError(f"no correction #{number} (see `briefing corrections list`)")
        if c.undone_at is not None:
            raise CorrectionError(f"correction #{number} was already undone")
        _restore(conn, log.before(conn, number))
        log.mark_undone(conn, number)
        constraints.apply(store, params, tidy=True)
    return Done(number, f"undid #{number}: {c.summary}")


def redo(store: Store, number: int, params: Params = DEFAULT) -> Done:
    """Put an undone correction back in force: its constraint, in article ids, still says it all."""
    with store.write() as conn:
        c = log.get(conn, number)
        if c is None or c.undone_at is None:
            raise CorrectionError(f"correction #{number} is not undone")
        anchors = [a for v in c.spec.values() for a in (v if isinstance(v, list) else [v])]
        ids = [int(a) for a in anchors if isinstance(a, int)]
        stories = [
            str(r[0])
            for r in conn.execute(
                f"""SELECT DISTINCT e.story_id FROM articles a JOIN events e ON e.id = a.event_id
                    WHERE a.id IN ({",".join("?" * len(ids))}) AND e.story_id IS NOT NULL""",
                tuple(ids),
            )
        ]
        log.reactivate(conn, number, _snapshot(conn, stories))
        constraints.apply(store, params)
        focus = constraints_home(conn, c.spec, _FOCUS.get(c.kind, "")) if c.kind in _FOCUS else None
    return Done(number, f"redid #{number}: {c.summary}", focus)


# the spec side whose story the analyst looks at after each kind of correction
_FOCUS = {
    "merge_stories": "a",
    "split_story": "stay",
    "rename_story": "story",
    "move_event": "story",
    "merge_events": "a",
    "move_article": "article",
    "new_event": "article",
}


def _restore(conn: sqlite3.Connection, before: dict[str, Any]) -> None:
    for row in before.get("stories", []):
        _upsert(conn, "stories", row, ["title", "first_date", "last_date", "last_event_at"])
    for row in before.get("events", []):
        _upsert(conn, "events", row, ["story_id", "title", "date"])
    conn.executemany(
        "UPDATE articles SET event_id = ? WHERE id = ?",
        [(event, aid) for aid, event in before.get("articles", [])],
    )
    stories = [r["id"] for r in before.get("stories", [])]
    conn.executemany("DELETE FROM triage WHERE story_id = ?", [(s,) for s in stories])
    for row in before.get("triage", []):
        _upsert(conn, "triage", row, [])
    conn.executemany(
        "INSERT OR REPLACE INTO features(kind, key, data) VALUES (?, ?, ?)",
        [(kind, key, bytes.fromhex(data)) for kind, key, data in before.get("blobs", [])],
    )


def _upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any], restore: list[str]) -> None:
    columns = list(row)
    key = "story_id" if table == "triage" else "id"
    update = ", ".join(f"{c} = excluded.{c}" for c in restore) or f"{key} = excluded.{key}"
    conn.execute(
        f"""INSERT INTO {table}({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})
            ON CONFLICT({key}) DO UPDATE SET {update}""",
        tuple(row[c] for c in columns),
    )
    if table != "triage":
        conn.execute(f"UPDATE {table} SET summary_key = NULL WHERE id = ?", (row["id"],))


# -- where to: the most likely targets first -------------------------------------


# names (agencies, companies, laws) weigh as much as words in the picker's order;
# it only ranks the choices, the analyst decides
PICKER_NAMES_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    title: str
    date: str  # the story's latest, or the event's date
    score: float  # similarity to the item being moved, 0..1


def similar_stories(store: Store, story_id: str, params: Params = DEFAULT) -> list[Target]:
    """Every other story, the most similar to `story_id` first (a picker's order)."""
    from briefing.cluster.stage import KIND_STORY

    rows = store.query("SELECT id, title, last_date FROM stories WHERE id != ?", (story_id,))
    scores = _similarity(store, (KIND_STORY, story_id), KIND_STORY, [r[0] for r in rows], params)
    return _ranked(rows, scores)


def stories_for_event(store: Store, event_id: str, params: Params = DEFAULT) -> list[Target]:
    """Every story, the most similar to this event first (where to move it)."""
    from briefing.cluster.stage import KIND_EVENT, KIND_STORY

    rows = store.query("SELECT id, title, last_date FROM stories")
    scores = _similarity(store, (KIND_EVENT, event_id), KIND_STORY, [r[0] for r in rows], params)
    return _ranked(rows, scores)


def similar_events(store: Store, event_id: str, params: Params = DEFAULT) -> list[Target]:
    """Every other event, the most similar to `event_id` first."""
    from briefing.cluster.stage import KIND_EVENT

    rows = store.query("SELECT id, title, date FROM events WHERE id != ?", (event_id,))
    scores = _similarity(store, (KIND_EVENT, event_id), KIND_EVENT, [r[0] for r in rows], params)
    return _ranked(rows, scores)


def _ranked(rows: list[sqlite3.Row], scores: dict[str, float]) -> list[Target]:
    targets = [Target(r[0], r[1], r[2], scores.get(r[0], 0.0)) for r in rows]
    # among equals (no stored centroid), the newest first
    return sorted(targets, key=lambda t: (t.score, t.date, t.id), reverse=True)


def _similarity(
    store: Store,
    item: tuple[str, str],
    kind: str,
    others: list[str],
    params: Params,
) -> dict[str, float]:
    """Cosine of stored centroids over words and names, mixed half and half.

    `item` is (kind, id) of the thing being moved; `others` are ids of `kind`.
    The records are read with the stage's codec and weighed as the grouping
    weighs them: event sums with today's IDF, story sums as they are.
    """
    from briefing.cluster import stage

    n = params.n_features
    mine = stage.unpack_groups(cs.get_blobs(store, item[0], [item[1]]), n).get(item[1])
    theirs = stage.unpack_groups(cs.get_blobs(store, kind, others), n)
    if mine is None or not theirs:
        return {}
    keys = [k for k in others if k in theirs]
    events = stage.event_space(store, params)
    stories = Grouper(story_rule(params), n)

    def views(kind_of: str, groups: list[Group]) -> list[sp.csr_matrix]:
        if kind_of == stage.KIND_EVENT:  # the point an event is to the story grouping
            return event_profile(groups, events)[:2]
        return [normalize_rows(v) for v in stories.weighted(groups)[:2]]

    own, rest = views(item[0], [mine]), views(kind, [theirs[k] for k in keys])
    mix = [(rest[v] @ own[v].T).toarray().ravel() for v in range(2)]
    weight = PICKER_NAMES_WEIGHT
    return {key: float((1 - weight) * mix[0][i] + weight * mix[1][i]) for i, key in enumerate(keys)}
