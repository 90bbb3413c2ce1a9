"""The in-memory clustering: articles in, duplicates, events and stories out.

No store: the evaluation and the benchmarks call `cluster(docs)` directly.
The store-backed stage (`stage.py`) runs the very same pieces — `DupIndex`,
the events `Grouper`, the stories `Grouper`, `titles.pick` — on the new
articles against the part of the archive they can join.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from briefing.cluster import titles
from briefing.cluster.dedup import DupIndex, signatures
from briefing.cluster.grouping import Group, Grouper, Rule
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.vectors import Doc, DocFreq, Featurizer, ItemId

DAY = 86400.0


def event_rule(p: Params) -> Rule:
    return Rule(
        threshold=p.event_threshold,
        words_weight=p.event_words_weight,
        names_weight=p.event_names_weight,
        window_after=p.event_window_days * DAY,
        window_before=p.event_lead_days * DAY,
        min_names=p.event_min_names,
    )


def story_rule(p: Params) -> Rule:
    return Rule(
        threshold=p.story_threshold,
        words_weight=p.story_words_weight,
        names_weight=p.story_names_weight,
        window_after=p.story_window_days * DAY,
        window_before=p.story_window_days * DAY,
        min_names=p.story_min_names,
    )


def day_of(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


@dataclass(slots=True)
class EventOut:
    id: str
    article_ids: list[ItemId]  # every article, copies included, by publication
    title: str
    date: date
    story_id: str = ""


@dataclass(slots=True)
class StoryOut:
    id: str
    event_ids: list[str]  # the timeline: events in date order
    title: str
    first_date: date
    last_date: date


@dataclass(slots=True)
class Clustering:
    duplicate_of: dict[ItemId, ItemId | None] = field(default_factory=dict)
    event_of: dict[ItemId, str] = field(default_factory=dict)
    events: dict[str, EventOut] = field(default_factory=dict)
    stories: dict[str, StoryOut] = field(default_factory=dict)

    def story_of(self, article_id: ItemId) -> str:
        return self.events[self.event_of[article_id]].story_id


def order_key(doc: Doc) -> tuple[float, str]:
    return (doc.published, f"{doc.id:>20}" if isinstance(doc.id, int) else str(doc.id))


def cluster(docs: Sequence[Doc], params: Params = DEFAULT) -> Clustering:
    """Cluster a whole collection from scratch."""
    docs = sorted(docs, key=order_key)
    result = Clustering()
    if not docs:
        return result
    featurizer = Featurizer(params)
    counts_w, counts_n = featurizer.counts(docs)
    df = DocFreq(params.n_features)
    df.add(counts_w, counts_n)
    idf_w = df.idf("words")
    xw = Featurizer.weigh(counts_w, idf_w)
    xn = Featurizer.weigh(counts_n, df.idf("names"))

    # 1. duplicates
    index = DupIndex(params)
    for doc, sig in zip(docs, signatures(docs, params), strict=True):
        index.add(doc, sig)
    result.duplicate_of = {d.id: (index.root(d.id) if index.original[d.id] else None) for d in docs}

    # 2. events, over the originals; copies follow their original
    originals = [n for n, d in enumerate(docs) if result.duplicate_of[d.id] is None]
    events = Grouper(event_rule(params), params.n_features)
    placed = events.assign(
        [docs[n].id for n in originals],
        xw[originals],
        xn[originals],
        [docs[n].published for n in originals],
    )
    row = {d.id: n for n, d in enumerate(docs)}
    published = {d.id: d.published for d in docs}
    for doc in docs:
        original = result.duplicate_of[doc.id]
        result.event_of[doc.id] = placed[doc.id if original is None else original]
    members: dict[str, list[ItemId]] = {}
    for doc in docs:
        members.setdefault(result.event_of[doc.id], []).append(doc.id)
    title_vectors = featurizer.titles([d.title for d in docs], idf_w)
    for group in events.groups.values():
        ids = members[group.id]
        own = [i for i in ids if result.duplicate_of[i] is None]
        result.events[group.id] = EventOut(
            id=group.id,
            article_ids=ids,
            title=titles.pick(
                [docs[row[i]].title for i in own],
                title_vectors[[row[i] for i in own]],
                group.centroid()[0],
                params,
            ),
            date=day_of(min(published[i] for i in ids)),
        )

    # 3. stories, over the events in date order
    link_stories(result, events.groups, params)
    return result


def event_profile(groups: Sequence[Group]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Each event as one point: its normalized word and name centroids."""
    words = sp.vstack([g.words for g in groups], format="csr")
    names = sp.vstack([g.names for g in groups], format="csr")
    return (
        sp.csr_matrix(normalize(words, norm="l2", copy=False), dtype=np.float32),
        sp.csr_matrix(normalize(names, norm="l2", copy=False), dtype=np.float32),
    )


def link_stories(result: Clustering, groups: dict[str, Group], params: Params) -> None:
    ordered = sorted(groups.values(), key=lambda g: (g.first, g.id))
    pw, pn = event_profile(ordered)
    stories = Grouper(story_rule(params), params.n_features)
    placed = stories.assign([g.id for g in ordered], pw, pn, [g.first for g in ordered])
    pos = {g.id: n for n, g in enumerate(ordered)}
    for story in stories.groups.values():
        timeline = sorted(
            story.members, key=lambda e: (result.events[str(e)].date, groups[str(e)].first)
        )
        event_ids = [str(e) for e in timeline]
        for e in event_ids:
            result.events[e].story_id = story.id
        dates = [result.events[e].date for e in event_ids]
        result.stories[story.id] = StoryOut(
            id=story.id,
            event_ids=event_ids,
            title=titles.pick(
                [result.events[e].title for e in event_ids],
                pw[[pos[e] for e in event_ids]],
                story.centroid()[0],
                params,
            ),
            first_date=min(dates),
            last_date=max(dates),
        )
    assert len(placed) == len(ordered)
