"""The analyst's corrections, enforced on the grouping after every clustering run.

A correction is kept in article ids (`store.corrections`), because articles
keep their ids when events and stories are rebuilt from scratch. Each one
names its events and stories by their "home": the event (or story) holding
most of its anchor articles now. Enforcing the active corrections in the
order they were made (a later one wins a conflict) after the automatic
grouping has run makes them hold on every run — incremental, from scratch or
after a settings change — and enforcing an already-enforced correction changes
nothing, so `apply` is cheap when nothing new came in.

- must-link: merge stories (the whole stories join, so new articles that the
  grouping puts beside either side join the merged story), merge events, move
  an event to a story, move an article to an event;
- cannot-link: split a story (the events holding the split-off articles, and
  with `after` every later event without the staying articles, go apart), an
  article moved out to an event of its own (it never rejoins the others);
- pinned titles: a renamed story keeps the analyst's title.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import scipy.sparse as sp

from briefing.cluster.grouping import VIEWS, Group, Grouper, new_id, outlet_rows, row_of
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import order_key
from briefing.cluster.vectors import Doc, Featurizer
from briefing.models import from_iso, to_iso, utcnow
from briefing.store import articles as store_articles
from briefing.store import cluster_state as cs
from briefing.store import corrections as log
from briefing.store import triage
from briefing.store.corrections import Correction
from briefing.store.db import Store


@dataclass(slots=True)
class Outcome:
    """What enforcing the corrections touched."""

    stories: set[str] = field(default_factory=set)  # membership changed: refresh
    events: set[str] = field(default_factory=set)
    corrected_stories: set[str] = field(default_factory=set)
    corrected_events: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)  # pinned by a rename


def apply(store: Store, params: Params = DEFAULT, tidy: bool = False) -> Outcome:
    """Enforce every active correction on the stored events and stories.

    Events and stories left empty are dropped when something moved, or with
    `tidy` (after an undo put rows back); otherwise a run that finds every
    correction holding writes only the `corrected` marks.
    """
    with store.write() as conn:
        runner = Enforcer(store, conn, params)
        for correction in log.active(conn):
            runner.enforce(correction)
        runner.finish(tidy)
        return runner.out


def split_off(conn: sqlite3.Connection) -> set[str]:
    """The stories a split correction made: `apply` splits them off again on every run."""
    return {
        str(c.spec["story_id"])
        for c in log.active(conn)
        if c.kind == "split_story" and c.spec.get("story_id")
    }


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


class Enforcer:
    """Enforces corrections one by one on the rows; also tells where anchors live now."""

    def __init__(self, store: Store, conn: sqlite3.Connection, params: Params) -> None:
        self.store, self.conn, self.p = store, conn, params
        self.now = to_iso(utcnow()) or ""
        self.out = Outcome()

    def enforce(self, c: Correction) -> None:
        handlers: dict[str, Callable[[Correction], None]] = {
            "merge_stories": self._merge_stories,
            "split_story": self._split_story,
            "move_event": self._move_event,
            "merge_events": self._merge_events,
            "move_article": self._move_article,
            "new_event": self._new_event,
            "rename_story": self._rename_story,
        }
        handlers[c.kind](c)

    # -- where anchors live now ------------------------------------------------

    def home_event(self, ids: Sequence[int]) -> str | None:
        """The event holding most of these articles (the oldest on a tie)."""
        if not ids:
            return None
        row = self.conn.execute(
            f"""SELECT a.event_id FROM articles a JOIN events e ON e.id = a.event_id
                WHERE a.id IN ({_marks(ids)}) GROUP BY a.event_id
                ORDER BY COUNT(*) DESC, MIN(e.created_at), a.event_id LIMIT 1""",
            tuple(ids),
        ).fetchone()
        return None if row is None else str(row[0])

    def home_story(self, ids: Sequence[int]) -> str | None:
        if not ids:
            return None
        row = self.conn.execute(
            f"""SELECT e.story_id FROM articles a JOIN events e ON e.id = a.event_id
                JOIN stories s ON s.id = e.story_id
                WHERE a.id IN ({_marks(ids)}) GROUP BY e.story_id
                ORDER BY COUNT(*) DESC, MIN(s.created_at), e.story_id LIMIT 1""",
            tuple(ids),
        ).fetchone()
        return None if row is None else str(row[0])

    def story_of_event(self, event_id: str) -> str | None:
        row = self.conn.execute("SELECT story_id FROM events WHERE id = ?", (event_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def events_holding(self, ids: Sequence[int]) -> set[str]:
        if not ids:
            return set()
        return {
            str(r[0])
            for r in self.conn.execute(
                f"SELECT DISTINCT event_id FROM articles WHERE id IN ({_marks(ids)})"
                " AND event_id IS NOT NULL",
                tuple(ids),
            )
        }

    def older(self, table: str, a: str, b: str) -> tuple[str, str]:
        """(keeper, other): the older row keeps its id, as the automatic merges do."""
        rows = cs.rows_by_id(self.store, table, [a, b])
        return (a, b) if (rows[a]["created_at"], a) <= (rows[b]["created_at"], b) else (b, a)

    # -- the corrections ---------------------------------------------------------

    def _merge_stories(self, c: Correction) -> None:
        sa, sb = self.home_story(c.spec["a"]), self.home_story(c.spec["b"])
        if sa is None or sb is None:
            return
        if sa != sb:
            keeper, other = self.older("stories", sa, sb)
            self.join_stories(keeper, other)
            sa = keeper
        self.gather_events([*c.spec["a"], *c.spec["b"]], sa)
        self.out.corrected_stories.add(sa)

    def gather_events(self, anchors: Sequence[int], story_id: str) -> None:
        """Every anchor's event into the story: what the analyst joined stays joined.

        The two homes were joined whole (their new articles come along); an
        anchor a later grouping put elsewhere brings only its own event.
        """
        strays = [
            e for e in sorted(self.events_holding(anchors)) if self.story_of_event(e) != story_id
        ]
        if strays:
            self.move_events(strays, story_id)

    def gather_articles(self, anchors: Sequence[int], event_id: str) -> None:
        """Every anchor (with its copies) into the event."""
        strays = [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT id FROM articles WHERE id IN ({_marks(anchors)}) AND event_id != ?",
                (*anchors, event_id),
            )
        ]
        for article in strays:
            self.move_articles(self.with_copies(article), event_id)

    def _split_story(self, c: Correction) -> None:
        spec = c.spec
        home = self.home_story(spec["stay"])
        if home is None:
            return
        stay_events = self.events_holding(spec["stay"])
        going = {e for e in self.events_holding(spec["go"]) if self.story_of_event(e) == home}
        if spec.get("after"):
            going |= {
                str(r[0])
                for r in self.conn.execute(
                    "SELECT id FROM events WHERE story_id = ? AND date >= ?",
                    (home, spec["after"]),
                )
            }
        going -= stay_events
        self.out.corrected_stories.add(home)
        if not going:
            return
        remaining = self.conn.execute(
            f"SELECT COUNT(*) FROM events WHERE story_id = ? AND id NOT IN ({_marks(list(going))})",
            (home, *going),
        ).fetchone()[0]
        if not remaining:
            return
        target = spec.get("story_id") or new_id()
        exists = self.conn.execute("SELECT 1 FROM stories WHERE id = ?", (target,)).fetchone()
        if not exists:
            self.insert_story(target, sorted(going), younger_than=home)
        elif target == home:
            target = new_id()
            self.insert_story(target, sorted(going), younger_than=home)
        if spec.get("story_id") != target:
            log.set_spec(self.conn, c.id, {**spec, "story_id": target})
        self.move_events(sorted(going), target)
        self.out.corrected_stories.add(target)

    def _move_event(self, c: Correction) -> None:
        event = self.home_event(c.spec["event"])
        target = self.home_story(c.spec["story"])
        if event is None or target is None:
            return
        self.gather_events(c.spec["event"], target)
        self.out.corrected_events.add(event)
        self.out.corrected_stories.add(target)

    def _merge_events(self, c: Correction) -> None:
        ea, eb = self.home_event(c.spec["a"]), self.home_event(c.spec["b"])
        if ea is None or eb is None:
            return
        if ea != eb:
            keeper, other = self.older("events", ea, eb)
            ids = [
                int(r[0])
                for r in self.conn.execute("SELECT id FROM articles WHERE event_id = ?", (other,))
            ]
            self.sum_blobs("event", keeper, other)  # whole groups: their sums add up
            self.move_articles(ids, keeper, shift=False)
            ea = keeper
        self.gather_articles([*c.spec["a"], *c.spec["b"]], ea)
        self.out.corrected_events.add(ea)

    def _move_article(self, c: Correction) -> None:
        article = int(c.spec["article"])
        target = self.home_event(c.spec["event"])
        current = self.events_holding([article])
        if target is None or not current:
            return
        if current != {target}:
            self.move_articles(self.with_copies(article), target)
        self.out.corrected_events.add(target)

    def _new_event(self, c: Correction) -> None:
        article = int(c.spec["article"])
        own = self.with_copies(article)
        current = self.events_holding([article])
        if not current:
            return
        event = current.pop()
        others = [i for i in c.spec["others"] if i not in own]
        if event in self.events_holding(others):
            target = c.spec.get("event_id") or new_id()
            if self.conn.execute("SELECT 1 FROM events WHERE id = ?", (target,)).fetchone():
                target = new_id()
            self.insert_event(target, self.story_of_event(event), article)
            if c.spec.get("event_id") != target:
                log.set_spec(self.conn, c.id, {**c.spec, "event_id": target})
            self.move_articles(own, target)
            event = target
        self.out.corrected_events.add(event)

    def _rename_story(self, c: Correction) -> None:
        home = self.home_story(c.spec["story"])
        if home is not None:
            self.out.titles[home] = str(c.spec["title"])
            self.out.corrected_stories.add(home)

    # -- writes ------------------------------------------------------------------

    def with_copies(self, article: int) -> list[int]:
        """An article and the copies folded under it: they move together."""
        return [article] + [
            int(r[0])
            for r in self.conn.execute("SELECT id FROM articles WHERE duplicate_of = ?", (article,))
        ]

    def move_articles(self, ids: Sequence[int], event_id: str, shift: bool = True) -> None:
        before = self.events_holding(ids)
        if shift:
            self.shift_centroids(ids, event_id)
        self.conn.executemany(
            "UPDATE articles SET event_id = ? WHERE id = ?", [(event_id, i) for i in ids]
        )
        self.out.events |= before | {event_id}
        for e in before | {event_id}:
            if story := self.story_of_event(e):
                self.out.stories.add(story)

    def shift_centroids(self, ids: Sequence[int], target: str) -> None:
        """Moved articles take their share of the stored event records along.

        An incremental run places a newcomer by these records, and a story
        holding an event without one is left alone by the story linking; so
        an event a correction creates gets one, and the events an article
        leaves stop drawing the news it was about. The records are read and
        written with the stage's codec, the rows as its grouper keeps them.
        """
        from briefing.cluster import stage

        n = self.p.n_features
        moved = [a for a in store_articles.by_ids(self.store, list(ids)) if a.duplicate_of is None]
        space = stage.event_space(self.store, self.p)
        if not moved or space.idf is None:
            return
        docs = [stage.to_doc(a, time.time()) for a in moved]
        rows = self.record_rows(docs, space)
        sources = {str(a.event_id) for a in moved if a.event_id} - {target}
        keys = sorted(sources | {target})
        groups = stage.unpack_groups(cs.get_blobs(self.store, stage.KIND_EVENT, keys), n)
        for i, (article, doc) in enumerate(zip(moved, docs, strict=True)):
            own = [row_of(r, i) for r in rows]
            if (source := groups.get(str(article.event_id))) is not None:
                take_rows(source, own, n)
            if target not in groups:
                empty = sp.csr_matrix((1, n), dtype=np.float32)
                groups[target] = Group(target, np.inf, -np.inf, empty, empty, [], 0, empty)
            _give(groups[target], own, doc.published, n)
        for key in sources & set(groups):
            self.refit_span(groups[key], [a.id for a in moved], space)
        cs.put_blobs(
            self.conn, stage.KIND_EVENT, {k: stage.pack_group(g, n) for k, g in groups.items()}
        )

    def record_rows(self, docs: list[Doc], space: Grouper) -> list[sp.csr_matrix]:
        """Articles' words, names, headline and outlet rows as an event's record sums them."""
        from briefing.cluster import stage

        assert space.idf is not None
        featurizer = Featurizer(self.p)
        counts = featurizer.counts(docs)
        views = stage.article_views(featurizer, docs, counts, space.idf[0], space.idf[1])
        return [*space.unweighted(views), outlet_rows([d.source for d in docs], self.p.n_features)]

    def refit_span(self, group: Group, leaving: Sequence[int | None], space: Grouper) -> None:
        """An event that articles left: its span and latest article from those that stay."""
        from briefing.cluster import stage

        ids = [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM articles WHERE event_id = ? AND duplicate_of IS NULL",
                (group.id,),
            )
            if r[0] not in leaving
        ]
        docs = [stage.to_doc(a, time.time()) for a in store_articles.by_ids(self.store, ids)]
        if not docs:
            return
        latest = max(docs, key=order_key)
        group.first = min(d.published for d in docs)
        group.last = latest.published
        group.latest = self.record_rows([latest], space)[:VIEWS]

    def move_events(self, event_ids: Sequence[str], story_id: str) -> None:
        for e in event_ids:
            if old := self.story_of_event(e):
                self.out.stories.add(old)
        cs.set_event_story(self.conn, [(e, story_id) for e in event_ids])
        self.out.stories.add(story_id)

    def join_stories(self, keeper: str, other: str) -> None:
        events = [
            str(r[0])
            for r in self.conn.execute("SELECT id FROM events WHERE story_id = ?", (other,))
        ]
        self.move_events(events, keeper)
        rows = cs.rows_by_id(self.store, "stories", [keeper, other])
        latest = max(
            (rows[s]["last_event_at"] for s in (keeper, other) if rows[s]["last_event_at"]),
            default=None,
        )
        self.conn.execute("UPDATE stories SET last_event_at = ? WHERE id = ?", (latest, keeper))
        triage.move(self.store, [keeper, other], keeper)
        self.sum_blobs("story", keeper, other)

    def sum_blobs(self, level: str, keeper: str, other: str) -> None:
        """The merged group's stored record covers both sides.

        The clustering finds the events and stories a newcomer may join by
        these records (sums, so they add up; the latest member is the later
        side's); without them, news about the merged-in side would not find
        the merged group on an incremental run.
        """
        from briefing.cluster import stage

        n = self.p.n_features
        kind = stage.KIND_STORY if level == "story" else stage.KIND_EVENT
        groups = stage.unpack_groups(cs.get_blobs(self.store, kind, [keeper, other]), n)
        if len(groups) < 2:
            return
        a, b = groups[keeper], groups[other]
        later = a if a.last >= b.last else b
        merged = Group(
            keeper,
            min(a.first, b.first),
            max(a.last, b.last),
            a.words + b.words,
            a.names + b.names,
            [],
            a.count + b.count,
            a.views(n)[2] + b.views(n)[2],
            later.latest,
            a.outlet_row(n) + b.outlet_row(n),
        )
        cs.put_blobs(self.conn, kind, {keeper: stage.pack_group(merged, n)})
        cs.delete_blobs(self.conn, kind, [other])

    def insert_story(self, story_id: str, event_ids: Iterable[str], younger_than: str) -> None:
        """A split-off part: younger than the story it left, strictly.

        When a later run re-links the two parts into one, the automatic merge
        keeps the older id, so the story the analyst stayed on keeps its id
        (and its triage state) rather than losing it to a tie.
        """
        first = sorted(event_ids)[0]
        row = cs.rows_by_id(self.store, "events", [first])[first]
        parent = cs.rows_by_id(self.store, "stories", [younger_than])[younger_than]
        born = from_iso(parent["created_at"])
        after_parent = to_iso(born + timedelta(seconds=1)) if born else None
        created = max(self.now, after_parent or self.now)
        cs.upsert_story(
            self.conn,
            story_id,
            title=row["title"],
            first_date=row["date"],
            last_date=row["date"],
            created_at=created,
            last_event_at=None,
            changed=True,
        )

    def insert_event(self, event_id: str, story_id: str | None, article: int) -> None:
        row = self.conn.execute(
            "SELECT title, COALESCE(published, first_seen) FROM articles WHERE id = ?",
            (article,),
        ).fetchone()
        cs.upsert_event(
            self.conn,
            event_id,
            story_id=story_id,
            title=row[0],
            date=str(row[1])[:10],
            created_at=self.now,
            changed=True,
        )

    # -- after all of them -------------------------------------------------------

    def finish(self, tidy: bool) -> None:
        from briefing.cluster.stage import KIND_EVENT, KIND_STORY

        out = self.out
        self.refresh_events(sorted(out.events))
        if tidy or out.events or out.stories:
            cs.prune_empty(self.conn, KIND_EVENT, KIND_STORY)
        self.refresh_stories(sorted(out.stories | set(out.titles)))
        self.conn.execute("UPDATE stories SET corrected = 0 WHERE corrected = 1")
        self.conn.execute("UPDATE events SET corrected = 0 WHERE corrected = 1")
        self.conn.executemany(
            "UPDATE stories SET corrected = 1 WHERE id = ?",
            [(s,) for s in out.corrected_stories],
        )
        self.conn.executemany(
            "UPDATE events SET corrected = 1 WHERE id = ?", [(e,) for e in out.corrected_events]
        )

    def refresh_events(self, event_ids: Sequence[str]) -> None:
        """An event that gained or lost articles: its date, and a title one of them has."""
        for e in event_ids:
            rows = self.conn.execute(
                """SELECT title, COALESCE(published, first_seen) AS at, duplicate_of
                   FROM articles WHERE event_id = ? ORDER BY at, id""",
                (e,),
            ).fetchall()
            if not rows:
                continue
            current = self.conn.execute("SELECT title FROM events WHERE id = ?", (e,)).fetchone()
            heads = [r[0] for r in rows]
            title = current[0] if current and current[0] in heads else _first_original(rows)
            self.conn.execute(
                "UPDATE events SET title = ?, date = ?, summary_key = NULL WHERE id = ?",
                (title, str(rows[0][1])[:10], e),
            )

    def refresh_stories(self, story_ids: Sequence[str]) -> None:
        """Dates from the events; the title is the latest event's, unless pinned."""
        for s in story_ids:
            events = self.conn.execute(
                "SELECT title, date FROM events WHERE story_id = ? ORDER BY date, created_at, id",
                (s,),
            ).fetchall()
            if not events:
                continue
            title = self.out.titles.get(s)
            if title is None and s not in self.out.stories:
                continue
            changed = s in self.out.stories
            self.conn.execute(
                """UPDATE stories SET title = ?, first_date = ?, last_date = ?,
                       summary_key = CASE WHEN ? THEN NULL ELSE summary_key END WHERE id = ?""",
                (title or events[-1][0], events[0][1], events[-1][1], int(changed), s),
            )


def _give(group: Group, rows: list[sp.csr_matrix], when: float, n: int) -> None:
    """An article's rows join a group's record; the newest article is its latest."""
    group.words, group.names = group.words + rows[0], group.names + rows[1]
    group.titles = group.views(n)[2] + rows[2]
    group.outlets = group.outlet_row(n) + rows[VIEWS]
    group.count += 1
    if when >= group.last:
        group.latest = list(rows[:VIEWS])
    group.first, group.last = min(group.first, when), max(group.last, when)


def take_rows(group: Group, rows: list[sp.csr_matrix], n: int) -> None:
    # the span and the latest article are refitted from the rest (`refit_span`)
    group.words, group.names = group.words - rows[0], group.names - rows[1]
    group.titles = group.views(n)[2] - rows[2]
    # records written before outlets were counted have none to take from
    group.outlets = sp.csr_matrix((group.outlet_row(n) - rows[VIEWS]).maximum(0))
    group.count = max(0, group.count - 1)


def _first_original(rows: list[sqlite3.Row]) -> str:
    originals = [r for r in rows if r[2] is None] or rows
    return str(originals[0][0])
