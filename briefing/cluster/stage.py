"""The clustering stage over the store: new articles join the archive's clusters.

Only unclustered articles (`event_id IS NULL`) are read in full. They are
compared with the part of the archive they can join, found by date: copies
within `duplicate_window_days` (their MinHash signatures are kept in the
`features` table), events within the event window (their centroid sums are
kept too), and stories by their stored centroids. Nothing else is recomputed.

Stories: the stories touched by the new events are re-linked locally, from
their events. Touched are the stories of the changed events, the stories an
exact check says one of those events would join (or nearly), and, among the
stories the stored centroids screen in, those last linked when the archive was
notably smaller or larger (`DRIFT`: its IDF has moved since, and with it how
their events group).

Identity: events only grow, so they keep their ids. Re-linked stories are
matched to the old ones by overlap: each old story goes to the new story
holding most of its events; a new story that inherits several old ones keeps
the oldest id and the union of their triage state (`store.triage.move`), and a
split leaves the id and the state with the larger part (the part split off is
dated after it, so a merge that joins them again keeps that id).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from briefing.cluster import constraints, titles
from briefing.cluster.ahead import PARALLEL_FROM, Ahead, Features
from briefing.cluster.dedup import PAIR_LIMIT, DupIndex, exact_pairs
from briefing.cluster.grouping import (
    OUTLET_ROW,
    ROWS,
    VIEWS,
    Group,
    Grouper,
    link_logits,
    new_id,
    row_of,
    row_range,
    unit,
)
from briefing.cluster.novelty import Seen
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import DAY, day_of, event_rows, event_rule, order_key, story_rule
from briefing.cluster.vectors import (
    Doc,
    DocFreq,
    Featurizer,
    arrival,
    pack_rows,
    unpack_many,
)
from briefing.models import Article, from_iso, to_iso, utcnow
from briefing.store import cluster_state as cs
from briefing.store import triage
from briefing.store.db import Store

T = TypeVar("T")

KIND_SIG = "cluster.minhash"
KIND_EVENT = "cluster.event"
KIND_STORY = "cluster.story"
KIND_DF = "cluster.df"
KIND_SEEN = "cluster.seen"  # when each column was first had by an event (`novelty`)
BATCH_ARTICLES = 2000
STORY_SCREEN_WORDS = 200
STORY_SCREEN_NAMES = 100
SCREEN_MARGIN = 8.0
SCREEN_BLOCK = 32
# (event, story) pairs scored at once: their features take 128 bytes each
PAIR_BUDGET = 250_000
# how far below joining (in logits) a screened story is still re-linked
EXACT_MARGIN = 2.0
# the screened stories (logits on their trimmed centroids) worth that exact check;
# the stale ones (`DRIFT`) are taken from the whole screen
CHECK_MARGIN = 10.0
# how much the archive may grow (or shrink) before a story's grouping is redone
DRIFT = 0.02


@dataclass(slots=True)
class ClusterReport:
    articles: int = 0
    duplicates: int = 0
    new_events: int = 0
    grown_events: int = 0
    new_stories: int = 0
    changed_stories: int = 0
    merged_stories: int = 0
    split_stories: int = 0
    pruned_events: int = 0  # left without articles (their feed was removed)
    pruned_stories: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step
    seconds: float = 0.0


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ts(value: str | None, default: float) -> float:
    parsed = from_iso(value)
    return parsed.timestamp() if parsed else default


def to_doc(article: Article, now: float) -> Doc:
    when = article.published or article.first_seen
    return Doc(
        id=int(article.id or 0),
        title=article.title,
        summary=article.summary,
        text=article.text,
        outlet=article.outlet,
        url=article.url,
        published=when.timestamp() if when else now,
    )


def pack_group(group: Group, n_features: int, *extra: float) -> bytes:
    """An event's or story's stored record: its `ROWS` state rows and (first, last, count).

    Event records hold IDF-free sums (see `Grouper`); story records hold sums of
    weighted event profiles, and after those three numbers the archive's size
    when the story was last linked (`extra`). The corrections read and write
    them through this codec too, so there is one format.
    """
    return pack_rows(group.state(n_features), [group.first, group.last, group.count, *extra])


def event_space(store: Store, params: Params) -> Grouper:
    """The events' grouper weighed with the archive's current IDF (unweighted before any run)."""
    return _event_space(_doc_freq(store, params), params)


def _doc_freq(store: Store, params: Params) -> DocFreq | None:
    blob = cs.get_blobs(store, KIND_DF, ["df"]).get("df")
    return DocFreq.from_bytes(blob, params.n_features) if blob is not None else None


def _event_space(df: DocFreq | None, params: Params) -> Grouper:
    if df is None:
        return Grouper(event_rule(params), params.n_features)
    idf_w = df.idf("words")
    return Grouper(event_rule(params), params.n_features, [idf_w, df.idf("names"), idf_w])


def article_views(
    featurizer: Featurizer,
    docs: list[Doc],
    counts: tuple[sp.csr_matrix, sp.csr_matrix],
    idf_w: np.ndarray,
    idf_n: np.ndarray,
) -> list[sp.csr_matrix]:
    """The words, names and headline rows of articles, weighed as the event grouping takes them."""
    return [
        Featurizer.weigh(counts[0], idf_w),
        Featurizer.weigh(counts[1], idf_n),
        featurizer.titles([d.title for d in docs], idf_w),
    ]


def _top(row: sp.csr_matrix, k: int) -> sp.csr_matrix:
    if row.nnz <= k:
        return row
    keep = np.sort(np.argpartition(row.data, -k)[-k:])
    data, indices = row.data[keep], row.indices[keep]
    return sp.csr_matrix((data, indices, [0, k]), shape=row.shape)


def _screen(group: Group) -> Group:
    """A story's stored centroid keeps only its heaviest features.

    It is only used to find the stories new events may join (those are then
    re-linked from their events' full vectors), so the top features are
    enough, and every run reads all of them.
    """
    return Group(
        group.id,
        group.first,
        group.last,
        _top(group.words, STORY_SCREEN_WORDS),
        _top(group.names, STORY_SCREEN_NAMES),
        [],
        group.count,
        _top(group.views(group.words.shape[1])[2], STORY_SCREEN_NAMES),
        [_top(r, STORY_SCREEN_WORDS) for r in group.latest] if group.latest else None,
    )


def unpack_groups(blobs: dict[str, bytes], n_features: int) -> dict[str, Group]:
    keys = list(blobs)
    if not keys:
        return {}
    header, rows = unpack_many([blobs[k] for k in keys], n_features, ROWS + 1)
    words, names, heads = rows[:VIEWS]
    return {
        k: Group(
            k,
            float(header[n, 0]),
            float(header[n, 1]),
            row_of(words, n),
            row_of(names, n),
            [],
            int(header[n, 2]),
            row_of(heads, n),
            [row_of(r, n) for r in rows[VIEWS:ROWS]],
            row_of(rows[OUTLET_ROW], n),
        )
        for n, k in enumerate(keys)
    }


def _picked(keys: list[str], mask: np.ndarray) -> set[str]:
    return {keys[int(n)] for n in np.flatnonzero(mask)}


def _backlog_order(row, now: float) -> tuple[float, str, str]:
    """`order_key` of an article from its stored row alone (as `to_doc` dates it)."""
    when = from_iso(row["published"]) or from_iso(row["first_seen"])
    return arrival(when.timestamp() if when else now, row["url"], row["id"])


def run(
    store: Store,
    params: Params = DEFAULT,
    now: datetime | None = None,
    newest: int | None = None,
    provisional: bool = False,
) -> ClusterReport:
    """Place every unclustered article (only the `newest` so many); returns what changed.

    A `provisional` run (the early pass, on feed summaries) keeps no record of
    the terms its events had: its articles are placed again on their text, and
    a record of their summaries' terms would make their own terms look known.
    """
    started = time.perf_counter()
    report = ClusterReport()
    moment = now or utcnow()
    now_ts = moment.timestamp()
    now_iso = to_iso(moment) or ""
    # only the dates of the backlog up front; each batch reads its own articles' text
    backlog = cs.unclustered_keys(store, newest)
    if not backlog:
        return report
    ids = [int(r["id"]) for r in sorted(backlog, key=lambda r: _backlog_order(r, now_ts))]
    del backlog
    loaded = time.perf_counter()
    # A morning's few hundred articles are one transaction: one commit rather
    # than three, and a run stopped midway leaves nothing half placed. Its
    # commit leaves the WAL's copy into the database (a checkpoint, a tenth of
    # such a run when it falls due) to a thread that overlaps the summaries.
    small = len(ids) <= BATCH_ARTICLES
    with store.checkpoint_after() if small else nullcontext():
        with store.write() if small else nullcontext():
            _place(store, params, ids, (now_ts, now_iso), report, provisional)
            committing = time.perf_counter()
        _add_phase(report, "commit", time.perf_counter() - committing)
    _add_phase(report, "read", loaded - started)
    report.seconds = time.perf_counter() - started
    return report


def _place(
    store: Store,
    params: Params,
    ids: list[int],
    now: tuple[float, str],
    report: ClusterReport,
    provisional: bool,
) -> None:
    """The articles `ids` (in publication order) into events, then their events into stories."""
    now_ts, now_iso = now
    with store.write() as conn:
        report.pruned_events, report.pruned_stories = cs.prune_empty(conn, KIND_EVENT, KIND_STORY)
    # A big backlog (the first fetch) goes in publication-order batches, each its
    # own transaction, so the app's triage writes never wait long for the lock.
    changed: set[str] = set()
    created: set[str] = set()
    # the document frequencies as the last batch left them (each batch stores them too)
    df: DocFreq | None = None
    with Ahead(params, parallel=len(ids) > PARALLEL_FROM) as ahead:
        scanned = ahead.of(_batches(store, ids, now_ts, report))
        while (item := _timed(report, "features", scanned)) is not None:
            batch, features = item
            report.articles += len(batch)
            with store.write() as conn:
                step = _Run(store, conn, params, batch, features, now_iso, report)
                grown, new = step.execute(df)
                df = step.df
                changed |= grown | new
                created |= new
                committing = time.perf_counter()
            _add_phase(report, "commit", time.perf_counter() - committing)
    # Stories once per run, over every event the batches changed: re-linking
    # after each batch re-read and re-linked nearly every story 25 times over.
    with store.write() as conn:
        stories = _Stories(store, conn, params, now_iso, report, df, keep_seen=not provisional)
        stories.link(changed, created)
        # the analyst's corrections outrank the automatic grouping, every run
        constraints.apply(store, params)
        committing = time.perf_counter()
    _add_phase(report, "commit", time.perf_counter() - committing)


def _batches(
    store: Store, ids: list[int], now_ts: float, report: ClusterReport
) -> Iterator[list[Doc]]:
    """The backlog's articles, `BATCH_ARTICLES` at a time, each batch in publication order."""
    for start in range(0, len(ids), BATCH_ARTICLES):
        reading = time.perf_counter()
        found = cs.articles_by_id(store, ids[start : start + BATCH_ARTICLES])
        batch = sorted((to_doc(a, now_ts) for a in found), key=order_key)
        del found
        _add_phase(report, "read", time.perf_counter() - reading)
        if batch:  # (else removed since the backlog was listed)
            yield batch


def _timed(report: ClusterReport, phase: str, items: Iterator[T]) -> T | None:
    """The next of `items` (None at the end), its wait counted in `phase`, less the
    reading it includes (`_batches` counts that as "read")."""
    started, reading = time.perf_counter(), report.phases.get("read", 0.0)
    item = next(items, None)
    read = report.phases.get("read", 0.0) - reading
    _add_phase(report, phase, time.perf_counter() - started - read)
    return item


def _add_phase(report: ClusterReport, phase: str, seconds: float) -> None:
    report.phases[phase] = report.phases.get(phase, 0.0) + seconds


class _Timed:
    """A step of a run that adds its phases' seconds to the report."""

    report: ClusterReport
    _clock: float

    def _lap(self, phase: str) -> None:
        now = time.perf_counter()
        _add_phase(self.report, phase, now - self._clock)
        self._clock = now


class _Run(_Timed):
    """One batch of new articles: features, copies and events (stories come after)."""

    def __init__(
        self,
        store: Store,
        conn,
        params: Params,
        docs: list[Doc],
        features: Features,
        now: str,
        report: ClusterReport,
    ) -> None:
        self.store, self.conn, self.p, self.docs = store, conn, params, docs
        self.features = features
        self.now, self.report = now, report
        self.featurizer = Featurizer(params)
        self._clock = time.perf_counter()

    def execute(self, df: DocFreq | None = None) -> tuple[set[str], set[str]]:
        """Place the batch's articles; returns the events (grown, created).

        `df`: the archive's document frequencies if the caller holds them (else read).
        """
        p, docs = self.p, self.docs
        self._clock = time.perf_counter()
        counts_w, counts_n = self.features.words, self.features.names
        if df is None:
            df = _doc_freq(self.store, p) or DocFreq(p.n_features)
        df.add(counts_w, counts_n)
        cs.put_blobs(self.conn, KIND_DF, {"df": df.to_bytes()})
        self.df = df
        self.idf_w = df.idf("words")
        idf_n = df.idf("names")
        xs = [
            Featurizer.weigh(counts_w, self.idf_w),
            Featurizer.weigh(counts_n, idf_n),
            Featurizer.weigh(self.features.titles, self.idf_w),
        ]  # (`article_views`, from counts scanned ahead)
        # events keep unweighted sums and are weighed with today's IDF (Grouper)
        self.event_space = Grouper(event_rule(p), p.n_features, [self.idf_w, idf_n, self.idf_w])
        t_min, t_max = docs[0].published, docs[-1].published
        self._lap("features")
        duplicate_of, old_event = self._dedup(t_min, t_max)
        self._lap("duplicates")
        grown, created = self._events(xs, duplicate_of, old_event, t_min, t_max)
        self._lap("events")
        return grown, created

    # -- duplicates ------------------------------------------------------------

    def _dedup(self, t_min: float, t_max: float) -> tuple[dict[int, int | None], dict[int, str]]:
        p = self.p
        window = p.duplicate_window_days * DAY
        known = cs.clustered_articles_between(
            self.store, _iso(t_min - window), _iso(t_max + window)
        )
        sigs = cs.get_blobs(self.store, KIND_SIG, [str(r["id"]) for r in known])
        known = [r for r in known if str(r["id"]) in sigs]
        dates = [_ts(r["published"] or r["first_seen"], 0.0) for r in known]
        new_dates = np.array([d.published for d in self.docs])
        # exact comparison within the date window unless it holds very many articles
        pairs = exact_pairs(np.concatenate([dates, new_dates]), new_dates, window)
        index = DupIndex(p, use_lsh=pairs > PAIR_LIMIT)
        old_event: dict[int, str] = {}
        for r, date in zip(known, dates, strict=True):
            sig = np.frombuffer(sigs[str(r["id"])], dtype=np.uint64)
            index.add_known(int(r["id"]), sig, date, r["url"], r["duplicate_of"])
            old_event[int(r["id"])] = r["event_id"]
        new_sigs = list(self.features.signatures)
        changes = index.add_all(self.docs, new_sigs)
        cs.put_blobs(
            self.conn,
            KIND_SIG,
            {
                str(d.id): s.astype(np.uint64).tobytes()
                for d, s in zip(self.docs, new_sigs, strict=True)
            },
        )
        new_ids = {int(d.id) for d in self.docs}
        # an archived article whose original changed (a newcomer predates it)
        self.relinked = {
            int(k): (int(v) if v is not None else None)
            for k, v in changes.items()
            if int(k) not in new_ids
        }
        duplicate_of = {
            int(d.id): (int(index.root(d.id)) if index.original.get(d.id) is not None else None)
            for d in self.docs
        }
        self.report.duplicates += sum(1 for v in duplicate_of.values() if v is not None)
        # originals outside the loaded window (a copy of a copy): read their events
        far = [v for v in duplicate_of.values() if v is not None and v not in new_ids]
        far = [v for v in far if v not in old_event]
        for aid, row in cs.rows_by_id(self.store, "articles", far).items():
            if row["event_id"]:
                old_event[int(aid)] = row["event_id"]
        return duplicate_of, old_event

    # -- events ----------------------------------------------------------------

    def _events(
        self,
        xs: list[sp.csr_matrix],
        duplicate_of: dict[int, int | None],
        old_event: dict[int, str],
        t_min: float,
        t_max: float,
    ) -> tuple[set[str], set[str]]:
        p = self.p
        rule = event_rule(p)
        # events are dated by their first article; one that started a while
        # before the window can still be running
        span = max(rule.window_after, p.event_max_run_days * DAY)
        rows = cs.events_between(
            self.store,
            day_of(t_min - span).isoformat(),
            day_of(t_max + rule.window_before).isoformat(),
        )
        blobs = cs.get_blobs(self.store, KIND_EVENT, [r["id"] for r in rows])
        grouper = self.event_space
        for group in unpack_groups(blobs, p.n_features).values():
            grouper.add_group(group)
        existing = set(grouper.groups)

        # a newcomer that predates archived copies joins the event of the first of them
        first_copy: dict[int, int] = {}
        for copy, original in self.relinked.items():
            if original is not None:
                first_copy.setdefault(original, copy)
        event_of: dict[int, str] = {}
        fresh: list[int] = []
        for n, doc in enumerate(self.docs):
            did = int(doc.id)
            root = duplicate_of[did]
            if root is not None and root in old_event:
                event_of[did] = old_event[root]
            elif root is None and did in first_copy:
                event_of[did] = old_event[first_copy[did]]
            elif root is None:
                fresh.append(n)
        placed = grouper.assign(
            [int(self.docs[n].id) for n in fresh],
            [x[fresh] for x in xs],
            [self.docs[n].published for n in fresh],
            self.features.outlets[fresh],
        )
        event_of.update({int(k): v for k, v in placed.items()})
        for doc in self.docs:
            did = int(doc.id)
            root = duplicate_of[did]
            if did not in event_of and root is not None:
                event_of[did] = event_of[root]
        touched = set(event_of.values())
        created = touched - existing
        grown = touched & existing
        self.report.new_events += len(created)
        self.report.grown_events += len(grown)
        self.groups = {g: grouper.groups[g] for g in touched if g in grouper.groups}
        # groups placed only through copies were not loaded: read them now
        missing = [g for g in touched if g not in self.groups]
        self.groups.update(
            unpack_groups(cs.get_blobs(self.store, KIND_EVENT, missing), p.n_features)
        )

        for eid in created:  # rows first (articles point at them); filled in below
            cs.upsert_event(
                self.conn,
                eid,
                story_id=None,
                title="",
                date=self.now[:10],
                created_at=self.now,
                changed=True,
            )
        cs.set_article_links(
            self.conn,
            [(int(d.id), duplicate_of[int(d.id)], event_of[int(d.id)]) for d in self.docs],
        )
        cs.set_article_links(
            self.conn, [(aid, dup, old_event[aid]) for aid, dup in self.relinked.items()]
        )
        cs.put_blobs(
            self.conn,
            KIND_EVENT,
            {g: pack_group(self.groups[g], p.n_features) for g in touched},
        )
        self._event_rows(touched, created)
        return grown, created

    def _event_rows(self, touched: set[str], created: set[str]) -> None:
        members: dict[str, list] = {}
        for r in cs.event_members(self.store, sorted(touched)):
            members.setdefault(r["event_id"], []).append(r)
        old = cs.rows_by_id(self.store, "events", sorted(touched - created))
        self.event_date: dict[str, str] = {}
        self.event_title: dict[str, str] = {}
        own_of = {}
        for eid in touched:
            rows = members.get(eid, [])
            own_of[eid] = [r for r in rows if r["duplicate_of"] is None] or rows
        heads_all = [r["title"] for eid in touched for r in own_of[eid]]
        vectors = self.featurizer.titles(heads_all, self.idf_w) if heads_all else None
        offset = 0
        # the events' word centroids, weighed in one go rather than event by event
        words = self.event_space.weighted([self.groups[eid] for eid in touched])[0]
        for n, eid in enumerate(touched):
            rows = members.get(eid, [])
            heads = [r["title"] for r in own_of[eid]]
            title = titles.pick(
                heads,
                row_range(vectors, offset, offset + len(heads)) if vectors is not None else None,
                unit(row_of(words, n)),
                self.p,
                _late([r["at"] for r in own_of[eid]]),
            )
            offset += len(heads)
            date = min((r["at"] for r in rows), default=self.now)[:10]
            self.event_date[eid], self.event_title[eid] = date, title
            prev = old.get(eid)
            cs.upsert_event(
                self.conn,
                eid,
                story_id=prev["story_id"] if prev is not None else None,
                title=title,
                date=date,
                created_at=prev["created_at"] if prev is not None else self.now,
                changed=True,
            )


# -- stories -------------------------------------------------------------------


class _Stories(_Timed):
    """The story level of a run: the stories its events may join, re-linked locally.

    Events are read back as stacked rows (`unpack_many`), never as one small
    matrix per event: a first run links tens of thousands of them.
    """

    def __init__(
        self,
        store: Store,
        conn,
        params: Params,
        now: str,
        report: ClusterReport,
        df: DocFreq | None = None,
        keep_seen: bool = True,
    ) -> None:
        """`keep_seen`: store what terms the events had (`novelty`), for later runs."""
        self.store, self.conn, self.p, self.now, self.report = store, conn, params, now, report
        self.keep_seen = keep_seen
        df = df if df is not None else _doc_freq(store, params)
        self.space = _event_space(df, params)
        self.n_docs = float(df.n_docs) if df is not None else 0.0
        self.rule = story_rule(params)
        self.seen = _seen(store, params)
        self.row: dict[str, int] = {}  # event -> its row in the profile parts
        self.first: dict[str, float] = {}
        self.parts: list[list[sp.csr_matrix]] = []
        self.date: dict[str, str] = {}
        self.title: dict[str, str] = {}
        self.stale: set[str] = set()
        self._clock = time.perf_counter()

    def _load(self, events: list[str]) -> None:
        """Read the events' sums and keep their profiles (normalized, with today's IDF)."""
        blobs = cs.get_blobs(self.store, KIND_EVENT, [e for e in events if e not in self.row])
        if not blobs:
            return
        keys = list(blobs)
        # the sums only: the latest member rows of an event are not part of its profile
        header, rows = unpack_many([blobs[k] for k in keys], self.p.n_features, VIEWS)
        del blobs
        base = len(self.row)
        for n, k in enumerate(keys):
            self.row[k] = base + n
            self.first[k] = float(header[n, 0])
        self.parts.append(event_rows(rows[:VIEWS], self.space))

    def _profile(self, events: list[str]) -> list[sp.csr_matrix]:
        if len(self.parts) > 1:
            self.parts = [[sp.vstack(p, format="csr") for p in zip(*self.parts, strict=True)]]
        at = np.array([self.row[e] for e in events], dtype=np.int64)
        return [m[at] for m in self.parts[0]]

    def _candidates(self, changed: list[str]) -> tuple[set[str], set[str]]:
        """Stored stories the changed events might join, screened by their centroids.

        Returns the screened stories last linked when the archive was more than
        `DRIFT` smaller or larger (the IDF has moved since, and with it how their
        events group), and those within `CHECK_MARGIN` of joining, the only
        ones worth an exact check.
        """
        stored = cs.all_blobs(self.store, KIND_STORY)
        if not stored:
            return set(), set()
        keys = list(stored)
        header, sv = unpack_many([stored[k] for k in keys], self.p.n_features, ROWS)
        ev = self._profile(changed)
        times = np.array([self.first[e] for e in changed])
        # the screens see this run's earlier events as known, as the linking will
        self.seen.record(ev, times, placed=False)
        # the stored centroids keep only their top features, so cosines come
        # out low: a margin keeps every story that might be joined
        reach = self._reach(sv, header, ev, times)
        linked = header[:, 3] if header.shape[1] > 3 else np.full(len(keys), np.nan)
        with np.errstate(invalid="ignore"):
            # NaN (never marked: written by an older version or a correction) is stale
            stale = ~(np.abs(self.n_docs - linked) <= DRIFT * linked)
        return _picked(keys, (reach > -SCREEN_MARGIN) & stale), _picked(keys, reach > -CHECK_MARGIN)

    def _joinable(self, moving: list[str], stories: set[str], local_rows: list) -> set[str]:
        """The screened stories a re-linked event would join, or nearly, by their exact state.

        `moving`: the changed events and the events of the stories re-linked
        anyway (a story re-linked from its events can take in a neighbour too).
        The loose screen keeps every story that might be joined; most are not,
        and re-linking those rebuilt them as they were, at most of a run's cost.
        Their exact state (the sums of their events' profiles, their latest
        event) is what the re-linking compares an event with.
        """
        members: dict[str, list[str]] = {}
        in_order = sorted(
            local_rows,
            key=lambda r: _linking_order(self.first.get(r["id"], 0.0), r["title"], r["id"]),
        )
        for r in in_order:
            if r["story_id"] in stories and r["id"] in self.row:
                members.setdefault(r["story_id"], []).append(r["id"])
        keys = sorted(members)
        if not keys:
            return set()
        order = [e for k in keys for e in members[k]]
        sizes = np.array([len(members[k]) for k in keys])
        owner = np.repeat(np.arange(len(keys)), sizes)
        indicator = sp.csr_matrix(
            (np.ones(len(order), dtype=np.float32), (owner, np.arange(len(order)))),
            shape=(len(keys), len(order)),
        )
        profile = self._profile(order)
        latest = np.cumsum(sizes) - 1  # members are in time order
        state = [(indicator @ m).tocsr() for m in profile] + [m[latest] for m in profile]
        firsts = np.array([self.first[e] for e in order])
        header = np.column_stack(
            [np.minimum.reduceat(firsts, latest - sizes + 1), firsts[latest], sizes]
        ).astype(np.float64)
        ev = self._profile(moving)
        times = np.array([self.first[e] for e in moving])
        hit = self._reach(state, header, ev, times) > -EXACT_MARGIN
        return {keys[int(col)] for col in np.flatnonzero(hit)}

    def _reach(
        self,
        stories: list[sp.csr_matrix],
        header: np.ndarray,
        events: list[sp.csr_matrix],
        times: np.ndarray,
    ) -> np.ndarray:
        """Each story's highest join logit with any of the events.

        A block of events at a time: the pair features of every event with every
        story would not fit in memory on a big archive. Each block walks every
        story's features once, so the blocks are as large as `PAIR_BUDGET` allows.
        """
        step = max(SCREEN_BLOCK, PAIR_BUDGET // max(1, stories[0].shape[0]))
        best = np.full(stories[0].shape[0], -np.inf)
        for lo in range(0, len(times), step):
            block = [m[lo : lo + step] for m in events]
            at = times[lo : lo + step]
            novel = self.seen.shares(block, at, in_order=False)
            logits = link_logits(self.rule, stories, header, block, at, novel=novel)
            best = np.maximum(best, logits.max(axis=0))
        return best

    def link(self, changed_events: set[str], created: set[str]) -> None:
        """Place the events a run created or grew (`changed_events`) into stories."""
        # events a run left without a story (it was stopped before this step) are new too
        orphans = cs.events_without_story(self.store)
        changed_set = changed_events | orphans
        self.created = created | orphans
        rows = cs.rows_by_id(self.store, "events", sorted(changed_set))
        changed = sorted(e for e in changed_set if e in rows)
        if not changed:
            return
        self._load(changed)
        changed = [e for e in changed if e in self.row]
        own = {rows[e]["story_id"] for e in changed if rows[e]["story_id"]}
        stale, close = self._candidates(changed)
        self.stale = stale
        own |= stale
        close -= own
        self._lap("stories.candidates")
        local_rows = cs.events_of_stories(self.store, sorted(own | close))
        self._load(sorted(r["id"] for r in local_rows))
        moving = sorted(set(changed) | {r["id"] for r in local_rows if r["story_id"] in own})
        affected = own | self._joinable([e for e in moving if e in self.row], close, local_rows)
        local_rows = [r for r in local_rows if r["story_id"] in affected]
        self._lap("stories.exact")
        previous = {r["id"]: r["story_id"] for r in local_rows}
        for r in [*local_rows, *(rows[e] for e in changed)]:
            self.date[r["id"]], self.title[r["id"]] = r["date"], r["title"]
        for e in changed:
            previous.setdefault(e, rows[e]["story_id"])
        self._load(sorted(previous))
        # stories with events we hold no vectors for (written by something other
        # than this stage) are left as they are rather than re-linked blind
        blind = {previous[e] for e in previous if e not in self.row and previous[e]}
        if blind:
            fresh = set(changed)
            previous = {e: s for e, s in previous.items() if s not in blind or e in fresh}
            for e in changed:
                if previous.get(e) in blind:
                    previous[e] = None
        ordered = sorted(
            (e for e in previous if e in self.row),
            key=lambda e: _linking_order(self.first[e], self.title.get(e), e),
        )
        profile = self._profile(ordered)
        # the loaded rows are copied into `profile` in time order: let them go (on
        # a first run they are every event's, and the grouping's stack comes next)
        self.parts = []
        grouper = Grouper(self.rule, self.p.n_features, keep_stack=True, seen=self.seen)
        self._lap("stories.load")
        placed = grouper.assign(ordered, profile, [self.first[e] for e in ordered])
        if self.keep_seen:
            cs.put_blobs(self.conn, KIND_SEEN, {"seen": self.seen.to_bytes()})
        self._lap("stories.link")
        clusters: dict[str, list[str]] = {}
        for e in ordered:
            clusters.setdefault(placed[e], []).append(e)
        self._reconcile(clusters, previous, set(changed), grouper)
        self._lap("stories.write")

    def _heirs(
        self, clusters: dict[str, list[str]], old_members: dict[str, set[str]]
    ) -> dict[str, str]:
        """Each old story goes to the new cluster holding most of its events."""
        cluster_of = {e: c for c, events in clusters.items() for e in events}
        # a tie goes to the cluster that starts first (`clusters` is in time
        # order), not to whichever fresh random id sorts first
        rank = {c: n for n, c in enumerate(clusters)}
        heir: dict[str, str] = {}
        for s, had in old_members.items():
            overlap = Counter(cluster_of[e] for e in had if e in cluster_of)
            if overlap:
                heir[s] = max(overlap, key=lambda c: (overlap[c], -rank[c]))
        return heir

    def _reconcile(
        self,
        clusters: dict[str, list[str]],
        previous: dict[str, str | None],
        changed: set[str],
        grouper: Grouper,
    ) -> None:
        old_ids = sorted({s for s in previous.values() if s})
        old_rows = cs.rows_by_id(self.store, "stories", old_ids)
        old_members: dict[str, set[str]] = {}
        for e, s in previous.items():
            if s:
                old_members.setdefault(s, set()).add(e)
        heir = self._heirs(clusters, old_members)
        inherits: dict[str, list[str]] = {}
        for s, c in heir.items():
            inherits.setdefault(c, []).append(s)
        apart: set[str] | None = None
        keep: set[str] = set()
        blobs: dict[str, bytes] = {}
        for cluster, events in clusters.items():
            olds = sorted(
                inherits.get(cluster, []),
                key=lambda s: (old_rows[s]["created_at"], s) if s in old_rows else ("", s),
            )
            if olds:
                sid = olds[0]
                if len(olds) > 1:
                    self.report.merged_stories += 1
                    # a part the analyst split off is split off again right after
                    # (`constraints.apply`): its triage state stays its own
                    if apart is None:
                        apart = constraints.split_off(self.conn)
                    triage.move(self.store, [s for s in olds if s not in apart - {sid}], sid)
            else:
                sid = new_id()
                self.report.new_stories += 1
            split_from = [s for s in {previous[e] for e in events} if s and heir.get(s) != cluster]
            if split_from:
                self.report.split_stories += 1
            keep.add(sid)
            membership = set(events)
            same = bool(olds) and membership == old_members.get(sid, set())
            group = grouper.groups[cluster]
            group.id = sid
            if same and not membership & changed:
                # re-linked to the very same events: its row stands, and so does
                # its centroid unless it is stale (then it is marked as linked at
                # today's archive size, `DRIFT`); rewriting the unchanged ones
                # was a tenth of a small run's writes
                if sid in self.stale:
                    blobs[sid] = pack_group(_screen(group), self.p.n_features, self.n_docs)
                continue
            blobs[sid] = pack_group(_screen(group), self.p.n_features, self.n_docs)
            self.report.changed_stories += 1
            self._write(sid, events, olds, old_rows, bool(membership & self.created), split_from)
            cs.set_event_story(self.conn, [(e, sid) for e in events if previous.get(e) != sid])
        cs.put_blobs(self.conn, KIND_STORY, blobs)
        gone = [s for s in old_ids if s not in keep]
        cs.delete_stories(self.conn, gone)
        cs.delete_blobs(self.conn, KIND_STORY, gone)

    def _write(
        self,
        sid: str,
        events: list[str],
        olds: list[str],
        old_rows: dict,
        new_event: bool,
        split_from: list[str],
    ) -> None:
        """A story's row after it changed: dates and title from its timeline."""
        prev_row = old_rows.get(sid)
        parents = [old_rows[s]["created_at"] for s in split_from if s in old_rows]
        last_event_at = prev_row["last_event_at"] if prev_row is not None else None
        for s in olds[1:]:
            other = old_rows[s]["last_event_at"] if s in old_rows else None
            if other and (last_event_at is None or other > last_event_at):
                last_event_at = other
        if new_event:
            last_event_at = self.now
        dates = self.date
        timeline = sorted(events, key=lambda e: (dates[e], self.first[e], e))
        cs.upsert_story(
            self.conn,
            sid,
            # the latest development's headline, so a row's date and title agree
            title=titles.latest([self.title[e] for e in timeline]),
            first_date=dates[timeline[0]],
            last_date=max(dates[e] for e in timeline),
            created_at=prev_row["created_at"] if prev_row is not None else _born(self.now, parents),
            last_event_at=last_event_at,
            changed=True,
        )


def _linking_order(first: float, title: str | None, event: str) -> tuple[float, str, str]:
    """The order events are linked into stories (and a story's latest event).

    Events of one moment (feeds that give only a day) go by title, not by their
    random ids: the same articles link into the same stories.
    """
    return (first, title or "", event)


def _seen(store: Store, params: Params) -> Seen:
    """When each column was first had by an event, as stored.

    Without a record (an archive grouped before novelty was kept, or only by
    the early pass, which keeps none) it is rebuilt from the stored events'
    sums, or every term of the run would count as novel. A first run, with
    no story yet, builds it as it links: nothing to read.
    """
    blob = cs.get_blobs(store, KIND_SEEN, ["seen"]).get("seen")
    if blob is not None:
        return Seen.from_bytes(blob, params.n_features, VIEWS)
    seen = Seen(params.n_features, VIEWS)
    if cs.any_story(store):
        stored = cs.all_blobs(store, KIND_EVENT)
        header, rows = unpack_many(list(stored.values()), params.n_features, VIEWS)
        seen.record(rows[:VIEWS], header[:, 0], placed=False)
    return seen


def _late(ats: list[str]) -> list[float]:
    """How long after the event's first report each article came, in days."""
    times = [from_iso(at) for at in ats]
    known = [t for t in times if t is not None]
    if not known:
        return [0.0] * len(ats)
    first = min(known)
    return [(t - first) / timedelta(days=1) if t is not None else 0.0 for t in times]


def _born(now: str, parents: list[str]) -> str:
    """A new story split off older ones is younger than each of them, strictly.

    Ages are whole seconds and the older id wins a merge: a part split off
    in the second its story was made tied with it, and when the analyst's
    merge (`constraints.apply`) joined them again, the id that sorted first
    won: as often as not the fresh one. (As `constraints.Enforcer.insert_story` does.)
    """
    latest = max((born for p in parents if (born := from_iso(p)) is not None), default=None)
    after = to_iso(latest + timedelta(seconds=1)) if latest is not None else None
    return max(now, after or now)
