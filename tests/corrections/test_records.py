"""The stored event and story records a correction writes are the ones the grouping reads.

Events keep the IDF-free sums of their articles' views (words, names,
headlines) and their latest article's views (see `Grouper`); a correction that
moves articles or merges events must write exactly that, or the next
incremental run compares newcomers against the wrong centroids.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from briefing.cluster import stage
from briefing.cluster.corrections import stories_for_event
from briefing.cluster.grouping import Group
from briefing.cluster.params import DEFAULT
from briefing.cluster.vectors import DocFreq, Featurizer
from briefing.store import articles as store_articles
from briefing.store import cluster_state as cs
from tests.corrections.conftest import Home
from tests.corrections.test_corrections import started

N = DEFAULT.n_features


def records(home: Home, kind: str, ids: list[str]) -> dict[str, Group]:
    with home.store() as db:
        return stage.unpack_groups(cs.get_blobs(db, kind, ids), N)


def idf_free_rows(home: Home, article_id: int) -> list[np.ndarray]:
    """One article's words, names and headline rows with today's IDF taken off again."""
    with home.store() as db:
        df = DocFreq.from_bytes(cs.get_blobs(db, stage.KIND_DF, ["df"])["df"], N)
        article = store_articles.by_ids(db, [article_id])[0]
    doc = stage.to_doc(article, 0.0)
    featurizer = Featurizer(DEFAULT)
    words, names = featurizer.counts([doc])
    idf_w, idf_n = df.idf("words"), df.idf("names")
    rows = [
        Featurizer.weigh(words, idf_w),
        Featurizer.weigh(names, idf_n),
        featurizer.titles([doc.title], idf_w),
    ]
    return [r.toarray().ravel() / idf for r, idf in zip(rows, (idf_w, idf_n, idf_w), strict=True)]


def dense(row: sp.csr_matrix | None) -> np.ndarray:
    assert row is not None
    return np.asarray(row.toarray()).ravel()


def test_an_article_moved_out_gets_the_record_the_grouping_would_write(home: Home) -> None:
    started(home)
    aid = int(home.article("policy-ban"))
    assert home.query("SELECT duplicate_of FROM articles WHERE id = ?", (aid,)) == [(None,)]
    old = home.event("policy-ban")
    before = records(home, stage.KIND_EVENT, [old])[old]
    home.ok("article", "move", str(aid), "--new-event")
    new = home.event("policy-ban")
    assert new != old
    got = records(home, stage.KIND_EVENT, [new, old])
    expected = idf_free_rows(home, aid)
    record = got[new]
    assert record.count == 1
    for view, want in zip(record.views(N), expected, strict=True):
        assert np.allclose(dense(view), want, atol=1e-5)
    assert record.latest is not None
    for view, want in zip(record.latest, expected, strict=True):
        assert np.allclose(dense(view), want, atol=1e-5)
    # the event it left gives back exactly its share, headlines too
    left = got[old]
    assert left.count == before.count - 1
    for now, was, share in zip(left.views(N), before.views(N), expected, strict=True):
        assert np.allclose(dense(now), dense(was) - share, atol=1e-4)


def test_an_event_whose_latest_article_leaves_takes_the_latest_that_stayed(home: Home) -> None:
    started(home)
    originals = home.query(
        "SELECT event_id, id FROM articles WHERE duplicate_of IS NULL ORDER BY published, id"
    )
    by_event: dict[str, list[int]] = {}
    for event, aid in originals:
        by_event.setdefault(event, []).append(aid)
    event, ids = next((e, i) for e, i in sorted(by_event.items()) if len(i) > 1)
    *stayed, leaving = ids
    home.ok("article", "move", str(leaving), "--new-event")
    left = records(home, stage.KIND_EVENT, [event])[event]
    with home.store() as db:
        docs = [stage.to_doc(a, 0.0) for a in store_articles.by_ids(db, stayed)]
    assert (left.first, left.last) == (docs[0].published, docs[-1].published)
    assert left.latest is not None
    for view, want in zip(left.latest, idf_free_rows(home, stayed[-1]), strict=True):
        assert np.allclose(dense(view), want, atol=1e-5)


def test_merged_events_add_their_sums_and_keep_the_later_latest_article(home: Home) -> None:
    started(home)
    a, b = home.event("wire-ban"), home.event("threat-research")
    before = records(home, stage.KIND_EVENT, [a, b])
    home.ok("event", "merge", a, b)
    kept = home.event("wire-ban")
    assert kept == home.event("threat-research") and kept in {a, b}
    merged = records(home, stage.KIND_EVENT, [kept])[kept]
    ga, gb = before[a], before[b]
    assert merged.count == ga.count + gb.count
    assert (merged.first, merged.last) == (min(ga.first, gb.first), max(ga.last, gb.last))
    for m, x, y in zip(merged.views(N), ga.views(N), gb.views(N), strict=True):
        assert np.allclose(dense(m), dense(x) + dense(y), atol=1e-5)
    later = ga if ga.last >= gb.last else gb
    assert merged.latest is not None and later.latest is not None
    for m, x in zip(merged.latest, later.latest, strict=True):
        assert np.allclose(dense(m), dense(x))


def test_an_event_is_most_similar_to_its_own_story_weighed_as_the_grouping_weighs(
    home: Home,
) -> None:
    started(home)
    # a story of one event: its stored centroid is that event's weighted profile
    sid, eid = home.query(
        "SELECT story_id, MIN(id) FROM events GROUP BY story_id HAVING COUNT(*) = 1"
    )[0]
    with home.store() as db:
        targets = stories_for_event(db, eid)
    assert targets[0].id == sid
    assert abs(targets[0].score - 1.0) < 1e-3
