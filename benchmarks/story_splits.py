"""Why a labeled storyline came out in pieces: the story model's view of each split.

    .venv/bin/python benchmarks/story_splits.py [--set own_days] [--rivals 2]

Clusters a labeled set (the sets of `train_pairs.py`; `own_days` is the corpus as
the shared harness serves it) through the store stage, then, for every gold
storyline split into several predicted stories, scores the first event of each
later piece against each earlier piece with the story model: the features,
their contributions and the join probability (`grouping.explain`). It also
prints the best-scoring stories of other storylines (the rivals): a fix that
lifts a split above zero must not lift those too. The pieces are scored at
their final state, so a piece that only grew after the event came shows what a
merge pass after linking could see.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle
from benchmarks.eval_cluster import to_doc
from benchmarks.train_pairs import load_set
from briefing.cluster import stage
from briefing.cluster.core import BATCH_FEED, Clustering, _article, read_back
from briefing.cluster.grouping import VIEWS, Model, explain, link_features
from briefing.cluster.novelty import Seen
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import event_rows, order_key
from briefing.cluster.vectors import unpack_many
from briefing.store import Store
from briefing.store import cluster_state as cs
from briefing.store.articles import upsert
from briefing.store.feeds import add as add_feed


def clustered(articles: list[CorpusArticle], params: Params) -> tuple[Store, Clustering]:
    """`core.cluster`, but the in-memory store is kept open for the profiles."""
    docs = sorted((to_doc(a) for a in articles), key=order_key)
    store = Store(":memory:")
    feed = add_feed(store, BATCH_FEED)
    assert feed.id is not None
    upsert(store, [_article(d, feed.id) for d in docs])
    stage.run(store, params)
    return store, read_back(store, {str(d.id): d.id for d in docs})


class Profiles:
    """Every event as the story level sees it: its profile rows and its first date."""

    def __init__(self, store: Store, params: Params, events: list[str]) -> None:
        blobs = cs.get_blobs(store, stage.KIND_EVENT, events)
        self.keys = [e for e in events if e in blobs]
        header, rows = unpack_many([blobs[k] for k in self.keys], params.n_features, 2 * VIEWS)
        self.rows = event_rows(rows[:VIEWS], stage.event_space(store, params))
        self.at = {k: n for n, k in enumerate(self.keys)}
        self.first = {k: float(header[n, 0]) for n, k in enumerate(self.keys)}
        # every event's columns from its time on: novel is what no earlier event had
        self.seen = Seen(params.n_features, VIEWS)
        self.seen.record(self.rows, header[:, 0], placed=False)

    def of(self, events: list[str]) -> list[sp.csr_matrix]:
        return [m[[self.at[e] for e in events]] for m in self.rows]

    def story(self, events: list[str]) -> tuple[list[sp.csr_matrix], np.ndarray]:
        """A story's state as the grouping keeps it: view sums, latest event, (first, last, n)."""
        events = sorted(events, key=lambda e: self.first[e])
        rows = self.of(events)
        sums = [sp.csr_matrix(m.sum(axis=0)) for m in rows]
        latest = [m[[len(events) - 1]] for m in rows]
        dates = [self.first[e] for e in events]
        return sums + latest, np.array([[min(dates), max(dates), len(events)]])

    def features(self, event: str, story: list[str]) -> np.ndarray:
        state, header = self.story(story)
        rows, at = self.of([event]), np.array([self.first[event]])
        novel = self.seen.shares(rows, at, in_order=False)
        feats, _ = link_features(state, header, rows, at, novel=novel)
        return np.asarray(feats[0])


def gold_of_events(articles: list[CorpusArticle], result: Clustering) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for a in articles:
        votes[result.event_of[a.id]][a.story_id] += 1
    return {e: c.most_common(1)[0][0] for e, c in votes.items()}


def report(articles: list[CorpusArticle], params: Params, rivals: int) -> None:
    store, result = clustered(articles, params)
    try:
        prof = Profiles(store, params, sorted(result.events))
    finally:
        store.close()
    model = Model(params.story_model)
    gold = gold_of_events(articles, result)
    pieces: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    stories: dict[str, list[str]] = defaultdict(list)
    for e in sorted(prof.keys, key=lambda e: prof.first[e]):
        pieces[gold[e]][result.events[e].story_id].append(e)
        stories[result.events[e].story_id].append(e)
    for storyline, parts in sorted(pieces.items()):
        if len(parts) < 2:
            continue
        ordered = sorted(parts.values(), key=lambda p: prof.first[p[0]])
        print(f"== {storyline}: {len(ordered)} pieces of {[len(p) for p in ordered]} events")
        for n, piece in enumerate(ordered[1:], start=1):
            event = piece[0]
            print(f"  {result.events[event].date} {result.events[event].title!r}")
            for earlier in ordered[:n]:
                head = result.events[earlier[0]].title
                print(f"    with the piece from {head!r}:")
                print(f"      {explain(model, prof.features(event, earlier))}")
            others = [s for s, evs in stories.items() if gold[evs[0]] != storyline]
            scored = sorted(
                (
                    (float(model.logit(prof.features(event, stories[s])[None, :])[0]), s)
                    for s in others
                ),
                reverse=True,
            )
            for logit, s in scored[:rivals]:
                print(f"    rival {logit:+.2f} {result.events[stories[s][0]].title!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="own_days", help="a labeled set of train_pairs.py")
    parser.add_argument("--rivals", type=int, default=2, help="other storylines' stories to show")
    args = parser.parse_args(argv)
    report(load_set(args.set), DEFAULT, args.rivals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
