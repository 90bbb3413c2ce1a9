"""Early stories: new articles grouped on their title and feed summary, refined on their text.

The app lists stories from the feed stage on. `first_pass` marks the new
articles whose page is still coming (`store.early`) and runs the ordinary
stage over them: a `Doc` without text is read through its feed summary. Once
the pages are in, `run` takes every article placed early that has its text
now out of its event, with its share of the event's stored sums and of the
document frequencies, and lets the same stage place it again. So there is one
way of placing an article, and a batch over the final texts groups as
provisional-then-refined does (the tests compare them).

Events and stories left empty are pruned by the stage. Their ids, which the
analyst may have starred, opened or read, go to the event or story that took
most of their articles (`carry`): to a new one made only of re-placed
articles, as its id; to an existing one, as a merge (the union of the
triage state, as the stage merges stories). The ids to carry are kept in the
store until then, so a crash between the passes is repaired by the next run.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np

from briefing.cluster import constraints, stage
from briefing.cluster.grouping import row_of
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.vectors import Doc, DocFreq, Featurizer
from briefing.models import Article
from briefing.store import articles as store_articles
from briefing.store import cluster_state as cs
from briefing.store import early as early_store
from briefing.store import triage
from briefing.store.db import Store

# the most articles the early pass places (one of the stage's batches): seconds, not minutes
EARLY_CAP = 1000
LEVELS = (("events", "event", stage.KIND_EVENT), ("stories", "story", stage.KIND_STORY))


def first_pass(
    store: Store, params: Params = DEFAULT, now: datetime | None = None, newest: int = EARLY_CAP
) -> stage.ClusterReport:
    """Place the newest new articles now, those whose page is still coming on their feed summary.

    A first morning's thousands wait for the final pass beyond `newest`: the
    early list is for the news of the day, and a short pass keeps it early.
    """
    early_store.mark(store)
    report = stage.run(store, params, now, newest=newest, provisional=True)
    early_store.unmark_unplaced(store)
    return report


def run(store: Store, params: Params = DEFAULT, now: datetime | None = None) -> stage.ClusterReport:
    """The clustering stage, after taking out what was placed early and has its text now."""
    detach(store, params)
    report = stage.run(store, params, now)
    carry(store, params)
    return report


# -- taking articles out -----------------------------------------------------------


def detach(store: Store, params: Params = DEFAULT) -> int:
    """Take the articles placed early that have their text now out of their events."""
    with store.write() as conn:
        early_store.settle(conn)
        ids = early_store.ready(store)
        if not ids:
            return 0
        _remember(store, conn, list(ids))
        arts = store_articles.by_ids(store, list(ids))
        placed = [_as_placed(a, ids[int(a.id or 0)]) for a in arts]
        _take_sums(store, conn, params, arts, placed)
        early_store.unmark(conn, list(ids))
    return len(ids)


def _as_placed(article: Article, early: bool) -> Doc:
    """The article as the clustering read it: without its text when it was placed early."""
    doc = stage.to_doc(article, time.time())
    if not early:
        return doc
    return Doc(doc.id, doc.title, doc.summary, "", doc.outlet, doc.url, doc.published)


def _take_sums(
    store: Store, conn: Any, params: Params, arts: list[Article], docs: list[Doc]
) -> None:
    """The events' sums and the document frequencies without these articles.

    Their rows are computed with the IDF the stored sums were made with (the
    frequencies before these articles leave them); spans are refitted with
    the IDF that stays.
    """
    n = params.n_features
    space = stage.event_space(store, params)
    enforcer = constraints.Enforcer(store, conn, params)
    own = [i for i, a in enumerate(arts) if a.duplicate_of is None and a.event_id]
    keys = sorted({str(arts[i].event_id) for i in own})
    groups = stage.unpack_groups(cs.get_blobs(store, stage.KIND_EVENT, keys), n)
    if space.idf is not None and own:
        rows = enforcer.record_rows([docs[i] for i in own], space)
        for k, i in enumerate(own):
            if (group := groups.get(str(arts[i].event_id))) is not None:
                constraints.take_rows(group, [row_of(r, k) for r in rows], n)
    _forget_frequencies(store, conn, params, docs)
    restored = stage.event_space(store, params)
    leaving = [a.id for a in arts]
    for group in groups.values():
        enforcer.refit_span(group, leaving, restored)
    cs.put_blobs(conn, stage.KIND_EVENT, {k: stage.pack_group(g, n) for k, g in groups.items()})


def _forget_frequencies(store: Store, conn: Any, params: Params, docs: list[Doc]) -> None:
    blob = cs.get_blobs(store, stage.KIND_DF, ["df"]).get("df")
    if blob is None or not docs:
        return
    df = DocFreq.from_bytes(blob, params.n_features)
    words, names = Featurizer(params).counts(docs)
    df.n_docs = max(0, df.n_docs - words.shape[0])
    for have, counts in ((df.words, words), (df.names, names)):
        gone = np.bincount(counts.indices, minlength=have.size).astype(np.int32)
        np.maximum(have - gone, 0, out=have)
    cs.put_blobs(conn, stage.KIND_DF, {"df": df.to_bytes()})


def _remember(store: Store, conn: Any, ids: list[int]) -> None:
    """Which event and story each leaving article was in, kept until `carry`."""
    snap = early_store.load_snapshot(store)
    for table, _, _ in LEVELS:
        snap.setdefault(table, {})
    for row in early_store.memberships(store, ids):
        event = snap["events"].setdefault(
            row["event"], {"articles": [], "created_at": row["event_created"]}
        )
        event["articles"].append(int(row["article"]))
        if row["story"] is None:
            continue
        story = snap["stories"].setdefault(
            row["story"],
            {
                "articles": [],
                "created_at": row["story_created"],
                "last_event_at": row["last_event_at"],
            },
        )
        story["articles"].append(int(row["article"]))
    early_store.save_snapshot(conn, snap)


# -- handing the ids over ------------------------------------------------------------


def carry(store: Store, params: Params = DEFAULT) -> None:
    """The ids of the events and stories emptied by `detach` go where their articles went."""
    snap = early_store.load_snapshot(store)
    if not snap:
        return
    with store.write() as conn:
        enforcer = constraints.Enforcer(store, conn, params)
        for table, level, kind in LEVELS:
            olds: dict[str, dict[str, Any]] = snap.get(table, {})
            alive = early_store.existing(store, table, sorted(olds))
            gone = {k: v for k, v in olds.items() if k not in alive}
            left = {a for info in olds.values() for a in info["articles"]}
            _hand_over(store, conn, (table, level, kind), gone, left)
            if level == "event":
                enforcer.refresh_events(sorted(alive))
            else:
                # they lost articles: dates and summaries again, the title if it left
                stale = set(early_store.stale_titles(store, sorted(alive)))
                kept = cs.rows_by_id(store, "stories", sorted(alive - stale))
                enforcer.out.titles.update({str(k): r["title"] for k, r in kept.items()})
                enforcer.out.stories |= alive
                enforcer.refresh_stories(sorted(alive))
        early_store.drop_snapshot(conn)
    # a renamed story keeps the analyst's title
    constraints.apply(store, params)


def _hand_over(
    store: Store,
    conn: Any,
    names: tuple[str, str, str],
    gone: dict[str, dict[str, Any]],
    left: set[int],
) -> None:
    """`gone` ids to the rows holding most of their articles; `left`: every article re-placed."""
    table, level, kind = names
    heir_of: dict[str, str] = {}
    for old, info in gone.items():
        now_in = _where(store, level, info["articles"])
        if now_in:
            heir_of[old] = max(sorted(now_in), key=lambda h: now_in[h])
    inheritors: dict[str, list[str]] = {}
    for old, heir in heir_of.items():
        inheritors.setdefault(heir, []).append(old)
    held = early_store.holders(store, table, sorted(inheritors))
    for heir, olds in inheritors.items():
        olds.sort(key=lambda o: (gone[o]["created_at"] or "", o))
        fresh = held[heir] <= left  # made of re-placed articles only: made just now
        keeper = olds[0] if fresh else heir
        if fresh:
            early_store.rename(conn, table, heir, keeper, kind)
            _keep_dates(conn, table, keeper, [gone[o] for o in olds], held[heir])
        if level == "story":
            triage.move(store, sorted({*olds, heir, keeper}), keeper)


def _where(store: Store, level: str, articles: list[int]) -> Counter[str]:
    column = "event" if level == "event" else "story"
    return Counter(
        str(r[column]) for r in early_store.memberships(store, articles) if r[column] is not None
    )


def _keep_dates(
    conn: Any, table: str, keeper: str, olds: list[dict[str, Any]], held: set[int]
) -> None:
    """Nothing new arrived when every article was there before: no "new" mark, no unread."""
    before = {a for o in olds for a in o["articles"]}
    if not held <= before:
        return
    created = min((o["created_at"] for o in olds if o["created_at"]), default=None)
    if table == "events":
        conn.execute(
            "UPDATE events SET created_at = COALESCE(?, created_at) WHERE id = ?",
            (created, keeper),
        )
        return
    last = max((o["last_event_at"] for o in olds if o["last_event_at"]), default=None)
    conn.execute(
        """UPDATE stories SET created_at = COALESCE(?, created_at),
               last_event_at = COALESCE(?, last_event_at) WHERE id = ?""",
        (created, last, keeper),
    )
